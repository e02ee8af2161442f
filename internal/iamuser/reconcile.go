package iamuser

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Step kinds that take drift back (gatehouse apply), in the order they run.
const (
	StepSetPath         = "set-path"          // UpdateUser NewPath
	StepDeleteBoundary  = "delete-boundary"   // DeleteUserPermissionsBoundary
	StepRemoveFromGroup = "remove-from-group" // RemoveUserFromGroup
	StepDetachPolicy    = "detach-policy"     // DetachUserPolicy
	StepSetTag          = "set-tag"           // TagUser "key=value"
	StepRemoveTag       = "remove-tag"        // UntagUser "key"
)

// driftAPI is what taking drift back calls.
type driftAPI interface {
	UpdateUser(ctx context.Context, in *iam.UpdateUserInput, optFns ...func(*iam.Options)) (*iam.UpdateUserOutput, error)
	DeleteUserPermissionsBoundary(ctx context.Context, in *iam.DeleteUserPermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.DeleteUserPermissionsBoundaryOutput, error)
	RemoveUserFromGroup(ctx context.Context, in *iam.RemoveUserFromGroupInput, optFns ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error)
	DetachUserPolicy(ctx context.Context, in *iam.DetachUserPolicyInput, optFns ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
	TagUser(ctx context.Context, in *iam.TagUserInput, optFns ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(ctx context.Context, in *iam.UntagUserInput, optFns ...func(*iam.Options)) (*iam.UntagUserOutput, error)
}

var _ driftAPI = (*iam.Client)(nil)

// Reconcile lists what an existing user has that want should not: another
// path, a boundary the spec does not give, groups and managed policies the
// spec does not list, tags the spec does not set (gatehouse's own are
// kept). Inline policies, credentials and MFA are left alone: the spec does
// not speak of them.
func (d *Directory) Reconcile(s *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	if have.State == engine.UserAbsent {
		return nil
	}
	a := facts(s)
	cur, _ := have.Facts.(current)
	var steps []engine.Step
	if path := cmpOr(want.Path, "/"); cur.path != "" && cur.path != path {
		steps = append(steps, engine.Step{Kind: StepSetPath, Arg: path})
	}
	if want.Boundary == "" && cur.boundary != "" {
		steps = append(steps, engine.Step{Kind: StepDeleteBoundary, Arg: cur.boundary})
	}
	wanted := map[string]bool{}
	for _, g := range want.Groups {
		wanted[strings.ToLower(g)] = true
	}
	for _, g := range slices.Sorted(maps.Keys(cur.groups)) {
		if !wanted[g] {
			steps = append(steps, engine.Step{Kind: StepRemoveFromGroup, Arg: cur.groups[g]})
		}
	}
	keep := policies(a, want)
	for _, arn := range slices.Sorted(maps.Keys(cur.policies)) {
		if !slices.Contains(keep, arn) {
			steps = append(steps, engine.Step{Kind: StepDetachPolicy, Arg: arn})
		}
	}
	return append(steps, tagSteps(want, cur)...)
}

// tagSteps set the spec's tags and remove the others, keeping gatehouse's.
func tagSteps(want spec.Person, cur current) []engine.Step {
	var steps []engine.Step
	for _, k := range slices.Sorted(maps.Keys(want.Tags)) {
		if v, ok := cur.tags[k]; !ok || v != want.Tags[k] {
			steps = append(steps, engine.Step{Kind: StepSetTag, Arg: k + "=" + want.Tags[k]})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cur.tags)) {
		if _, ok := want.Tags[k]; !ok && !strings.HasPrefix(k, "gatehouse:") {
			steps = append(steps, engine.Step{Kind: StepRemoveTag, Arg: k})
		}
	}
	return steps
}

// applyDrift runs one of Reconcile's steps; false when it is not one.
func applyDrift(ctx context.Context, api driftAPI, user string, step engine.Step) (bool, error) {
	name := aws.String(user)
	var err error
	switch step.Kind {
	case StepSetPath:
		_, err = api.UpdateUser(ctx, &iam.UpdateUserInput{UserName: name, NewPath: aws.String(step.Arg)})
	case StepDeleteBoundary:
		_, err = api.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: name})
	case StepRemoveFromGroup:
		_, err = api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: name, GroupName: aws.String(step.Arg)})
	case StepDetachPolicy:
		_, err = api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: name, PolicyArn: aws.String(step.Arg)})
	case StepSetTag:
		k, v, _ := strings.Cut(step.Arg, "=")
		_, err = api.TagUser(ctx, &iam.TagUserInput{UserName: name, Tags: []iamtypes.Tag{{Key: aws.String(k), Value: aws.String(v)}}})
	case StepRemoveTag:
		_, err = api.UntagUser(ctx, &iam.UntagUserInput{UserName: name, TagKeys: []string{step.Arg}})
	default:
		return false, nil
	}
	if notFound(err) && (step.Kind == StepRemoveFromGroup || step.Kind == StepDetachPolicy || step.Kind == StepDeleteBoundary) {
		return true, nil // gone already: done
	}
	return true, wrapStep(err, "%s (%s) of IAM user (%s)", step.Kind, step.Arg, user)
}

// Why says why a plan has one of the IAM user's steps.
func (d *Directory) Why(step engine.Step) string {
	switch step.Kind {
	case StepSetBoundary:
		return "the spec sets this permissions boundary"
	case StepAddToGroup:
		return "the spec lists this group"
	case StepAttachPolicy:
		if strings.HasSuffix(step.Arg, ":iam::aws:policy/IAMUserChangePassword") {
			return "lets the user change the first password (the account's policy does not)"
		}
		return "the spec lists this policy"
	case StepCreateLogin:
		return "the user has no console password"
	case StepResetLogin:
		return "the last password was never confirmed delivered"
	case StepSetPath:
		return "the spec's path differs (changed outside gatehouse?)"
	case StepDeleteBoundary:
		return "the spec sets no permissions boundary (added outside gatehouse?)"
	case StepRemoveFromGroup:
		return "the spec does not list this group (added outside gatehouse?)"
	case StepDetachPolicy:
		return "the spec does not list this policy (attached outside gatehouse?)"
	case StepSetTag:
		return "the spec sets this tag to this value"
	case StepRemoveTag:
		return "the spec does not set this tag"
	}
	return ""
}
