package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/report"
	"github.com/gatehouse/gatehouse/internal/shell"
)

// roleAPI is what reading a role calls.
type roleAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
}

var _ roleAPI = (*iam.Client)(nil)

// Kinds of principal an identity's ARN names.
const (
	kindRoot  = "root"
	kindUser  = "user"
	kindRole  = "role"
	kindOther = "other" // federated users, services: nothing to simulate
)

// principal is an identity as IAM policies name it.
type principal struct {
	kind     string
	account  string
	arn      string // the user's or role's IAM ARN ("" for root and others); a role's path is known once resolved
	roleName string
}

// principalOf reads an identity's ARN (GetCallerIdentity's): the root user,
// an IAM user, or an assumed role, whose IAM ARN is its role's.
func principalOf(arn string) principal {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return principal{kind: kindOther}
	}
	partition, service, account, res := f[1], f[2], f[4], f[5]
	switch {
	case service == "iam" && res == "root":
		return principal{kind: kindRoot, account: account}
	case service == "iam" && strings.HasPrefix(res, "user/"):
		return principal{kind: kindUser, account: account, arn: arn}
	case service == "iam" && strings.HasPrefix(res, "role/"):
		return principal{kind: kindRole, account: account, arn: arn, roleName: res[strings.LastIndexByte(res, '/')+1:]}
	case service == "sts" && strings.HasPrefix(res, "assumed-role/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		return principal{kind: kindRole, account: account, roleName: name,
			arn: "arn:" + partition + ":iam::" + account + ":role/" + name}
	}
	return principal{kind: kindOther, account: account}
}

// resolve reads the role an assumed-role principal is, for its ARN with
// its path (policies name roles by it); it returns the role, or nil when it
// cannot be read.
func (p *principal) resolve(ctx context.Context, api roleAPI) (*iam.GetRoleOutput, error) {
	if p.kind != kindRole {
		return nil, nil
	}
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(p.roleName)})
	if err != nil {
		return nil, fmt.Errorf("getting IAM role (%s): %w", p.roleName, awsx.Classify(err))
	}
	if out.Role != nil && aws.ToString(out.Role.Arn) != "" {
		p.arn = aws.ToString(out.Role.Arn)
	}
	return out, nil
}

// identity reports who gatehouse runs as, and whether it may do what the
// features need of it.
func (c *checker) identity(ctx context.Context) []Finding {
	who := c.self
	part := c.callerPart()
	if who.kind == kindRoot {
		doc := c.policyDoc(part)
		why := "but AWS refuses to let root credentials assume roles, so on AWS a run cannot enter other accounts (the sandbox lets it), " +
			"and the root user should have no access keys at all"
		if c.accounts == nil { // Identity Center: no account is entered
			why = "but the root user should have no access keys at all"
		}
		return []Finding{{Check: CheckIdentity, Severity: Warning,
			Message: fmt.Sprintf("gatehouse runs as the root user of account %s: it may do anything there, %s", c.caller.Account, why),
			Fix: fmt.Sprintf("create a role or user for gatehouse in account %s with the policy from `%s`, and run gatehouse as it",
				c.caller.Account, c.policyCommand(part)),
			Policy: doc}}
	}
	out := []Finding{{Check: CheckIdentity, Severity: OK,
		Message: fmt.Sprintf("gatehouse runs as %s (account %s)", c.caller.ARN, c.caller.Account)}}
	return append(out, c.permissions(ctx, iam.NewFromConfig(c.deps.AWS.Base()), who, "", part))
}

// callerPart is the part of the policy the caller needs: the caller's, and
// the member's too where it works in its own account.
func (c *checker) callerPart() string {
	if c.includesOwn() {
		return ""
	}
	return policy.Caller
}

// policyDoc is the policy the features need in part, entering the run's role.
func (c *checker) policyDoc(part string) *policy.Document {
	doc, err := policy.For(c.features, part)
	if err != nil {
		return nil // the features need nothing there
	}
	doc = doc.Entering(c.roleFlag())
	return &doc
}

// policyCommand is the gatehouse policy command that prints policyDoc.
func (c *checker) policyCommand(part string) string {
	words := []string{"gatehouse", "policy", "--for", strings.Join(c.features, ",")}
	if part != "" {
		words = append(words, "--part", part)
	}
	if part != policy.Member && c.roleFlag() != iamuser.DefaultRole && c.entersOthers() {
		words = append(words, "--role", c.roleFlag())
	}
	return shell.Line(words)
}

