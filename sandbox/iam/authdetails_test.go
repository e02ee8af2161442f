package iam_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.inlineIdentities()
	local := e.policy("Local", "/")
	view := "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	boundary := "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	e.must("joining devs", e.addToGroup("devs", "alice"))
	e.must("inline", justErr(e.iam.PutUserPolicy(e.ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own"), PolicyDocument: aws.String(s3ReadDoc)})))
	e.must("attach", justErr(e.iam.AttachUserPolicy(e.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(view)})))
	e.must("attach", justErr(e.iam.AttachGroupPolicy(e.ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(local)})))
	e.must("boundary", justErr(e.iam.PutUserPermissionsBoundary(e.ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(boundary)})))
	e.must("tag", justErr(e.iam.TagUser(e.ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})))

	out, err := e.iam.GetAccountAuthorizationDetails(e.ctx, &iam.GetAccountAuthorizationDetailsInput{})
	e.must("getting details", err)
	if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 {
		t.Fatalf("details = %d users, %d groups, %d roles", len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList))
	}
	u := out.UserDetailList[0]
	doc, _ := url.QueryUnescape(aws.ToString(u.UserPolicyList[0].PolicyDocument))
	if len(u.GroupList) != 1 || u.GroupList[0] != "devs" || doc != s3ReadDoc || len(u.AttachedManagedPolicies) != 1 ||
		*u.AttachedManagedPolicies[0].PolicyArn != view || *u.PermissionsBoundary.PermissionsBoundaryArn != boundary || len(u.Tags) != 1 {
		t.Errorf("user detail = %+v", u)
	}
	if g := out.GroupDetailList[0]; len(g.AttachedManagedPolicies) != 1 || *g.AttachedManagedPolicies[0].PolicyArn != local {
		t.Errorf("group detail = %+v", g)
	}
	// Policies: every local one, and only the AWS-managed ones in use.
	got := map[string]int{}
	for _, p := range out.Policies {
		got[*p.Arn] = len(p.PolicyVersionList)
	}
	if len(got) != 3 || got[local] != 1 || got[view] != 1 || got[boundary] != 1 {
		t.Errorf("policies = %v", got)
	}

	roles, err := e.iam.GetAccountAuthorizationDetails(e.ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})
	e.must("getting role details", err)
	if len(roles.UserDetailList)+len(roles.GroupDetailList)+len(roles.Policies) != 0 || len(roles.RoleDetailList) != 1 {
		t.Errorf("role-filtered details = %+v", roles)
	}
}

func TestAccountAuthorizationDetailsPages(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	for i := range 3 {
		e.user(fmt.Sprintf("u%d", i))
		e.group(fmt.Sprintf("g%d", i))
		e.policy(fmt.Sprintf("p%d", i), "/")
	}
	var users, groups, policies, pages int
	p := iam.NewGetAccountAuthorizationDetailsPaginator(e.iam, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		e.must("paging details", err)
		pages++
		if n := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.Policies); n > 2 {
			t.Errorf("page %d holds %d entries, want at most 2", pages, n)
		}
		users += len(out.UserDetailList)
		groups += len(out.GroupDetailList)
		policies += len(out.Policies)
	}
	if users != 3 || groups != 3 || policies != 3 || pages != 5 {
		t.Errorf("got %d users, %d groups, %d policies over %d pages; want 3, 3, 3 over 5", users, groups, policies, pages)
	}
}
