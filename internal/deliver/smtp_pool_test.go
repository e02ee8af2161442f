package deliver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver/smtptest"
)

// person is testCredential("en") for the i-th of several people.
func person(i int) Credential {
	c := testCredential("en")
	c.UserName, c.Email = fmt.Sprintf("user%02d", i), fmt.Sprintf("user%02d@example.com", i)
	return c
}

// eventually waits up to five seconds for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}

// checkOncePerPerson fails unless srv took exactly one message for each of
// the first n people.
func checkOncePerPerson(t *testing.T, srv *smtptest.Server, n int) {
	t.Helper()
	count := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			count[to]++
		}
	}
	for i := range n {
		if got := count[person(i).Email]; got != 1 {
			t.Errorf("%s received %d messages, want 1", person(i).Email, got)
		}
	}
	if len(srv.Messages()) != n {
		t.Errorf("%d messages arrived, want %d", len(srv.Messages()), n)
	}
}

func TestSMTPCarriesARunOnOneConnection(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: smtpUser, Password: smtpPassword})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", smtpUser, smtpPassword))
	if err := Preflight(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	const n = 10
	for i := range n {
		if _, err := ch.Deliver(context.Background(), person(i)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	checkOncePerPerson(t, srv, n)
	if got := srv.Connections(); got != 1 {
		t.Errorf("the preflight and %d messages took %d connections, want 1", n, got)
	}
	if err := ch.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the connection closed", func() bool { return srv.Open() == 0 })
	if srv.Quits() != 1 {
		t.Errorf("%d QUITs, want 1: Close says goodbye", srv.Quits())
	}
	if _, err := ch.Deliver(context.Background(), person(0)); !errors.Is(err, errSMTPClosed) {
		t.Errorf("Deliver after Close: %v, want %v", err, errSMTPClosed)
	}
}

// TestSMTPReconnectsWhenTheServerDrops delivers through servers that hang up
// after three messages on a connection: every message arrives once, on as
// many connections as that takes.
func TestSMTPReconnectsWhenTheServerDrops(t *testing.T) {
	t.Parallel()
	for name, drop := range map[string]smtptest.Drop{"closed": smtptest.DropClose, "421": smtptest.Drop421} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, smtptest.Options{Drop: drop, DropAfter: 3})
			ch := newTestSMTP(t, smtpDeps(srv, "starttls", "", ""))
			const n = 10
			for i := range n {
				if _, err := ch.Deliver(context.Background(), person(i)); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			checkOncePerPerson(t, srv, n)
			if got := srv.Connections(); got != 4 {
				t.Errorf("%d connections, want 4: three messages on each", got)
			}
		})
	}
}

// TestSMTPDoesNotResendAMessageTheServerMayHaveTaken: a connection that
// breaks after the whole message went out, before the server confirmed it,
// is not retried by the channel (the person would get it twice); the error
// says so and is retryable, for onboarding to decide.
func TestSMTPDoesNotResendAMessageTheServerMayHaveTaken(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{Drop: smtptest.DropUnconfirmed, DropAfter: 1})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", "", ""))
	if _, err := ch.Deliver(context.Background(), person(0)); err != nil {
		t.Fatal(err)
	}
	_, err := ch.Deliver(context.Background(), person(1))
	if err == nil || errors.Is(err, ErrRejected) || !errors.As(err, new(*unconfirmedError)) {
		t.Fatalf("Deliver = %v; want a retryable error saying the message may have arrived", err)
	}
	checkOncePerPerson(t, srv, 2)
	if _, err := ch.Deliver(context.Background(), person(2)); err != nil {
		t.Fatalf("the next message, on a new connection: %v", err)
	}
	if got := srv.Connections(); got != 2 {
		t.Errorf("%d connections, want 2", got)
	}
}

func TestSMTPKeepsTheConnectionAfterARefusedRecipient(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{Refuse: person(0).Email})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", "", ""))
	if _, err := ch.Deliver(context.Background(), person(0)); !errors.Is(err, ErrRejected) {
		t.Fatalf("Deliver to a refused recipient: %v", err)
	}
	if _, err := ch.Deliver(context.Background(), person(1)); err != nil {
		t.Fatal(err)
	}
	if srv.Connections() != 1 || len(srv.Messages()) != 1 {
		t.Errorf("%d connections, %d messages; want one of each", srv.Connections(), len(srv.Messages()))
	}
}

func TestSMTPDeliversConcurrentlyOnFewConnections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts smtptest.Options
	}{
		{"a server that keeps connections", smtptest.Options{User: smtpUser, Password: smtpPassword}},
		{"a server that drops them after two messages", smtptest.Options{User: smtpUser, Password: smtpPassword, Drop: smtptest.DropClose, DropAfter: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, tt.opts)
			ch := newTestSMTP(t, smtpDeps(srv, "starttls", smtpUser, smtpPassword))
			const n = 20
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					if _, err := ch.Deliver(context.Background(), person(i)); err != nil {
						t.Errorf("message %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			checkOncePerPerson(t, srv, n)
			if tt.opts.Drop == smtptest.DropNever && srv.Connections() > smtpConns {
				t.Errorf("%d connections, want at most %d", srv.Connections(), smtpConns)
			}
			if got := srv.Open(); got > smtpConns {
				t.Errorf("%d connections open, want at most %d", got, smtpConns)
			}
		})
	}
}

func TestSMTPQuitsIdleConnections(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", "", ""))
	ch.(*smtpChannel).pool.maxIdle = 50 * time.Millisecond
	if _, err := ch.Deliver(context.Background(), person(0)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the idle connection closed", func() bool { return srv.Open() == 0 })
	if srv.Quits() != 1 {
		t.Errorf("%d QUITs, want 1", srv.Quits())
	}
	if _, err := ch.Deliver(context.Background(), person(1)); err != nil {
		t.Fatalf("the next message, on a new connection: %v", err)
	}
	if srv.Connections() != 2 || srv.Open() != 1 {
		t.Errorf("%d connections, %d open; want 2, of which the new one is kept", srv.Connections(), srv.Open())
	}
}

// TestSMTPPreflightSignsIn: a wrong password stops the run before anyone is
// created, with what to fix and without the password.
func TestSMTPPreflightSignsIn(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: smtpUser, Password: smtpPassword})
	ch := newTestSMTP(t, smtpDeps(srv, "starttls", smtpUser, "wrong-"+smtpPassword))
	err := Preflight(context.Background(), ch)
	want := "checking the mail server " + srv.Addr() + ": authenticating as mailer: 535"
	if !errors.Is(err, ErrRejected) || !strings.HasPrefix(fmt.Sprint(err), want) || !strings.Contains(err.Error(), "check --smtp-user and GATEHOUSE_SMTP_PASSWORD") {
		t.Fatalf("Preflight = %v; want ErrRejected starting %q", err, want)
	}
	if strings.Contains(err.Error(), smtpPassword) {
		t.Errorf("the error holds the password: %v", err)
	}
	eventually(t, "the refused connection closed", func() bool { return srv.Open() == 0 })
}
