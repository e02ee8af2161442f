package deliver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// SMTP connection security (SMTPConfig.TLS, --smtp-tls).
const (
	smtpStartTLS = "starttls" // plaintext, then STARTTLS, which the server must offer (port 587)
	smtpTLS      = "tls"      // TLS from the first byte (port 465)
	smtpNone     = "none"     // no encryption: a trusted relay; a password goes only to localhost
)

// smtpTimeout bounds one message's conversation, from waiting for a
// connection to the server's confirmation.
const smtpTimeout = time.Minute

// smtpChannel mails the credential through a mail server. It keeps up to
// smtpConns connections open between messages (smtpPool), each used by one
// Deliver at a time, so Deliver is safe for concurrent use; Close says QUIT
// on them.
type smtpChannel struct {
	addr, host string
	security   string
	tlsConfig  *tls.Config
	user       string
	password   string // never logged; redacted from errors
	helo       string // the name this machine greets the server with
	from       *mail.Address
	replyTo    *mail.Address // nil: replies go to from
	lang       string
	sets       map[string]*templateSet // by language
	pool       *smtpPool
}

func newSMTP(deps Deps) (Channel, error) {
	s, err := newSMTPChannel(deps)
	if err != nil {
		return nil, fmt.Errorf("setting up SMTP delivery: %w", err)
	}
	return s, nil
}

// newSMTPChannel checks the server address, the security mode, the
// credentials, the addresses and the templates in every language, without
// dialing: a mistake is reported before any user is created.
func newSMTPChannel(deps Deps) (*smtpChannel, error) {
	cfg := deps.SMTP
	if cfg.Addr == "" {
		return nil, errors.New("no mail server; set --smtp-addr HOST:PORT (delivery.smtp.addr in the spec)")
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("mail server address %q: want HOST:PORT, for example smtp.example.com:587", cfg.Addr)
	}
	s := &smtpChannel{addr: cfg.Addr, host: host, security: cfg.TLS, user: cfg.User, password: cfg.Password, lang: deps.Language, sets: map[string]*templateSet{}}
	if s.security == "" {
		s.security = smtpStartTLS
	}
	if err := s.checkSecurity(); err != nil {
		return nil, err
	}
	s.tlsConfig = &tls.Config{ServerName: host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	if s.helo, err = os.Hostname(); err != nil || s.helo == "" {
		s.helo = "localhost"
	}
	if deps.From == "" {
		return nil, errors.New("no sender address; set delivery.from in the spec or --from")
	}
	if s.from, err = mail.ParseAddress(deps.From); err != nil {
		return nil, fmt.Errorf("sender address %q: %w", deps.From, err)
	}
	if deps.ReplyTo != "" {
		if s.replyTo, err = mail.ParseAddress(deps.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to address %q: %w", deps.ReplyTo, err)
		}
	}
	if s.lang, s.sets, err = compileAll(deps); err != nil {
		return nil, err
	}
	s.pool = newSMTPPool(smtpConns, smtpMaxIdle, s.dial)
	return s, nil
}

// checkSecurity accepts the three modes, and the password only where it
// travels encrypted or stays on this machine.
func (s *smtpChannel) checkSecurity() error {
	switch s.security {
	case smtpStartTLS, smtpTLS, smtpNone:
	default:
		return fmt.Errorf("unknown --smtp-tls mode %q: choose one of %s, %s, %s", s.security, smtpStartTLS, smtpTLS, smtpNone)
	}
	if s.user == "" {
		return nil
	}
	if s.password == "" {
		return fmt.Errorf("--smtp-user %s needs a password: set GATEHOUSE_SMTP_PASSWORD", s.user)
	}
	if s.security == smtpNone && !isLocalHost(s.host) {
		return fmt.Errorf("--smtp-tls none would send the SMTP password unencrypted to %s: use --smtp-tls starttls or tls, or a relay on localhost", s.host)
	}
	return nil
}

// isLocalHost is what go-mail's PLAIN and LOGIN accept without TLS.
func isLocalHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func (s *smtpChannel) Name() string { return spec.ChannelSMTP }

// Close says QUIT on the kept connections.
func (s *smtpChannel) Close() error {
	s.pool.close()
	return nil
}

// Deliver renders the message in the credential's language (else the
// channel's) and mails it to the person alone.
func (s *smtpChannel) Deliver(ctx context.Context, c Credential) (Receipt, error) {
	return s.mail(ctx, []Credential{c})
}

// DeliverAll mails one person's credentials in one message that lists
// every account.
func (s *smtpChannel) DeliverAll(ctx context.Context, cs []Credential) (Receipt, error) {
	if err := checkBatch(cs); err != nil {
		return Receipt{}, fmt.Errorf("delivering sign-in details by SMTP: %w", err)
	}
	return s.mail(ctx, cs)
}

func (s *smtpChannel) carriesSeveral() bool { return carriesSeveral(s.sets) }

// mail renders cs's message and mails it.
func (s *smtpChannel) mail(ctx context.Context, cs []Credential) (Receipt, error) {
	c := cs[0]
	where := fmt.Sprintf("delivering by SMTP to %s via %s", c.Email, s.addr)
	if c.Email == "" {
		return Receipt{}, reject(fmt.Errorf("delivering sign-in details for %s by SMTP: the person has no e-mail address", who(cs)))
	}
	to, err := mail.ParseAddress(c.Email)
	if err != nil {
		return Receipt{}, reject(fmt.Errorf("%s: recipient address: %w", where, err))
	}
	to.Name = c.DisplayName
	rendered, err := renderIn(s.sets, s.lang, cs...)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", where, err)
	}
	msg := s.message(to, rendered)
	if err := s.send(ctx, to, msg); err != nil {
		return Receipt{}, redact(redactSecrets(fmt.Errorf("%s: %w", where, err), cs), s.password)
	}
	id := msg.GetMessageID()
	return Receipt{Channel: spec.ChannelSMTP, MessageID: id, Detail: fmt.Sprintf("SMTP message %s to %s via %s", id, c.Email, s.addr)}, nil
}

