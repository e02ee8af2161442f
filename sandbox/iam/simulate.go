package iam

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// SimulatePrincipalPolicy evaluates the identity-based policies of a user (its
// inline and attached policies and its groups'), a group or a role, and the
// principal's permissions boundary, for each action on each resource: Allow
// and Deny, Action/NotAction and Resource/NotResource with IAM's wildcards,
// ${aws:username}-style variables, explicit deny over allow, implicit deny
// otherwise.
//
// It does not evaluate: condition operators against values (a condition is
// evaluated only as if its key were absent, and a ContextEntries value for a
// key a statement tests is refused with InvalidInput), resource-based policies
// (ResourcePolicy is refused), service control policies (no
// OrganizationsDecisionDetail), session policies, and the special cases AWS
// applies per service (ResourceHandlingOption is accepted and ignored).

func simulateOperations(ops map[string]awsproto.Operation) {
	ops["SimulatePrincipalPolicy"] = read(simulatePrincipalPolicy)
}

var (
	actionNameRule   = awsproto.NewRule(3, 128, "")
	resourceNameRule = awsproto.NewRule(1, 2048, "")
	contextKeyRule   = awsproto.NewRule(5, 256, "")
	handlingRule     = awsproto.NewRule(1, 64, "")
)

// Labels AWS's simulator gives the policies it matched (the model's
// PolicySourceType enum is not what it sends).
const (
	identityPolicyType = "IAM Policy"
	boundaryPolicyType = "Permissions Boundary Policy"
)

// simulation is a parsed SimulatePrincipalPolicy request.
type simulation struct {
	source           string
	actions          []string
	resources        []string
	resourcesGiven   bool
	inputs, boundary []string // PolicyInputList, PermissionsBoundaryPolicyInputList
	context          map[string]bool
	page             page
}

