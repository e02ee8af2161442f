package identitycenter

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Revoke takes from the user called name the memberships of take's groups
// and the assignments of take's permission sets in take's accounts, except
// what keep has too — accounts resolved first, so keep's "all" keeps every
// account. It is how the Okta hook takes back what an app or group a person
// left gave, and nothing else (a reconcile, gatehouse apply, takes back
// everything the spec does not list). What the user lacks, or a group or
// permission set that does not exist, is done already; so is everything
// for a user that does not exist. Each removal is a drift step, told.
func (d *Directory) Revoke(ctx context.Context, s *engine.Scope, name string, keep, take spec.Person, tell engine.Tell) error {
	if err := d.clients(); err != nil {
		return err
	}
	st := facts(s)
	id, err := d.userID(ctx, st, name)
	if errors.Is(err, engine.ErrUserNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := d.readGroups(ctx, st); err != nil {
		return err
	}
	if err := d.readPermissionSets(ctx, st); err != nil {
		return err
	}
	steps, err := d.revocations(ctx, st, id, keep, take)
	if err != nil {
		return err
	}
	var errs []error
	for i, step := range steps {
		_, err := d.applyDrift(ctx, st, id, name, step)
		tell(engine.Result{Order: i, Step: step.String(), Line: step.Arg, Err: err})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// revocations are the drift steps that take from the user what take names,
// keep does not, and the user has now.
func (d *Directory) revocations(ctx context.Context, st *store, id string, keep, take spec.Person) ([]engine.Step, error) {
	members, err := d.memberships(ctx, st, id)
	if err != nil {
		return nil, err
	}
	var steps []engine.Step
	for _, m := range members {
		if hasFold(take.Groups, m.DisplayName) && !hasFold(keep.Groups, m.DisplayName) {
			steps = append(steps, engine.Step{Kind: StepRemoveFromGroup, Arg: m.DisplayName})
		}
	}
	resolved := map[string][]string{}
	kept, err := d.pairs(ctx, st, []spec.Person{keep}, resolved)
	if err != nil {
		return nil, err
	}
	taken, err := d.pairs(ctx, st, []spec.Person{take}, resolved)
	if err != nil {
		return nil, err
	}
	for _, pr := range taken {
		if pr.permissionSet == "" || slices.Contains(kept, pr) {
			continue
		}
		principals, err := d.assignedTo(ctx, st, pr)
		if err != nil {
			return nil, err
		}
		if principals["USER:"+id] {
			steps = append(steps, engine.Step{Kind: StepUnassign, Arg: st.psNames[pr.permissionSet] + "@" + pr.account})
		}
	}
	return steps, nil
}

func hasFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
