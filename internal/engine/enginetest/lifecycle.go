package enginetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/reconcile"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// lifecycle takes two people through the whole life of their users in every
// scope the harness offers, checking at each stage what a person would.
func lifecycle(t *testing.T, h *Harness) {
	w := newWorld(t, h)
	in := w.input(t, "ada@example.com", "grace@example.com")

	plan, rep := w.onboard(t, in)
	if len(plan.Placements) < 2 || !rep.OK() || rep.Count(onboard.StatusCreated) != len(plan.Placements) {
		t.Fatalf("onboarding: want every placement created, got %+v", rep.Rows)
	}
	firsts := map[string]string{}
	for _, row := range rep.Rows {
		got := w.mail.To(row.Account, row.UserName)
		if len(got) != 1 {
			t.Fatalf("%s in %s received %d credentials, want 1", row.UserName, row.Account, len(got))
		}
		w.signsIn(t, row.Account, row.UserName, got[0].Password, true, "after onboarding")
		w.reaches(t, row.Account, row.UserName, true, "after onboarding")
		firsts[row.Account+" "+row.UserName] = got[0].Password
	}
	delivered := w.mail.Count()

	plan, rep = w.onboard(t, in)
	for _, pl := range plan.Placements {
		if !pl.Done() {
			t.Errorf("rerun plans %v for %s in %s, want nothing", pl.Steps, pl.UserName, pl.Scope.ID)
		}
	}
	if rep.Count(onboard.StatusUnchanged) != len(rep.Rows) || w.mail.Count() != delivered {
		t.Fatalf("rerun: want everyone unchanged and no delivery, got %+v and %d deliveries", rep.Rows, w.mail.Count()-delivered)
	}

	if h.Drift != nil {
		w.drift(t, in, rep.Rows[0].Account, rep.Rows[0].UserName)
	}

	suspended := w.offboard(t, engine.ActionSuspend, in)
	if !suspended.OK() || suspended.Count(offboard.StatusSuspended) != len(suspended.Rows) {
		t.Fatalf("suspension: %+v", suspended.Rows)
	}
	for key, pw := range firsts {
		scope, user := split(key)
		w.signsIn(t, scope, user, pw, false, "after the suspension")
		w.reaches(t, scope, user, false, "after the suspension")
	}

	reinstated := w.offboard(t, engine.ActionReinstate, in)
	if !reinstated.OK() || reinstated.Count(offboard.StatusReinstated) != len(reinstated.Rows) {
		t.Fatalf("reinstatement: %+v", reinstated.Rows)
	}
	for key := range firsts {
		scope, user := split(key)
		got := w.mail.To(scope, user)
		if h.SignsIn != nil && len(got) != 2 {
			t.Fatalf("%s in %s received %d credentials after the reinstatement, want 2", user, scope, len(got))
		}
		w.signsIn(t, scope, user, got[len(got)-1].Password, true, "after the reinstatement")
		w.reaches(t, scope, user, true, "after the reinstatement")
	}

	removed := w.offboard(t, engine.ActionRemove, in)
	if !removed.OK() || removed.Count(offboard.StatusRemoved) != len(removed.Rows) {
		t.Fatalf("removal: %+v", removed.Rows)
	}
	w.gone(t, removed)

	again := w.offboard(t, engine.ActionRemove, in)
	if !again.OK() || again.Count(offboard.StatusAbsent) != len(again.Rows) {
		t.Fatalf("removal rerun: want everyone absent, got %+v", again.Rows)
	}
}

// drift changes one user outside gatehouse, then checks that the plan of
// gatehouse apply shows exactly that user's update, that apply takes it back
// without a new credential, and that the next plan is empty.
func (w *world) drift(t *testing.T, in *spec.Input, scope, user string) {
	t.Helper()
	ctx := context.Background()
	w.h.Drift(t, scope, user)
	deps := reconcile.Deps{Onboard: w.onboardDeps(), Offboard: w.offboardDeps(), Journal: w.journal}
	plan, err := reconcile.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatalf("planning the reconcile: %v", err)
	}
	changes := plan.Changes()
	if len(changes) != 1 || changes[0].Action != reconcile.ActionUpdate || changes[0].Scope != scope || !strings.EqualFold(changes[0].User, user) {
		t.Fatalf("after drift on %s in %s, the plan is %+v; want one update of that user", user, scope, changes)
	}
	delivered := w.mail.Count()
	rep, err := reconcile.Apply(ctx, deps, plan, false)
	if err != nil || !rep.OK() {
		t.Fatalf("applying: %v %+v", err, rep)
	}
	if w.mail.Count() != delivered {
		t.Errorf("undoing drift delivered %d credentials, want none", w.mail.Count()-delivered)
	}
	plan, err = reconcile.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatalf("planning again: %v", err)
	}
	if changes := plan.Changes(); len(changes) != 0 {
		t.Errorf("after apply the plan still has %+v", changes)
	}
}

// input places people as the harness does, every one mailed through the
// world's recorder.
func (w *world) input(t *testing.T, emails ...string) *spec.Input {
	in := w.h.Input(t, emails...)
	for i := range in.People {
		in.People[i].Deliver = spec.ChannelSES
	}
	in.Delivery.Channel = spec.ChannelSES
	return in
}

// signsIn checks that secret does (want) or does not sign user in.
func (w *world) signsIn(t *testing.T, scope, user, secret string, want bool, when string) {
	t.Helper()
	if w.h.SignsIn == nil {
		return
	}
	if got := w.h.SignsIn(t, scope, user, secret); got != want {
		t.Errorf("%s: %s in %s signs in with the delivered password: %v, want %v", when, user, scope, got, want)
	}
}

// reaches checks that user does (want) or does not have its access.
func (w *world) reaches(t *testing.T, scope, user string, want bool, when string) {
	t.Helper()
	if w.h.Reaches == nil {
		return
	}
	if got := w.h.Reaches(t, scope, user); got != want {
		t.Errorf("%s: %s in %s has its access: %v, want %v", when, user, scope, got, want)
	}
}

// gone checks that the directory no longer has the removed users.
func (w *world) gone(t *testing.T, rep *offboard.Report) {
	t.Helper()
	scopes, err := w.h.Directory.Scopes(context.Background(), w.h.Input(t))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*engine.Scope{}
	for _, s := range scopes {
		byID[s.ID] = s
	}
	for _, row := range rep.Rows {
		_, err := w.h.Directory.Discover(context.Background(), byID[row.Account], row.UserName, engine.Known{})
		if !errors.Is(err, engine.ErrUserNotFound) {
			t.Errorf("%s in %s after removal: %v, want engine.ErrUserNotFound", row.UserName, row.Account, err)
		}
	}
}

func split(key string) (scope, user string) {
	for i := range key {
		if key[i] == ' ' {
			return key[:i], key[i+1:]
		}
	}
	return key, ""
}
