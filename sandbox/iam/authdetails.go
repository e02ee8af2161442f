package iam

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func authDetailsOperations(ops map[string]awsproto.Operation) {
	ops["GetAccountAuthorizationDetails"] = read(getAccountAuthorizationDetails)
}

// Shapes of GetAccountAuthorizationDetails. Every policy document is URL-encoded.
type (
	xmlPolicyDetail struct {
		PolicyName     string
		PolicyDocument string
	}
	xmlUserDetail struct {
		Path                    string
		UserName                string
		UserID                  string `xml:"UserId"`
		Arn                     string
		CreateDate              time.Time
		UserPolicyList          []xmlPolicyDetail   `xml:"UserPolicyList>member"`
		GroupList               []string            `xml:"GroupList>member"`
		AttachedManagedPolicies []xmlAttachedPolicy `xml:"AttachedManagedPolicies>member"`
		PermissionsBoundary     *xmlBoundary        `xml:",omitempty"`
		Tags                    *members[xmlTag]    `xml:",omitempty"`
	}
	xmlGroupDetail struct {
		Path                    string
		GroupName               string
		GroupID                 string `xml:"GroupId"`
		Arn                     string
		CreateDate              time.Time
		GroupPolicyList         []xmlPolicyDetail   `xml:"GroupPolicyList>member"`
		AttachedManagedPolicies []xmlAttachedPolicy `xml:"AttachedManagedPolicies>member"`
	}
	xmlRoleDetail struct {
		Path                     string
		RoleName                 string
		RoleID                   string `xml:"RoleId"`
		Arn                      string
		CreateDate               time.Time
		AssumeRolePolicyDocument string
		InstanceProfileList      []struct{}          `xml:"InstanceProfileList>member"` // the sandbox has no instance profiles
		RolePolicyList           []xmlPolicyDetail   `xml:"RolePolicyList>member"`
		AttachedManagedPolicies  []xmlAttachedPolicy `xml:"AttachedManagedPolicies>member"`
		PermissionsBoundary      *xmlBoundary        `xml:",omitempty"`
		Tags                     *members[xmlTag]    `xml:",omitempty"`
		RoleLastUsed             struct{}
	}
	xmlManagedPolicyDetail struct {
		PolicyName                    string
		PolicyID                      string `xml:"PolicyId"`
		Arn                           string
		Path                          string
		DefaultVersionID              string `xml:"DefaultVersionId"`
		AttachmentCount               int
		PermissionsBoundaryUsageCount int
		IsAttachable                  bool
		Description                   string `xml:",omitempty"`
		CreateDate                    time.Time
		UpdateDate                    time.Time
		PolicyVersionList             []xmlPolicyVersion `xml:"PolicyVersionList>member"`
	}
)

type authDetailsResult struct {
	UserDetailList  []xmlUserDetail          `xml:"UserDetailList>member"`
	GroupDetailList []xmlGroupDetail         `xml:"GroupDetailList>member"`
	RoleDetailList  []xmlRoleDetail          `xml:"RoleDetailList>member"`
	Policies        []xmlManagedPolicyDetail `xml:"Policies>member"`
	pageResult
}

// authItem is one entry of the combined, paginated listing: users, groups, roles,
// then policies, each in name order.
type authItem struct {
	key    string
	render func(*authDetailsResult)
}

var entityTypes = []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}

func readEntityFilter(p awsproto.Params, v *awsproto.Validator) map[string]bool {
	filter := map[string]bool{}
	for i, t := range p.List("Filter") {
		if !slices.Contains(entityTypes, t) {
			v.Addf("Value '%s' at 'filter.%d.member' failed to satisfy constraint: Member must satisfy enum value set: [%s]", t, i+1, strings.Join(entityTypes, ", "))
		}
		filter[t] = true
	}
	if len(filter) == 0 {
		for _, t := range entityTypes {
			filter[t] = true
		}
	}
	return filter
}

