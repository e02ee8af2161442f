package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver/smtptest"
	"github.com/gatehouse/gatehouse/internal/spec"
)

const (
	smtpUser     = "mailer"
	smtpPassword = "smtp-S3cret!pw"
)

// smtpDeps is a setup that sends to srv as ops@example.com.
func smtpDeps(srv *smtptest.Server, security, user, password string) Deps {
	return Deps{
		From: "Ops <ops@example.com>", ReplyTo: "help@example.com",
		SMTP: SMTPConfig{Addr: srv.Addr(), User: user, Password: password, TLS: security, RootCAs: srv.RootCAs()},
	}
}

func newTestSMTP(t *testing.T, deps Deps) Channel {
	t.Helper()
	ch, err := New(spec.ChannelSMTP, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// mailParts is a received message taken apart the way a mail client does.
type mailParts struct {
	header      mail.Header
	subject     string
	contentType string            // the top-level media type
	bodies      map[string]string // decoded, by media type
}

func parseMail(t *testing.T, m smtptest.Message) mailParts {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	p := mailParts{header: msg.Header, bodies: map[string]string{}}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	var params map[string]string
	if p.contentType, params, err = mime.ParseMediaType(msg.Header.Get("Content-Type")); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.contentType, "multipart/") {
		body := io.Reader(msg.Body)
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		p.bodies[p.contentType] = string(b)
		return p
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := parts.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			return p
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		mediaType, params, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil || !strings.EqualFold(params["charset"], "utf-8") {
			t.Errorf("part Content-Type %q: want a UTF-8 charset", part.Header.Get("Content-Type"))
		}
		p.bodies[mediaType] = string(b)
	}
}

func TestSMTPDeliversMultipartOverSTARTTLSWithAuth(t *testing.T) {
	t.Parallel()
	for _, lang := range spec.Languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, smtptest.Options{User: smtpUser, Password: smtpPassword})
			ch := newTestSMTP(t, smtpDeps(srv, "", smtpUser, smtpPassword)) // "": starttls
			c := testCredential(lang)
			r, err := ch.Deliver(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages arrived", len(got))
			}
			m := got[0]
			if !m.TLS || m.User != smtpUser || m.From != "ops@example.com" || strings.Join(m.To, ",") != c.Email {
				t.Errorf("envelope: TLS %v, user %q, from %q, to %v", m.TLS, m.User, m.From, m.To)
			}
			p := parseMail(t, m)
			id := p.header.Get("Message-Id")
			want := Receipt{Channel: "smtp", MessageID: id, Detail: fmt.Sprintf("SMTP message %s to %s via %s", id, c.Email, srv.Addr())}
			if !strings.HasSuffix(id, "@example.com>") || r != want {
				t.Errorf("receipt %+v, Message-ID %q", r, id)
			}
			wantMsg, err := Render(lang, spec.Template{}, "", c)
			if err != nil {
				t.Fatal(err)
			}
			if p.subject != wantMsg.Subject {
				t.Errorf("subject %q, want %q", p.subject, wantMsg.Subject)
			}
			for header, want := range map[string]mail.Address{"From": {Name: "Ops", Address: "ops@example.com"}, "To": {Name: c.DisplayName, Address: c.Email}, "Reply-To": {Address: "help@example.com"}} {
				if a, err := p.header.AddressList(header); err != nil || len(a) != 1 || *a[0] != want { // decodes MIME-encoded names
					t.Errorf("%s: %v %v, want %v", header, a, err, want)
				}
			}
			if _, err := p.header.Date(); err != nil {
				t.Errorf("Date: %v", err)
			}
			if p.contentType != "multipart/alternative" {
				t.Errorf("Content-Type %q, want multipart/alternative", p.contentType)
			}
			for _, mediaType := range []string{"text/plain", "text/html"} {
				body := html.UnescapeString(p.bodies[mediaType])
				for _, s := range []string{c.DisplayName, c.UserName, c.SignInURL, testPassword} {
					if !strings.Contains(body, s) {
						t.Errorf("%s part lacks %q:\n%s", mediaType, s, body)
					}
				}
			}
		})
	}
}

// TestSMTPSecurityModes sends through each kind of server and checks that
// the message travelled encrypted exactly when it should.
func TestSMTPSecurityModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		server   smtptest.Security
		security string
		user     string
		mechs    []string // offered; nil: PLAIN and LOGIN
		wantTLS  bool
	}{
		{"starttls", smtptest.StartTLS, "starttls", smtpUser, nil, true},
		{"starttls without auth", smtptest.StartTLS, "starttls", "", nil, true},
		{"starttls with LOGIN only", smtptest.StartTLS, "starttls", smtpUser, []string{"LOGIN"}, true},
		{"implicit tls", smtptest.ImplicitTLS, "tls", smtpUser, nil, true},
		{"plaintext relay", smtptest.Plaintext, "none", "", nil, false},
		{"plaintext relay on localhost with auth", smtptest.Plaintext, "none", smtpUser, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, smtptest.Options{Security: tt.server, User: tt.user, Password: smtpPassword, AuthMechanisms: tt.mechs})
			ch := newTestSMTP(t, smtpDeps(srv, tt.security, tt.user, smtpPassword))
			if _, err := ch.Deliver(context.Background(), testCredential("en")); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 || got[0].TLS != tt.wantTLS || got[0].User != tt.user {
				t.Fatalf("messages %+v: want one, TLS %v, user %q", got, tt.wantTLS, tt.user)
			}
		})
	}
}

