package enginetest

import (
	"context"
	"fmt"
	"testing"

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

// is says whether the nth write called name is this crash point.
func (c crashPoint) is(name string, nth, _ int) bool { return name == c.write && nth == c.nth }

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
			cj := &CrashingJournal{Journal: w.journal, At: at.is, After: at.after}
			w.mail.dead = cj.Dead
			w.crashOnboard(t, cj, in)
			if !cj.Dead() {
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
func (w *world) crashOnboard(t *testing.T, cj *CrashingJournal, in *spec.Input) {
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
