package onboard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// stepAPI is what the steps change in IAM (and read, when CreateUser finds
// the user already there).
type stepAPI interface {
	userAPI
	CreateUser(ctx context.Context, in *iam.CreateUserInput, optFns ...func(*iam.Options)) (*iam.CreateUserOutput, error)
	TagUser(ctx context.Context, in *iam.TagUserInput, optFns ...func(*iam.Options)) (*iam.TagUserOutput, error)
	PutUserPermissionsBoundary(ctx context.Context, in *iam.PutUserPermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.PutUserPermissionsBoundaryOutput, error)
	AddUserToGroup(ctx context.Context, in *iam.AddUserToGroupInput, optFns ...func(*iam.Options)) (*iam.AddUserToGroupOutput, error)
	AttachUserPolicy(ctx context.Context, in *iam.AttachUserPolicyInput, optFns ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
	CreateLoginProfile(ctx context.Context, in *iam.CreateLoginProfileInput, optFns ...func(*iam.Options)) (*iam.CreateLoginProfileOutput, error)
	UpdateLoginProfile(ctx context.Context, in *iam.UpdateLoginProfileInput, optFns ...func(*iam.Options)) (*iam.UpdateLoginProfileOutput, error)
}

var _ stepAPI = (*iam.Client)(nil)

// onboard runs t's steps in order and reports the outcome; the first step
// that fails ends t's run (later steps depend on it).
func (r *runner) onboard(ctx context.Context, t *Target) Row {
	row := newRow(t)
	switch {
	case t.Skip != "":
		row.Status = StatusSkipped
		row.Error = t.Skip
		if err := r.record(ctx, t, string(StepCreateUser), journal.StepSkipped, t.Skip); err != nil {
			row.Status, row.Error = StatusFailed, err.Error()
		}
		return row
	case t.Done():
		row.Status = StatusUnchanged
		return row
	}
	row.Status = map[UserState]Status{UserAbsent: StatusCreated, UserManaged: StatusUpdated, UserForeign: StatusAdopted}[t.User]
	api, err := iamClient(ctx, r.deps, t.Account.ID)
	if err == nil {
		err = r.runSteps(ctx, api, t, &row)
	}
	if err != nil {
		row.Status, row.Error = StatusFailed, err.Error()
	}
	return row
}

// runSteps runs t's steps, re-planning t when CreateUser finds the user there.
func (r *runner) runSteps(ctx context.Context, api stepAPI, t *Target, row *Row) error {
	steps, replanned := t.Steps, false
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		switch s.Kind {
		case StepCreateUser:
			created, err := r.createUser(ctx, api, t)
			if err != nil || created {
				if err := r.outcome(ctx, t, s, err, "created"); err != nil {
					return err
				}
				row.Steps = append(row.Steps, s.String())
				continue
			}
			// Someone created it since the plan read the account: plan again.
			if replanned {
				return fmt.Errorf("creating IAM user (%s): IAM says it exists, yet it cannot be read", t.UserName)
			}
			if err := r.replan(ctx, api, t, row); err != nil || t.Skip != "" {
				return err
			}
			steps, i, replanned = t.Steps, -1, true
			continue
		case StepCreateLogin, StepResetLogin:
			var deliverStep Step
			if i+1 < len(steps) && steps[i+1].Kind == StepDeliver {
				deliverStep, i = steps[i+1], i+1
			}
			if err := r.issue(ctx, api, t, s, deliverStep, row); err != nil {
				return err
			}
			continue
		}
		detail, err := r.change(ctx, api, t, s)
		if err := r.outcome(ctx, t, s, err, detail); err != nil {
			return err
		}
		row.Steps = append(row.Steps, s.String())
	}
	return nil
}

// change runs one step that changes the user's tags, boundary, groups or policies.
func (r *runner) change(ctx context.Context, api stepAPI, t *Target, s Step) (detail string, err error) {
	user := aws.String(t.UserName)
	switch s.Kind {
	case StepAdoptUser:
		_, err = api.TagUser(ctx, &iam.TagUserInput{UserName: user, Tags: gatehouseTags(t)})
		if err == nil {
			err = r.deps.Journal.MarkUser(ctx, r.runID, t.Account.ID, t.UserName, t.Person.Email, true)
			return "tagged " + TagManagedBy, err
		}
		return "", fmt.Errorf("tagging IAM user (%s): %w", t.UserName, awsx.Classify(err))
	case StepSetBoundary:
		_, err = api.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: user, PermissionsBoundary: aws.String(s.Arg)})
		return wrapStep(err, "setting permissions boundary (%s) of IAM user (%s)", s.Arg, t.UserName)
	case StepAddToGroup:
		_, err = api.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: user, GroupName: aws.String(s.Arg)})
		return wrapStep(err, "adding IAM user (%s) to group (%s)", t.UserName, s.Arg)
	case StepAttachPolicy:
		_, err = api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: aws.String(s.Arg)})
		return wrapStep(err, "attaching policy (%s) to IAM user (%s)", s.Arg, t.UserName)
	}
	return "", fmt.Errorf("running step %s: no such step", s)
}

func wrapStep(err error, format string, args ...any) (string, error) {
	if err != nil {
		return "", fmt.Errorf(format+": %w", append(args, awsx.Classify(err))...)
	}
	return "", nil
}

// createUser creates t's user with gatehouse's tags, the person's tags, path
// and boundary. created is false (and err nil) when the user already exists.
func (r *runner) createUser(ctx context.Context, api stepAPI, t *Target) (created bool, err error) {
	in := &iam.CreateUserInput{UserName: aws.String(t.UserName), Path: aws.String(cmpOr(t.Person.Path, "/")), Tags: gatehouseTags(t)}
	for _, k := range slices.Sorted(maps.Keys(t.Person.Tags)) {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(t.Person.Tags[k])})
	}
	if b := t.Person.Boundary; b != "" {
		in.PermissionsBoundary = aws.String(PolicyARN(r.plan.Partition, b))
	}
	_, err = api.CreateUser(ctx, in)
	switch err = awsx.Classify(err); {
	case errors.Is(err, awsx.ErrAlreadyExists):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("creating IAM user (%s): %w", t.UserName, err)
	}
	return true, r.deps.Journal.MarkUser(ctx, r.runID, t.Account.ID, t.UserName, t.Person.Email, true)
}

// replan reads a user that CreateUser found already there and sets t's state
// and steps afresh: left alone if it is not gatehouse's (unless adopting).
func (r *runner) replan(ctx context.Context, api stepAPI, t *Target, row *Row) error {
	rec, _, err := r.deps.Journal.Person(ctx, t.Account.ID, t.UserName)
	if err == nil {
		err = r.plan.readExisting(ctx, r.deps, api, t, rec)
	}
	if err != nil {
		return err
	}
	if t.Skip != "" {
		row.Status, row.Error = StatusSkipped, t.Skip
		return r.record(ctx, t, string(StepCreateUser), journal.StepSkipped, t.Skip)
	}
	row.Status = map[UserState]Status{UserManaged: StatusUpdated, UserForeign: StatusAdopted}[t.User]
	return nil
}

// gatehouseTags are the tags that mark a user as gatehouse's.
func gatehouseTags(t *Target) []iamtypes.Tag {
	tags := []iamtypes.Tag{{Key: aws.String(TagManagedBy), Value: aws.String(ManagedByValue)}}
	if t.Person.Email != "" {
		tags = append(tags, iamtypes.Tag{Key: aws.String(TagEmail), Value: aws.String(t.Person.Email)})
	}
	return tags
}
