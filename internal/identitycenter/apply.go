package identitycenter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Apply runs one step on user's account of the identity store.
func (d *Directory) Apply(ctx context.Context, s *engine.Scope, want spec.Person, user string, step engine.Step) (string, error) {
	st := facts(s)
	switch step.Kind {
	case engine.StepCreateUser:
		return d.createUser(ctx, st, want)
	case engine.StepAdoptUser:
		// Identity Center lets no client mark a user: the journal records it as gatehouse's.
		return "recorded in the journal as gatehouse's", nil
	}
	id, err := d.userID(ctx, st, user)
	if err != nil {
		return "", err
	}
	switch step.Kind {
	case StepUpdateUser:
		return d.updateUser(ctx, st, id, want, strings.Split(step.Arg, ","))
	case StepAddToGroup:
		return d.addToGroup(ctx, st, id, user, step.Arg)
	case StepAssign:
		return d.assign(ctx, st, id, user, step.Arg, true)
	}
	if ok, err := d.applyDrift(ctx, st, id, user, step); ok {
		return "", err
	}
	return "", fmt.Errorf("running step %s: no such step", step)
}

// createUser creates want's user; engine.ErrUserExists when the name is
// taken (a partial run's 409 is convergence, not failure).
func (d *Directory) createUser(ctx context.Context, st *store, want spec.Person) (string, error) {
	out, err := d.idstore.CreateUser(ctx, &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(st.id), UserName: aws.String(want.UserName), DisplayName: aws.String(displayName(want)),
		Name:   &idtypes.Name{GivenName: aws.String(want.GivenName), FamilyName: aws.String(want.FamilyName), Formatted: aws.String(displayName(want))},
		Emails: []idtypes.Email{{Value: aws.String(want.Email), Primary: true, Type: aws.String("work")}},
	})
	if conflict(err) {
		return "", engine.ErrUserExists
	}
	if err != nil {
		return "", fmt.Errorf("creating Identity Center user (%s): %w", want.UserName, awsx.Classify(err))
	}
	st.learn(want.UserName, aws.ToString(out.UserId))
	return "user " + aws.ToString(out.UserId), nil
}

// updateUser sets the attributes the diff found different.
func (d *Directory) updateUser(ctx context.Context, st *store, id string, want spec.Person, fields []string) (string, error) {
	var ops []idtypes.AttributeOperation
	for _, f := range fields {
		var v any
		switch f {
		case "displayName":
			v = displayName(want)
		case "name":
			v = map[string]string{"givenName": want.GivenName, "familyName": want.FamilyName, "formatted": displayName(want)}
		case "emails":
			v = []map[string]any{{"value": want.Email, "primary": true, "type": "work"}}
		default:
			continue
		}
		ops = append(ops, idtypes.AttributeOperation{AttributePath: aws.String(f), AttributeValue: document(v)})
	}
	_, err := d.idstore.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(st.id), UserId: aws.String(id), Operations: ops})
	if err != nil {
		return "", fmt.Errorf("updating Identity Center user (%s): %w", id, awsx.Classify(err))
	}
	return "updated " + strings.Join(fields, ", "), nil
}

// addToGroup makes the user a member of the group; already one is done.
func (d *Directory) addToGroup(ctx context.Context, st *store, id, user, name string) (string, error) {
	g, ok := st.groups[strings.ToLower(name)]
	if !ok {
		return "", fmt.Errorf("adding Identity Center user (%s) to group (%s): no such group", user, name)
	}
	_, err := d.idstore.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(st.id),
		GroupId: aws.String(g.id), MemberId: &idtypes.MemberIdMemberUserId{Value: id}})
	if err != nil && !conflict(err) {
		return "", fmt.Errorf("adding Identity Center user (%s) to group (%s): %w", user, name, awsx.Classify(err))
	}
	return "", nil
}

// assign gives (create) or takes (!create) the user's access through a
// permission set in an account ("PermissionSet@account"), waiting for the
// asynchronous operation to end; at most MaxAssignmentsInFlight at once.
func (d *Directory) assign(ctx context.Context, st *store, id, user, arg string, create bool) (string, error) {
	name, account, _ := strings.Cut(arg, "@")
	arn := st.permissionSets[strings.ToLower(name)]
	verb := map[bool]string{true: "assigning", false: "removing the assignment of"}[create]
	what := fmt.Sprintf("%s Identity Center user (%s) %s in account %s", verb, user, name, account)
	if arn == "" {
		return "", fmt.Errorf("%s: no such permission set", what)
	}
	select {
	case d.inFlight <- struct{}{}:
		defer func() { <-d.inFlight }()
	case <-ctx.Done():
		return "", fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	status, err := d.startAssignment(ctx, st, id, account, arn, create)
	if conflict(err) && create {
		return "assigned already", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, awsx.Classify(err))
	}
	if err := d.waitAssignment(ctx, st, status, create); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return "request " + aws.ToString(status.RequestId), nil
}

func (d *Directory) startAssignment(ctx context.Context, st *store, id, account, arn string, create bool) (*ssotypes.AccountAssignmentOperationStatus, error) {
	if create {
		out, err := d.store.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(st.instance),
			PermissionSetArn: aws.String(arn), PrincipalId: aws.String(id), PrincipalType: ssotypes.PrincipalTypeUser,
			TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount})
		if err != nil {
			return nil, err
		}
		return out.AccountAssignmentCreationStatus, nil
	}
	out, err := d.store.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: aws.String(st.instance),
		PermissionSetArn: aws.String(arn), PrincipalId: aws.String(id), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount})
	if err != nil {
		return nil, err
	}
	return out.AccountAssignmentDeletionStatus, nil
}

// waitAssignment asks for the operation's status until it is no longer in
// progress.
func (d *Directory) waitAssignment(ctx context.Context, st *store, status *ssotypes.AccountAssignmentOperationStatus, create bool) error {
	for status != nil && status.Status == ssotypes.StatusValuesInProgress {
		if err := sleep(ctx, d.opts.Poll); err != nil {
			return err
		}
		req := aws.String(aws.ToString(status.RequestId))
		var err error
		if create {
			var out *ssoadmin.DescribeAccountAssignmentCreationStatusOutput
			out, err = d.store.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
				InstanceArn: aws.String(st.instance), AccountAssignmentCreationRequestId: req})
			if err == nil {
				status = out.AccountAssignmentCreationStatus
			}
		} else {
			var out *ssoadmin.DescribeAccountAssignmentDeletionStatusOutput
			out, err = d.store.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
				InstanceArn: aws.String(st.instance), AccountAssignmentDeletionRequestId: req})
			if err == nil {
				status = out.AccountAssignmentDeletionStatus
			}
		}
		if err != nil {
			return fmt.Errorf("asking how request %s went: %w", aws.ToString(req), awsx.Classify(err))
		}
	}
	if status != nil && status.Status == ssotypes.StatusValuesFailed {
		return fmt.Errorf("Identity Center says it failed: %s", aws.ToString(status.FailureReason))
	}
	return nil
}

// NewSecret is "": Identity Center users have no password gatehouse sets.
func (d *Directory) NewSecret(context.Context, *engine.Scope, string, spec.Password) (string, error) {
	return "", nil
}

// Issue does nothing: the welcome is the message alone.
func (d *Directory) Issue(context.Context, *engine.Scope, string, engine.Step, string, spec.Password) error {
	return nil
}

// conflict reports a ConflictException: the thing exists already (or an
// operation on it is under way).
func conflict(err error) bool {
	var idc *idtypes.ConflictException
	var sso *ssotypes.ConflictException
	return errors.As(err, &idc) || errors.As(err, &sso)
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
