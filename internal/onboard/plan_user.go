package onboard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// StepKind is a kind of onboarding step. Its text is what the journal and
// the dry run show, followed by ":" and the step's argument when it has one.
type StepKind string

// Step kinds, in the order Apply runs them.
const (
	StepCreateUser   StepKind = "create-user"          // CreateUser with tags, path and boundary
	StepAdoptUser    StepKind = "adopt-user"           // TagUser: mark a foreign user as gatehouse's (--adopt)
	StepSetBoundary  StepKind = "set-boundary"         // PutUserPermissionsBoundary on an existing user
	StepAddToGroup   StepKind = "add-to-group"         // AddUserToGroup
	StepAttachPolicy StepKind = "attach-policy"        // AttachUserPolicy
	StepCreateLogin  StepKind = "create-login-profile" // a new password (CreateLoginProfile)
	StepResetLogin   StepKind = "update-login-profile" // a fresh password for an unconfirmed one (UpdateLoginProfile)
	StepDeliver      StepKind = "deliver"              // hand the password over through a channel
)

// Step is one thing to do for a person in an account.
type Step struct {
	Kind StepKind
	Arg  string // group name, policy ARN, channel
}

func (s Step) String() string {
	if s.Arg == "" {
		return string(s.Kind)
	}
	return string(s.Kind) + ":" + s.Arg
}

// userAPI is what reading a user needs from IAM.
type userAPI interface {
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	ListGroupsForUser(ctx context.Context, in *iam.ListGroupsForUserInput, optFns ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	ListAttachedUserPolicies(ctx context.Context, in *iam.ListAttachedUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}

var _ userAPI = (*iam.Client)(nil)

// current is what a user has now.
type current struct {
	name     string // as IAM spells it
	managed  bool
	groups   map[string]bool // lower-cased names
	policies map[string]bool // ARNs
	boundary string
	login    bool // has a login profile (a console password)
}

// readTarget reads what exists of t's user and the journal's record of its
// credential, and sets t's state and steps.
func (p *Plan) readTarget(ctx context.Context, deps Deps, t *Target) error {
	rec, _, err := deps.Journal.Person(ctx, t.Account.ID, t.Person.UserName)
	if err != nil {
		return err
	}
	t.record = rec
	name, exists := t.Account.users[strings.ToLower(t.Person.UserName)]
	if !exists && deps.Resend {
		t.User, t.Skip = UserAbsent, "no such user: a resend never creates one (gatehouse onboard does)"
		return nil
	}
	if !exists {
		t.User = UserAbsent
		t.Steps = p.steps(t, current{}, rec)
		return nil
	}
	t.UserName = name
	api, err := iamClient(ctx, deps, t.Account.ID)
	if err != nil {
		return err
	}
	return p.readExisting(ctx, deps, api, t, rec)
}

// readExisting plans for a user that exists: left alone when it is not
// gatehouse's (unless adopting), else the steps it is still missing.
func (p *Plan) readExisting(ctx context.Context, deps Deps, api userAPI, t *Target, rec journal.Person) error {
	t.record = rec
	cur, err := readUser(ctx, api, t.UserName)
	if errors.Is(err, awsx.ErrNotFound) && deps.Resend {
		t.User, t.UserName, t.Skip = UserAbsent, t.Person.UserName, "no such user: a resend never creates one (gatehouse onboard does)"
		return nil
	}
	if errors.Is(err, awsx.ErrNotFound) { // deleted since the listing
		t.User, t.UserName = UserAbsent, t.Person.UserName
		t.Steps = p.steps(t, current{}, rec)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading account %s: %w", t.Account.ID, err)
	}
	t.UserName, t.User = cur.name, UserManaged
	if !cur.managed {
		t.User = UserForeign
		if deps.Resend {
			t.Skip = "exists, not created by gatehouse: a resend leaves it alone (gatehouse onboard --adopt takes it over)"
			return nil
		}
		if !deps.Adopt {
			t.Skip = "exists, not created by gatehouse: left alone (--adopt takes it over)"
			return nil
		}
	}
	t.Steps = p.steps(t, cur, rec)
	return nil
}

// readUser reads a user's tags, boundary, groups, policies and login profile.
func readUser(ctx context.Context, api userAPI, name string) (current, error) {
	cur := current{groups: map[string]bool{}, policies: map[string]bool{}}
	out, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return cur, fmt.Errorf("getting IAM user (%s): %w", name, awsx.Classify(err))
	}
	cur.name = aws.ToString(out.User.UserName)
	for _, tag := range out.User.Tags {
		if aws.ToString(tag.Key) == TagManagedBy && aws.ToString(tag.Value) == ManagedByValue {
			cur.managed = true
		}
	}
	if b := out.User.PermissionsBoundary; b != nil {
		cur.boundary = aws.ToString(b.PermissionsBoundaryArn)
	}
	groups := iam.NewListGroupsForUserPaginator(api, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return cur, fmt.Errorf("listing groups of IAM user (%s): %w", name, awsx.Classify(err))
		}
		for _, g := range page.Groups {
			cur.groups[strings.ToLower(aws.ToString(g.GroupName))] = true
		}
	}
	pols := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	for pols.HasMorePages() {
		page, err := pols.NextPage(ctx)
		if err != nil {
			return cur, fmt.Errorf("listing policies of IAM user (%s): %w", name, awsx.Classify(err))
		}
		for _, pol := range page.AttachedPolicies {
			cur.policies[aws.ToString(pol.PolicyArn)] = true
		}
	}
	_, err = api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
	switch err = awsx.Classify(err); {
	case err == nil:
		cur.login = true
	case !errors.Is(err, awsx.ErrNotFound):
		return cur, fmt.Errorf("getting login profile of IAM user (%s): %w", name, err)
	}
	return cur, nil
}

