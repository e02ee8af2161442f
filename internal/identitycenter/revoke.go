package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Revoke takes from the user called name the memberships of take's groups
// and the assignments of take's permission sets in take's accounts, except
// what keep has too — accounts resolved first, so keep's "all" keeps every
// account. It is how the Okta hook takes back what an app or group a person
// left gave, and nothing else: onboarding only ever adds. What the user
// lacks, or a group or permission set that does not exist, is done
// already; so is everything for a user that does not exist.
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
	errs := d.revokeMemberships(ctx, st, id, name, keep, take, tell)
	pairs, err := d.revocable(ctx, st, id, keep, take)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, pr := range pairs {
		wg.Go(func() {
			arg := st.psNames[pr.permissionSet] + "@" + pr.account
			_, err := d.assign(ctx, st, id, name, arg, false)
			if errors.Is(err, awsx.ErrNotFound) {
				err = nil
			}
			tell(engine.Result{Order: 1000 + i, Step: "remove-account-assignment:" + arg, Line: "account assignment " + arg, Err: err})
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// revokeMemberships removes the user's memberships of take's groups that
// keep does not name.
func (d *Directory) revokeMemberships(ctx context.Context, st *store, id, name string, keep, take spec.Person, tell engine.Tell) []error {
	members, err := d.memberships(ctx, st, id)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for i, m := range members {
		if !hasFold(take.Groups, m.DisplayName) || hasFold(keep.Groups, m.DisplayName) {
			continue
		}
		_, err := d.idstore.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(st.id),
			MembershipId: aws.String(m.MembershipID)})
		if err = awsx.Classify(err); errors.Is(err, awsx.ErrNotFound) {
			err = nil
		} else if err != nil {
			err = fmt.Errorf("removing Identity Center user (%s) from group (%s): %w", name, m.DisplayName, err)
		}
		tell(engine.Result{Order: i, Step: "remove-group-membership:" + m.DisplayName, Line: "group " + m.DisplayName, Err: err})
		errs = append(errs, err)
	}
	return errs
}

// revocable are the pairs take names and keep does not that the user is
// assigned to now.
func (d *Directory) revocable(ctx context.Context, st *store, id string, keep, take spec.Person) ([]pair, error) {
	resolved := map[string][]string{}
	kept, err := d.pairs(ctx, st, []spec.Person{keep}, resolved)
	if err != nil {
		return nil, err
	}
	taken, err := d.pairs(ctx, st, []spec.Person{take}, resolved)
	if err != nil {
		return nil, err
	}
	var out []pair
	for _, pr := range taken {
		if pr.permissionSet == "" || slices.Contains(kept, pr) {
			continue
		}
		principals, err := d.assignedTo(ctx, st, pr)
		if err != nil {
			return nil, err
		}
		if principals["USER:"+id] {
			out = append(out, pr)
		}
	}
	return out, nil
}

func hasFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
