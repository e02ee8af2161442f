// Package doctor is gatehouse's preflight: before a run, it checks, per
// account, everything the run needs — who gatehouse is and whether its
// permissions suffice, the role it enters each account through and whom
// that role trusts, SES's sender, sending sandbox and quota, the password
// policy and the reset at first sign-in, the alias behind the sign-in URL,
// and the groups the spec names — and gives each finding a severity and a
// concrete fix. It changes nothing.
//
// Run checks a run of IAM users; RunIdentityCenter one of Identity Center
// users, which has no member roles or password policies, but an instance,
// groups and permission sets.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Severity says what a finding means for a run.
type Severity string

// Severities, from good to bad.
const (
	OK      Severity = "ok"      // checked, and as a run needs it
	Warning Severity = "warning" // a run works, but something is weaker or riskier than it should be
	Error   Severity = "error"   // a run would fail, or the setup is unsafe
)

// Checks, as findings name them.
const (
	CheckIdentity       = "identity"        // who gatehouse runs as
	CheckAccounts       = "accounts"        // the selection resolves to accounts
	CheckPermissions    = "permissions"     // the caller's and the member role's, simulated
	CheckRole           = "role"            // the member role can be assumed
	CheckTrust          = "trust"           // whom the member role trusts
	CheckSESSender      = "ses-sender"      // the sender is verified
	CheckSESSandbox     = "ses-sandbox"     // the sending sandbox and its recipients
	CheckSESQuota       = "ses-quota"       // the 24-hour quota and the rate
	CheckDelivery       = "delivery"        // the other channels' own checks
	CheckPasswordPolicy = "password-policy" // what the account demands of passwords
	CheckFirstSignIn    = "first-sign-in"   // people can choose their password at first sign-in
	CheckAlias          = "alias"           // the account alias in the sign-in URL
	CheckGroup          = "group"           // the spec's groups exist
	CheckDenyIAM        = "deny-iam"        // checks.deny_iam_groups deny IAM changes
)

// Finding is one thing the doctor checked. Account is "" for what belongs
// to gatehouse itself (its identity, its account's SES), else the account
// checked. Fix is a command or a policy to apply, in the account named.
type Finding struct {
	Account  string `json:",omitempty"`
	Check    string
	Severity Severity
	Message  string
	Fix      string `json:",omitempty"`
	// Policy is the IAM policy a permissions finding's fix grants.
	Policy *policy.Document `json:",omitempty"`
}

// Account is an account the doctor checked (or, for an Identity Center
// spec, the identity store: Noun says so).
type Account struct {
	ID        string
	Noun      string `json:",omitempty"` // "" for an account
	Name      string `json:",omitempty"` // the organisation's name for it
	Alias     string `json:",omitempty"`
	SignInURL string `json:",omitempty"`
}

// Report is what the doctor found: gatehouse's own findings first, then
// each account's, in account order.
type Report struct {
	Directory     string `json:",omitempty"` // "identity-center" for an Identity Center run, else ""
	Caller        string `json:",omitempty"` // the ARN gatehouse runs as
	CallerAccount string `json:",omitempty"`
	Accounts      []Account
	Findings      []Finding
}

// Count returns how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Deps is what the doctor checks with.
type Deps struct {
	// AWS reaches the caller's account and enters the others through the
	// input's role.
	AWS *awsx.Factory
	// Features are the features whose permissions are simulated
	// (policy.Features); none means onboard.
	Features []string
	// Concurrency bounds the accounts checked at once; 0 means 8.
	Concurrency int
	// Channels builds and checks the delivery channels of an input as a run
	// does (runenv.Factory.Channels); the doctor gives it the people SES
	// does not deliver to, having checked SES itself. Nil skips them.
	Channels func(context.Context, *spec.Input) error
}

// Formats of the report.
const (
	FormatTable = "table"
	FormatJSON  = "json"
)

// Formats lists the report's formats, the default first.
var Formats = []string{FormatTable, FormatJSON}

