package iam

import (
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// inlineKind describes the inline policies of one kind of identity. Users, groups
// and roles share the operations and differ in names, rules and size quota.
type inlineKind struct {
	entity  string // User | Group | Role
	param   string // UserName | GroupName | RoleName
	rule    awsproto.Rule
	maxSize int // aggregate non-white-space size of all the identity's inline policies
	find    func(a iamAccount, name string) (entityName string, policies *map[string]string, err error)
}

var inlineKinds = []inlineKind{
	{entity: "User", param: "UserName", rule: existingUserNameRule, maxSize: 2048,
		find: func(a iamAccount, name string) (string, *map[string]string, error) {
			u, err := findUser(a, name)
			if err != nil {
				return "", nil, err
			}
			return u.Name, &u.InlinePolicies, nil
		}},
	{entity: "Group", param: "GroupName", rule: groupNameRule, maxSize: 5120,
		find: func(a iamAccount, name string) (string, *map[string]string, error) {
			g, err := findGroup(a, name)
			if err != nil {
				return "", nil, err
			}
			return g.Name, &g.InlinePolicies, nil
		}},
	{entity: "Role", param: "RoleName", rule: roleNameRule, maxSize: 10240,
		find: func(a iamAccount, name string) (string, *map[string]string, error) {
			r, err := findRole(a, name)
			if err != nil {
				return "", nil, err
			}
			return r.Name, &r.InlinePolicies, nil
		}},
}

func inlinePolicyOperations(ops map[string]awsproto.Operation) {
	for _, k := range inlineKinds {
		ops["Put"+k.entity+"Policy"] = write(k.put)
		ops["Get"+k.entity+"Policy"] = read(k.get)
		ops["Delete"+k.entity+"Policy"] = write(k.remove)
		ops["List"+k.entity+"Policies"] = read(k.list)
	}
}

// inlineName finds a policy name case-insensitively, as IAM matches names.
func inlineName(policies map[string]string, name string) (string, bool) {
	for stored := range policies {
		if strings.EqualFold(stored, name) {
			return stored, true
		}
	}
	return "", false
}

func (k inlineKind) notFound(name string) error {
	return noSuchEntity("The %s policy with name %s cannot be found.", strings.ToLower(k.entity), name)
}

// readTarget reads the identity's name and, for changes, the policy name.
func (k inlineKind) readTarget(r *awsproto.Request, v *awsproto.Validator, write bool) (string, *map[string]string, error) {
	name := v.Required(r.Params, k.param, k.rule)
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	a := accountToRead(r)
	if write {
		a = accountToWrite(r)
	}
	return k.find(a, name)
}

func (k inlineKind) put(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	policyName := v.Required(r.Params, "PolicyName", policyNameRule)
	doc := v.Required(r.Params, "PolicyDocument", policyDocRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(doc, inlineDoc); err != nil {
		return nil, err
	}
	entityName, policies, err := k.readTarget(r, &v, true)
	if err != nil {
		return nil, err
	}
	stored, exists := inlineName(*policies, policyName)
	total := policySize(doc)
	for name, other := range *policies {
		if name != stored || !exists {
			total += policySize(other)
		}
	}
	if total > k.maxSize {
		return nil, limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", k.maxSize, strings.ToLower(k.entity), entityName)
	}
	if *policies == nil {
		*policies = map[string]string{}
	}
	if exists {
		policyName = stored // IAM keeps the name as first written
	}
	(*policies)[policyName] = doc
	return nil, nil
}

// inlinePolicyResult is Get{User,Group,Role}PolicyResult: one of the identity
// names, then the policy.
type inlinePolicyResult struct {
	UserName       string `xml:",omitempty"`
	GroupName      string `xml:",omitempty"`
	RoleName       string `xml:",omitempty"`
	PolicyName     string
	PolicyDocument string
}

func (k inlineKind) get(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	policyName := v.Required(r.Params, "PolicyName", policyNameRule)
	entityName, policies, err := k.readTarget(r, &v, false)
	if err != nil {
		return nil, err
	}
	stored, ok := inlineName(*policies, policyName)
	if !ok {
		return nil, k.notFound(policyName)
	}
	out := inlinePolicyResult{PolicyName: stored, PolicyDocument: encodePolicy((*policies)[stored])}
	switch k.entity {
	case "User":
		out.UserName = entityName
	case "Group":
		out.GroupName = entityName
	default:
		out.RoleName = entityName
	}
	return out, nil
}

func (k inlineKind) remove(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	policyName := v.Required(r.Params, "PolicyName", policyNameRule)
	_, policies, err := k.readTarget(r, &v, true)
	if err != nil {
		return nil, err
	}
	stored, ok := inlineName(*policies, policyName)
	if !ok {
		return nil, k.notFound(policyName)
	}
	delete(*policies, stored)
	return nil, nil
}

type listInlineResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	pageResult
}

func (k inlineKind) list(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	pg := readPage(r.Params, &v)
	_, policies, err := k.readTarget(r, &v, false)
	if err != nil {
		return nil, err
	}
	names := inlineNames(*policies)
	page, res := paginateSlice(names, state.Key, pg)
	return listInlineResult{PolicyNames: page, pageResult: res}, nil
}

// inlineNames lists policy names in case-insensitive order.
func inlineNames(policies map[string]string) []string {
	names := make([]string, 0, len(policies))
	for name := range policies {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(state.Key(a), state.Key(b)) })
	return names
}
