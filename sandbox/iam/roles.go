package iam

import (
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func roleOperations(ops map[string]awsproto.Operation) {
	ops["CreateRole"] = write(createRole)
	ops["GetRole"] = read(getRole)
	ops["UpdateRole"] = write(updateRole)
	ops["UpdateRoleDescription"] = write(updateRoleDescription)
	ops["UpdateAssumeRolePolicy"] = write(updateAssumeRolePolicy)
	ops["DeleteRole"] = write(deleteRole)
	ops["ListRoles"] = read(listRoles)
	ops["TagRole"] = write(tagRole)
	ops["UntagRole"] = write(untagRole)
	ops["ListRoleTags"] = read(listRoleTags)
	ops["PutRolePermissionsBoundary"] = write(putRolePermissionsBoundary)
	ops["DeleteRolePermissionsBoundary"] = write(deleteRolePermissionsBoundary)
}

var roleDescriptionRule = awsproto.NewRule(0, 1000, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*`)

// Role quotas and defaults.
const (
	maxRolesPerAccount    = 1000
	maxTrustPolicySize    = 2048
	defaultSessionSeconds = 3600
	minSessionSeconds     = 3600
	maxSessionSeconds     = 43200
)

// xmlRole is the Role shape. Which members appear depends on the operation:
// see roleXML.
type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string           `xml:",omitempty"`
	Description              string           `xml:",omitempty"`
	MaxSessionDuration       int              `xml:",omitempty"`
	PermissionsBoundary      *xmlBoundary     `xml:",omitempty"`
	Tags                     *members[xmlTag] `xml:",omitempty"`
	RoleLastUsed             *struct{}        `xml:",omitempty"` // the sandbox records no role use
}

// roleView selects the members an operation returns.
type roleView int

const (
	roleCreated roleView = iota // CreateRole: no description, session duration or last use
	roleListed                  // ListRoles: no boundary, tags or last use
	roleFull                    // GetRole
)

func roleARN(account string, r *iamstate.Role) string {
	return fmt.Sprintf("arn:aws:iam::%s:role%s%s", account, r.Path, r.Name)
}

func roleXML(account string, r *iamstate.Role, view roleView) xmlRole {
	x := xmlRole{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: roleARN(account, r), CreateDate: r.Created,
		AssumeRolePolicyDocument: encodePolicy(r.TrustPolicy),
	}
	if view != roleCreated {
		x.Description, x.MaxSessionDuration = r.Description, r.MaxSessionDuration
	}
	if view != roleListed {
		if r.PermissionsBoundary != "" {
			x.PermissionsBoundary = &xmlBoundary{"PermissionsBoundaryPolicy", r.PermissionsBoundary}
		}
		x.Tags = optionalList(tagsXML(r.Tags))
	}
	if view == roleFull {
		x.RoleLastUsed = &struct{}{}
	}
	return x
}

// findRole returns the role or IAM's NoSuchEntity error.
func findRole(a iamAccount, name string) (*iamstate.Role, error) {
	r, ok := a.Roles.Get(name)
	if !ok {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

// checkTrustPolicy applies the trust policy grammar and its size quota.
func checkTrustPolicy(doc string) error {
	if err := checkPolicyDocument(doc, trustDoc); err != nil {
		return err
	}
	if policySize(doc) > maxTrustPolicySize {
		return limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}

func createRole(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	role := &iamstate.Role{
		Name:        v.Required(r.Params, "RoleName", roleNameRule),
		Path:        v.Optional(r.Params, "Path", pathRule),
		TrustPolicy: v.Required(r.Params, "AssumeRolePolicyDocument", policyDocRule),
		Description: v.Optional(r.Params, "Description", roleDescriptionRule),
		Tags:        readTags(r.Params, &v, "Tags"),
	}
	role.PermissionsBoundary = v.Optional(r.Params, "PermissionsBoundary", arnRule)
	role.MaxSessionDuration = defaultSessionSeconds
	if n, ok := readIntRange(r.Params, &v, "MaxSessionDuration", minSessionSeconds, maxSessionSeconds); ok {
		role.MaxSessionDuration = n
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkTrustPolicy(role.TrustPolicy); err != nil {
		return nil, err
	}
	if role.Path == "" {
		role.Path = "/"
	}
	a := accountToWrite(r)
	if _, exists := a.Roles.Get(role.Name); exists {
		return nil, entityAlreadyExists("Role with name %s already exists.", role.Name)
	}
	if a.Roles.Len() >= maxRolesPerAccount {
		return nil, limitExceeded("Cannot exceed quota for RolesPerAccount: %d", maxRolesPerAccount)
	}
	if role.PermissionsBoundary != "" {
		if err := checkBoundary(a, role.PermissionsBoundary); err != nil {
			return nil, err
		}
	}
	role.ID, role.Created = state.NewID("AROA", 17), state.Now()
	a.Roles.Put(role.Name, role)
	return struct{ Role xmlRole }{roleXML(a.ID, role, roleCreated)}, nil
}

// readRole reads RoleName and finds the role, in the caller's account for
// changes (write) or as a reader.
func readRole(r *awsproto.Request, v *awsproto.Validator, write bool) (iamAccount, *iamstate.Role, error) {
	name := v.Required(r.Params, "RoleName", roleNameRule)
	if err := v.Err(); err != nil {
		return iamAccount{}, nil, err
	}
	a := accountToRead(r)
	if write {
		a = accountToWrite(r)
	}
	role, err := findRole(a, name)
	return a, role, err
}

func getRole(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	a, role, err := readRole(r, &v, false)
	if err != nil {
		return nil, err
	}
	return struct{ Role xmlRole }{roleXML(a.ID, role, roleFull)}, nil
}

func updateRole(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	description := v.Optional(r.Params, "Description", roleDescriptionRule)
	duration, setDuration := readIntRange(r.Params, &v, "MaxSessionDuration", minSessionSeconds, maxSessionSeconds)
	_, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	if r.Params.Has("Description") {
		role.Description = description
	}
	if setDuration {
		role.MaxSessionDuration = duration
	}
	return struct{}{}, nil
}

func updateRoleDescription(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	description := v.Required(r.Params, "Description", roleDescriptionRule)
	a, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	role.Description = description
	x := roleXML(a.ID, role, roleFull)
	x.MaxSessionDuration, x.RoleLastUsed = 0, nil
	return struct{ Role xmlRole }{x}, nil
}

func updateAssumeRolePolicy(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	doc := v.Required(r.Params, "PolicyDocument", policyDocRule)
	_, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	if err := checkTrustPolicy(doc); err != nil {
		return nil, err
	}
	role.TrustPolicy = doc
	return nil, nil
}

func deleteRole(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	a, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	switch {
	case len(role.AttachedPolicies) > 0:
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	case len(role.InlinePolicies) > 0:
		return nil, deleteConflict("Cannot delete entity, must delete policies first.")
	}
	a.Roles.Delete(role.Name)
	return nil, nil
}

type listRolesResult struct {
	Roles []xmlRole `xml:"Roles>member"`
	pageResult
}

func listRoles(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	prefix := v.Optional(r.Params, "PathPrefix", pathPrefixRule)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	roles, res := paginateIndex(a.Roles, pg, func(role *iamstate.Role) bool { return hasPathPrefix(role.Path, prefix) })
	out := listRolesResult{Roles: make([]xmlRole, len(roles)), pageResult: res}
	for i, role := range roles {
		out.Roles[i] = roleXML(a.ID, role, roleListed)
	}
	return out, nil
}

func tagRole(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	tags := readRequiredTags(r.Params, &v)
	_, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	merged, err := addTags(role.Tags, tags)
	if err != nil {
		return nil, err
	}
	role.Tags = merged
	return nil, nil
}

func untagRole(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	keys := readTagKeys(r.Params, &v)
	_, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	role.Tags = removeTags(role.Tags, keys)
	return nil, nil
}

func listRoleTags(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	pg := readPage(r.Params, &v)
	_, role, err := readRole(r, &v, false)
	if err != nil {
		return nil, err
	}
	return pageTags(role.Tags, pg), nil
}

func putRolePermissionsBoundary(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	boundary := v.Required(r.Params, "PermissionsBoundary", arnRule)
	a, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	if err := checkBoundary(a, boundary); err != nil {
		return nil, err
	}
	role.PermissionsBoundary = boundary
	return nil, nil
}

func deleteRolePermissionsBoundary(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	_, role, err := readRole(r, &v, true)
	if err != nil {
		return nil, err
	}
	role.PermissionsBoundary = ""
	return nil, nil
}
