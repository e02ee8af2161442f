package reconcile

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
)

// ErrRemovalNotAllowed is Apply's answer to a plan that removes users when
// removal was neither allowed nor confirmed; nothing was changed.
var ErrRemovalNotAllowed = errors.New("the plan removes users: pass --allow-removal (or confirm on a terminal) to apply it")

// Report is what apply did: one report per lifecycle run, nil for a part
// with nothing to do.
type Report struct {
	Onboard                    *onboard.Report
	Suspend, Reinstate, Remove *offboard.Report
}

// Reports lists the offboarding reports that ran, in the order they ran.
func (r *Report) Reports() []*offboard.Report {
	var out []*offboard.Report
	for _, rep := range []*offboard.Report{r.Suspend, r.Reinstate, r.Remove} {
		if rep != nil {
			out = append(out, rep)
		}
	}
	return out
}

// OK reports whether every part did everything.
func (r *Report) OK() bool {
	if r.Onboard != nil && !r.Onboard.OK() {
		return false
	}
	for _, rep := range r.Reports() {
		if !rep.OK() {
			return false
		}
	}
	return true
}

// Apply carries the plan out: onboarding first (nobody loses access before
// everyone who should have it does), then suspensions, reinstatements with
// their new passwords, and removals last, each archived before its first
// change. allowRemoval must be true when the plan removes anyone.
func Apply(ctx context.Context, deps Deps, p *Plan, allowRemoval bool) (*Report, error) {
	if p.Removals() > 0 && !allowRemoval {
		return nil, ErrRemovalNotAllowed
	}
	rep := &Report{}
	var errs []error
	if pending(p.Onboarding) {
		odeps := deps.Onboard
		odeps.Reconcile, odeps.Adopt, odeps.Resend = true, false, false
		r, err := onboard.Apply(ctx, odeps, p.Onboarding)
		rep.Onboard = r
		errs = append(errs, err)
	}
	for _, part := range []struct {
		plan *offboard.Plan
		into **offboard.Report
	}{{p.Suspension, &rep.Suspend}, {p.Reinstatement, &rep.Reinstate}, {p.Removal, &rep.Remove}} {
		if part.plan == nil || ctx.Err() != nil {
			continue
		}
		r, err := offboard.Apply(ctx, deps.Offboard, part.plan)
		*part.into = r
		errs = append(errs, err) // a reinstatement issues its new passwords itself
	}
	return rep, errors.Join(errs...)
}

// pending reports whether onboarding has anything to do.
func pending(p *onboard.Plan) bool {
	for _, pl := range p.Placements {
		if pl.Skip == "" && !pl.Done() {
			return true
		}
	}
	return false
}