// TestSMTPRefusals checks what each refusal tells the person running
// gatehouse, whether it is worth retrying, that no password leaks and that
// nothing was sent.
func TestSMTPRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		server       smtptest.Options
		security     string
		user, pass   string
		untrusted    bool
		wantRejected bool
		wantText     string
	}{
		{"wrong password (PLAIN)", smtptest.Options{User: smtpUser, Password: smtpPassword}, "starttls", smtpUser, "wrong-" + smtpPassword, false, true, "GATEHOUSE_SMTP_PASSWORD"},
		{"wrong password (LOGIN)", smtptest.Options{Security: smtptest.ImplicitTLS, User: smtpUser, Password: smtpPassword, AuthMechanisms: []string{"LOGIN"}}, "tls", smtpUser, "wrong-" + smtpPassword, false, true, "check --smtp-user"},
		{"authentication required", smtptest.Options{User: smtpUser, Password: smtpPassword}, "starttls", "", "", false, true, "set --smtp-user"},
		{"no STARTTLS offered", smtptest.Options{Security: smtptest.Plaintext}, "starttls", "", "", false, true, "does not offer STARTTLS"},
		{"no STARTTLS offered, with auth", smtptest.Options{Security: smtptest.Plaintext, User: smtpUser, Password: smtpPassword}, "starttls", smtpUser, smtpPassword, false, true, "--smtp-tls tls"},
		{"untrusted certificate", smtptest.Options{}, "starttls", "", "", true, true, "certificate"},
		{"unknown recipient", smtptest.Options{Refuse: "alice@example.com"}, "starttls", "", "", false, true, "550"},
		{"recipient deferred", smtptest.Options{Defer: "alice@example.com"}, "starttls", "", "", false, false, "451"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, tt.server)
			deps := smtpDeps(srv, tt.security, tt.user, tt.pass)
			if tt.untrusted {
				deps.SMTP.RootCAs = nil // the system's roots do not know the test certificate
			}
			ch := newTestSMTP(t, deps)
			_, err := ch.Deliver(context.Background(), testCredential("en"))
			if err == nil {
				t.Fatal("delivered")
			}
			if errors.Is(err, ErrRejected) != tt.wantRejected {
				t.Errorf("errors.Is(ErrRejected) = %v, want %v: %v", !tt.wantRejected, tt.wantRejected, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "delivering by SMTP to alice@example.com via "+srv.Addr()+": ") || !strings.Contains(msg, tt.wantText) {
				t.Errorf("error %q: want the recipient, the server and %q", msg, tt.wantText)
			}
			for _, secret := range []string{smtpPassword, testPassword} {
				if strings.Contains(msg, secret) {
					t.Errorf("error contains a password: %v", err)
				}
			}
			if got := srv.Messages(); len(got) != 0 {
				t.Errorf("%d messages arrived", len(got))
			}
		})
	}
}

// TestSMTPStopsWhenContextEnds talks to a server that accepts connections
// and never greets: Deliver must give up when ctx ends, not when the
// connection times out, and the error must be retryable.
func TestSMTPStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { // silent until the client hangs up
				_, _ = io.Copy(io.Discard, conn)
				_ = conn.Close()
			}()
		}
	}()
	ch := newTestSMTP(t, Deps{From: "ops@example.com", SMTP: SMTPConfig{Addr: l.Addr().String(), TLS: "none"}})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = ch.Deliver(ctx, testCredential("en"))
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Deliver took %s after the context ended", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrRejected) {
		t.Errorf("error %v: want context.DeadlineExceeded, retryable", err)
	}
}

func TestSMTPDeliversConcurrently(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: smtpUser, Password: smtpPassword})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", smtpUser, smtpPassword))
	const n = 20
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		receipts = map[string]string{} // Message-ID → recipient
	)
	for i := range n {
		wg.Go(func() {
			c := testCredential("en")
			c.UserName, c.Email = fmt.Sprintf("user%02d", i), fmt.Sprintf("user%02d@example.com", i)
			r, err := ch.Deliver(context.Background(), c)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			receipts[r.MessageID] = c.Email
			mu.Unlock()
		})
	}
	wg.Wait()
	got := srv.Messages()
	if len(got) != n || len(receipts) != n {
		t.Fatalf("%d messages arrived, %d distinct receipts; want %d", len(got), len(receipts), n)
	}
	for _, m := range got {
		p := parseMail(t, m)
		if to := receipts[p.header.Get("Message-Id")]; to == "" || strings.Join(m.To, ",") != to || !strings.Contains(p.bodies["text/plain"], strings.TrimSuffix(to, "@example.com")) {
			t.Errorf("message %s to %v: receipt says %q", p.header.Get("Message-Id"), m.To, to)
		}
	}
}

