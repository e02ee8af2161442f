package smtptest_test

import (
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"

	"github.com/gatehouse/gatehouse/internal/deliver/smtptest"
)

// dial opens a plaintext conversation with srv.
func dial(t *testing.T, srv *smtptest.Server) *smtp.Client {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Hello("client.example"); err != nil {
		t.Fatal(err)
	}
	return c
}

// send sends one message to rcpt: MAIL, RCPT, DATA.
func send(c *smtp.Client, rcpt, body string) error {
	if err := c.Mail("ops@example.com"); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "Subject: test\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+body+"\r\n"); err != nil {
		return err
	}
	return w.Close()
}

// eventually waits up to two seconds for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}

func TestServerCountsConnectionsAndQuits(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.Plaintext})
	a, b := dial(t, srv), dial(t, srv)
	if srv.Connections() != 2 || srv.Open() != 2 {
		t.Fatalf("connections %d, open %d; want 2 and 2", srv.Connections(), srv.Open())
	}
	if err := send(a, "alice@example.com", "hello"); err != nil {
		t.Fatal(err)
	}
	if err := a.Quit(); err != nil {
		t.Fatal(err)
	}
	_ = b.Close() // hangs up without QUIT
	eventually(t, "both connections closed", func() bool { return srv.Open() == 0 })
	if srv.Quits() != 1 {
		t.Errorf("%d QUITs counted, want 1", srv.Quits())
	}
	text, err := srv.Messages()[0].Body("text/plain")
	if err != nil || strings.TrimSpace(text) != "hello" {
		t.Errorf("Body = %q, %v", text, err)
	}
}

func TestServerDrops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		drop     smtptest.Drop
		stored   int  // messages recorded after three tries
		wantCode int  // the reply that ends the third try; 0: the connection is gone
		onRSET   bool // the drop shows at the next command, RSET
	}{
		{"close", smtptest.DropClose, 2, 0, true},
		{"421", smtptest.Drop421, 2, 421, false},
		{"unconfirmed", smtptest.DropUnconfirmed, 3, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, smtptest.Options{Security: smtptest.Plaintext, Drop: tt.drop, DropAfter: 2})
			c := dial(t, srv)
			for i := range 2 {
				if err := send(c, "alice@example.com", "hello"); err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
			}
			err := c.Reset()
			if tt.onRSET != (err != nil) {
				t.Errorf("RSET: %v", err)
			}
			if err == nil {
				err = send(c, "alice@example.com", "hello")
			}
			var reply *textproto.Error
			switch {
			case tt.wantCode != 0 && (!errors.As(err, &reply) || reply.Code != tt.wantCode):
				t.Errorf("third message: %v, want %d", err, tt.wantCode)
			case tt.wantCode == 0 && (err == nil || errors.As(err, &reply)):
				t.Errorf("third message: %v, want the connection gone", err)
			}
			eventually(t, "the server hangs up", func() bool { return srv.Open() == 0 })
			if n := len(srv.Messages()); n != tt.stored {
				t.Errorf("%d messages stored, want %d", n, tt.stored)
			}
		})
	}
}

func TestServerRefusesNestedMail(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.Plaintext, Refuse: "nobody@example.com"})
	c := dial(t, srv)
	if err := send(c, "nobody@example.com", "hello"); err == nil {
		t.Fatal("a refused recipient took the message")
	}
	var reply *textproto.Error
	if err := c.Mail("ops@example.com"); !errors.As(err, &reply) || reply.Code != 503 {
		t.Errorf("MAIL inside the failed transaction: %v, want 503", err)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := send(c, "alice@example.com", "hello"); err != nil {
		t.Errorf("after RSET: %v", err)
	}
}
