package iam_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestRoleLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	created, err := e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{
		RoleName: aws.String("App"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		Description: aws.String("the app"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	e.must("creating App", err)
	r := created.Role
	if *r.Arn != "arn:aws:iam::111122223333:role/svc/App" || !strings.HasPrefix(*r.RoleId, "AROA") || len(*r.RoleId) != 21 {
		t.Errorf("created = %s %s", *r.Arn, *r.RoleId)
	}
	// Documents come back URL-encoded (RFC 3986), as IAM returns them.
	// With no spaces in the document, QueryEscape is exactly RFC 3986.
	if want := url.QueryEscape(lambdaTrust); *r.AssumeRolePolicyDocument != want {
		t.Errorf("trust policy = %s, want %s", *r.AssumeRolePolicyDocument, want)
	}
	_, err = e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	expectError(t, err, "EntityAlreadyExists", "Role with name app already exists.")

	got, err := e.iam.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("APP")})
	e.must("getting App", err)
	if *got.Role.MaxSessionDuration != 3600 || *got.Role.Description != "the app" || len(got.Role.Tags) != 1 || got.Role.RoleLastUsed == nil {
		t.Errorf("got = %+v", got.Role)
	}
	doc, _ := url.QueryUnescape(*got.Role.AssumeRolePolicyDocument)
	if doc != lambdaTrust {
		t.Errorf("decoded trust policy = %s", doc)
	}

	e.must("updating", justErr(e.iam.UpdateRole(e.ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(43200), Description: aws.String("")})))
	newTrust := strings.Replace(lambdaTrust, "lambda", "ec2", 1)
	e.must("updating trust", justErr(e.iam.UpdateAssumeRolePolicy(e.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(newTrust)})))
	got, err = e.iam.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	e.must("getting App", err)
	doc, _ = url.QueryUnescape(*got.Role.AssumeRolePolicyDocument)
	if *got.Role.MaxSessionDuration != 43200 || aws.ToString(got.Role.Description) != "" || doc != newTrust {
		t.Errorf("after update = %+v", got.Role)
	}

	e.must("tagging", justErr(e.iam.TagRole(e.ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{{Key: aws.String("K"), Value: aws.String("w")}, {Key: aws.String("x"), Value: aws.String("y")}}})))
	e.must("untagging", justErr(e.iam.UntagRole(e.ctx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"x"}})))
	tags, err := e.iam.ListRoleTags(e.ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app")})
	e.must("listing tags", err)
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "K" || *tags.Tags[0].Value != "w" {
		t.Errorf("tags = %+v", tags.Tags)
	}

	e.must("deleting", justErr(e.iam.DeleteRole(e.ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})))
	_, err = e.iam.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	expectError(t, err, "NoSuchEntity", "The role with name app cannot be found.")
}

func TestCreateRoleValidation(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	tests := []struct {
		name      string
		in        iam.CreateRoleInput
		code, msg string
	}{
		{"no principal", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", "Missing required field Principal"},
		{"resource", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Resource":"*"}]}`)},
			"MalformedPolicyDocument", "Has prohibited field Resource"},
		{"non-STS action", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject"}]}`)},
			"MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."},
		{"not JSON", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(`{"Version":`)},
			"MalformedPolicyDocument", "This policy contains invalid Json"},
		{"session too short", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(lambdaTrust), MaxSessionDuration: aws.Int32(3599)},
			"ValidationError", "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"session too long", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(lambdaTrust), MaxSessionDuration: aws.Int32(43201)},
			"ValidationError", "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"trust policy too big", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(bigTrust(2100))},
			"LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
		{"unknown boundary", iam.CreateRoleInput{AssumeRolePolicyDocument: aws.String(lambdaTrust), PermissionsBoundary: aws.String("arn:aws:iam::111122223333:policy/None")},
			"NoSuchEntity", "Scope ARN: arn:aws:iam::111122223333:policy/None does not exist or is not attachable."},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.RoleName = aws.String(fmt.Sprintf("r%d", i))
			_, err := e.iam.CreateRole(e.ctx, &tc.in)
			expectError(t, err, tc.code, tc.msg)
		})
	}
	list, err := e.iam.ListRoles(e.ctx, &iam.ListRolesInput{})
	e.must("listing roles", err)
	if len(list.Roles) != 0 {
		t.Errorf("rejected roles were created: %d", len(list.Roles))
	}
}

// bigTrust is a valid trust policy of about n non-space characters.
func bigTrust(n int) string {
	var accounts []string
	for i := 0; len(strings.Join(accounts, `","`)) < n; i++ {
		accounts = append(accounts, fmt.Sprintf("arn:aws:iam::%012d:root", i))
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + strings.Join(accounts, `","`) + `"]},"Action":"sts:AssumeRole"}]}`
}

func TestDeleteRoleConflicts(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	_, err := e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	e.must("creating app", err)
	arn := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	e.must("attaching", justErr(e.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)})))
	_, err = e.iam.DeleteRole(e.ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	e.must("detaching", justErr(e.iam.DetachRolePolicy(e.ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)})))
	e.must("putting inline", justErr(e.iam.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(s3ReadDoc)})))
	_, err = e.iam.DeleteRole(e.ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	e.must("deleting inline", justErr(e.iam.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("P")})))
	e.must("deleting app", justErr(e.iam.DeleteRole(e.ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})))
}

func TestListRolesPages(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	for i := range 5 {
		path := "/a/"
		if i%2 == 1 {
			path = "/b/"
		}
		_, err := e.iam.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role%d", i)), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
		e.must("creating a role", err)
	}
	var names []string
	p := iam.NewListRolesPaginator(e.iam, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		e.must("paging roles", err)
		for _, r := range out.Roles {
			if r.Tags != nil || r.RoleLastUsed != nil {
				t.Errorf("ListRoles returned tags or last use for %s", *r.RoleName)
			}
			names = append(names, *r.RoleName)
		}
	}
	if strings.Join(names, ",") != "role0,role1,role2,role3,role4" {
		t.Errorf("roles = %v", names)
	}
	b, err := e.iam.ListRoles(e.ctx, &iam.ListRolesInput{PathPrefix: aws.String("/b/")})
	e.must("listing /b/", err)
	if len(b.Roles) != 2 {
		t.Errorf("roles under /b/ = %d, want 2", len(b.Roles))
	}
}
