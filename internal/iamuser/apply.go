package iamuser

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
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// stepAPI is what onboarding's steps change in IAM.
type stepAPI interface {
	driftAPI
	CreateUser(ctx context.Context, in *iam.CreateUserInput, optFns ...func(*iam.Options)) (*iam.CreateUserOutput, error)
	PutUserPermissionsBoundary(ctx context.Context, in *iam.PutUserPermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.PutUserPermissionsBoundaryOutput, error)
	AddUserToGroup(ctx context.Context, in *iam.AddUserToGroupInput, optFns ...func(*iam.Options)) (*iam.AddUserToGroupOutput, error)
	AttachUserPolicy(ctx context.Context, in *iam.AttachUserPolicyInput, optFns ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
}

var _ stepAPI = (*iam.Client)(nil)

// Apply runs one step on user in s: CreateUser with gatehouse's tags, the
// person's tags, path and boundary (engine.ErrUserExists when IAM has it
// already); TagUser to adopt; or a boundary, group or policy.
func (d *Directory) Apply(ctx context.Context, s *engine.Scope, want spec.Person, user string, step engine.Step) (string, error) {
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return "", err
	}
	name := aws.String(user)
	switch step.Kind {
	case engine.StepCreateUser:
		err := createUser(ctx, api, facts(s).partition, want, user)
		if errors.Is(err, engine.ErrUserExists) { // someone created it since the survey
			facts(s).learn(user)
		}
		return "created", err
	case engine.StepAdoptUser:
		_, err = api.TagUser(ctx, &iam.TagUserInput{UserName: name, Tags: gatehouseTags(want)})
		if err != nil {
			return "", fmt.Errorf("tagging IAM user (%s): %w", user, awsx.Classify(err))
		}
		return "tagged " + engine.TagManagedBy, nil
	case StepSetBoundary:
		_, err = api.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: name, PermissionsBoundary: aws.String(step.Arg)})
		return "", wrapStep(err, "setting permissions boundary (%s) of IAM user (%s)", step.Arg, user)
	case StepAddToGroup:
		_, err = api.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: name, GroupName: aws.String(step.Arg)})
		return "", wrapStep(err, "adding IAM user (%s) to group (%s)", user, step.Arg)
	case StepAttachPolicy:
		_, err = api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: aws.String(step.Arg)})
		return "", wrapStep(err, "attaching policy (%s) to IAM user (%s)", step.Arg, user)
	}
	if ok, err := applyDrift(ctx, api, user, step); ok {
		return "", err
	}
	return "", fmt.Errorf("running step %s: no such step", step)
}

func wrapStep(err error, format string, args ...any) error {
	if err != nil {
		return fmt.Errorf(format+": %w", append(args, awsx.Classify(err))...)
	}
	return nil
}

// createUser creates want's user with gatehouse's tags, the person's tags,
// path and boundary.
func createUser(ctx context.Context, api stepAPI, partition string, want spec.Person, user string) error {
	in := &iam.CreateUserInput{UserName: aws.String(user), Path: aws.String(cmpOr(want.Path, "/")), Tags: gatehouseTags(want)}
	for _, k := range slices.Sorted(maps.Keys(want.Tags)) {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(want.Tags[k])})
	}
	if b := want.Boundary; b != "" {
		in.PermissionsBoundary = aws.String(PolicyARN(partition, b))
	}
	_, err := api.CreateUser(ctx, in)
	switch err = awsx.Classify(err); {
	case errors.Is(err, awsx.ErrAlreadyExists):
		return engine.ErrUserExists
	case err != nil:
		return fmt.Errorf("creating IAM user (%s): %w", user, err)
	}
	return nil
}

// gatehouseTags are the tags that mark a user as gatehouse's.
func gatehouseTags(want spec.Person) []iamtypes.Tag {
	tags := []iamtypes.Tag{{Key: aws.String(engine.TagManagedBy), Value: aws.String(engine.ManagedByValue)}}
	if want.Email != "" {
		tags = append(tags, iamtypes.Tag{Key: aws.String(engine.TagEmail), Value: aws.String(want.Email)})
	}
	return tags
}