func getAccountAuthorizationDetails(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	filter := readEntityFilter(r.Params, &v)
	pg := readPage(r.Params, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToRead(r)
	items := authItems(a, filter)
	page, res := paginateSlice(items, func(it authItem) string { return it.key }, pg)
	out := &authDetailsResult{
		UserDetailList: []xmlUserDetail{}, GroupDetailList: []xmlGroupDetail{},
		RoleDetailList: []xmlRoleDetail{}, Policies: []xmlManagedPolicyDetail{}, pageResult: res,
	}
	for _, it := range page {
		it.render(out)
	}
	return out, nil
}

// authItems lists what the filter selects, in listing order.
func authItems(a iamAccount, filter map[string]bool) []authItem {
	var items []authItem
	key := func(rank int, name string) string { return fmt.Sprintf("%d|%s", rank, name) }
	if filter["User"] {
		for _, u := range a.Users.All() {
			items = append(items, authItem{key(0, state.Key(u.Name)), func(out *authDetailsResult) {
				out.UserDetailList = append(out.UserDetailList, userDetail(a, u))
			}})
		}
	}
	if filter["Group"] {
		for _, g := range a.Groups.All() {
			items = append(items, authItem{key(1, state.Key(g.Name)), func(out *authDetailsResult) {
				out.GroupDetailList = append(out.GroupDetailList, groupDetail(a, g))
			}})
		}
	}
	if filter["Role"] {
		for _, role := range a.Roles.All() {
			items = append(items, authItem{key(2, state.Key(role.Name)), func(out *authDetailsResult) {
				out.RoleDetailList = append(out.RoleDetailList, roleDetail(a, role))
			}})
		}
	}
	var policies []policyView
	if filter["AWSManagedPolicy"] {
		policies = append(policies, attachedAWSPolicies(a)...)
	}
	if filter["LocalManagedPolicy"] {
		for _, p := range a.Policies.All() {
			policies = append(policies, localView(a.ID, p))
		}
	}
	slices.SortFunc(policies, func(x, y policyView) int { return strings.Compare(policySortKey(x), policySortKey(y)) })
	for _, p := range policies {
		items = append(items, authItem{key(3, policySortKey(p)), func(out *authDetailsResult) {
			out.Policies = append(out.Policies, managedPolicyDetail(a, p))
		}})
	}
	return items
}

// attachedAWSPolicies are the AWS-managed policies the account uses: IAM reports
// only those, not the whole catalogue.
func attachedAWSPolicies(a iamAccount) []policyView {
	var out []policyView
	for _, p := range catalogue {
		if attached, boundaries := attachmentCounts(a, p.ARN()); attached+boundaries > 0 {
			out = append(out, awsView(p))
		}
	}
	return out
}

func policyDetails(policies map[string]string) []xmlPolicyDetail {
	out := []xmlPolicyDetail{}
	for _, name := range inlineNames(policies) {
		out = append(out, xmlPolicyDetail{name, encodePolicy(policies[name])})
	}
	return out
}

func boundaryXML(arn string) *xmlBoundary {
	if arn == "" {
		return nil
	}
	return &xmlBoundary{"PermissionsBoundaryPolicy", arn}
}

func userDetail(a iamAccount, u *iamstate.User) xmlUserDetail {
	return xmlUserDetail{
		Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: userARN(a.ID, u), CreateDate: u.Created,
		UserPolicyList: policyDetails(u.InlinePolicies), GroupList: append([]string{}, u.Groups...),
		AttachedManagedPolicies: attachedXML(a, u.AttachedPolicies, ""),
		PermissionsBoundary:     boundaryXML(u.PermissionsBoundary), Tags: optionalList(tagsXML(u.Tags)),
	}
}

func groupDetail(a iamAccount, g *iamstate.Group) xmlGroupDetail {
	return xmlGroupDetail{
		Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: groupARN(a.ID, g), CreateDate: g.Created,
		GroupPolicyList: policyDetails(g.InlinePolicies), AttachedManagedPolicies: attachedXML(a, g.AttachedPolicies, ""),
	}
}

func roleDetail(a iamAccount, role *iamstate.Role) xmlRoleDetail {
	return xmlRoleDetail{
		Path: role.Path, RoleName: role.Name, RoleID: role.ID, Arn: roleARN(a.ID, role), CreateDate: role.Created,
		AssumeRolePolicyDocument: encodePolicy(role.TrustPolicy), InstanceProfileList: []struct{}{},
		RolePolicyList: policyDetails(role.InlinePolicies), AttachedManagedPolicies: attachedXML(a, role.AttachedPolicies, ""),
		PermissionsBoundary: boundaryXML(role.PermissionsBoundary), Tags: optionalList(tagsXML(role.Tags)),
	}
}

func managedPolicyDetail(a iamAccount, p policyView) xmlManagedPolicyDetail {
	attached, boundaries := attachmentCounts(a, p.ARN)
	d := xmlManagedPolicyDetail{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: attached, PermissionsBoundaryUsageCount: boundaries, IsAttachable: true,
		Description: p.Description, CreateDate: p.Created, UpdateDate: p.Updated,
	}
	for _, pv := range p.Versions {
		d.PolicyVersionList = append(d.PolicyVersionList, versionXML(p, pv, true))
	}
	return d
}
