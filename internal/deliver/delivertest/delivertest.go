// Package delivertest is the behavioural suite every delivery channel passes,
// the way litestream's RunWithReplicaClient is for replica clients: a channel
// is done when Run passes against it, not when it compiles.
//
// A Harness builds the channel against real servers (the sandbox's SES, an
// SMTP server, a fake Slack Web API, gatehouse serve) and says what reached
// the person, recovered as they would recover it: reading the mail or the
// Slack message, opening the claim link, decrypting the file. Run checks
// that each person gets exactly their own password, once, and a person in
// three accounts all three in one message (deliver.Batcher); that receipts,
// errors and the process's log never hold a secret; that bad setups are
// refused by deliver.New or deliver.Preflight, before any user would exist;
// that an unreachable person is rejected for good (deliver.ErrRejected);
// that an ended context sends nothing; and that Close leaves no goroutine
// or connection behind.
//
// Run changes the process's log output while it runs and counts goroutines:
// call it from a test that does not call t.Parallel. Go runs such tests
// before any parallel one starts, so nothing else runs beside the suite.
package delivertest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
)

// Harness is one delivery channel under test and the servers it talks to.
// Run calls newHarness once per check, so every check starts from fresh
// servers with nothing received.
type Harness struct {
	// Name is the channel's name, as deliver.New takes it ("smtp").
	Name string
	// Deps is a setup that works.
	Deps deliver.Deps
	// Person is the i-th of as many different people as the suite asks for
	// (up to 8), each reachable through the channel: an address the server
	// accepts, a member of the workspace, a public key. Run sets Password.
	Person func(i int) deliver.Credential
	// Received lists what reached c since the harness started, one entry per
	// message or file: the password as the person recovers it from that
	// message ("" when they cannot). Nil for a channel that hands nothing
	// over (none), whose Deliver then only has to be harmless.
	Received func(t *testing.T, c deliver.Credential) []string
	// ReceivedAll lists what reached c's person since the harness started,
	// one entry per message or file, as they read it: each account's
	// password by account ID (AccountsIn, RevealAll). Every channel that
	// hands something over is a deliver.Batcher and needs it.
	ReceivedAll func(t *testing.T, c deliver.Credential) []map[string]string
	// Exposed, when set, is what people other than the recipient can read
	// after a delivery — the messages carrying claim links, the encrypted
	// files — none of which may hold a password.
	Exposed func(t *testing.T) []string
	// Unreachable turns c into someone the channel refuses for good: no such
	// mailbox, not in the workspace, no key to encrypt to. Nil when the
	// channel refuses nobody.
	Unreachable func(c *deliver.Credential)
	// BadSetups must each be refused before any user exists. Every channel
	// that sends something has some.
	BadSetups []BadSetup
	// Secrets are the setup's secrets (an SMTP password, API tokens), which
	// no receipt, error or log line may hold.
	Secrets []string
}

// BadSetup is a setup a channel must refuse, by deliver.New or by
// deliver.Preflight, so that a run stops before it creates anyone.
type BadSetup struct {
	Name string
	Deps deliver.Deps
	// Want is what the error must say: what is wrong, or how to fix it.
	Want string
	// Secrets are this setup's own secrets (a wrong token), which the error
	// must not hold either.
	Secrets []string
}

// maxPeople is how many people the suite asks a harness for.
const maxPeople = 8

// Run runs the suite against the channels newHarness builds.
func Run(t *testing.T, newHarness func(t *testing.T) *Harness) {
	checks := []struct {
		name string
		run  func(*testing.T, *Harness, *secrets)
	}{
		{"delivers", delivers},
		{"delivers concurrently, each person their own", deliversConcurrently},
		{"refuses bad setups before any user exists", refusesBadSetups},
		{"rejects an unreachable person for good", rejectsUnreachable},
		{"sends nothing once the context has ended", stopsWithContext},
		{"closes without leaking", closesWithoutLeaking},
		{"delivers each person's accounts in one message", deliversSeveral},
		{"refuses what cannot go in one message", refusesBadBatches},
	}
	for _, check := range checks {
		t.Run(check.name, func(t *testing.T) {
			logs := captureLogs(t)
			h := newHarness(t)
			s := &secrets{setup: h.Secrets}
			check.run(t, h, s)
			s.check(t, "the process's log", logs.String())
		})
	}
}