// Run checks what a run of in needs. Problems it finds are findings, never
// errors; an error means the doctor itself could not go on (ctx ended).
func Run(ctx context.Context, deps Deps, in *spec.Input) (*Report, error) {
	rep := &Report{Accounts: []Account{}, Findings: []Finding{}}
	caller, err := deps.AWS.Caller(ctx)
	if err != nil {
		rep.Findings = append(rep.Findings, Finding{Check: CheckIdentity, Severity: Error,
			Message: "gatehouse cannot tell who it runs as: " + says(err),
			Fix:     "give it credentials (AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID…, or a role) and a region; aws sts get-caller-identity shows who they are"})
		return rep, ctx.Err()
	}
	rep.Caller, rep.CallerAccount = caller.ARN, caller.Account
	accounts, err := deps.AWS.ResolveAccounts(ctx, in.Accounts)
	if err != nil {
		rep.Findings = append(rep.Findings, Finding{Check: CheckAccounts, Severity: Error, Message: err.Error(),
			Fix: "run gatehouse from the organisation's management account (organizations:ListAccounts), or list the accounts with --account"})
		return rep, ctx.Err()
	}
	c := newChecker(deps, in, caller, accounts)
	// Unread, a role's ARN lacks its path, and the simulation says so.
	_, _ = c.self.resolve(ctx, iam.NewFromConfig(deps.AWS.Base()))
	rep.Findings = append(rep.Findings, c.gatehouse(ctx)...)
	perAccount := make([][]Finding, len(accounts))
	rep.Accounts = make([]Account, len(accounts))
	err = engine.Each(ctx, c.concurrency(), indexes(len(accounts)), func(ctx context.Context, i int) error {
		rep.Accounts[i], perAccount[i] = c.account(ctx, accounts[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, fs := range perAccount {
		rep.Findings = append(rep.Findings, fs...)
	}
	return rep, ctx.Err()
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// checker is one doctor's run: the input, who gatehouse is, and the
// accounts it checks.
type checker struct {
	deps     Deps
	in       *spec.Input
	caller   awsx.Identity
	accounts []awsx.Account
	role     spec.Role // the input's role, the default filled in
	features []string
	// self is gatehouse's identity as policies name it: its user's or its
	// role's ARN (with the path, when the role can be read).
	self principal
}

func newChecker(deps Deps, in *spec.Input, caller awsx.Identity, accounts []awsx.Account) *checker {
	c := &checker{deps: deps, in: in, caller: caller, accounts: accounts, role: in.Role, features: deps.Features,
		self: principalOf(caller.ARN)}
	if c.role.Name == "" && c.role.ARNTemplate == "" {
		c.role.Name = iamuser.DefaultRole
	}
	if len(c.features) == 0 {
		c.features = []string{policy.Onboard}
	}
	return c
}

func (c *checker) concurrency() int {
	if c.deps.Concurrency > 0 {
		return c.deps.Concurrency
	}
	return 8
}

// roleFlag is the role as --role takes it, for the commands fixes suggest.
func (c *checker) roleFlag() string {
	return cmpOr(c.role.ARNTemplate, c.role.Name)
}

// entersOthers reports whether any account is entered through the role.
func (c *checker) entersOthers() bool {
	return slices.ContainsFunc(c.accounts, func(a awsx.Account) bool { return a.ID != c.caller.Account })
}

// includesOwn reports whether the caller's own account is selected: there
// gatehouse works with its own credentials, so the caller needs the member
// part of the policy too.
func (c *checker) includesOwn() bool {
	return slices.ContainsFunc(c.accounts, func(a awsx.Account) bool { return a.ID == c.caller.Account })
}

// peopleIn returns the people a run places in account.
func (c *checker) peopleIn(account string) []spec.Person {
	var out []spec.Person
	for _, p := range c.in.People {
		if len(p.Accounts) == 0 || slices.Contains(p.Accounts, account) {
			out = append(out, p)
		}
	}
	return out
}

// gatehouse checks what belongs to gatehouse itself: its identity and
// permissions, SES in its account, and the other channels.
func (c *checker) gatehouse(ctx context.Context) []Finding {
	out := c.identity(ctx)
	out = append(out, c.ses(ctx)...)
	return append(out, c.channels(ctx)...)
}

// channels runs the own checks of the channels other than SES (SMTP signs
// in, claim links reach gatehouse serve…), as a run does before creating
// anyone.
func (c *checker) channels(ctx context.Context) []Finding {
	if c.deps.Channels == nil {
		return nil
	}
	other := *c.in
	other.People = nil
	var names []string
	for _, p := range c.in.People {
		if p.Deliver == spec.ChannelSES || p.Deliver == spec.ChannelNone {
			continue
		}
		other.People = append(other.People, p)
		if !slices.Contains(names, p.Deliver) {
			names = append(names, p.Deliver)
		}
	}
	if len(other.People) == 0 {
		return nil
	}
	what := "delivery by " + strings.Join(names, ", ")
	if err := c.deps.Channels(ctx, &other); err != nil {
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		return []Finding{{Check: CheckDelivery, Severity: Error, Message: what + ": " + msg,
			Fix: "mend what the message names; gatehouse onboard --dry-run runs the same check"}}
	}
	return []Finding{{Check: CheckDelivery, Severity: OK, Message: what + ": set up, as a run checks it before creating anyone"}}
}

// inAccount prefixes a command with the account it must run in.
func inAccount(account, command string) string {
	return fmt.Sprintf("in account %s: %s", account, command)
}

// says is what AWS said — the error's code and message, without the SDK's
// wrapping (operation, HTTP status, request ID) — or the error as it is.
func says(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	return err.Error()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
