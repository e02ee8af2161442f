package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Step kinds that take drift back (gatehouse apply).
const (
	StepRemoveFromGroup = "remove-from-group" // DeleteGroupMembership
	StepUnassign        = "unassign"          // DeleteAccountAssignment: "PermissionSet@account"
)

// ReadAll reads every assignment of the instance, once: the survey reads
// only the pairs the spec's people need, and a reconcile must also see
// assignments made to other pairs (engine.Completer).
func (d *Directory) ReadAll(ctx context.Context, s *engine.Scope) error {
	_, err := d.everyAssignment(ctx, facts(s))
	return err
}

// Reconcile lists the memberships and assignments a user has that want does
// not list. Assignments are compared only when ReadAll read them.
func (d *Directory) Reconcile(s *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	if have.State == engine.UserAbsent {
		return nil
	}
	st := facts(s)
	cur, _ := have.Facts.(current)
	wanted := map[string]bool{}
	for _, g := range want.Groups {
		if grp, ok := st.groups[strings.ToLower(g)]; ok {
			wanted[grp.id] = true
		}
	}
	var steps []engine.Step
	st.mu.Lock()
	for _, id := range slices.Sorted(maps.Keys(cur.groups)) {
		if !wanted[id] {
			steps = append(steps, engine.Step{Kind: StepRemoveFromGroup, Arg: cmpOr(st.groupNames[id], id)})
		}
	}
	every := st.every
	st.mu.Unlock()
	if every == nil || cur.id == "" {
		return steps
	}
	keep := map[pair]bool{}
	for _, t := range st.targets(want) {
		keep[t.pair] = true
	}
	for _, a := range every["USER:"+cur.id] {
		if !keep[pair{a.AccountID, a.PermissionSetArn}] {
			steps = append(steps, engine.Step{Kind: StepUnassign, Arg: a.key()})
		}
	}
	return steps
}

// applyDrift runs one of Reconcile's steps; false when it is not one.
func (d *Directory) applyDrift(ctx context.Context, st *store, id, user string, step engine.Step) (bool, error) {
	switch step.Kind {
	case StepUnassign:
		_, err := d.assign(ctx, st, id, user, step.Arg, false)
		if errors.Is(err, awsx.ErrNotFound) {
			err = nil
		}
		return true, err
	case StepRemoveFromGroup:
		ms, err := d.memberships(ctx, st, id)
		if err != nil {
			return true, err
		}
		for _, m := range ms {
			if !strings.EqualFold(cmpOr(m.DisplayName, m.GroupID), step.Arg) {
				continue
			}
			_, err := d.idstore.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{
				IdentityStoreId: aws.String(st.id), MembershipId: aws.String(m.MembershipID)})
			if err = awsx.Classify(err); err != nil && !errors.Is(err, awsx.ErrNotFound) {
				return true, fmt.Errorf("removing Identity Center user (%s) from group (%s): %w", user, step.Arg, err)
			}
		}
		return true, nil
	}
	return false, nil
}

// Why says why a plan has one of the Identity Center user's steps.
func (d *Directory) Why(step engine.Step) string {
	switch step.Kind {
	case StepUpdateUser:
		return "the spec's " + step.Arg + " differ from the identity store's"
	case StepAddToGroup:
		return "the spec lists this group"
	case StepAssign:
		return "the spec gives this permission set in this account"
	case StepSendWelcome:
		return "tell the person where to sign in"
	case StepRemoveFromGroup:
		return "the spec does not list this group (added outside gatehouse?)"
	case StepUnassign:
		return "the spec does not give this assignment (made outside gatehouse?)"
	}
	return ""
}