// build makes the channel with h's good setup and runs its preflight, as a
// run does before its first change; the channel is closed when t ends.
func build(t *testing.T, h *Harness, s *secrets) deliver.Channel {
	t.Helper()
	ch, err := deliver.New(h.Name, h.Deps)
	if err != nil {
		s.check(t, "the error", err.Error())
		t.Fatalf("deliver.New(%q) with a good setup: %v", h.Name, err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	if err := deliver.Preflight(context.Background(), ch); err != nil {
		s.check(t, "the error", err.Error())
		t.Fatalf("deliver.Preflight with a good setup: %v", err)
	}
	if ch.Name() != h.Name {
		t.Errorf("Name() = %q, want %q", ch.Name(), h.Name)
	}
	return ch
}

// person is h.Person(i) with a password of its own.
func person(h *Harness, s *secrets, i int) deliver.Credential {
	c := h.Person(i)
	c.Password = s.newPassword(i)
	return c
}

func delivers(t *testing.T, h *Harness, s *secrets) {
	ch := build(t, h, s)
	c := person(h, s, 0)
	r, err := ch.Deliver(context.Background(), c)
	if err != nil {
		s.check(t, "the error", err.Error())
		t.Fatalf("Deliver: %v", err)
	}
	s.check(t, "the receipt", fmt.Sprintf("%#v %s", r, r))
	if r.Channel != h.Name || r.String() == "" {
		t.Errorf("receipt %+v: want the channel %q and where the credential went", r, h.Name)
	}
	if h.Received == nil {
		return
	}
	if got := h.Received(t, c); len(got) != 1 || got[0] != c.Password {
		t.Errorf("the person recovered %q; want their password, once", got)
	}
	if h.Exposed != nil {
		for _, text := range h.Exposed(t) {
			s.check(t, "what others can read", text)
		}
	}
}

func deliversConcurrently(t *testing.T, h *Harness, s *secrets) {
	ch := build(t, h, s)
	people := make([]deliver.Credential, maxPeople)
	receipts := make([]deliver.Receipt, maxPeople)
	errs := make([]error, maxPeople)
	var wg sync.WaitGroup
	for i := range people {
		people[i] = person(h, s, i)
		wg.Go(func() { receipts[i], errs[i] = ch.Deliver(context.Background(), people[i]) })
	}
	wg.Wait()
	ids := map[string]int{}
	for i, c := range people {
		if errs[i] != nil {
			s.check(t, "the error", errs[i].Error())
			t.Errorf("Deliver to person %d: %v", i, errs[i])
			continue
		}
		s.check(t, "the receipt", fmt.Sprintf("%#v %s", receipts[i], receipts[i]))
		if id := receipts[i].MessageID; id != "" {
			if j, seen := ids[id]; seen {
				t.Errorf("persons %d and %d have the same receipt %q", j, i, id)
			}
			ids[id] = i
		}
		if h.Received == nil {
			continue
		}
		if got := h.Received(t, c); len(got) != 1 || got[0] != c.Password {
			t.Errorf("person %d recovered %q; want their own password, once", i, got)
		}
	}
}

func refusesBadSetups(t *testing.T, h *Harness, s *secrets) {
	if len(h.BadSetups) == 0 {
		if h.Received != nil {
			t.Fatal("the harness names no bad setup; a channel that sends has some")
		}
		t.Skip("the channel has no setup to get wrong")
	}
	for _, bad := range h.BadSetups {
		t.Run(bad.Name, func(t *testing.T) {
			ch, err := deliver.New(h.Name, bad.Deps)
			switch {
			case err != nil && ch != nil:
				t.Errorf("deliver.New returned a channel with its error")
			case err == nil && ch == nil:
				t.Fatal("deliver.New returned neither a channel nor an error")
			case err == nil:
				err = deliver.Preflight(context.Background(), ch)
				_ = ch.Close()
			}
			if err == nil {
				t.Fatalf("accepted by deliver.New and deliver.Preflight; want it refused before any user exists")
			}
			(&secrets{setup: append(s.setup, bad.Secrets...)}).check(t, "the error", err.Error())
			if !strings.Contains(err.Error(), bad.Want) {
				t.Errorf("error %q; want it to say %q", err, bad.Want)
			}
		})
	}
}

func rejectsUnreachable(t *testing.T, h *Harness, s *secrets) {
	if h.Unreachable == nil {
		t.Skip("the channel refuses nobody")
	}
	ch := build(t, h, s)
	c := person(h, s, 0)
	h.Unreachable(&c)
	r, err := ch.Deliver(context.Background(), c)
	if err == nil {
		t.Fatalf("delivered to an unreachable person: %+v", r)
	}
	s.check(t, "the error", err.Error())
	if !errors.Is(err, deliver.ErrRejected) {
		t.Errorf("error %v: want deliver.ErrRejected, which is not retried", err)
	}
	if r != (deliver.Receipt{}) {
		t.Errorf("a receipt with the error: %+v", r)
	}
	if got := h.Received(t, c); len(got) != 0 {
		t.Errorf("the person received %d messages", len(got))
	}
}

func stopsWithContext(t *testing.T, h *Harness, s *secrets) {
	ch := build(t, h, s)
	c := person(h, s, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := ch.Deliver(ctx, c)
	if err == nil {
		t.Fatalf("delivered after the context ended: %+v", r)
	}
	s.check(t, "the error", err.Error())
	if errors.Is(err, deliver.ErrRejected) || !errors.Is(err, context.Canceled) {
		t.Errorf("error %v: want context.Canceled, not deliver.ErrRejected", err)
	}
	if h.Received != nil {
		if got := h.Received(t, c); len(got) != 0 {
			t.Errorf("the person received %d messages", len(got))
		}
	}
}