func TestSMTPSendsClaimLinkInsteadOfPassword(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", "", ""))
	c := testCredential("en")
	c.Password = ""
	c.ClaimURL = "https://gatehouse.example.com/claim/c1a1m#k3y-in-the-fragment"
	c.ClaimExpires = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	if _, err := ch.Deliver(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages arrived", len(got))
	}
	p := parseMail(t, got[0])
	text, htmlBody := p.bodies["text/plain"], html.UnescapeString(p.bodies["text/html"])
	if !strings.Contains(text, c.ClaimURL) || !strings.Contains(text, "2026-11-24 09:30 UTC") || !strings.Contains(htmlBody, `href="`+c.ClaimURL+`"`) {
		t.Errorf("the link or its expiry is missing:\n%s\n%s", text, htmlBody)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "Password:" {
			t.Errorf("text has an empty password line:\n%s", text)
		}
	}
	if strings.Contains(htmlBody, `<code style="font-size: 16px;"></code>`) {
		t.Errorf("HTML shows an empty password:\n%s", htmlBody)
	}
}

func TestSMTPLeavesOutBodiesTheOverrideOmits(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	deps := smtpDeps(srv, "starttls", "", "")
	deps.Template = spec.Template{Text: "Hi {{.Name}}: {{.Password}}"}
	ch := newTestSMTP(t, deps)
	if _, err := ch.Deliver(context.Background(), testCredential("en")); err != nil {
		t.Fatal(err)
	}
	p := parseMail(t, srv.Messages()[0])
	if p.contentType != "text/plain" || len(p.bodies) != 1 || strings.TrimRight(p.bodies["text/plain"], "\r\n") != "Hi Alice Example: "+testPassword {
		t.Errorf("Content-Type %s, bodies %q: want the text alone", p.contentType, p.bodies)
	}
}

func TestNewSMTPChecksSetup(t *testing.T) {
	t.Parallel()
	valid := Deps{From: "ops@example.com", SMTP: SMTPConfig{Addr: "smtp.example.com:587"}}
	tests := []struct {
		name    string
		change  func(*Deps)
		wantErr string // "": the setup is fine
	}{
		{"valid", func(*Deps) {}, ""},
		{"valid with auth over implicit TLS", func(d *Deps) { d.SMTP.TLS, d.SMTP.User, d.SMTP.Password = "tls", "u", "p" }, ""},
		{"valid plaintext auth to localhost", func(d *Deps) {
			d.SMTP.Addr, d.SMTP.TLS, d.SMTP.User, d.SMTP.Password = "localhost:25", "none", "u", "p"
		}, ""},
		{"no address", func(d *Deps) { d.SMTP.Addr = "" }, "set --smtp-addr HOST:PORT"},
		{"no port", func(d *Deps) { d.SMTP.Addr = "smtp.example.com" }, `"smtp.example.com": want HOST:PORT`},
		{"port not a number", func(d *Deps) { d.SMTP.Addr = "smtp.example.com:smtp" }, "want HOST:PORT"},
		{"port zero", func(d *Deps) { d.SMTP.Addr = "smtp.example.com:0" }, "want HOST:PORT"},
		{"no host", func(d *Deps) { d.SMTP.Addr = ":587" }, "want HOST:PORT"},
		{"unknown TLS mode", func(d *Deps) { d.SMTP.TLS = "ssl" }, `unknown --smtp-tls mode "ssl": choose one of starttls, tls, none`},
		{"user without password", func(d *Deps) { d.SMTP.User = "u" }, "set GATEHOUSE_SMTP_PASSWORD"},
		{"plaintext auth to a remote host", func(d *Deps) { d.SMTP.TLS, d.SMTP.User, d.SMTP.Password = "none", "u", "p" }, "unencrypted to smtp.example.com"},
		{"no sender", func(d *Deps) { d.From = "" }, "--from"},
		{"bad sender", func(d *Deps) { d.From = "ops at example" }, `sender address "ops at example"`},
		{"bad reply-to", func(d *Deps) { d.ReplyTo = "help@" }, `reply-to address "help@"`},
		{"unknown language", func(d *Deps) { d.Language = "fr" }, `unknown template language "fr"`},
		{"template does not parse", func(d *Deps) { d.Template.Text = "{{.Name" }, "delivery.template.text does not parse"},
		{"template names an unknown field", func(d *Deps) { d.Subject = "{{.Nmae}}" }, "rendering the delivery.subject template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			deps := valid
			tt.change(&deps)
			ch, err := New(spec.ChannelSMTP, deps)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr == "":
				if ch.Name() != "smtp" {
					t.Errorf("Name() = %q", ch.Name())
				}
			case err == nil:
				t.Fatalf("no error, want %q", tt.wantErr)
			case !strings.HasPrefix(err.Error(), "setting up SMTP delivery: ") || !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error %q, want %q", err, tt.wantErr)
			case ch != nil:
				t.Errorf("a channel with the error")
			}
		})
	}
}
