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
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// accountAPI is what surveying an account needs from IAM.
type accountAPI interface {
	GetAccountPasswordPolicy(ctx context.Context, in *iam.GetAccountPasswordPolicyInput, optFns ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	ListAccountAliases(ctx context.Context, in *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
	ListUsers(ctx context.Context, in *iam.ListUsersInput, optFns ...func(*iam.Options)) (*iam.ListUsersOutput, error)
	GetGroup(ctx context.Context, in *iam.GetGroupInput, optFns ...func(*iam.Options)) (*iam.GetGroupOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	bulkAPI
	reportAPI
}

var _ accountAPI = (*iam.Client)(nil)

// account is what Survey read of an account (engine.Scope.Facts).
type account struct {
	partition string
	policy    password.Policy

	mu sync.Mutex
	// users maps lower-cased user names to the names as IAM spells them;
	// nil when the survey did not list the account (a few people: each is
	// read on their own).
	users map[string]string
	// bulk is what GetAccountAuthorizationDetails said of the users and
	// groups (nil where the caller may not call it).
	bulk *directory
	// report is the credential report, read on a rerun to notice console
	// passwords deleted outside gatehouse (nil when there is none to read).
	report *CredentialReport
}

// userNamed returns the user name as IAM spells it, and whether the account
// has such a user as far as the survey (or a CreateUser since) knows.
func (a *account) userNamed(name string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.users == nil { // not listed: ask for the user itself
		return name, true
	}
	spelt, ok := a.users[strings.ToLower(name)]
	return spelt, ok
}

// learn notes that the account has a user of that name: CreateUser said so.
func (a *account) learn(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.users == nil {
		return
	}
	if _, ok := a.users[strings.ToLower(name)]; !ok {
		a.users[strings.ToLower(name)] = name
	}
}

// facts returns what Survey read of s.
func facts(s *engine.Scope) *account {
	a, _ := s.Facts.(*account)
	if a == nil {
		return &account{partition: "aws", policy: password.DefaultPolicy, users: map[string]string{}}
	}
	return a
}

// Survey reads the account's password policy, alias, sign-in URL and users,
// and returns a problem for every group, policy or boundary its people need
// that does not exist there, or for a role that cannot be assumed.
func (d *Directory) Survey(ctx context.Context, s *engine.Scope, people []spec.Person) (spec.Problems, error) {
	caller, err := d.aws.Caller(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := d.aws.Config(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	if s.ID != caller.Account {
		// Assume the role now, so a role that is missing or does not trust
		// the caller is reported as such, with the other problems.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return roleProblem(err, caller, s)
		}
	}
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	a := &account{partition: caller.Partition}
	// The account's reads depend on none of each other: at once.
	var wg sync.WaitGroup
	var policyErr, aliasErr, usersErr error
	wg.Go(func() {
		if a.policy, policyErr = password.FetchPolicy(ctx, api); policyErr != nil {
			policyErr = awsx.Classify(policyErr)
		}
	})
	wg.Go(func() { s.Alias, aliasErr = awsx.AccountAlias(ctx, api) })
	if len(people) > SmallSurvey {
		wg.Go(func() { usersErr = d.surveyUsers(ctx, s, api, a) })
	}
	wg.Wait()
	if err := errors.Join(policyErr, aliasErr, usersErr); err != nil {
		return nil, fmt.Errorf("reading account %s: %w", s.ID, err)
	}
	s.SignInURL = awsx.SignInURL(a.partition, cmpOr(s.Alias, s.ID))
	s.Policy = describePolicy(a.policy)
	if rerun(a, people) {
		// Best effort: without a report, the journal's word stands.
		a.report, _ = readCredentialReport(ctx, api)
	}
	s.Facts = a
	return checkReferences(ctx, api, s, a, people)
}

// SmallSurvey is how many people an account may be surveyed for without
// listing its users: for a few people (one event, one command-line address)
// reading each one costs less than listing an account of thousands.
const SmallSurvey = 5

// rerun reports whether any of people has a user in the account already, as
// far as the listing says (an account not listed says no).
func rerun(a *account, people []spec.Person) bool {
	if a.users == nil {
		return false
	}
	for _, p := range people {
		if _, ok := a.userNamed(p.UserName); ok {
			return true
		}
	}
	return false
}

// roleProblem turns a failure to enter account s into a problem when it
// means the role cannot be assumed, and returns it as an error otherwise.
func roleProblem(err error, caller awsx.Identity, s *engine.Scope) (spec.Problems, error) {
	class := awsx.ClassOf(err)
	if class != awsx.ErrAccessDenied && class != awsx.ErrNotFound {
		return nil, fmt.Errorf("entering account %s: %w", s.ID, err)
	}
	return spec.Problems{{
		What: "the role in account " + s.Label(),
		Fix: fmt.Sprintf("cannot be assumed by %s (%v). Check that the role exists there and trusts the caller "+
			"(--role names it; the default is %s), or leave the account out", caller.ARN, err, DefaultRole),
	}}, nil
}

// listUserNames returns every user name in the account, keyed lower-cased
// (IAM names ignore case). One paginated listing is far cheaper than a
// GetUser per person when most of them are new.
func listUserNames(ctx context.Context, api accountAPI) (map[string]string, error) {
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
// IAMUserChangePassword, which gatehouse attaches itself where the account's
// password policy does not let users change their own password, is checked
// too: a backend without it (moto unless told to load AWS's managed policies)
// would otherwise get users and no password.
func checkReferences(ctx context.Context, api accountAPI, s *engine.Scope, a *account, people []spec.Person) (spec.Problems, error) {
	partition := a.partition
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
	for _, p := range people {
		for _, g := range p.Groups {
			add("group", g, p)
		}
		for _, pol := range p.Policies {
			add("policy", PolicyARN(partition, pol), p)
		}
		if p.Boundary != "" {
			add("permissions boundary", PolicyARN(partition, p.Boundary), p)
		}
		if !a.policy.AllowUsersToChangePassword {
			add("policy", changePasswordPolicy(partition), p)
		}
	}
	// Each reference is looked up once, all at once (the rate limiter
	// paces them): a few calls' latency, not one per group and policy.
	exists := make([]bool, len(refs))
	err := engine.Each(ctx, 8, engine.InOrder(len(refs)), func(ctx context.Context, i int) error {
		var err error
		exists[i], err = referenceExists(ctx, api, a, refs[i])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("checking account %s: %w", s.ID, err)
	}
	var probs spec.Problems
	for i, r := range refs {
		if !exists[i] {
			probs = append(probs, missingProblem(r, s))
		}
	}
	return probs, nil
}

func referenceExists(ctx context.Context, api accountAPI, a *account, r *reference) (bool, error) {
	if r.kind == "group" && a.bulk != nil {
		return a.bulk.groups[strings.ToLower(r.name)], nil
	}
	if r.kind != "group" && a.bulk.attached(r.name) {
		return true, nil // a user has it attached: it exists, no need to ask
	}
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
func missingProblem(r *reference, s *engine.Scope) spec.Problem {
	who := fmt.Sprintf("person %q", label(r.who[0]))
	if n := len(r.who) - 1; n > 0 {
		who += fmt.Sprintf(" (and %d more)", n)
	}
	create := ""
	if r.kind == "group" {
		create = " (aws iam create-group --group-name " + r.name + ")"
	}
	if strings.HasSuffix(r.name, ":iam::aws:policy/IAMUserChangePassword") {
		return spec.Problem{Pos: r.who[0].Pos, What: who, Fix: fmt.Sprintf("needs AWS's managed policy %q, which does not exist "+
			"in account %s: gatehouse attaches it so people can choose their own password at first sign-in, because the "+
			"account's password policy does not let them. On moto or LocalStack, start the server with "+
			"MOTO_IAM_LOAD_MANAGED_POLICIES=true; or set a password policy with AllowUsersToChangePassword "+
			"(aws iam update-account-password-policy --allow-users-to-change-password)", r.name, s.Label())}
	}
	return spec.Problem{Pos: r.who[0].Pos, What: who, Fix: fmt.Sprintf("needs %s %q, which does not exist in account %s; "+
		"create it there first%s, or remove it from the input", r.kind, r.name, s.Label(), create)}
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

// label names a person in messages: the e-mail address, else the user name.
func label(p spec.Person) string {
	return cmpOr(p.Email, p.UserName)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// describePolicy sums a password policy up in one line.
func describePolicy(p password.Policy) string {
	if p.Default {
		return "AWS default (at least 8 characters, three of the four character types)"
	}
	parts := []string{fmt.Sprintf("at least %d characters", p.MinimumLength)}
	for _, r := range []struct {
		on   bool
		what string
	}{{p.RequireUppercase, "uppercase"}, {p.RequireLowercase, "lowercase"}, {p.RequireNumbers, "numbers"}, {p.RequireSymbols, "symbols"}} {
		if r.on {
			parts = append(parts, r.what)
		}
	}
	if p.AllowUsersToChangePassword {
		parts = append(parts, "users may change their password")
	}
	return strings.Join(parts, ", ")
}
