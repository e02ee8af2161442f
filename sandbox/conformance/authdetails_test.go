package conformance

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAuthorizationDetails(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	ctx := context.Background()
	view := "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	s.users("alice")
	s.groups("devs")
	s.role("app", "/")
	local := s.policy("Local")
	s.join("devs", "alice")
	s.attachUser("alice", view)
	_, err := s.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	s.check("tagging alice", err)
	_, err = s.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own"), PolicyDocument: aws.String(s3ReadDoc)})
	s.check("alice's inline policy", err)
	_, err = s.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(local)})
	s.check("attaching to devs", err)
	_, err = s.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(s3ReadDoc)})
	s.check("app's inline policy", err)
	_, err = s.iam.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})
	s.check("alice's boundary", err)

	out := cli.Run("iam", "get-account-authorization-details")
	if length(out, "UserDetailList") != 1 || length(out, "GroupDetailList") != 1 || length(out, "RoleDetailList") != 1 {
		t.Fatalf("details = %v", out)
	}
	u := get(out, "UserDetailList", 0)
	if str(u, "GroupList", 0) != "devs" || str(u, "UserPolicyList", 0, "PolicyName") != "own" ||
		str(u, "UserPolicyList", 0, "PolicyDocument", "Statement", 0, "Action") != "s3:GetObject" ||
		str(u, "AttachedManagedPolicies", 0, "PolicyArn") != view || str(u, "Tags", 0, "Key") != "k" ||
		str(u, "PermissionsBoundary", "PermissionsBoundaryArn") != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Errorf("user detail = %v", u)
	}
	if str(out, "GroupDetailList", 0, "AttachedManagedPolicies", 0, "PolicyArn") != local {
		t.Errorf("group detail = %v", get(out, "GroupDetailList", 0))
	}
	r := get(out, "RoleDetailList", 0)
	if str(r, "RolePolicyList", 0, "PolicyName") != "logs" || str(r, "AssumeRolePolicyDocument", "Statement", 0, "Action") != "sts:AssumeRole" {
		t.Errorf("role detail = %v", r)
	}
	// Every local policy; only the AWS-managed policies in use, with their versions.
	arns := map[string]bool{}
	for i := 0; i < length(out, "Policies"); i++ {
		arns[str(out, "Policies", i, "Arn")] = true
		if length(out, "Policies", i, "PolicyVersionList") == 0 || str(out, "Policies", i, "PolicyVersionList", 0, "Document", "Version") != "2012-10-17" {
			t.Errorf("policy %s has no decoded versions", str(out, "Policies", i, "Arn"))
		}
	}
	if len(arns) != 3 || !arns[local] || !arns[view] || !arns["arn:aws:iam::aws:policy/PowerUserAccess"] {
		t.Errorf("policies = %v", arns)
	}

	filtered := cli.Run("iam", "get-account-authorization-details", "--filter", "Role", "LocalManagedPolicy")
	if length(filtered, "UserDetailList")+length(filtered, "GroupDetailList") != 0 || length(filtered, "RoleDetailList") != 1 || length(filtered, "Policies") != 1 {
		t.Errorf("filtered details = %v", filtered)
	}
}

func TestAuthorizationDetailsPagination(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	for i := 0; i < 3; i++ {
		s.users(fmt.Sprintf("u%d", i))
		s.groups(fmt.Sprintf("g%d", i))
		s.policy(fmt.Sprintf("p%d", i))
	}
	users, pages := pageThrough(cli, "UserDetailList", "UserName", 2, "iam", "get-account-authorization-details")
	if len(users) != 3 || pages != 5 {
		t.Errorf("users = %v over %d pages, want 3 over 5", users, pages)
	}
	all := cli.Run("iam", "get-account-authorization-details", "--page-size", "2")
	if length(all, "UserDetailList") != 3 || length(all, "GroupDetailList") != 3 || length(all, "Policies") != 3 {
		t.Errorf("auto-paginated details = %v", all)
	}
}