func readSimulation(p awsproto.Params) (simulation, error) {
	var v awsproto.Validator
	s := simulation{context: map[string]bool{}}
	s.source = v.Required(p, "PolicySourceArn", arnRule)
	s.actions = checkedList(p, &v, "ActionNames", actionNameRule)
	if len(s.actions) == 0 && !p.Has("ActionNames") {
		v.Addf("Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	s.resources = checkedList(p, &v, "ResourceArns", resourceNameRule)
	s.inputs = checkedList(p, &v, "PolicyInputList", policyDocRule)
	s.boundary = checkedList(p, &v, "PermissionsBoundaryPolicyInputList", policyDocRule)
	for i, e := range p.Structs("ContextEntries") {
		v.Check(fmt.Sprintf("ContextEntries.member.%d.ContextKeyName", i+1), e["ContextKeyName"], contextKeyRule)
		s.context[strings.ToLower(e["ContextKeyName"])] = true
	}
	v.Optional(p, "ResourceHandlingOption", handlingRule)
	v.Optional(p, "ResourceOwner", resourceNameRule)
	v.Optional(p, "CallerArn", resourceNameRule)
	s.page = readPage(p, &v)
	if err := v.Err(); err != nil {
		return s, err
	}
	switch {
	case len(s.actions) == 0:
		return s, invalidInput("ActionNames must name at least one action.")
	case p.Has("ResourcePolicy"):
		return s, invalidInput("The sandbox does not evaluate resource-based policies: leave out ResourcePolicy.")
	case len(s.boundary) > 1:
		return s, invalidInput("PermissionsBoundaryPolicyInputList may hold at most one policy.")
	}
	s.resourcesGiven = len(s.resources) > 0
	if !s.resourcesGiven {
		s.resources = []string{"*"}
	}
	return s, nil
}

// checkedList reads a list parameter, checking each member against rule.
func checkedList(p awsproto.Params, v *awsproto.Validator, name string, rule awsproto.Rule) []string {
	items := p.List(name)
	for i, item := range items {
		v.Check(fmt.Sprintf("%s.member.%d", name, i+1), item, rule)
	}
	return items
}

// principal is what the simulation evaluates for PolicySourceArn.
type principal struct {
	identity []*evalPolicy
	boundary []*evalPolicy // nil when the principal has no permissions boundary
	vars     map[string]string
	arn      string
}

// resolvePrincipal finds the user, group or role PolicySourceArn names in the
// caller's account and gathers its policies.
func resolvePrincipal(a iamAccount, arn string) (*principal, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !isAccountID(parts[4]) {
		return nil, invalidInput("ARN %s is not valid.", arn)
	}
	kind, path, _ := strings.Cut(parts[5], "/")
	name := path[strings.LastIndexByte(path, '/')+1:]
	var (
		pr  *principal
		err error
	)
	switch {
	case name == "" || (kind != "user" && kind != "group" && kind != "role"):
		return nil, invalidInput("ARN %s is not the ARN of a user, group or role.", arn)
	case parts[4] != a.ID:
		return nil, noSuchEntity("The entity %s cannot be found in account %s.", arn, a.ID)
	case kind == "user":
		pr, err = userPrincipal(a, name)
	case kind == "group":
		pr, err = groupPrincipal(a, name)
	default:
		pr, err = rolePrincipal(a, name)
	}
	if err == nil && !strings.EqualFold(pr.arn, arn) { // the name exists under another path
		return nil, noSuchEntity("The entity %s cannot be found in account %s.", arn, a.ID)
	}
	return pr, err
}

func userPrincipal(a iamAccount, name string) (*principal, error) {
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	pr := &principal{arn: userARN(a.ID, u), vars: map[string]string{"aws:username": u.Name, "aws:userid": u.ID, "aws:principaltype": "User",
		"aws:principalaccount": a.ID, "aws:principalarn": userARN(a.ID, u)}}
	if err := pr.addPolicies(a, "user_"+u.Name+"_", u.InlinePolicies, u.AttachedPolicies); err != nil {
		return nil, err
	}
	for _, gname := range u.Groups {
		g, err := findGroup(a, gname)
		if err != nil {
			return nil, err
		}
		if err := pr.addPolicies(a, "group_"+g.Name+"_", g.InlinePolicies, g.AttachedPolicies); err != nil {
			return nil, err
		}
	}
	return pr, pr.setBoundary(a, u.PermissionsBoundary)
}

func groupPrincipal(a iamAccount, name string) (*principal, error) {
	g, err := findGroup(a, name)
	if err != nil {
		return nil, err
	}
	pr := &principal{arn: groupARN(a.ID, g), vars: map[string]string{"aws:principalaccount": a.ID}}
	return pr, pr.addPolicies(a, "group_"+g.Name+"_", g.InlinePolicies, g.AttachedPolicies)
}

func rolePrincipal(a iamAccount, name string) (*principal, error) {
	role, err := findRole(a, name)
	if err != nil {
		return nil, err
	}
	pr := &principal{arn: roleARN(a.ID, role), vars: map[string]string{"aws:principaltype": "AssumedRole", "aws:principalaccount": a.ID,
		"aws:principalarn": roleARN(a.ID, role)}}
	if err := pr.addPolicies(a, "role_"+role.Name+"_", role.InlinePolicies, role.AttachedPolicies); err != nil {
		return nil, err
	}
	return pr, pr.setBoundary(a, role.PermissionsBoundary)
}

// addPolicies adds inline policies (named prefix+name, as AWS names them) and
// attached managed policies (named by their policy name).
func (pr *principal) addPolicies(a iamAccount, prefix string, inline map[string]string, attached []string) error {
	for _, name := range inlineNames(inline) {
		p, err := parseEvalPolicy(prefix+name, identityPolicyType, inline[name])
		if err != nil {
			return err
		}
		pr.identity = append(pr.identity, p)
	}
	for _, arn := range attached {
		p, err := managedEvalPolicy(a, arn, identityPolicyType)
		if err != nil {
			return err
		}
		pr.identity = append(pr.identity, p)
	}
	return nil
}

func (pr *principal) setBoundary(a iamAccount, arn string) error {
	if arn == "" {
		return nil
	}
	p, err := managedEvalPolicy(a, arn, boundaryPolicyType)
	pr.boundary = []*evalPolicy{p}
	return err
}

// managedEvalPolicy parses the default version of a managed policy.
func managedEvalPolicy(a iamAccount, arn, kind string) (*evalPolicy, error) {
	view, err := findPolicy(a, arn)
	if err != nil {
		return nil, err
	}
	for _, v := range view.Versions {
		if v.ID == view.DefaultVersion {
			return parseEvalPolicy(view.Name, kind, v.Document)
		}
	}
	return nil, fmt.Errorf("policy %s has no default version %s", arn, view.DefaultVersion)
}
