package okta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// adoptHint says how to let the hook manage a user gatehouse did not create.
const adoptHint = " (set okta.adopt: true to let the hook manage users gatehouse did not create)"

// input is the hook's configuration with people, for a lifecycle.
func (r *Reconciler) input(s journal.OktaSubject, people ...spec.Person) *spec.Input {
	c := r.Config
	return &spec.Input{Source: "okta " + s.Subject, Format: "okta", Accounts: c.Accounts, Role: c.Role, Password: c.Password,
		Delivery: c.Delivery, Directory: c.Directory, IdentityCenter: c.IdentityCenter, People: people}
}

// args is how the journal's run records name a reconcile.
func args(s journal.OktaSubject) []string {
	return []string{"serve", "okta", "subject=" + s.Subject, "events=" + strings.Join(s.Events, ",")}
}

// onboard provisions p: creates or completes the user, its groups and
// assignments, and delivers the welcome once.
func (r *Reconciler) onboard(ctx context.Context, dir engine.Directory, s journal.OktaSubject, p spec.Person) Outcome {
	deps := onboard.Deps{Directory: dir, Journal: r.Journal, Channel: r.Channel, Logger: r.Logger, Concurrency: 1,
		Adopt: r.Config.Okta.Adopt, Args: args(s)}
	plan, err := onboard.MakePlan(ctx, deps, r.input(s, p))
	var probs spec.Problems
	if errors.As(err, &probs) {
		return failedf("Identity Center lacks what the mapping names (create it there, or change the mapping): %s", probs.Error())
	}
	if err != nil {
		return failedf("planning: %w", err)
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	if err == nil {
		err = rep.Confirm(ctx)
	}
	if err != nil {
		return failed(err)
	}
	if len(rep.Rows) != 1 {
		return failedf("onboarding %s: %d rows, want one", p.UserName, len(rep.Rows))
	}
	row := rep.Rows[0]
	summary := fmt.Sprintf("%s %s: %s", row.Status, row.UserName, strings.Join(row.Steps, ", "))
	switch {
	case row.Status == onboard.StatusUnchanged:
		return done(row.UserName+" has everything already", row.UserName)
	case row.Status.OK():
		return done(summary, row.UserName)
	case row.Status == onboard.StatusSkipped:
		return skipped(row.Error + adoptHint)
	}
	return failedf("%s — %s", summary, row.Error)
}

// offboard removes, suspends or reinstates the user called name. A user
// gatehouse did not create is left alone unless okta.adopt says otherwise.
func (r *Reconciler) offboard(ctx context.Context, dir engine.Directory, s journal.OktaSubject, name string, action engine.Action) Outcome {
	deps := offboard.Deps{Directory: dir, Journal: r.Journal, ArchiveDir: r.ArchiveDir, Protect: r.Protect, Channel: r.Channel,
		Logger: r.Logger, Concurrency: 1, Args: args(s)}
	plan, err := offboard.MakePlan(ctx, deps, offboard.Request{Action: action, Input: r.input(s, spec.Person{UserName: name})})
	if err != nil {
		return failedf("planning to %s %s: %w", action, name, err)
	}
	for _, pl := range plan.Placements {
		if pl.State == offboard.StateForeign && pl.Guard == "" && !r.Config.Okta.Adopt {
			pl.Declined = "gatehouse did not create this user: left alone" + adoptHint
		}
	}
	rep, err := offboard.Apply(ctx, deps, plan)
	if err == nil {
		err = rep.Confirm(ctx)
	}
	if err != nil {
		return failed(err)
	}
	if len(rep.Rows) != 1 {
		return failedf("%s %s: %d rows, want one", action, name, len(rep.Rows))
	}
	row := rep.Rows[0]
	switch row.Status {
	case offboard.StatusRemoved:
		return done("removed "+row.UserName+", archived in "+row.Archive, row.UserName)
	case offboard.StatusSuspended:
		return done("suspended "+row.UserName+": its assignments removed, the user kept", row.UserName)
	case offboard.StatusReinstated:
		return done("reinstated "+row.UserName, row.UserName)
	case offboard.StatusUnchanged:
		return done(fmt.Sprintf("nothing to %s for %s", action, row.UserName), row.UserName)
	case offboard.StatusAbsent:
		return done(fmt.Sprintf("no Identity Center user %s: nothing to %s", name, action), "")
	case offboard.StatusDeclined, offboard.StatusProtected, offboard.StatusRefused:
		return skipped(row.Error)
	}
	var left []string
	for _, l := range row.Left {
		left = append(left, l.What+": "+l.Error)
	}
	return failedf("%s %s: %s", action, name, cmpOr(strings.Join(left, "; "), row.Error))
}

// reinstate gives back what a suspension took when the journal has one in
// force for the user; otherwise the outcome is none.
func (r *Reconciler) reinstate(ctx context.Context, dir engine.Directory, s journal.OktaSubject, name string, none Outcome) Outcome {
	scopes, err := dir.Scopes(ctx, r.input(s))
	if err != nil {
		return failed(err)
	}
	for _, sc := range scopes {
		susp, ok, err := r.Journal.Suspension(ctx, sc.ID, name)
		if err != nil {
			return failed(err)
		}
		if ok && susp.State == journal.Suspended {
			return r.offboard(ctx, dir, s, name, engine.ActionReinstate)
		}
	}
	return none
}

// revoke takes from the user what take's grants give and keep does not;
// ok is false when that failed, with the outcome to report.
func (r *Reconciler) revoke(ctx context.Context, dir engine.Directory, s journal.OktaSubject, name string, keep spec.Person, take []spec.OktaGrant) (Outcome, bool) {
	taken := grantsPerson(take)
	if len(taken.Groups) == 0 && len(taken.Assignments) == 0 {
		return Outcome{}, true
	}
	rv, ok := dir.(Revoker)
	if !ok {
		return skipped(fmt.Sprintf("the %s directory cannot take back a membership or an assignment", dir.Kind())), false
	}
	scopes, err := dir.Scopes(ctx, r.input(s))
	if err != nil {
		return failed(err), false
	}
	run, err := engine.StartRun(ctx, r.Journal, r.Logger, journal.RunInfo{Command: "okta-revoke", Source: "okta " + s.Subject, Args: args(s)})
	if err != nil {
		return failed(err), false
	}
	var (
		mu       sync.Mutex // a directory tells of results from several goroutines
		errs     []error
		outcomes []engine.Outcome
	)
	for _, sc := range scopes {
		tell := func(res engine.Result) {
			status, detail := journal.StepDone, res.Detail
			if res.Err != nil {
				status, detail = journal.StepFailed, res.Err.Error()
			}
			err := run.Step(ctx, sc.ID, name, keep.Email, res.Step, status, detail)
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
		}
		err := rv.Revoke(ctx, sc, name, keep, taken, tell)
		errs = append(errs, err)
		outcomes = append(outcomes, engine.Outcome{Person: strings.ToLower(name), OK: err == nil, Failed: err != nil})
	}
	errs = append(errs, run.Finish(ctx, len(scopes), false, outcomes))
	if err := errors.Join(errs...); err != nil {
		return failedf("taking back what %s no longer grants: %w", name, err), false
	}
	return Outcome{}, true
}
