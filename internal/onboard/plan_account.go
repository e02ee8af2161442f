package onboard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// accountAPI is what reading an account needs from IAM.
type accountAPI interface {
	GetAccountPasswordPolicy(ctx context.Context, in *iam.GetAccountPasswordPolicyInput, optFns ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	ListAccountAliases(ctx context.Context, in *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
	ListUsers(ctx context.Context, in *iam.ListUsersInput, optFns ...func(*iam.Options)) (*iam.ListUsersOutput, error)
	GetGroup(ctx context.Context, in *iam.GetGroupInput, optFns ...func(*iam.Options)) (*iam.GetGroupOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
}

var _ accountAPI = (*iam.Client)(nil)

// iamClient returns an IAM client acting in account.
func iamClient(ctx context.Context, deps Deps, account string) (*iam.Client, error) {
	cfg, err := deps.AWS.Config(ctx, account)
	if err != nil {
		return nil, err
	}
	return iam.NewFromConfig(cfg), nil
}

// readAccount fills in a's password policy, alias, sign-in URL and users,
// and returns a problem for every group, policy or boundary its people need
// that does not exist there.
func (p *Plan) readAccount(ctx context.Context, deps Deps, a *Account) (spec.Problems, error) {
	cfg, err := deps.AWS.Config(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if a.ID != p.caller.Account {
		// Assume the role now, so a role that is missing or does not trust
		// the caller is reported as such, with the other problems.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return roleProblem(err, p.caller, a)
		}
	}
	api := iam.NewFromConfig(cfg)
	if a.Policy, err = password.FetchPolicy(ctx, api); err != nil {
		return nil, fmt.Errorf("reading account %s: %w", a.ID, awsx.Classify(err))
	}
	if a.Alias, err = awsx.AccountAlias(ctx, api); err != nil {
		return nil, fmt.Errorf("reading account %s: %w", a.ID, err)
	}
	a.SignInURL = awsx.SignInURL(p.Partition, cmpOr(a.Alias, a.ID))
	if a.users, err = listUsers(ctx, api); err != nil {
		return nil, fmt.Errorf("reading account %s: %w", a.ID, err)
	}
	return p.checkReferences(ctx, api, a)
}

// roleProblem turns a failure to enter account a into a problem when it
// means the role cannot be assumed, and returns it as an error otherwise.
func roleProblem(err error, caller awsx.Identity, a *Account) (spec.Problems, error) {
	class := awsx.ClassOf(err)
	if class != awsx.ErrAccessDenied && class != awsx.ErrNotFound {
		return nil, fmt.Errorf("entering account %s: %w", a.ID, err)
	}
	return spec.Problems{{
		What: "the role in account " + accountLabel(a),
		Fix: fmt.Sprintf("cannot be assumed by %s (%v). Check that the role exists there and trusts the caller "+
			"(--role names it; the default is %s), or leave the account out", caller.ARN, err, DefaultRole),
	}}, nil
}

// listUsers returns every user name in the account, keyed lower-cased (IAM
// names ignore case). One paginated listing is far cheaper than a GetUser per
// person when most of them are new.
func listUsers(ctx context.Context, api accountAPI) (map[string]string, error) {
	users := map[string]string{}
	pages := iam.NewListUsersPaginator(api, &iam.ListUsersInput{MaxItems: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing IAM users: %w", awsx.Classify(err))
		}
		for _, u := range page.Users {
			name := aws.ToString(u.UserName)
			users[strings.ToLower(name)] = name
		}
	}
	return users, nil
}

// reference is a group or policy some people in an account need.
type reference struct {
	kind string // "group", "policy", "permissions boundary"
	name string // group name or policy ARN
	who  []spec.Person
}

// checkReferences looks up every group, policy and boundary the account's
// people need, each once.
func (p *Plan) checkReferences(ctx context.Context, api accountAPI, a *Account) (spec.Problems, error) {
	var refs []*reference
	index := map[string]*reference{}
	add := func(kind, name string, who spec.Person) {
		key := kind + "\x00" + strings.ToLower(name)
		r, ok := index[key]
		if !ok {
			r = &reference{kind: kind, name: name}
			index[key] = r
			refs = append(refs, r)
		}
		r.who = append(r.who, who)
	}
	for _, t := range p.targetsIn(a) {
		for _, g := range t.Person.Groups {
			add("group", g, t.Person)
		}
		for _, pol := range t.Person.Policies {
			add("policy", PolicyARN(p.Partition, pol), t.Person)
		}
		if t.Person.Boundary != "" {
			add("permissions boundary", PolicyARN(p.Partition, t.Person.Boundary), t.Person)
		}
	}
	var probs spec.Problems
	for _, r := range refs {
		exists, err := referenceExists(ctx, api, r)
		if err != nil {
			return nil, fmt.Errorf("checking account %s: %w", a.ID, err)
		}
		if !exists {
			probs = append(probs, missingProblem(r, a))
		}
	}
	return probs, nil
}

func referenceExists(ctx context.Context, api accountAPI, r *reference) (bool, error) {
	var err error
	if r.kind == "group" {
		_, err = api.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(r.name), MaxItems: aws.Int32(1)})
		if err != nil {
			err = fmt.Errorf("getting IAM group (%s): %w", r.name, awsx.Classify(err))
		}
	} else {
		_, err = api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(r.name)})
		if err != nil {
			err = fmt.Errorf("getting IAM policy (%s): %w", r.name, awsx.Classify(err))
		}
	}
	switch {
	case errors.Is(err, awsx.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// missingProblem reports a missing group or policy at the first person who
// needs it (the input says where each person is, not where each group is).
func missingProblem(r *reference, a *Account) spec.Problem {
	who := fmt.Sprintf("person %q", label(r.who[0]))
	if n := len(r.who) - 1; n > 0 {
		who += fmt.Sprintf(" (and %d more)", n)
	}
	create := ""
	if r.kind == "group" {
		create = " (aws iam create-group --group-name " + r.name + ")"
	}
	return spec.Problem{Pos: r.who[0].Pos, What: who, Fix: fmt.Sprintf("needs %s %q, which does not exist in account %s; "+
		"create it there first%s, or remove it from the input", r.kind, r.name, accountLabel(a), create)}
}

// PolicyARN turns a policy reference from the input into an ARN: an ARN stays
// as it is; a name such as ReadOnlyAccess or job-function/ViewOnlyAccess is
// an AWS managed policy of the partition.
func PolicyARN(partition, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return "arn:" + partition + ":iam::aws:policy/" + strings.TrimPrefix(ref, "/")
}

// changePasswordPolicy is the AWS managed policy that lets a user change their
// own password, needed unless the account's policy allows it to everyone.
func changePasswordPolicy(partition string) string {
	return PolicyARN(partition, "IAMUserChangePassword")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
