package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/report"
	"github.com/gatehouse/gatehouse/internal/shell"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// groupAPI is what checking groups calls.
type groupAPI interface {
	GetGroup(ctx context.Context, in *iam.GetGroupInput, optFns ...func(*iam.Options)) (*iam.GetGroupOutput, error)
}

// iamChange is an IAM action that changes identities or their permissions,
// with the kind of resource it acts on.
type iamChange struct{ action, kind string }

// iamChanges are the IAM changes a group that denies IAM must deny: making
// users, keys and passwords, granting policies, and making or passing roles.
var iamChanges = []iamChange{
	{"iam:CreateUser", "user"}, {"iam:DeleteUser", "user"}, {"iam:CreateAccessKey", "user"}, {"iam:CreateLoginProfile", "user"},
	{"iam:UpdateLoginProfile", "user"}, {"iam:AttachUserPolicy", "user"}, {"iam:PutUserPolicy", "user"}, {"iam:TagUser", "user"},
	{"iam:AddUserToGroup", "group"}, {"iam:AttachGroupPolicy", "group"},
	{"iam:CreateRole", "role"}, {"iam:AttachRolePolicy", "role"}, {"iam:UpdateAssumeRolePolicy", "role"}, {"iam:PassRole", "role"},
	{"iam:CreatePolicyVersion", "policy"},
}

// changePassword is what people need at first sign-in; a group must not
// deny it.
var changePassword = iamChange{"iam:ChangePassword", "user"}

// denyIAMPolicy is the inline policy the fix suggests: it denies every IAM
// change and leaves people their own password (iam:ChangePassword,
// iam:GetAccountPasswordPolicy) and reading.
var denyIAMPolicy = func() string {
	type statement struct {
		Sid, Effect string
		Action      []string
		Resource    string
	}
	b, _ := json.Marshal(struct {
		Version   string
		Statement []statement
	}{"2012-10-17", []statement{{Sid: "DenyIAMChanges", Effect: "Deny", Resource: "*",
		Action: []string{"iam:Add*", "iam:Attach*", "iam:Create*", "iam:Deactivate*", "iam:Delete*", "iam:Detach*",
			"iam:Enable*", "iam:PassRole", "iam:Put*", "iam:Remove*", "iam:Reset*", "iam:Resync*", "iam:Set*", "iam:Tag*",
			"iam:Untag*", "iam:Update*", "iam:Upload*"}}}})
	return string(b)
}()

// DenyIAMPolicy is the inline policy the deny-iam fix gives a group (JSON):
// every IAM change denied, the members' own password left to them.
func DenyIAMPolicy() string { return denyIAMPolicy }

// neededGroup is a group the doctor looks for, and why.
type neededGroup struct {
	name    string
	people  []spec.Person // who joins it in this account
	denyIAM bool          // checks.deny_iam_groups names it
}

// neededGroups are the groups the account's people join, then those the
// checks name, each once (IAM group names ignore case).
func (c *checker) neededGroups(account string) []*neededGroup {
	var out []*neededGroup
	find := func(name string) *neededGroup {
		i := slices.IndexFunc(out, func(g *neededGroup) bool { return strings.EqualFold(g.name, name) })
		if i < 0 {
			out = append(out, &neededGroup{name: name})
			i = len(out) - 1
		}
		return out[i]
	}
	for _, p := range c.peopleIn(account) {
		for _, g := range p.Groups {
			ng := find(g)
			ng.people = append(ng.people, p)
		}
	}
	for _, g := range c.in.Checks.DenyIAMGroups {
		find(g).denyIAM = true
	}
	return out
}

// groups checks that each needed group exists, does not deny people their
// password, and — where the spec asks — denies IAM changes.
func (c *checker) groups(ctx context.Context, api accountAPI, account string) []Finding {
	var out []Finding
	for _, g := range c.neededGroups(account) {
		found, f := c.groupExists(ctx, api, account, g)
		out = append(out, f)
		if found == nil {
			continue
		}
		out = append(out, c.groupPolicies(ctx, api, account, g, aws.ToString(found.Arn))...)
	}
	return out
}

// groupExists looks the group up; nil when it is not there (or unreadable).
func (c *checker) groupExists(ctx context.Context, api accountAPI, account string, g *neededGroup) (*types.Group, Finding) {
	f := Finding{Account: account, Check: CheckGroup}
	out, err := api.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(g.name), MaxItems: aws.Int32(1)})
	err = awsx.Classify(err)
	who := "checks.deny_iam_groups names it"
	if len(g.people) > 0 {
		who = report.Plural(len(g.people), "person joins", "people join") + " it (" + positions(g.people) + ")"
	}
	switch {
	case notFound(err):
		f.Severity = Error
		f.Message = fmt.Sprintf("group %s does not exist; %s", g.name, who)
		f.Fix = inAccount(account, shell.Line([]string{"aws", "iam", "create-group", "--group-name", g.name})) +
			", or remove it from the spec"
		return nil, f
	case err != nil:
		f.Severity, f.Message = Warning, fmt.Sprintf("group %s could not be read: %s", g.name, says(err))
		f.Fix = inAccount(account, "allow iam:GetGroup: "+c.doctorPolicyCommand())
		return nil, f
	case out.Group == nil:
		f.Severity, f.Message = Warning, fmt.Sprintf("group %s: IAM answered without the group", g.name)
		return nil, f
	}
	f.Severity, f.Message = OK, fmt.Sprintf("group %s exists; %s", g.name, who)
	return out.Group, f
}

