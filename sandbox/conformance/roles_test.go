package conformance

import (
	"fmt"
	"strings"
	"testing"
)

func TestRolesLifecycle(t *testing.T) {
	cli := newCLI(t)
	out := cli.Run("iam", "create-role", "--role-name", "App", "--path", "/svc/", "--assume-role-policy-document", lambdaTrust,
		"--description", "the app", "--tags", "Key=k,Value=v")
	if got, want := str(out, "Role", "Arn"), "arn:aws:iam::"+cli.Account+":role/svc/App"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if id := str(out, "Role", "RoleId"); !strings.HasPrefix(id, "AROA") || len(id) != 21 {
		t.Errorf("RoleId = %q", id)
	}
	if str(out, "Role", "AssumeRolePolicyDocument", "Statement", 0, "Principal", "Service") != "lambda.amazonaws.com" {
		t.Errorf("trust policy = %v", get(out, "Role", "AssumeRolePolicyDocument"))
	}
	if msg := cli.Fail("EntityAlreadyExists", "iam", "create-role", "--role-name", "app", "--assume-role-policy-document", lambdaTrust); msg != "Role with name app already exists." {
		t.Errorf("message = %q", msg)
	}
	out = cli.Run("iam", "get-role", "--role-name", "APP")
	if get(out, "Role", "MaxSessionDuration") != 3600.0 || str(out, "Role", "Description") != "the app" || get(out, "Role", "RoleLastUsed") == nil {
		t.Errorf("get-role = %v", out)
	}

	cli.Run("iam", "update-role", "--role-name", "app", "--max-session-duration", "7200")
	out = cli.Run("iam", "update-role-description", "--role-name", "app", "--description", "renamed")
	if str(out, "Role", "Description") != "renamed" {
		t.Errorf("update-role-description = %v", out)
	}
	ec2Trust := strings.Replace(lambdaTrust, "lambda", "ec2", 1)
	cli.Run("iam", "update-assume-role-policy", "--role-name", "app", "--policy-document", ec2Trust)
	out = cli.Run("iam", "get-role", "--role-name", "app")
	if get(out, "Role", "MaxSessionDuration") != 7200.0 || str(out, "Role", "AssumeRolePolicyDocument", "Statement", 0, "Principal", "Service") != "ec2.amazonaws.com" {
		t.Errorf("after updates = %v", out)
	}
	cli.Fail("MalformedPolicyDocument", "iam", "update-assume-role-policy", "--role-name", "app", "--policy-document", s3ReadDoc)

	cli.Run("iam", "tag-role", "--role-name", "app", "--tags", "Key=K,Value=w", "Key=x,Value=y", "Key=z,Value=1")
	cli.Run("iam", "untag-role", "--role-name", "app", "--tag-keys", "X")
	keys, pages := pageThrough(cli, "Tags", "Key", 1, "iam", "list-role-tags", "--role-name", "app")
	if strings.Join(keys, ",") != "K,z" || pages != 2 {
		t.Errorf("role tags = %v over %d pages", keys, pages)
	}

	boundary := "arn:aws:iam::aws:policy/PowerUserAccess"
	cli.Run("iam", "put-role-permissions-boundary", "--role-name", "app", "--permissions-boundary", boundary)
	if got := str(cli.Run("iam", "get-role", "--role-name", "app"), "Role", "PermissionsBoundary", "PermissionsBoundaryArn"); got != boundary {
		t.Errorf("role boundary = %q", got)
	}
	cli.Run("iam", "delete-role-permissions-boundary", "--role-name", "app")

	cli.Run("iam", "delete-role", "--role-name", "app")
	if msg := cli.Fail("NoSuchEntity", "iam", "get-role", "--role-name", "app"); msg != "The role with name app cannot be found." {
		t.Errorf("message = %q", msg)
	}
	cli.Fail("NoSuchEntity", "iam", "delete-role", "--role-name", "app")
	cli.Fail("NoSuchEntity", "iam", "update-role", "--role-name", "app", "--description", "x")
}

func TestRolesValidation(t *testing.T) {
	cli := newCLI(t)
	tests := []struct{ doc, code, msg string }{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "MalformedPolicyDocument", "Missing required field Principal"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + cli.Account + `"},"Action":"sts:AssumeRole","Resource":"*"}]}`, "MalformedPolicyDocument", "Has prohibited field Resource"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + cli.Account + `"},"Action":"s3:GetObject"}]}`, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."},
		{`{"Version":"2012-10-17",`, "MalformedPolicyDocument", "This policy contains invalid Json"},
	}
	for i, tc := range tests {
		msg := cli.Fail(tc.code, "iam", "create-role", "--role-name", fmt.Sprintf("r%d", i), "--assume-role-policy-document", tc.doc)
		if msg != tc.msg {
			t.Errorf("%s: message = %q, want %q", tc.doc, msg, tc.msg)
		}
	}
	noClientValidation(t, cli)
	msg := cli.Fail("ValidationError", "iam", "create-role", "--role-name", "short", "--assume-role-policy-document", lambdaTrust, "--max-session-duration", "3599")
	if msg != "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600" {
		t.Errorf("message = %q", msg)
	}
	cli.Fail("ValidationError", "iam", "create-role", "--role-name", "long", "--assume-role-policy-document", lambdaTrust, "--max-session-duration", "43201")
	if n := length(cli.Run("iam", "list-roles"), "Roles"); n != 0 {
		t.Errorf("rejected roles were created: %d", n)
	}
}

func TestRolesDeleteConflicts(t *testing.T) {
	cli := newCLI(t)
	newSetup(t, cli).role("app", "/")
	cli.Run("iam", "attach-role-policy", "--role-name", "app", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	if msg := cli.Fail("DeleteConflict", "iam", "delete-role", "--role-name", "app"); msg != "Cannot delete entity, must detach all policies first." {
		t.Errorf("message = %q", msg)
	}
	cli.Run("iam", "detach-role-policy", "--role-name", "app", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	cli.Run("iam", "put-role-policy", "--role-name", "app", "--policy-name", "inline", "--policy-document", s3ReadDoc)
	if msg := cli.Fail("DeleteConflict", "iam", "delete-role", "--role-name", "app"); msg != "Cannot delete entity, must delete policies first." {
		t.Errorf("message = %q", msg)
	}
	cli.Run("iam", "delete-role-policy", "--role-name", "app", "--policy-name", "inline")
	cli.Run("iam", "delete-role", "--role-name", "app")
}

func TestRolesPagination(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	for i := 0; i < 5; i++ {
		s.role(fmt.Sprintf("role%d", i), fmt.Sprintf("/p%d/", i%2))
	}
	names, pages := pageThrough(cli, "Roles", "RoleName", 2, "iam", "list-roles")
	if strings.Join(names, ",") != "role0,role1,role2,role3,role4" || pages != 3 {
		t.Errorf("roles = %v over %d pages", names, pages)
	}
	if n := length(cli.Run("iam", "list-roles", "--path-prefix", "/p1/"), "Roles"); n != 2 {
		t.Errorf("roles under /p1/ = %d, want 2", n)
	}
	if n := length(cli.Run("iam", "list-roles", "--page-size", "2"), "Roles"); n != 5 {
		t.Errorf("auto-paginated list-roles = %d, want 5", n)
	}
}