// classify marks the errors retrying cannot fix and says how to fix them.
// Replies 4xx, timeouts and dropped connections stay retryable.
func (s *smtpChannel) classify(err error) error {
	var (
		reply *textproto.Error
		cert  *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, ErrRejected):
		return err
	case errors.As(err, &reply) && reply.Code == 535:
		return reject(fmt.Errorf("%w; check --smtp-user and GATEHOUSE_SMTP_PASSWORD", err))
	case errors.As(err, &reply) && reply.Code == 530 && s.user == "":
		return reject(fmt.Errorf("%w; the server requires authentication: set --smtp-user and GATEHOUSE_SMTP_PASSWORD", err))
	case errors.As(err, &reply) && reply.Code >= 500:
		return reject(err)
	case errors.As(err, &cert):
		return reject(fmt.Errorf("%w; check that --smtp-addr names the host in the server's certificate and that this machine trusts its issuer", err))
	}
	return err
}

// send mails msg over a kept connection (see smtpPool). It ends when the
// server has taken the message, or fails within smtpTimeout; cancelling ctx
// closes the connection.
func (s *smtpChannel) send(ctx context.Context, to *mail.Address, msg *gomail.Msg) error {
	ctx, cancel := context.WithTimeoutCause(ctx, smtpTimeout, fmt.Errorf("the mail server did not finish within %s: %w", smtpTimeout, context.DeadlineExceeded))
	defer cancel()
	err := s.pool.send(ctx, func(client *smtp.Client) error { return s.transmit(client, to, msg) })
	if err != nil && ctx.Err() != nil {
		return context.Cause(ctx) // the connection was closed under the conversation
	}
	return s.classify(err)
}

// Preflight connects, greets, secures and signs in as a delivery does, so
// that a wrong password, a server without STARTTLS or a certificate this
// machine does not trust stops the run before anyone is created. The
// connection is kept for the first message.
func (s *smtpChannel) Preflight(ctx context.Context) error {
	ctx, cancel := context.WithTimeoutCause(ctx, smtpTimeout, fmt.Errorf("the mail server did not answer within %s: %w", smtpTimeout, context.DeadlineExceeded))
	defer cancel()
	err := s.pool.send(ctx, func(*smtp.Client) error { return nil })
	if err != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return redact(fmt.Errorf("checking the mail server %s: %w", s.addr, s.classify(err)), s.password)
	}
	return nil
}
