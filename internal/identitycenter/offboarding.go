package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// List lists the identity store's users with their e-mail addresses.
func (d *Directory) List(ctx context.Context, s *engine.Scope) ([]engine.Listed, error) {
	var out []engine.Listed
	err := d.eachUser(ctx, facts(s), func(u idtypes.User) {
		out = append(out, engine.Listed{Name: aws.ToString(u.UserName), Email: primaryEmail(u)})
	})
	return out, err
}

// eachUser calls fn for every user of the store, learning their IDs.
func (d *Directory) eachUser(ctx context.Context, st *store, fn func(idtypes.User)) error {
	pages := identitystore.NewListUsersPaginator(d.idstore, &identitystore.ListUsersInput{IdentityStoreId: aws.String(st.id)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the users of identity store %s: %w", st.id, awsx.Classify(err))
		}
		for _, u := range page.Users {
			st.learn(aws.ToString(u.UserName), aws.ToString(u.UserId))
			fn(u)
		}
	}
	return nil
}

// primaryEmail is the user's primary e-mail address, else its first; "" when
// it has none.
func primaryEmail(u idtypes.User) string {
	email := ""
	for _, e := range u.Emails {
		if email == "" || e.Primary {
			email = aws.ToString(e.Value)
		}
	}
	return email
}

// Discover reads the user, its memberships (with their IDs) and its
// assignments; the journal says whether gatehouse manages it.
func (d *Directory) Discover(ctx context.Context, s *engine.Scope, name string, known engine.Known) (engine.Record, error) {
	if err := d.clients(); err != nil {
		return nil, err
	}
	st := facts(s)
	if err := d.readNames(ctx, st); err != nil {
		return nil, err
	}
	cur, err := d.readUser(ctx, st, name)
	if err != nil {
		return nil, err
	}
	id := cur.id
	rec := &Record{Format: ArchiveFormat, IdentityStoreID: st.id, InstanceArn: st.instance, managed: owned(known, cur.created),
		User:   User{UserID: id, UserName: name, DisplayName: cur.displayName, GivenName: cur.given, FamilyName: cur.family, Email: cur.email},
		Groups: cur.memberships, Assignments: []Assignment{}}
	all, err := d.everyAssignment(ctx, st)
	if err != nil {
		return nil, err
	}
	rec.Assignments = append(rec.Assignments, all["USER:"+id]...)
	return rec, nil
}

// memberships lists the user's memberships with their IDs.
func (d *Directory) memberships(ctx context.Context, st *store, id string) ([]Membership, error) {
	out := []Membership{}
	pages := identitystore.NewListGroupMembershipsForMemberPaginator(d.idstore, &identitystore.ListGroupMembershipsForMemberInput{
		IdentityStoreId: aws.String(st.id), MemberId: &idtypes.MemberIdMemberUserId{Value: id}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the groups of Identity Center user (%s): %w", id, awsx.Classify(err))
		}
		for _, m := range page.GroupMemberships {
			gid := aws.ToString(m.GroupId)
			out = append(out, Membership{GroupID: gid, DisplayName: st.groupName(gid), MembershipID: aws.ToString(m.MembershipId)})
		}
	}
	return out, nil
}

// everyAssignment reads, once per run, every assignment of the instance:
// each permission set, the accounts it is provisioned to, and who is
// assigned there — one listing per pair, shared by every user discovered.
func (d *Directory) everyAssignment(ctx context.Context, st *store) (map[string][]Assignment, error) {
	st.everyOnce.Do(func() {
		every, err := d.readEveryAssignment(ctx, st)
		st.mu.Lock()
		st.every, st.everyErr = every, err
		st.mu.Unlock()
	})
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.every, st.everyErr
}

func (d *Directory) readEveryAssignment(ctx context.Context, st *store) (map[string][]Assignment, error) {
	if err := d.readNames(ctx, st); err != nil {
		return nil, err
	}
	st.mu.Lock()
	sets := maps.Clone(st.psNames)
	st.mu.Unlock()
	out := map[string][]Assignment{}
	for arn, name := range sets {
		pages := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(d.store, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
			InstanceArn: aws.String(st.instance), PermissionSetArn: aws.String(arn)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the accounts of permission set %s: %w", name, awsx.Classify(err))
			}
			for _, acc := range page.AccountIds {
				principals, err := d.assignedTo(ctx, st, pair{acc, arn})
				if err != nil {
					return nil, err
				}
				for p := range principals {
					out[p] = append(out[p], Assignment{AccountID: acc, PermissionSetArn: arn, PermissionSetName: name})
				}
			}
		}
	}
	for _, as := range out {
		sort.Slice(as, func(i, j int) bool { return as[i].key() < as[j].key() })
	}
	return out, nil
}

// Leftovers: removal leaves nothing behind that outlives the user.
func (d *Directory) Leftovers(context.Context, *engine.Scope, string, engine.Record, []journal.ArchiveRecord) (engine.Record, error) {
	return nil, nil
}

// Self: gatehouse never runs as an Identity Center user.
func (d *Directory) Self(*engine.Scope, engine.Record) string { return "" }

