// Package smtptest runs a real SMTP server for tests, the way net/http/httptest
// runs an HTTP one: on a loopback port, with a self-signed certificate for
// STARTTLS or implicit TLS, optional authentication and scripted refusals. It
// records every message it accepts.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Security is how the server protects connections.
type Security int

const (
	// StartTLS listens in plaintext and offers STARTTLS (the submission
	// port, 587). AUTH is offered only after STARTTLS.
	StartTLS Security = iota
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS
	// Plaintext neither offers nor accepts TLS; AUTH, when required, is
	// offered in the clear (a local relay).
	Plaintext
)

// Options configures a server. The zero value offers STARTTLS and accepts
// any message without authentication.
type Options struct {
	Security Security
	// User and Password, when User is set, must authenticate a session
	// before MAIL FROM; a wrong pair is answered 535.
	User, Password string
	// AuthMechanisms are the SASL mechanisms offered; default PLAIN and LOGIN.
	AuthMechanisms []string
	// Refuse is a recipient answered 550 (no such user) at RCPT TO; "*"
	// refuses every recipient.
	Refuse string
	// Defer is a recipient answered 451 (try again later) at RCPT TO.
	Defer string
	// Drop, when set, makes the server hang up on a client once it has taken
	// DropAfter messages on one connection, the way servers that limit
	// messages per connection or sessions per client do.
	Drop Drop
	// DropAfter is how many messages a connection carries before Drop
	// applies; 0 is 1.
	DropAfter int
}

// Drop is how the server hangs up on a client (Options.Drop).
type Drop int

const (
	// DropNever keeps connections open until the client quits.
	DropNever Drop = iota
	// DropClose closes the connection right after confirming the last
	// message it may carry: the client's next command finds it gone.
	DropClose
	// Drop421 answers the next MAIL FROM with 421 (service not available,
	// closing the channel) and closes the connection.
	Drop421
	// DropUnconfirmed takes one more message and closes the connection
	// before confirming it: the message is recorded, but the client cannot
	// know whether it arrived.
	DropUnconfirmed
)

// Message is a message the server accepted.
type Message struct {
	From   string   // the envelope sender (MAIL FROM)
	To     []string // the envelope recipients (RCPT TO)
	Data   []byte   // the message as sent after DATA
	Header mail.Header
	TLS    bool   // whether the session was encrypted when DATA was sent
	User   string // the authenticated user; empty without AUTH
}

// Server is a running SMTP server.
type Server struct {
	opts  Options
	addr  string
	roots *x509.CertPool

	mu       sync.Mutex
	messages []Message
	accepted int // connections accepted
	open     int // connections not yet closed
	quits    int // QUIT commands answered
}

// Start starts a server on a loopback port; t.Cleanup shuts it down.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.User != "" && len(opts.AuthMechanisms) == 0 {
		opts.AuthMechanisms = []string{sasl.Plain, sasl.Login}
	}
	cert, roots, err := selfSigned()
	if err != nil {
		t.Fatalf("smtptest: generating a certificate: %v", err)
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listening: %v", err)
	}
	s := &Server{opts: opts, addr: l.Addr().String(), roots: roots}
	l = &countingListener{Listener: l, server: s}

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{server: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0) // clients hanging up is what some tests do
	srv.Debug = quitCounter{s}                // sees each conversation in plaintext, after TLS
	switch opts.Security {
	case StartTLS:
		srv.TLSConfig = tlsConfig
	case ImplicitTLS:
		l = tls.NewListener(l, tlsConfig)
	case Plaintext:
		srv.AllowInsecureAuth = true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close() // closes the connections
		_ = l.Close()   // in case Serve has not taken the listener yet
		<-done
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// RootCAs trusts the server's self-signed certificate (for 127.0.0.1,
// ::1 and localhost).
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Messages returns the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Connections is how many connections the server has accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Open is how many connections are open now, as the server sees them.
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// Quits is how many QUIT commands the server has answered: clients that
// said goodbye rather than hanging up.
func (s *Server) Quits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quits
}

// session is one SMTP conversation (go-smtp starts a new one after STARTTLS).
type session struct {
	server *Server
	conn   *smtp.Conn
	user   string // authenticated
	msg    Message
	inMail bool // a transaction is open: MAIL FROM was accepted, and neither a message nor RSET ended it
	taken  int  // messages taken on this connection
}

// dropping says whether the connection has carried all the messages it may.
func (s *session) dropping(d Drop) bool {
	after := max(s.server.opts.DropAfter, 1)
	return s.server.opts.Drop == d && s.taken >= after
}

var errClosing = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Too many messages on this connection, closing it"}

var (
	errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errNoSuchUser   = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	errTryLater     = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox temporarily unavailable, try again later"}
	errNestedMail   = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Error: nested MAIL command"}
)

func (s *session) AuthMechanisms() []string { return s.server.opts.AuthMechanisms }

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, password string) error {
		if user != s.server.opts.User || password != s.server.opts.Password {
			return smtp.ErrAuthFailed // 535
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error { return check(user, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.dropping(Drop421) {
		hangUpAfterReply(s.conn)
		return errClosing
	}
	if s.server.opts.User != "" && s.user == "" {
		return errAuthRequired
	}
	if s.inMail {
		return errNestedMail // as Postfix answers: a client must RSET after a failed transaction
	}
	s.msg, s.inMail = Message{From: from}, true
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case to == s.server.opts.Refuse || s.server.opts.Refuse == "*":
		return errNoSuchUser
	case to == s.server.opts.Defer:
		return errTryLater
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message: " + err.Error()}
	}
	_, isTLS := s.conn.TLSConnectionState()
	m := s.msg
	m.Data, m.Header, m.TLS, m.User = data, parsed.Header, isTLS, s.user
	s.server.mu.Lock()
	s.server.messages = append(s.server.messages, m)
	s.server.mu.Unlock()
	if s.dropping(DropUnconfirmed) {
		_ = s.conn.Conn().Close() // before go-smtp answers 250
	}
	s.taken++
	return nil
}

// Reset runs on RSET and after every message, once its reply is sent.
func (s *session) Reset() {
	s.msg, s.inMail = Message{}, false
	if s.dropping(DropClose) {
		_ = s.conn.Conn().Close()
	}
}

func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl has only the client):
// it asks for the user name, then the password, each base64 on its own line.
type loginServer struct {
	check func(user, password string) error
	user  *string
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch {
	case l.user == nil && len(response) == 0:
		return []byte("Username:"), false, nil
	case l.user == nil:
		user := string(response) // an initial response: AUTH LOGIN <user>
		l.user = &user
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(*l.user, string(response))
}

var _ sasl.Server = (*loginServer)(nil)
