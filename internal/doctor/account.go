package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/shell"
)

// accountAPI is what checking an account calls in it.
type accountAPI interface {
	roleAPI
	simulateAPI
	groupAPI
	GetAccountPasswordPolicy(ctx context.Context, in *iam.GetAccountPasswordPolicyInput, optFns ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	ListAccountAliases(ctx context.Context, in *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
}

var _ accountAPI = (*iam.Client)(nil)

// account checks one account: the role into it and whom it trusts, its
// permissions, the password policy and first sign-in, the alias, and the
// groups.
func (c *checker) account(ctx context.Context, a awsx.Account) (Account, []Finding) {
	acct := Account{ID: a.ID, Name: a.Name}
	cfg, err := c.deps.AWS.Config(ctx, a.ID)
	if err != nil {
		return acct, []Finding{{Account: a.ID, Check: CheckRole, Severity: Error, Message: err.Error(),
			Fix: "give the role gatehouse assumes in the other accounts: --role NAME, or role.name in the spec"}}
	}
	var out []Finding
	if a.ID == c.caller.Account {
		out = append(out, Finding{Account: a.ID, Check: CheckRole, Severity: OK,
			Message: "gatehouse's own account: it works here with its own credentials, through no role"})
	} else {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return acct, []Finding{c.unassumable(a, err)}
		}
		out = append(out, c.memberRole(ctx, cfg, a)...)
	}
	api := iam.NewFromConfig(cfg)
	pol, polFindings := c.passwordPolicy(ctx, api, a.ID)
	out = append(out, polFindings...)
	if pol != nil {
		out = append(out, c.firstSignIn(ctx, api, a.ID, pol))
	}
	var alias Finding
	acct.Alias, acct.SignInURL, alias = c.alias(ctx, api, a)
	out = append(out, alias)
	out = append(out, c.groups(ctx, api, a.ID)...)
	return acct, out
}

// unassumable reports a role gatehouse could not assume.
func (c *checker) unassumable(a awsx.Account, err error) Finding {
	role := awsx.RoleARN(c.role, c.caller.Partition, a.ID)
	f := Finding{Account: a.ID, Check: CheckRole, Severity: Error,
		Message: fmt.Sprintf("gatehouse (%s) cannot assume %s: %s", c.caller.ARN, role, says(err))}
	if class := awsx.ClassOf(err); class != awsx.ErrAccessDenied && class != awsx.ErrNotFound {
		f.Fix = "check the network and the endpoint, then run the doctor again"
		return f
	}
	name := role[strings.LastIndexByte(role, '/')+1:]
	facts := trustFacts{member: a.ID, roleName: name, callerAcc: c.caller.Account,
		callerARN: c.self.arn, partition: c.caller.Partition, externalID: c.role.ExternalID != ""}
	doc, before, after := facts.minimalTrust()
	create := shell.Line([]string{"aws", "iam", "create-role", "--role-name", name, "--assume-role-policy-document", doc})
	f.Fix = fmt.Sprintf("%s%s%s, or give the role that trust policy with update-assume-role-policy if it exists; then attach "+
		"the member policy (gatehouse policy --for %s --part member), and let gatehouse assume the role (%s)",
		before, inAccount(a.ID, create), after, strings.Join(c.features, ","), c.policyCommand(policy.Caller))
	if c.role.ExternalID == "" {
		f.Fix += "; a role whose trust requires an external ID needs --external-id (role.external_id)"
	}
	return f
}

// memberRole checks the role gatehouse entered the account through: whom
// it trusts, and what it may do, as the assumed session names it.
func (c *checker) memberRole(ctx context.Context, cfg aws.Config, a awsx.Account) []Finding {
	roleARN := awsx.RoleARN(c.role, c.caller.Partition, a.ID)
	who := principalOf(roleARN)
	if id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		if p := principalOf(aws.ToString(id.Arn)); p.kind == kindRole {
			who = p
		}
	}
	out := []Finding{{Account: a.ID, Check: CheckRole, Severity: OK, Message: "gatehouse assumes " + roleARN}}
	api := iam.NewFromConfig(cfg)
	role, err := who.resolve(ctx, api)
	switch {
	case err != nil:
		out = append(out, Finding{Account: a.ID, Check: CheckTrust, Severity: Warning,
			Message: fmt.Sprintf("the trust policy of %s could not be read (%s)", who.roleName, says(err)),
			Fix:     inAccount(a.ID, "let the role read itself (iam:GetRole): "+c.doctorPolicyCommand())})
	case role.Role != nil:
		doc, derr := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
		if derr != nil {
			doc = aws.ToString(role.Role.AssumeRolePolicyDocument)
		}
		out = append(out, judgeTrust(doc, trustFacts{member: a.ID, roleName: who.roleName, callerAcc: c.caller.Account,
			callerARN: c.self.arn, partition: c.caller.Partition, externalID: c.role.ExternalID != ""})...)
	}
	return append(out, c.permissions(ctx, api, who, a.ID, policy.Member))
}

// doctorPolicyCommand prints what the doctor itself needs in the members.
func (c *checker) doctorPolicyCommand() string {
	return "gatehouse policy --for doctor --part member"
}

// alias reads the account's alias and its sign-in URL: without an alias
// the URL carries the account ID, which people mistype and cannot place.
func (c *checker) alias(ctx context.Context, api accountAPI, a awsx.Account) (string, string, Finding) {
	f := Finding{Account: a.ID, Check: CheckAlias}
	alias, err := awsx.AccountAlias(ctx, api)
	if err != nil {
		f.Severity, f.Message = Warning, "the account alias could not be read: "+says(err)
		f.Fix = inAccount(a.ID, "allow iam:ListAccountAliases: "+c.doctorPolicyCommand())
		return "", "", f
	}
	url := awsx.SignInURL(c.caller.Partition, cmpOr(alias, a.ID))
	if alias == "" {
		f.Severity = Warning
		f.Message = "the account has no alias: the sign-in URL people are sent, " + url + ", carries the account ID"
		f.Fix = inAccount(a.ID, shell.Line([]string{"aws", "iam", "create-account-alias", "--account-alias", suggestAlias(a)}))
		return "", url, f
	}
	f.Severity, f.Message = OK, "alias "+alias+": people sign in at "+url
	return alias, url, f
}

var aliasRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9]|-[a-z0-9]){2,62}$`)

// suggestAlias makes an alias of the organisation's name for the account,
// or leaves ALIAS to be filled in.
func suggestAlias(a awsx.Account) string {
	var b strings.Builder
	for _, r := range strings.ToLower(a.Name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 63 {
		s = strings.TrimSuffix(s[:63], "-")
	}
	if !aliasRe.MatchString(s) {
		return "ALIAS"
	}
	return s
}

// notFound reports whether err says the thing does not exist.
func notFound(err error) bool { return errors.Is(err, awsx.ErrNotFound) }
