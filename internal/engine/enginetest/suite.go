// Package enginetest is the behavioural suite every directory passes (the
// litestream habit: one suite, every backend). A new kind of identity store
// is done when Run passes against it, not when it compiles:
//
//	onboard → a rerun changes nothing → suspend → reinstate → offboard →
//	a rerun converges
//
// and an onboarding killed at the moments that hurt most, then run again,
// completes with every user gatehouse's and changes nothing a third time —
// through the real lifecycles (packages onboard and offboard), delivering
// through a channel that records what each person received.
package enginetest

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Harness is a directory under test and what the suite needs to check it.
type Harness struct {
	Directory engine.Directory
	// Input places the people (e-mail addresses) in every scope the harness
	// offers, with whatever the directory needs to exist there (groups);
	// their channel is set by the suite.
	Input func(t *testing.T, emails ...string) *spec.Input
	// SignsIn reports whether secret is the user's working credential; nil
	// for a directory without passwords.
	SignsIn func(t *testing.T, scope, user, secret string) bool
	// Drift changes the user outside gatehouse — adds it to a group the
	// spec does not give it — for the suite to check that gatehouse apply
	// shows it and takes it back; nil skips that stage.
	Drift func(t *testing.T, scope, user string)
	// Reaches reports whether the user has the access its spec gives — for a
	// directory without passwords (Identity Center: its account assignments),
	// what a suspension takes away and a reinstatement gives back; nil when
	// SignsIn says it all.
	Reaches func(t *testing.T, scope, user string) bool
}

// Run runs the suite against the harness newHarness makes (one per test).
func Run(t *testing.T, newHarness func(t *testing.T) *Harness) {
	t.Run("Lifecycle", func(t *testing.T) { lifecycle(t, newHarness(t)) })
	t.Run("CrashThenRerun", func(t *testing.T) { crashes(t, newHarness) })
}

// Recorder is a delivery channel that keeps every credential it is given.
type Recorder struct {
	mu  sync.Mutex
	got []deliver.Credential
	// dead, when set and true, says the process was killed: the worker
	// delivering stops there, as it would have.
	dead func() bool
}

// Name is "ses": the suite's people are mailed.
func (r *Recorder) Name() string { return spec.ChannelSES }

// Deliver records c.
func (r *Recorder) Deliver(_ context.Context, c deliver.Credential) (deliver.Receipt, error) {
	if r.dead != nil && r.dead() {
		runtime.Goexit()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, c)
	return deliver.Receipt{Channel: r.Name(), Detail: "recorded for " + c.Email}, nil
}

// Close does nothing.
func (r *Recorder) Close() error { return nil }

// To returns what user in scope received, in order.
func (r *Recorder) To(scope, user string) []deliver.Credential {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []deliver.Credential
	for _, c := range r.got {
		if c.Account == scope && strings.EqualFold(c.UserName, user) {
			out = append(out, c)
		}
	}
	return out
}

// Count is how many credentials were delivered in all.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// world is one run of the suite: the harness, a journal and a channel.
type world struct {
	h       *Harness
	journal *journal.Journal
	archive string
	mail    *Recorder
}

func newWorld(t *testing.T, h *Harness) *world {
	t.Helper()
	dir := t.TempDir()
	j, err := journal.Open(context.Background(), filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return &world{h: h, journal: j, archive: filepath.Join(dir, "archive"), mail: &Recorder{}}
}

func (w *world) channel(string) (deliver.Channel, error) { return w.mail, nil }

func (w *world) onboardDeps() onboard.Deps {
	return onboard.Deps{Directory: w.h.Directory, Journal: w.journal, Channel: w.channel, Concurrency: 4}
}

func (w *world) offboardDeps() offboard.Deps {
	return offboard.Deps{Directory: w.h.Directory, Journal: w.journal, Channel: w.channel, ArchiveDir: w.archive, Concurrency: 4}
}

// onboard plans and applies in; it fails the test on a run error.
func (w *world) onboard(t *testing.T, in *spec.Input) (*onboard.Plan, *onboard.Report) {
	t.Helper()
	ctx := context.Background()
	plan, err := onboard.MakePlan(ctx, w.onboardDeps(), in)
	if err != nil {
		t.Fatalf("planning the onboarding: %v", err)
	}
	rep, err := onboard.Apply(ctx, w.onboardDeps(), plan)
	if err != nil {
		t.Fatalf("onboarding: %v", err)
	}
	return plan, rep
}

// offboard plans and applies action on in's people.
func (w *world) offboard(t *testing.T, action engine.Action, in *spec.Input) *offboard.Report {
	t.Helper()
	ctx := context.Background()
	req := offboard.Request{Action: action, Input: in}
	plan, err := offboard.MakePlan(ctx, w.offboardDeps(), req)
	if err != nil {
		t.Fatalf("planning %s: %v", action, err)
	}
	rep, err := offboard.Apply(ctx, w.offboardDeps(), plan)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	if err := rep.Confirm(ctx); err != nil {
		t.Fatalf("%s: confirming: %v", action, err)
	}
	return rep
}
