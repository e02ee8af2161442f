package conformance

import (
	"fmt"
	"strings"
	"testing"
)

const (
	s3ReadDoc   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

func TestPoliciesCatalogue(t *testing.T) {
	cli := newCLI(t)
	arns := map[string]bool{}
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/IAMUserChangePassword",
		"arn:aws:iam::aws:policy/IAMReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess",
		"arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
		"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/Billing",
	} {
		arns[arn] = true
	}
	all, _ := pageThrough(cli, "Policies", "Arn", 1000, "iam", "list-policies", "--scope", "AWS")
	for _, arn := range all {
		delete(arns, arn)
	}
	if len(all) < 25 || len(arns) != 0 {
		t.Errorf("list-policies --scope AWS has %d policies and lacks %v", len(all), arns)
	}
	view := "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	out := cli.Run("iam", "get-policy", "--policy-arn", view)
	if str(out, "Policy", "Path") != "/job-function/" || str(out, "Policy", "PolicyName") != "ViewOnlyAccess" {
		t.Errorf("get-policy = %v", out)
	}
	// The CLI decodes the URL-encoded document into JSON.
	out = cli.Run("iam", "get-policy-version", "--policy-arn", view, "--version-id", str(out, "Policy", "DefaultVersionId"))
	if str(out, "PolicyVersion", "Document", "Version") != "2012-10-17" || get(out, "PolicyVersion", "IsDefaultVersion") != true {
		t.Errorf("get-policy-version = %v", out)
	}
	out = cli.Run("iam", "get-policy-version", "--policy-arn", "arn:aws:iam::aws:policy/IAMUserChangePassword", "--version-id", "v2")
	if str(out, "PolicyVersion", "Document", "Statement", 0, "Action", 0) != "iam:ChangePassword" {
		t.Errorf("IAMUserChangePassword document = %v", get(out, "PolicyVersion", "Document"))
	}
	cli.Fail("NoSuchEntity", "iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/ViewOnlyAccess")
	if n := length(cli.Run("iam", "list-policies", "--scope", "AWS", "--path-prefix", "/job-function/"), "Policies"); n < 5 {
		t.Errorf("job-function policies = %d, want at least 5", n)
	}
}

func TestPoliciesManagedLifecycle(t *testing.T) {
	cli := newCLI(t)
	out := cli.Run("iam", "create-policy", "--policy-name", "S3Read", "--path", "/team/", "--policy-document", s3ReadDoc,
		"--description", "read objects", "--tags", "Key=k,Value=v")
	arn := str(out, "Policy", "Arn")
	if arn != "arn:aws:iam::"+cli.Account+":policy/team/S3Read" || str(out, "Policy", "DefaultVersionId") != "v1" || get(out, "Policy", "IsAttachable") != true {
		t.Errorf("create-policy = %v", out)
	}
	msg := cli.Fail("EntityAlreadyExists", "iam", "create-policy", "--policy-name", "s3read", "--policy-document", s3ReadDoc)
	if msg != "A policy called s3read already exists. Duplicate names are not allowed." {
		t.Errorf("message = %q", msg)
	}
	out = cli.Run("iam", "get-policy", "--policy-arn", arn)
	if str(out, "Policy", "Description") != "read objects" || get(out, "Policy", "AttachmentCount") != 0.0 {
		t.Errorf("get-policy = %v", out)
	}

	for i := 2; i <= 5; i++ {
		args := []string{"iam", "create-policy-version", "--policy-arn", arn, "--policy-document", strings.Replace(s3ReadDoc, "GetObject", fmt.Sprintf("GetObjectV%d", i), 1)}
		if i == 3 {
			args = append(args, "--set-as-default")
		}
		if v := str(cli.Run(args...), "PolicyVersion", "VersionId"); v != fmt.Sprintf("v%d", i) {
			t.Errorf("new version = %s", v)
		}
	}
	msg = cli.Fail("LimitExceeded", "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", s3ReadDoc)
	if msg != "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version." {
		t.Errorf("message = %q", msg)
	}
	versions, pages := pageThrough(cli, "Versions", "VersionId", 2, "iam", "list-policy-versions", "--policy-arn", arn)
	if strings.Join(versions, ",") != "v5,v4,v3,v2,v1" || pages != 3 {
		t.Errorf("versions = %v over %d pages", versions, pages)
	}
	out = cli.Run("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v3")
	if get(out, "PolicyVersion", "IsDefaultVersion") != true || str(out, "PolicyVersion", "Document", "Statement", 0, "Action") != "s3:GetObjectV3" {
		t.Errorf("v3 = %v", out)
	}
	cli.Run("iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v5")
	if v := str(cli.Run("iam", "get-policy", "--policy-arn", arn), "Policy", "DefaultVersionId"); v != "v5" {
		t.Errorf("default after set-default-policy-version = %s", v)
	}
	msg = cli.Fail("DeleteConflict", "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v5")
	if msg != "Cannot delete the default version of a policy." {
		t.Errorf("message = %q", msg)
	}
	cli.Fail("NoSuchEntity", "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v9")
	cli.Fail("NoSuchEntity", "iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v9")

	msg = cli.Fail("DeleteConflict", "iam", "delete-policy", "--policy-arn", arn)
	if msg != "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy." {
		t.Errorf("message = %q", msg)
	}
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		cli.Run("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", v)
	}
	cli.Run("iam", "delete-policy", "--policy-arn", arn)
	if msg := cli.Fail("NoSuchEntity", "iam", "get-policy", "--policy-arn", arn); msg != "Policy "+arn+" was not found." {
		t.Errorf("message = %q", msg)
	}
}