// Changes lists what action will do to the user.
func (d *Directory) Changes(action engine.Action, rec engine.Record, susp *journal.Suspension) []engine.Change {
	r := rec.(*Record)
	var out []engine.Change
	switch action {
	case engine.ActionReinstate:
		if susp != nil {
			for _, it := range susp.Items {
				out = append(out, engine.Change{Action: "assign", What: it.Kind, ID: it.ID, Detail: "removed by the suspension"})
			}
		}
		return out
	}
	for _, a := range r.Assignments {
		out = append(out, engine.Change{Action: "remove", What: "account assignment", ID: a.key()})
	}
	if action == engine.ActionSuspend {
		return out
	}
	for _, g := range r.Groups {
		out = append(out, engine.Change{Action: "remove", What: "group membership", ID: g.DisplayName})
	}
	return append(out, engine.Change{Action: "delete", What: "user", ID: r.User.UserName, Detail: "then verify it is gone"})
}

// Remove removes the assignments (at most 15 at once), then the
// memberships, then the user, and verifies it is gone.
func (d *Directory) Remove(ctx context.Context, s *engine.Scope, rec engine.Record, tell engine.Tell) error {
	r := rec.(*Record)
	st := facts(s)
	errs := d.unassign(ctx, st, r, r.Assignments, tell)
	for i, g := range r.Groups {
		_, err := d.idstore.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(st.id),
			MembershipId: aws.String(g.MembershipID)})
		if err = awsx.Classify(err); errors.Is(err, awsx.ErrNotFound) {
			err = nil
		} else if err != nil {
			err = fmt.Errorf("removing Identity Center user (%s) from group (%s): %w", r.User.UserName, g.DisplayName, err)
		}
		tell(engine.Result{Order: len(r.Assignments) + i, Step: "remove-group-membership:" + g.DisplayName, Line: "group " + g.DisplayName, Err: err})
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	_, err := d.idstore.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(st.id), UserId: aws.String(r.User.UserID)})
	if err = awsx.Classify(err); errors.Is(err, awsx.ErrNotFound) {
		err = nil
	} else if err != nil {
		err = fmt.Errorf("deleting Identity Center user (%s): %w", r.User.UserName, err)
	}
	tell(engine.Result{Order: engine.OrderUser, Step: "delete-user", Line: "user " + r.User.UserName, Err: err})
	if err != nil {
		return err
	}
	st.forget(r.User.UserName)
	_, err = d.userID(ctx, st, r.User.UserName)
	if errors.Is(err, engine.ErrUserNotFound) {
		err = nil
	} else if err == nil {
		err = fmt.Errorf("verifying Identity Center user (%s) is gone: the identity store still has it; run the same command again", r.User.UserName)
	}
	tell(engine.Result{Order: engine.OrderUser + 1, Step: "verify-user-gone", Line: "verified gone", Err: err})
	return err
}

// unassign removes assignments, all at once within the in-flight limit.
func (d *Directory) unassign(ctx context.Context, st *store, r *Record, as []Assignment, tell engine.Tell) []error {
	errs := make([]error, len(as))
	var wg sync.WaitGroup
	for i, a := range as {
		wg.Go(func() {
			_, err := d.assign(ctx, st, r.User.UserID, r.User.UserName, a.key(), false)
			if errors.Is(err, awsx.ErrNotFound) {
				err = nil
			}
			errs[i] = err
			tell(engine.Result{Order: i, Step: "remove-account-assignment:" + a.key(), Line: "account assignment " + a.key(), Err: err})
		})
	}
	wg.Wait()
	return errs
}

// Suspension removes the assignments and keeps the user and its
// memberships: Identity Center has no password to delete.
func (d *Directory) Suspension(rec engine.Record) (bool, []journal.SuspendedItem) {
	var items []journal.SuspendedItem
	for _, a := range rec.(*Record).Assignments {
		items = append(items, journal.SuspendedItem{Kind: "account assignment", ID: a.key()})
	}
	return false, items
}

// Suspend removes the user's assignments; the journal records which.
func (d *Directory) Suspend(ctx context.Context, s *engine.Scope, rec engine.Record, _ time.Time, tell engine.Tell) error {
	r := rec.(*Record)
	return errors.Join(d.unassign(ctx, facts(s), r, r.Assignments, tell)...)
}

// Reinstate recreates exactly the assignments the suspension removed.
func (d *Directory) Reinstate(ctx context.Context, s *engine.Scope, rec engine.Record, susp journal.Suspension, tell engine.Tell) error {
	r := rec.(*Record)
	st := facts(s)
	if err := d.readNames(ctx, st); err != nil {
		return err
	}
	errs := make([]error, len(susp.Items))
	var wg sync.WaitGroup
	for i, it := range susp.Items {
		wg.Go(func() {
			_, err := d.assign(ctx, st, r.User.UserID, r.User.UserName, it.ID, true)
			errs[i] = err
			tell(engine.Result{Order: i, Step: "assign:" + it.ID, Line: "account assignment " + it.ID, Err: err})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