// steps lists what t still needs, given what its user has now and the
// journal's record of its credential.
func (p *Plan) steps(t *Target, cur current, rec journal.Person) []Step {
	if p.resend {
		return resendSteps(t, cur)
	}
	var steps []Step
	switch {
	case t.User == UserAbsent:
		steps = append(steps, Step{Kind: StepCreateUser})
	case t.User == UserForeign:
		steps = append(steps, Step{Kind: StepAdoptUser})
	}
	if b := t.Person.Boundary; b != "" && t.User != UserAbsent && cur.boundary != PolicyARN(p.Partition, b) {
		steps = append(steps, Step{Kind: StepSetBoundary, Arg: PolicyARN(p.Partition, b)})
	}
	for _, g := range t.Person.Groups {
		if !cur.groups[strings.ToLower(g)] {
			steps = append(steps, Step{Kind: StepAddToGroup, Arg: g})
		}
	}
	for _, arn := range p.policies(t) {
		if !cur.policies[arn] {
			steps = append(steps, Step{Kind: StepAttachPolicy, Arg: arn})
		}
	}
	switch {
	case !cur.login:
		steps = append(steps, Step{Kind: StepCreateLogin}, Step{Kind: StepDeliver, Arg: t.Person.Deliver})
	case rec.CredentialState == journal.CredentialIssued:
		// Issued but never confirmed delivered: the person may not have it.
		steps = append(steps, Step{Kind: StepResetLogin}, Step{Kind: StepDeliver, Arg: t.Person.Deliver})
	}
	return steps
}

// resendSteps gives t's user a fresh password and delivers it, whatever
// the journal says of the last one: nothing else about the user changes.
func resendSteps(t *Target, cur current) []Step {
	set := Step{Kind: StepResetLogin}
	if !cur.login {
		set = Step{Kind: StepCreateLogin}
	}
	return []Step{set, {Kind: StepDeliver, Arg: t.Person.Deliver}}
}

// policies are the ARNs of the managed policies t's user should have:
// the input's, and IAMUserChangePassword unless the account's password policy
// already lets users change their own password.
func (p *Plan) policies(t *Target) []string {
	var arns []string
	seen := map[string]bool{}
	for _, ref := range t.Person.Policies {
		if arn := PolicyARN(p.Partition, ref); !seen[arn] {
			seen[arn] = true
			arns = append(arns, arn)
		}
	}
	if arn := changePasswordPolicy(p.Partition); !t.Account.Policy.AllowUsersToChangePassword && !seen[arn] {
		arns = append(arns, arn)
	}
	return arns
}
