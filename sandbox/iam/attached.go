package iam

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// attachKind describes the managed-policy attachments of one kind of identity.
type attachKind struct {
	entity string // User | Group | Role
	param  string // UserName | GroupName | RoleName
	rule   awsproto.Rule
	find   func(a iamAccount, name string) (*[]string, error)
}

var attachKinds = []attachKind{
	{entity: "User", param: "UserName", rule: userNameRule,
		find: func(a iamAccount, name string) (*[]string, error) {
			u, err := findUser(a, name)
			if err != nil {
				return nil, err
			}
			return &u.AttachedPolicies, nil
		}},
	{entity: "Group", param: "GroupName", rule: groupNameRule,
		find: func(a iamAccount, name string) (*[]string, error) {
			g, err := findGroup(a, name)
			if err != nil {
				return nil, err
			}
			return &g.AttachedPolicies, nil
		}},
	{entity: "Role", param: "RoleName", rule: roleNameRule,
		find: func(a iamAccount, name string) (*[]string, error) {
			r, err := findRole(a, name)
			if err != nil {
				return nil, err
			}
			return &r.AttachedPolicies, nil
		}},
}

func attachmentOperations(ops map[string]awsproto.Operation) {
	for _, k := range attachKinds {
		ops["Attach"+k.entity+"Policy"] = write(k.attach)
		ops["Detach"+k.entity+"Policy"] = write(k.detach)
		ops["ListAttached"+k.entity+"Policies"] = read(k.list)
	}
	ops["ListEntitiesForPolicy"] = read(listEntitiesForPolicy)
}

// readTarget reads the identity name and PolicyArn and finds the identity's list.
func (k attachKind) readTarget(r *awsproto.Request) (iamAccount, *[]string, string, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, k.param, k.rule)
	arn := v.Required(r.Params, "PolicyArn", arnRule)
	if err := v.Err(); err != nil {
		return iamAccount{}, nil, "", err
	}
	a := accountToWrite(r)
	attached, err := k.find(a, name)
	return a, attached, arn, err
}

// attach is idempotent; a new attachment counts against IAM's quota of ten.
func (k attachKind) attach(r *awsproto.Request) (any, error) {
	a, attached, arn, err := k.readTarget(r)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyARN(arn); err != nil {
		return nil, err
	}
	if !policyExists(a, arn) {
		return nil, noSuchEntity(msgPolicyNotAttachable, arn)
	}
	if slices.Contains(*attached, arn) {
		return nil, nil
	}
	if len(*attached) >= maxAttachedPolicies {
		return nil, limitExceeded("Cannot exceed quota for PoliciesPer%s: %d", k.entity, maxAttachedPolicies)
	}
	*attached = append(*attached, arn)
	return nil, nil
}

func (k attachKind) detach(r *awsproto.Request) (any, error) {
	_, attached, arn, err := k.readTarget(r)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyARN(arn); err != nil {
		return nil, err
	}
	i := slices.Index(*attached, arn)
	if i < 0 {
		return nil, noSuchEntity(msgPolicyNotFound, arn)
	}
	*attached = slices.Delete(*attached, i, i+1)
	return nil, nil
}

// xmlAttachedPolicy is the AttachedPolicy shape.
type xmlAttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies []xmlAttachedPolicy `xml:"AttachedPolicies>member"`
	pageResult
}

// attachedXML names attached policies in name order, keeping those under prefix.
func attachedXML(a iamAccount, arns []string, prefix string) []xmlAttachedPolicy {
	out := []xmlAttachedPolicy{}
	for _, arn := range arns {
		p, ok := lookupPolicy(a, arn)
		if !ok || !hasPathPrefix(p.Path, prefix) {
			continue
		}
		out = append(out, xmlAttachedPolicy{PolicyName: p.Name, PolicyArn: arn})
	}
	slices.SortFunc(out, func(x, y xmlAttachedPolicy) int { return strings.Compare(attachedKey(x), attachedKey(y)) })
	return out
}

func attachedKey(p xmlAttachedPolicy) string { return state.Key(p.PolicyName) + "|" + p.PolicyArn }

