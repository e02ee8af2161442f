package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/internal/report"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Checks of an Identity Center run.
const (
	CheckInstance      = "instance"       // the Identity Center instance is reachable
	CheckPermissionSet = "permission-set" // the spec's permission sets exist
	CheckAssignments   = "assignments"    // the assignments' accounts resolve
)

// storeNoun is what an identity store is called in the report.
const storeNoun = "identity store"

// RunIdentityCenter checks what a run of an Identity Center spec needs:
// who gatehouse is and whether it may do what the features need (simulated
// as for IAM users), the welcome's channels (SES's sender, sending sandbox
// and quota, the others' own checks), that the instance is reachable from
// here — the management account or the delegated administrator, in the
// instance's region — and that the groups and permission sets the people
// need exist and their assignments' accounts resolve. It changes nothing.
func RunIdentityCenter(ctx context.Context, deps Deps, in *spec.Input) (*Report, error) {
	rep := &Report{Directory: spec.DirectoryIdentityCenter, Accounts: []Account{}, Findings: []Finding{}}
	caller, err := deps.AWS.Caller(ctx)
	if err != nil {
		rep.Findings = append(rep.Findings, Finding{Check: CheckIdentity, Severity: Error,
			Message: "gatehouse cannot tell who it runs as: " + says(err),
			Fix:     "give it credentials (AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID…, or a role) and a region; aws sts get-caller-identity shows who they are"})
		return rep, ctx.Err()
	}
	rep.Caller, rep.CallerAccount = caller.ARN, caller.Account
	c := newChecker(deps, in, caller, nil)
	_, _ = c.self.resolve(ctx, iam.NewFromConfig(deps.AWS.Base()))
	rep.Findings = append(rep.Findings, c.gatehouse(ctx)...)
	store, found := c.identityStore(ctx)
	if store.ID != "" {
		rep.Accounts = append(rep.Accounts, store)
	}
	rep.Findings = append(rep.Findings, found...)
	return rep, ctx.Err()
}

// identityStore checks the instance and what the people need of it: the
// store (as the report's Account) and the findings.
func (c *checker) identityStore(ctx context.Context) (Account, []Finding) {
	d := identitycenter.New(c.deps.AWS, identitycenter.FromInput(c.in))
	scopes, err := d.Scopes(ctx, c.in)
	if err == nil && len(scopes) == 0 {
		err = errors.New("no identity store")
	}
	if err != nil {
		return Account{}, []Finding{{Check: CheckInstance, Severity: Error,
			Message: "no Identity Center instance can be reached: " + says(err),
			Fix: "run gatehouse from the organisation's management account or Identity Center's delegated administrator, in the instance's region " +
				"(identity_center.region; `aws sso-admin list-instances --region REGION` shows it), naming the instance with " +
				"identity_center.instance_arn when there are several"}}
	}
	s := scopes[0]
	store := Account{ID: s.ID, Noun: storeNoun, SignInURL: s.SignInURL}
	out := []Finding{{Account: s.ID, Check: CheckInstance, Severity: OK,
		Message: fmt.Sprintf("identity store %s is reachable; its users sign in at %s", s.ID, s.SignInURL)}}
	if _, err := d.Survey(ctx, s, c.in.People); err != nil {
		return store, append(out, Finding{Account: s.ID, Check: CheckAssignments, Severity: Error,
			Message: "reading what the people need failed: " + strings.TrimSpace(err.Error()),
			Fix:     "check the assignments' accounts and OUs (they must be in the organisation), and that gatehouse may read them: " + c.policyCommand(c.callerPart())})
	}
	missing := d.Missing(s, c.in.People)
	for _, m := range missing {
		who := fmt.Sprintf("person %q", cmpOr(m.Person.Email, m.Person.UserName))
		if where := m.Person.Pos.String(); where != "" {
			who += " at " + where
		}
		msg := fmt.Sprintf("%s needs %s %q, which identity store %s does not have", who, m.Kind, m.Name, s.ID)
		check, fix := CheckGroup, fmt.Sprintf("aws identitystore create-group --identity-store-id %s --display-name NAME, or take it out of the spec", s.ID)
		if m.Kind == identitycenter.RefPermissionSet {
			check, fix = CheckPermissionSet, `aws sso-admin create-permission-set --name NAME --instance-arn "$(aws sso-admin list-instances `+
				`--query 'Instances[0].InstanceArn' --output text)", then attach its policies; or take it out of the spec`
		}
		out = append(out, Finding{Account: s.ID, Check: check, Severity: Error, Message: msg, Fix: fix})
	}
	if len(missing) == 0 {
		groups, sets := named(c.in.People)
		msg := fmt.Sprintf("the %s and %s the people need exist, and their assignments' accounts resolve",
			report.Plural(groups, "group", "groups"), report.Plural(sets, "permission set", "permission sets"))
		if groups+sets == 0 {
			msg = "no group or permission set is named, so none is needed"
		}
		out = append(out, Finding{Account: s.ID, Check: CheckGroup, Severity: OK, Message: msg})
	}
	return store, out
}

// named counts the distinct groups and permission sets people need.
func named(people []spec.Person) (groups, sets int) {
	g, ps := map[string]bool{}, map[string]bool{}
	for _, p := range people {
		for _, name := range p.Groups {
			g[strings.ToLower(name)] = true
		}
		for _, a := range p.Assignments {
			ps[strings.ToLower(a.PermissionSet)] = true
		}
	}
	return len(g), len(ps)
}