func TestPoliciesDeleteConflicts(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice")
	arn := s.policy("P")
	cli.Run("iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", arn)
	if msg := cli.Fail("DeleteConflict", "iam", "delete-policy", "--policy-arn", arn); msg != "Cannot delete a policy attached to entities." {
		t.Errorf("message = %q", msg)
	}
	cli.Run("iam", "detach-user-policy", "--user-name", "alice", "--policy-arn", arn)
	cli.Run("iam", "create-policy-version", "--policy-arn", arn, "--policy-document", s3ReadDoc)
	cli.Fail("DeleteConflict", "iam", "delete-policy", "--policy-arn", arn)
	cli.Run("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")
	cli.Run("iam", "delete-policy", "--policy-arn", arn)
	cli.Fail("AccessDenied", "iam", "delete-policy", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
}

func TestPoliciesAttach(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice")
	s.groups("devs")
	s.role("app", "/")
	local := s.policy("Local")
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	missing := "arn:aws:iam::aws:policy/NoSuchPolicy"
	kinds := []struct{ entity, flag, name string }{{"user", "--user-name", "alice"}, {"group", "--group-name", "devs"}, {"role", "--role-name", "app"}}
	for _, kind := range kinds {
		cli.Run("iam", "attach-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-arn", admin)
		if msg := cli.Fail("NoSuchEntity", "iam", "attach-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-arn", missing); msg != "Policy "+missing+" does not exist or is not attachable." {
			t.Errorf("%s: message = %q", kind.entity, msg)
		}
	}
	cli.Run("iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", admin) // idempotent
	s.attachUser("alice", local)
	if n := get(cli.Run("iam", "get-policy", "--policy-arn", admin), "Policy", "AttachmentCount"); n != 3.0 {
		t.Errorf("AttachmentCount = %v, want 3", n)
	}
	out := cli.Run("iam", "list-attached-user-policies", "--user-name", "alice")
	if length(out, "AttachedPolicies") != 2 || str(out, "AttachedPolicies", 0, "PolicyName") != "AdministratorAccess" {
		t.Errorf("attached to alice = %v", out)
	}
	for _, kind := range kinds[1:] {
		out := cli.Run("iam", "list-attached-"+kind.entity+"-policies", kind.flag, kind.name, "--path-prefix", "/")
		if length(out, "AttachedPolicies") != 1 || str(out, "AttachedPolicies", 0, "PolicyArn") != admin {
			t.Errorf("%s: attached = %v", kind.entity, out)
		}
	}
	out = cli.Run("iam", "list-entities-for-policy", "--policy-arn", admin)
	if length(out, "PolicyUsers") != 1 || length(out, "PolicyGroups") != 1 || length(out, "PolicyRoles") != 1 || str(out, "PolicyRoles", 0, "RoleName") != "app" {
		t.Errorf("list-entities-for-policy = %v", out)
	}
	out = cli.Run("iam", "list-entities-for-policy", "--policy-arn", admin, "--entity-filter", "Group")
	if length(out, "PolicyUsers")+length(out, "PolicyRoles") != 0 || str(out, "PolicyGroups", 0, "GroupName") != "devs" {
		t.Errorf("group-filtered entities = %v", out)
	}
	if n := length(cli.Run("iam", "list-policies", "--only-attached"), "Policies"); n != 2 {
		t.Errorf("only-attached policies = %d, want 2", n)
	}
	for _, kind := range kinds {
		cli.Run("iam", "detach-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-arn", admin)
	}
	if msg := cli.Fail("NoSuchEntity", "iam", "detach-role-policy", "--role-name", "app", "--policy-arn", admin); msg != "Policy "+admin+" was not found." {
		t.Errorf("message = %q", msg)
	}
	cli.Fail("NoSuchEntity", "iam", "list-entities-for-policy", "--policy-arn", missing)
}

func TestPoliciesQuotaAndPagination(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice", "bob", "carol")
	var arns []string
	for i := 0; i <= 10; i++ {
		arns = append(arns, s.policy(fmt.Sprintf("p%02d", i)))
	}
	s.attachUser("alice", arns[:10]...)
	s.attachUser("bob", arns[0])
	s.attachUser("carol", arns[0])
	if msg := cli.Fail("LimitExceeded", "iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", arns[10]); msg != "Cannot exceed quota for PoliciesPerUser: 10" {
		t.Errorf("message = %q", msg)
	}
	names, pages := pageThrough(cli, "AttachedPolicies", "PolicyName", 3, "iam", "list-attached-user-policies", "--user-name", "alice")
	if len(names) != 10 || names[0] != "p00" || names[9] != "p09" || pages != 4 {
		t.Errorf("attached = %v over %d pages", names, pages)
	}
	local, pages := pageThrough(cli, "Policies", "PolicyName", 4, "iam", "list-policies", "--scope", "Local")
	if len(local) != 11 || local[10] != "p10" || pages != 3 {
		t.Errorf("local policies = %v over %d pages", local, pages)
	}
	all, _ := pageThrough(cli, "Policies", "Arn", 20, "iam", "list-policies")
	if len(all) < 36 {
		t.Errorf("all policies = %d, want 11 local and at least 25 AWS-managed", len(all))
	}
	users, pages := pageThrough(cli, "PolicyUsers", "UserName", 2, "iam", "list-entities-for-policy", "--policy-arn", arns[0])
	if strings.Join(users, ",") != "alice,bob,carol" || pages != 2 {
		t.Errorf("entities = %v over %d pages", users, pages)
	}
}

func TestPoliciesInline(t *testing.T) {
	cli := newCLI(t)
	s := newSetup(t, cli)
	s.users("alice")
	s.groups("devs")
	s.role("app", "/")
	for _, kind := range []struct{ entity, flag, name string }{{"user", "--user-name", "alice"}, {"group", "--group-name", "devs"}, {"role", "--role-name", "app"}} {
		put := func(policy, doc string) {
			cli.Run("iam", "put-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-name", policy, "--policy-document", doc)
		}
		put("Read", s3ReadDoc)
		put("READ", strings.Replace(s3ReadDoc, "GetObject", "GetObjectAcl", 1)) // replaces, keeping the first name
		put("extra0", s3ReadDoc)
		put("extra1", s3ReadDoc)
		out := cli.Run("iam", "get-"+kind.entity+"-policy", kind.flag, strings.ToUpper(kind.name), "--policy-name", "read")
		if str(out, "PolicyName") != "Read" || str(out, "PolicyDocument", "Statement", 0, "Action") != "s3:GetObjectAcl" {
			t.Errorf("%s: get = %v", kind.entity, out)
		}
		names, pages := pageThrough(cli, "PolicyNames", "", 2, "iam", "list-"+kind.entity+"-policies", kind.flag, kind.name)
		if strings.Join(names, ",") != "extra0,extra1,Read" || pages != 2 {
			t.Errorf("%s: names = %v over %d pages", kind.entity, names, pages)
		}
		cli.Run("iam", "delete-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-name", "read")
		want := "The " + kind.entity + " policy with name Read cannot be found."
		if msg := cli.Fail("NoSuchEntity", "iam", "get-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-name", "Read"); msg != want {
			t.Errorf("%s: message = %q, want %q", kind.entity, msg, want)
		}
		cli.Fail("NoSuchEntity", "iam", "delete-"+kind.entity+"-policy", kind.flag, kind.name, "--policy-name", "Read")
		cli.Fail("NoSuchEntity", "iam", "put-"+kind.entity+"-policy", kind.flag, "nobody", "--policy-name", "p", "--policy-document", s3ReadDoc)
	}
	// The user quota counts every inline policy of the user (extra0 and extra1 are
	// still there), white space excluded.
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 1700) + `"}]}`
	cli.Run("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "big", "--policy-document", big)
	msg := cli.Fail("LimitExceeded", "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "more", "--policy-document", s3ReadDoc)
	if msg != "Maximum policy size of 2048 bytes exceeded for user alice" {
		t.Errorf("message = %q", msg)
	}
}

func TestPoliciesMalformedDocuments(t *testing.T) {
	cli := newCLI(t)
	newSetup(t, cli).users("alice")
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	tests := []struct{ name, doc, msg string }{
		{"not JSON", `{"Version":"2012-10-17",`, "Syntax errors in policy."},
		{"no statement", `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"bad version", `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "Syntax errors in policy."},
		{"bad effect", stmt(`{"Effect":"Maybe","Action":"s3:*","Resource":"*"}`), "Syntax errors in policy."},
		{"action and not-action", stmt(`{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}`), "Syntax errors in policy."},
		{"no action", stmt(`{"Effect":"Allow","Resource":"*"}`), "Policy statement must contain actions."},
		{"no resource", stmt(`{"Effect":"Allow","Action":"s3:*"}`), "Policy statement must contain resources."},
		{"principal", stmt(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}`), "Policy document should not specify a principal."},
		{"no vendor", stmt(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"duplicate sid", stmt(`{"Sid":"s","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"s","Effect":"Deny","Action":"s3:*","Resource":"*"}`), "Statement IDs (SID) in a single policy must be unique."},
	}
	for i, tc := range tests {
		msg := cli.Fail("MalformedPolicyDocument", "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "p", "--policy-document", tc.doc)
		if msg != tc.msg {
			t.Errorf("%s: put-user-policy message = %q, want %q", tc.name, msg, tc.msg)
		}
		if i%3 == 0 { // managed policies share the grammar; a sample keeps the suite fast
			if msg := cli.Fail("MalformedPolicyDocument", "iam", "create-policy", "--policy-name", "p", "--policy-document", tc.doc); msg != tc.msg {
				t.Errorf("%s: create-policy message = %q, want %q", tc.name, msg, tc.msg)
			}
		}
	}
	legacy := `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	cli.Run("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "legacy", "--policy-document", legacy)
	if msg := cli.Fail("MalformedPolicyDocument", "iam", "create-policy", "--policy-name", "legacy", "--policy-document", legacy); msg != "Policy document must be version 2012-10-17 or greater." {
		t.Errorf("message = %q", msg)
	}
	if n := length(cli.Run("iam", "list-user-policies", "--user-name", "alice"), "PolicyNames"); n != 1 {
		t.Errorf("stored inline policies = %d, want only the legacy one", n)
	}
}