// putPolicyCommand is the command that gives who the policy of part inline.
func (c *checker) putPolicyCommand(who principal, part string) string {
	kind, name := "role", who.roleName
	if who.kind == kindUser {
		kind, name = "user", who.arn[strings.LastIndexByte(who.arn, '/')+1:]
	}
	return fmt.Sprintf(`aws iam put-%s-policy --%s-name %s --policy-name gatehouse --policy-document "$(%s)"`,
		kind, kind, name, c.policyCommand(part))
}

// neededStatements are the statements of part a run of the input needs:
// Organizations only to resolve --all-accounts or --ou, sts:AssumeRole only
// to enter another account, SES only when someone is delivered by it.
func (c *checker) neededStatements(part string) []policy.Statement {
	doc := c.policyDoc(part)
	if doc == nil {
		return nil
	}
	var out []policy.Statement
	for _, st := range doc.Statement {
		switch st.Sid {
		case policy.SidReadAccounts:
			if !c.in.Accounts.All && len(c.in.Accounts.OUs) == 0 {
				continue
			}
		case policy.SidEnterAccounts:
			if !c.entersOthers() {
				continue
			}
		case policy.SidSendMail:
			if _, used := c.sesPeople(); !used {
				continue
			}
		}
		out = append(out, st)
	}
	return out
}

// resourcesIn returns, for a statement, the resources to simulate it on in
// account: one of each kind it names, and for sts:AssumeRole the role in
// every account entered.
func (c *checker) resourcesIn(account string) func(policy.Statement) []string {
	return func(st policy.Statement) []string {
		if st.Sid == policy.SidEnterAccounts {
			var roles []string
			for _, a := range c.accounts {
				if a.ID != c.caller.Account {
					roles = append(roles, awsx.RoleARN(c.role, c.caller.Partition, a.ID))
				}
			}
			return roles
		}
		var out []string
		for _, r := range st.Resource {
			out = append(out, concrete(r, c.caller.Partition, c.deps.AWS.Base().Region, account))
		}
		return out
	}
}

// permissions simulates the statements of part a run needs on who, which
// acts in account ("" for the caller's own).
func (c *checker) permissions(ctx context.Context, api simulateAPI, who principal, account, part string) Finding {
	doc := c.policyDoc(part)
	features := strings.Join(c.features, ", ")
	f := Finding{Account: account, Check: CheckPermissions, Policy: doc}
	fix := c.putPolicyCommand(who, part)
	if account != "" {
		fix = inAccount(account, fix)
	}
	stmts := c.neededStatements(part)
	if len(stmts) == 0 {
		f.Severity, f.Message, f.Policy = OK, features+" needs nothing of "+cmpOr(who.arn, c.caller.ARN)+" here", nil
		return f
	}
	if who.kind != kindUser && who.kind != kindRole {
		f.Severity, f.Fix = Warning, c.policyCommand(part)+" prints what it needs"
		f.Message = fmt.Sprintf("IAM's policy simulator cannot evaluate %s, so its permissions were not checked", c.caller.ARN)
		return f
	}
	gs, n, err := gaps(ctx, api, who.arn, stmts, c.resourcesIn(cmpOr(account, c.caller.Account)))
	switch {
	case err != nil:
		f.Severity, f.Fix = Warning, "make sure it has what "+c.policyCommand(part)+" prints: "+fix
		f.Message = fmt.Sprintf("the permissions of %s could not be simulated (%s)", who.arn, says(err))
	case len(gs) == 0:
		f.Severity, f.Policy = OK, nil
		f.Message = fmt.Sprintf("%s may do all %d actions %s needs of it here (IAM's policy simulator)", who.arn, n, features)
	default:
		f.Severity, f.Fix = Error, fix
		words := make([]string, len(gs))
		conditional := true
		for i, g := range gs {
			words[i] = g.String()
			conditional = conditional && g.conditional
		}
		f.Message = fmt.Sprintf("%s lacks %s %s needs: %s", who.arn, report.Plural(len(gs), "permission", "permissions"),
			features, strings.Join(words, "; "))
		if conditional {
			f.Severity = Warning
			f.Message += " — each is allowed only under conditions the simulator was not given, so check them by hand"
		}
	}
	return f
}