func (k attachKind) list(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, k.param, k.rule)
	prefix := v.Optional(r.Params, "PathPrefix", policyPathRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	attached, err := k.find(a, name)
	if err != nil {
		return nil, err
	}
	page, res := paginateSlice(attachedXML(a, *attached, prefix), attachedKey, pg)
	return listAttachedResult{AttachedPolicies: page, pageResult: res}, nil
}

// Entity shapes of ListEntitiesForPolicy.
type (
	xmlPolicyGroup struct {
		GroupName string
		GroupID   string `xml:"GroupId"`
	}
	xmlPolicyUser struct {
		UserName string
		UserID   string `xml:"UserId"`
	}
	xmlPolicyRole struct {
		RoleName string
		RoleID   string `xml:"RoleId"`
	}
)

type listEntitiesResult struct {
	PolicyGroups []xmlPolicyGroup `xml:"PolicyGroups>member"`
	PolicyUsers  []xmlPolicyUser  `xml:"PolicyUsers>member"`
	PolicyRoles  []xmlPolicyRole  `xml:"PolicyRoles>member"`
	pageResult
}

// policyEntity is one user, group or role using a policy; rank orders the kinds
// as the listing does: groups, users, roles.
type policyEntity struct {
	rank           int
	kind, name, id string
}

func (e policyEntity) key() string { return fmt.Sprintf("%d|%s", e.rank, state.Key(e.name)) }

// entityFilter is ListEntitiesForPolicy's selection.
type entityFilter struct {
	kind   string // "" | User | Group | Role | LocalManagedPolicy | AWSManagedPolicy
	usage  string // "" | PermissionsPolicy | PermissionsBoundary
	prefix string
}

func (f entityFilter) uses(attached []string, boundary, arn string) bool {
	byPolicy := f.usage != "PermissionsBoundary" && slices.Contains(attached, arn)
	byBoundary := f.usage != "PermissionsPolicy" && boundary == arn
	return byPolicy || byBoundary
}

func (f entityFilter) wants(kind, path string) bool {
	return (f.kind == "" || f.kind == kind) && hasPathPrefix(path, f.prefix)
}

// policyEntities lists the groups, then users, then roles using the policy.
func policyEntities(a iamAccount, arn string, f entityFilter) []policyEntity {
	var out []policyEntity
	for _, g := range a.Groups.All() {
		if f.wants("Group", g.Path) && f.uses(g.AttachedPolicies, "", arn) {
			out = append(out, policyEntity{0, "Group", g.Name, g.ID})
		}
	}
	for _, u := range a.Users.All() {
		if f.wants("User", u.Path) && f.uses(u.AttachedPolicies, u.PermissionsBoundary, arn) {
			out = append(out, policyEntity{1, "User", u.Name, u.ID})
		}
	}
	for _, role := range a.Roles.All() {
		if f.wants("Role", role.Path) && f.uses(role.AttachedPolicies, role.PermissionsBoundary, arn) {
			out = append(out, policyEntity{2, "Role", role.Name, role.ID})
		}
	}
	return out
}

func listEntitiesForPolicy(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	arn := v.Required(r.Params, "PolicyArn", arnRule)
	var f entityFilter
	if r.Params.Has("EntityFilter") {
		f.kind = readEnum(r.Params, &v, "EntityFilter", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
	}
	if r.Params.Has("PolicyUsageFilter") {
		f.usage = readEnum(r.Params, &v, "PolicyUsageFilter", "PermissionsPolicy", "PermissionsBoundary")
	}
	f.prefix = v.Optional(r.Params, "PathPrefix", pathRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	if _, err := findPolicy(a, arn); err != nil {
		return nil, err
	}
	page, res := paginateSlice(policyEntities(a, arn, f), policyEntity.key, pg)
	out := listEntitiesResult{pageResult: res}
	for _, e := range page {
		switch e.kind {
		case "Group":
			out.PolicyGroups = append(out.PolicyGroups, xmlPolicyGroup{e.name, e.id})
		case "User":
			out.PolicyUsers = append(out.PolicyUsers, xmlPolicyUser{e.name, e.id})
		default:
			out.PolicyRoles = append(out.PolicyRoles, xmlPolicyRole{e.name, e.id})
		}
	}
	return out, nil
}
