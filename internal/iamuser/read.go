package iamuser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// userAPI is what reading a user for onboarding needs from IAM.
type readAPI interface {
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	ListGroupsForUser(ctx context.Context, in *iam.ListGroupsForUserInput, optFns ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	ListAttachedUserPolicies(ctx context.Context, in *iam.ListAttachedUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}

var _ readAPI = (*iam.Client)(nil)

// current is what a user has now (engine.User.Facts).
type current struct {
	groups   map[string]string // lower-cased name → name
	policies map[string]bool   // ARNs
	boundary string
	path     string
	tags     map[string]string
}

// Read reads the user called name in s: absent when the survey did not
// find it (or GetUser says it is gone since); else its tags, boundary,
// groups and policies — from the survey's bulk listing when there is one —
// and whether it has a console password. The journal's word that a
// password was delivered is trusted unless a credential report made since
// says the user has none; only then, or without the journal's word, is
// GetLoginProfile asked. So a password deleted outside gatehouse is noticed
// once AWS has made a credential report after the deletion: within four
// hours (docs/lifecycle.md).
func (d *Directory) Read(ctx context.Context, s *engine.Scope, name string, known engine.Known) (engine.User, error) {
	a := facts(s)
	absent := engine.User{Name: name, State: engine.UserAbsent, Facts: current{}}
	spelt, exists := a.userNamed(name)
	if !exists {
		return absent, nil
	}
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return engine.User{}, err
	}
	detail := a.detail(spelt)
	if detail == nil { // not listed, read one by one, or created since the survey
		u, err := readUser(ctx, api, spelt)
		if errors.Is(err, awsx.ErrNotFound) { // deleted since the listing
			return absent, nil
		}
		if err != nil {
			return engine.User{}, fmt.Errorf("reading account %s: %w", s.ID, err)
		}
		return u, nil
	}
	u := engine.User{Name: detail.name, State: engine.UserForeign, Facts: detail.cur}
	if detail.managed {
		u.State = engine.UserManaged
	}
	if a.vouches(detail.name, known) {
		u.HasCredential = true
		return u, nil
	}
	if u.HasCredential, err = hasLoginProfile(ctx, api, detail.name); err != nil {
		return engine.User{}, fmt.Errorf("reading account %s: %w", s.ID, err)
	}
	return u, nil
}

// detail is what the bulk listing said of the user, or nil.
func (a *account) detail(name string) *userDetail {
	if a.bulk == nil {
		return nil
	}
	return a.bulk.users[strings.ToLower(name)]
}

// vouches reports whether the user's console password may be taken on the
// journal's word: a delivery is on record, and no credential report made
// after it says the user has no password.
func (a *account) vouches(name string, known engine.Known) bool {
	if known.Delivered.IsZero() {
		return false
	}
	if a.report == nil || !a.report.Generated.After(known.Delivered) {
		return true
	}
	for _, row := range a.report.Rows {
		if strings.EqualFold(row.User, name) {
			return row.PasswordEnabled
		}
	}
	return true
}

// hasLoginProfile asks IAM whether the user has a console password.
func hasLoginProfile(ctx context.Context, api readAPI, name string) (bool, error) {
	_, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
	switch err = awsx.Classify(err); {
	case err == nil:
		return true, nil
	case errors.Is(err, awsx.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("getting login profile of IAM user (%s): %w", name, err)
}

// readUser reads a user's tags, boundary, groups, policies and login profile:
// the four reads at once, one call latency instead of four (a watcher's
// event, a command-line address: the paths where people wait).
func readUser(ctx context.Context, api readAPI, name string) (engine.User, error) {
	cur := current{groups: map[string]string{}, policies: map[string]bool{}, tags: map[string]string{}}
	u := engine.User{State: engine.UserForeign, Facts: cur}
	var (
		wg                                  sync.WaitGroup
		out                                 *iam.GetUserOutput
		userErr, groupErr, polErr, loginErr error
	)
	wg.Go(func() { out, userErr = api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}) })
	wg.Go(func() { groupErr = listGroups(ctx, api, name, cur.groups) })
	wg.Go(func() { polErr = listPolicies(ctx, api, name, cur.policies) })
	wg.Go(func() { u.HasCredential, loginErr = hasLoginProfile(ctx, api, name) })
	wg.Wait()
	if userErr != nil {
		return u, fmt.Errorf("getting IAM user (%s): %w", name, awsx.Classify(userErr))
	}
	if err := errors.Join(groupErr, polErr, loginErr); err != nil {
		return u, err
	}
	u.Name = aws.ToString(out.User.UserName)
	for _, tag := range out.User.Tags {
		if aws.ToString(tag.Key) == engine.TagManagedBy && aws.ToString(tag.Value) == engine.ManagedByValue {
			u.State = engine.UserManaged
		}
		cur.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if b := out.User.PermissionsBoundary; b != nil {
		cur.boundary = aws.ToString(b.PermissionsBoundaryArn)
	}
	cur.path = aws.ToString(out.User.Path)
	u.Facts = cur
	return u, nil
}

// listGroups adds the user's groups to into (lower-cased name → name).
func listGroups(ctx context.Context, api readAPI, name string, into map[string]string) error {
	pages := iam.NewListGroupsForUserPaginator(api, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing groups of IAM user (%s): %w", name, awsx.Classify(err))
		}
		for _, g := range page.Groups {
			into[strings.ToLower(aws.ToString(g.GroupName))] = aws.ToString(g.GroupName)
		}
	}
	return nil
}

// listPolicies adds the ARNs of the user's managed policies to into.
func listPolicies(ctx context.Context, api readAPI, name string, into map[string]bool) error {
	pages := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing policies of IAM user (%s): %w", name, awsx.Classify(err))
		}
		for _, pol := range page.AttachedPolicies {
			into[aws.ToString(pol.PolicyArn)] = true
		}
	}
	return nil
}