// positions lists where people were declared, the first few.
func positions(people []spec.Person) string {
	var out []string
	for i, p := range people {
		if i == 3 {
			out = append(out, fmt.Sprintf("and %d more", len(people)-i))
			break
		}
		out = append(out, p.Pos.String())
	}
	return strings.Join(out, ", ")
}

// groupPolicies simulates the group's policies: iam:ChangePassword must not
// be denied outright, and a deny_iam group must allow no IAM change.
func (c *checker) groupPolicies(ctx context.Context, api accountAPI, account string, g *neededGroup, arn string) []Finding {
	probes := map[string]string{}
	for _, kind := range []string{"user", "group", "role", "policy"} {
		probes[kind] = "arn:" + c.caller.Partition + ":iam::" + account + ":" + kind + "/" + probe
	}
	changes := []iamChange{changePassword}
	if g.denyIAM {
		changes = append(changes, iamChanges...)
	}
	var actions []string
	for _, ch := range changes {
		actions = append(actions, ch.action)
	}
	outs, err := simulate(ctx, api, arn, actions, []string{probes["user"], probes["group"], probes["role"], probes["policy"]})
	if err != nil {
		f := Finding{Account: account, Check: CheckFirstSignIn, Severity: Warning,
			Message: fmt.Sprintf("the policies of group %s could not be simulated (%s)", g.name, says(err)),
			Fix:     inAccount(account, "allow iam:SimulatePrincipalPolicy: "+c.doctorPolicyCommand())}
		if g.denyIAM {
			f.Check = CheckDenyIAM
			f.Message += ": check by hand that they deny IAM changes and leave people iam:ChangePassword"
		}
		return []Finding{f}
	}
	var out []Finding
	if o, ok := decision(outs, changePassword.action, probes["user"]); ok && o.decision == types.PolicyEvaluationDecisionTypeExplicitDeny {
		out = append(out, c.passwordDenied(account, g, o))
	}
	if g.denyIAM {
		out = append(out, c.denyIAM(account, g, outs, probes))
	}
	return out
}

// passwordDenied reports a group that denies people their own password.
func (c *checker) passwordDenied(account string, g *neededGroup, o outcome) Finding {
	f := Finding{Account: account, Check: CheckFirstSignIn, Severity: Error,
		Message: fmt.Sprintf("group %s denies iam:ChangePassword (%s): its members cannot choose a new password at first "+
			"sign-in, which gatehouse requires of them, so they would be locked out", g.name, by(o.policies)),
		Fix: "deny IAM changes without iam:ChangePassword, as " + inAccount(account, shell.Line([]string{"aws", "iam",
			"put-group-policy", "--group-name", g.name, "--policy-name", "deny-iam-changes", "--policy-document", denyIAMPolicy})) +
			" does, and remove the statement that denies it"}
	if !c.in.Password.ResetRequired {
		f.Severity = Warning
		f.Message = fmt.Sprintf("group %s denies iam:ChangePassword (%s): its members can never change the password gatehouse "+
			"gives them", g.name, by(o.policies))
	}
	return f
}

// denyIAM reports whether a deny_iam group allows any IAM change.
func (c *checker) denyIAM(account string, g *neededGroup, outs []outcome, probes map[string]string) Finding {
	var allowed, via []string
	implicit := 0
	for _, ch := range iamChanges {
		o, ok := decision(outs, ch.action, probes[ch.kind])
		switch {
		case ok && o.allowed():
			allowed = append(allowed, ch.action)
			for _, p := range o.policies {
				if !slices.Contains(via, p) {
					via = append(via, p)
				}
			}
		case !ok || o.decision == types.PolicyEvaluationDecisionTypeImplicitDeny:
			implicit++
		}
	}
	f := Finding{Account: account, Check: CheckDenyIAM}
	switch {
	case len(allowed) > 0:
		f.Severity = Error
		f.Message = fmt.Sprintf("group %s must deny IAM changes (checks.deny_iam_groups) but allows %s (%s)",
			g.name, strings.Join(allowed, ", "), by(via))
		f.Fix = inAccount(account, shell.Line([]string{"aws", "iam", "put-group-policy", "--group-name", g.name,
			"--policy-name", "deny-iam-changes", "--policy-document", denyIAMPolicy})) +
			" (people keep iam:ChangePassword), or detach what allows them"
	case implicit > 0:
		f.Severity = OK
		f.Message = fmt.Sprintf("group %s allows none of the %d IAM changes simulated: nothing in its policies allows them "+
			"(an explicit Deny would hold against the policies its members get elsewhere too)", g.name, len(iamChanges))
	default:
		f.Severity = OK
		f.Message = fmt.Sprintf("group %s explicitly denies all %d IAM changes simulated", g.name, len(iamChanges))
	}
	return f
}

// by names the policies that decided something.
func by(policies []string) string {
	if len(policies) == 0 {
		return "by its policies"
	}
	return "by " + strings.Join(policies, ", ")
}
