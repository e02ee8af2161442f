package deliver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"syscall"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

const (
	// smtpProbeTimeout bounds the RSET that begins a message on a kept
	// connection: one that died silently (a NAT or a firewall forgot it)
	// shows there and is replaced, instead of taking the message's whole
	// smtpTimeout.
	smtpProbeTimeout = 10 * time.Second
	// smtpQuitTimeout is how long a server has to answer QUIT before the
	// channel hangs up.
	smtpQuitTimeout = 5 * time.Second
)

// smtpConn is a connection to the mail server, greeted, secured and signed
// in: ready for messages. One conversation uses it at a time.
type smtpConn struct {
	raw    net.Conn // the TCP connection (under TLS): closing it interrupts any conversation
	client *smtp.Client
	used   bool        // has been kept after a conversation: the next one begins with RSET
	broken bool        // closed under a conversation whose context ended
	idle   *time.Timer // while kept, closes it when unused for too long (smtpPool.expire)
}

// dial connects, greets, secures and signs in. Ending ctx interrupts it.
func (s *smtpChannel) dial(ctx context.Context) (*smtpConn, error) {
	var (
		raw net.Conn
		err error
	)
	if s.security == smtpTLS {
		raw, err = (&tls.Dialer{Config: s.tlsConfig}).DialContext(ctx, "tcp", s.addr)
	} else {
		raw, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connecting: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	client, err := s.greet(raw)
	if !stop() && err == nil {
		err = fmt.Errorf("connecting: %w", context.Cause(ctx))
	}
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	return &smtpConn{raw: raw, client: client}, nil
}

// greet reads the server's greeting, says EHLO, starts TLS and signs in.
func (s *smtpChannel) greet(raw net.Conn) (*smtp.Client, error) {
	client, err := smtp.NewClient(raw, s.host)
	if err != nil {
		return nil, fmt.Errorf("reading the server's greeting: %w", err)
	}
	if err := client.Hello(s.helo); err != nil {
		return nil, fmt.Errorf("greeting the server: %w", err)
	}
	if err := s.startTLS(client); err != nil {
		return nil, err
	}
	if err := s.authenticate(client); err != nil {
		return nil, err
	}
	return client, nil
}

// startTLS upgrades the connection in starttls mode, and refuses to go on
// in plaintext when the server does not offer it.
func (s *smtpChannel) startTLS(client *smtp.Client) error {
	if s.security != smtpStartTLS {
		return nil
	}
	if ok, _ := client.Extension("STARTTLS"); !ok {
		return reject(errors.New("the server does not offer STARTTLS, and --smtp-tls starttls does not send without it: use --smtp-tls tls if the server expects TLS from the start (usually port 465), or --smtp-tls none only for a relay you trust on this network"))
	}
	if err := client.StartTLS(s.tlsConfig); err != nil {
		return fmt.Errorf("starting TLS: %w", err)
	}
	return nil
}

// authenticate signs in with PLAIN or LOGIN, whichever the server offers.
// go-mail's PLAIN and LOGIN refuse to send the password unencrypted to
// anything but localhost.
func (s *smtpChannel) authenticate(client *smtp.Client) error {
	if s.user == "" {
		return nil
	}
	ok, offered := client.Extension("AUTH")
	if !ok {
		return reject(fmt.Errorf("the server offers no authentication (AUTH) to --smtp-user %s: leave --smtp-user unset if the server needs none", s.user))
	}
	var auth smtp.Auth
	switch mechs := strings.Fields(strings.ToUpper(offered)); {
	case slices.Contains(mechs, "PLAIN"):
		auth = smtp.PlainAuth("", s.user, s.password, s.host, false)
	case slices.Contains(mechs, "LOGIN"):
		auth = smtp.LoginAuth(s.user, s.password, s.host, false)
	default:
		return reject(fmt.Errorf("the server offers authentication by %s; gatehouse signs in with PLAIN or LOGIN", offered))
	}
	if err := client.Auth(auth); err != nil {
		return fmt.Errorf("authenticating as %s: %w", s.user, err)
	}
	return nil
}

// transmit sends the envelope and the message.
func (s *smtpChannel) transmit(client *smtp.Client, to *mail.Address, msg *gomail.Msg) error {
	if err := client.Mail("<" + s.from.Address + ">"); err != nil {
		return fmt.Errorf("sending MAIL FROM <%s>: %w", s.from.Address, err)
	}
	if err := client.Rcpt("<" + to.Address + ">"); err != nil {
		return fmt.Errorf("sending RCPT TO <%s>: %w", to.Address, err)
	}
	w, err := client.Data()
	if err != nil {
		return fmt.Errorf("sending DATA: %w", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	if err := w.Close(); err != nil {
		if isReply(err) {
			return fmt.Errorf("sending the message: %w", err)
		}
		return &unconfirmedError{err: err}
	}
	return nil
}

// unconfirmedError is a connection that broke after the whole message was
// sent and before the server answered: the server may have taken it, so
// the channel does not send it again on its own.
type unconfirmedError struct{ err error }

func (e *unconfirmedError) Error() string {
	return fmt.Sprintf("sending the message: the connection broke before the server confirmed it, so it may have arrived: %v", e.err)
}

func (e *unconfirmedError) Unwrap() error { return e.err }

// isReply reports whether err is the server's answer, not a broken connection.
func isReply(err error) bool {
	var reply *textproto.Error
	return errors.As(err, &reply)
}

// dropped reports whether err says the server dropped the connection before
// it could have taken the message: it closed it, reset it, stopped
// answering, or said 421 (closing the channel). The message can be sent
// again on a new connection.
func dropped(err error) bool {
	var reply *textproto.Error
	switch {
	case errors.As(err, &reply):
		return reply.Code == 421
	case errors.As(err, new(*unconfirmedError)):
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, new(net.Error))
}

// keepable reports whether a connection can carry the next message after a
// conversation that ended with err: it ended with a reply the server gave
// (a refused recipient, say) other than 421.
func keepable(err error) bool {
	var reply *textproto.Error
	return err == nil || (errors.As(err, &reply) && reply.Code != 421)
}

// converse holds one conversation on c: RSET first when c has carried one
// before, so that the server starts afresh and a connection it dropped in
// the meantime shows before the message does. Ending ctx closes c.
func (c *smtpConn) converse(ctx context.Context, fn func(*smtp.Client) error) error {
	stop := context.AfterFunc(ctx, func() { _ = c.raw.Close() })
	err := c.reset()
	if err == nil {
		err = fn(c.client)
	}
	if !stop() {
		c.broken = true
	}
	return err
}

func (c *smtpConn) reset() error {
	if !c.used {
		return nil
	}
	_ = c.raw.SetDeadline(time.Now().Add(smtpProbeTimeout))
	defer func() { _ = c.raw.SetDeadline(time.Time{}) }()
	if err := c.client.Reset(); err != nil {
		return fmt.Errorf("resetting the kept connection: %w", err)
	}
	return nil
}

// quit says goodbye and closes c; a server that does not answer in time is
// hung up on.
func (c *smtpConn) quit() {
	_ = c.raw.SetDeadline(time.Now().Add(smtpQuitTimeout))
	_ = c.client.Quit()
	_ = c.raw.Close()
}
