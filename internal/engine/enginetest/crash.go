package enginetest

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// crashPoint is where a run dies: at the nth call of a journal write (from
// 1), before it commits or just after.
type crashPoint struct {
	write string
	nth   int
	after bool
}

func (c crashPoint) String() string {
	when := "before"
	if c.after {
		when = "after"
	}
	return fmt.Sprintf("%s %s #%d", when, c.write, c.nth)
}

// crashPoints are the moments a kill hurts most: the intent to create a
// user journaled but no user made; a user made but not yet journaled as
// gatehouse's (a directory that cannot mark its users must still recognise
// it); a credential issued but not delivered; delivered but not journaled.
var crashPoints = []crashPoint{
	{"MarkCreating", 1, true},
	{"MarkUser", 1, false},
	{"MarkUser", 2, false},
	{"CredentialIssued", 1, true},
	{"CredentialDelivered", 1, false},
}

// crashes kills an onboarding at each crash point, in a world of its own,
// then runs it again: every person's user must be gatehouse's — not
// refused as someone else's — with the access its spec gives and a
// credential delivered, and one more run must change nothing.
func crashes(t *testing.T, newHarness func(t *testing.T) *Harness) {
	for _, at := range crashPoints {
		t.Run(at.String(), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, newHarness(t))
			in := w.input(t, "ada@example.com", "grace@example.com")
			cj := &crashingJournal{Journal: w.journal, at: at}
			w.mail.dead = cj.isDead
			w.crashOnboard(t, cj, in)
			if !cj.isDead() {
				t.Fatalf("the run never reached %s: the test proves nothing", at)
			}
			w.mail.dead = nil

			plan, rep := w.onboard(t, in)
			for _, row := range rep.Rows {
				if !row.Status.OK() || row.Status == onboard.StatusSkipped {
					t.Errorf("after the crash %s: %s in %s is %s (%s), want it created or completed", at, row.UserName, row.Account, row.Status, row.Error)
				}
			}
			for _, pl := range plan.Placements {
				got := w.mail.To(pl.Scope.ID, pl.UserName)
				if len(got) == 0 {
					t.Errorf("after the crash %s: %s in %s was never sent a credential", at, pl.UserName, pl.Scope.ID)
					continue
				}
				w.signsIn(t, pl.Scope.ID, pl.UserName, got[len(got)-1].Password, true, "after the crash "+at.String())
				w.reaches(t, pl.Scope.ID, pl.UserName, true, "after the crash "+at.String())
			}
			plan, _ = w.onboard(t, in)
			for _, pl := range plan.Placements {
				if !pl.Done() {
					t.Errorf("after the crash %s, a second run plans %v (%s) for %s in %s, want nothing", at, pl.Steps, pl.Skip, pl.UserName, pl.Scope.ID)
				}
			}
		})
	}
}

// crashOnboard plans and applies in with cj, which kills the workers at its
// crash point.
func (w *world) crashOnboard(t *testing.T, cj *crashingJournal, in *spec.Input) {
	t.Helper()
	ctx := context.Background()
	deps := w.onboardDeps()
	deps.Journal = cj
	plan, err := onboard.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatalf("planning the onboarding: %v", err)
	}
	if _, err := onboard.Apply(ctx, deps, plan); err != nil {
		t.Fatalf("onboarding until the crash: %v", err)
	}
}

// crashingJournal is the journal of a process killed at a crash point: the
// write there is made or not, then every worker stops at its next journal
// write or delivery — where a killed process would have stopped earlier,
// which leaves the same state.
type crashingJournal struct {
	onboard.Journal
	at crashPoint

	mu    sync.Mutex
	calls map[string]int
	dead  bool
}

func (c *crashingJournal) isDead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

func (c *crashingJournal) write(name string, w func() error) error {
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[name]++
	crash := c.dead || (name == c.at.write && c.calls[name] == c.at.nth)
	c.mu.Unlock()
	if crash && !c.at.after {
		c.die()
	}
	err := w()
	if crash {
		c.die()
	}
	return err
}

// die ends the worker as a kill would: nothing after it runs.
func (c *crashingJournal) die() {
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
	runtime.Goexit()
}

func (c *crashingJournal) RecordStep(ctx context.Context, s journal.StepRecord) error {
	return c.write("RecordStep", func() error { return c.Journal.RecordStep(ctx, s) })
}

func (c *crashingJournal) MarkCreating(ctx context.Context, run int64, scope, user, email string) error {
	return c.write("MarkCreating", func() error { return c.Journal.MarkCreating(ctx, run, scope, user, email) })
}

func (c *crashingJournal) MarkUser(ctx context.Context, run int64, scope, user, email string, managed bool) error {
	return c.write("MarkUser", func() error { return c.Journal.MarkUser(ctx, run, scope, user, email, managed) })
}

func (c *crashingJournal) CredentialIssued(ctx context.Context, run int64, scope, user, id string) error {
	return c.write("CredentialIssued", func() error { return c.Journal.CredentialIssued(ctx, run, scope, user, id) })
}

func (c *crashingJournal) CredentialDelivered(ctx context.Context, run int64, scope, user, id, ch, receipt string) error {
	return c.write("CredentialDelivered", func() error { return c.Journal.CredentialDelivered(ctx, run, scope, user, id, ch, receipt) })
}

func (c *crashingJournal) DeliveryFailed(ctx context.Context, run int64, scope, user, id, ch, text string) error {
	return c.write("DeliveryFailed", func() error { return c.Journal.DeliveryFailed(ctx, run, scope, user, id, ch, text) })
}

func (c *crashingJournal) FinishRun(ctx context.Context, run int64, status string, s journal.Summary) error {
	if c.isDead() {
		return nil // a dead process finishes nothing
	}
	return c.Journal.FinishRun(ctx, run, status, s)
}