// Step kinds of IAM users, in the order onboarding runs them.
const (
	StepSetBoundary  = "set-boundary"         // PutUserPermissionsBoundary on an existing user
	StepAddToGroup   = "add-to-group"         // AddUserToGroup
	StepAttachPolicy = "attach-policy"        // AttachUserPolicy
	StepCreateLogin  = "create-login-profile" // a new password (CreateLoginProfile)
	StepResetLogin   = "update-login-profile" // a fresh password for an unconfirmed one (UpdateLoginProfile)
)

// Diff lists the boundary, groups and managed policies want's user lacks:
// the input's policies, and IAMUserChangePassword unless the account's
// password policy already lets users change their own password. A new user
// gets its boundary with CreateUser.
func (d *Directory) Diff(s *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	a := facts(s)
	cur, _ := have.Facts.(current)
	var steps []engine.Step
	if b := want.Boundary; b != "" && have.State != engine.UserAbsent && cur.boundary != PolicyARN(a.partition, b) {
		steps = append(steps, engine.Step{Kind: StepSetBoundary, Arg: PolicyARN(a.partition, b)})
	}
	for _, g := range want.Groups {
		if _, in := cur.groups[strings.ToLower(g)]; !in {
			steps = append(steps, engine.Step{Kind: StepAddToGroup, Arg: g})
		}
	}
	for _, arn := range policies(a, want) {
		if !cur.policies[arn] {
			steps = append(steps, engine.Step{Kind: StepAttachPolicy, Arg: arn})
		}
	}
	return steps
}

// CredentialStep is CreateLoginProfile for a user without a password, else
// UpdateLoginProfile.
func (d *Directory) CredentialStep(how engine.Issue) engine.Step {
	if how == engine.IssueAgain {
		return engine.Step{Kind: StepResetLogin, Issues: how}
	}
	return engine.Step{Kind: StepCreateLogin, Issues: engine.IssueNew}
}

// policies are the ARNs of the managed policies want's user should have.
func policies(a *account, want spec.Person) []string {
	var arns []string
	seen := map[string]bool{}
	for _, ref := range want.Policies {
		if arn := PolicyARN(a.partition, ref); !seen[arn] {
			seen[arn] = true
			arns = append(arns, arn)
		}
	}
	if arn := changePasswordPolicy(a.partition); !a.policy.AllowUsersToChangePassword && !seen[arn] {
		arns = append(arns, arn)
	}
	return arns
}
