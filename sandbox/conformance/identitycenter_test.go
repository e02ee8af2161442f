package conformance

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The Identity Center tests run a sandbox of their own each, built from
// testdata/identity-center.yaml: the world holds one organisation, whose
// management account owns the instance.
const (
	idcMgmt     = "111111111111"
	idcMember   = "222222222222"
	idcStore    = "d-1234567890"
	idcInstance = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
)

// idcServer starts a sandbox from testdata/identity-center.yaml and returns
// the CLI of its management account.
func idcServer(t *testing.T) *CLI {
	t.Helper()
	t.Parallel()
	srv := startServer(t, "--fixture", filepath.Join("testdata", "identity-center.yaml"))
	t.Cleanup(srv.stop)
	return newCLIFor(t, srv, idcMgmt)
}

func TestIdentityStoreUsersFromTheCLI(t *testing.T) {
	c := idcServer(t)
	store := []string{"--identity-store-id", idcStore}
	is := func(args ...string) []string { return append(append([]string{"identitystore"}, args...), store...) }

	// Seed 004's payload, as its Lambda sends it.
	made := c.Run(is("create-user", "--user-name", "alice@example.com", "--display-name", "Alice Example",
		"--name", "GivenName=Alice,FamilyName=Example", "--emails", "Value=alice@example.com,Primary=true")...)
	id := str(made, "UserId")
	if !regexp.MustCompile(`^1234567890-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("create-user = %v", made)
	}
	c.Fail("ConflictException", is("create-user", "--user-name", "ALICE@example.com", "--display-name", "A", "--name", "GivenName=A,FamilyName=B")...)
	c.Fail("ValidationException", is("create-user", "--user-name", "Administrator", "--display-name", "A", "--name", "GivenName=A,FamilyName=B")...)
	c.Fail("ValidationException", is("create-user", "--user-name", "bob", "--name", "GivenName=Bob,FamilyName=B")...)

	d := c.Run(is("describe-user", "--user-id", id)...)
	if str(d, "UserName") != "alice@example.com" || str(d, "Name", "GivenName") != "Alice" || str(d, "Emails", 0, "Value") != "alice@example.com" || get(d, "Emails", 0, "Primary") != true {
		t.Errorf("describe-user = %v", d)
	}
	c.Run(is("update-user", "--user-id", id, "--operations", `[{"AttributePath":"name.givenName","AttributeValue":"Alicia"},{"AttributePath":"displayName","AttributeValue":"Alicia Example"}]`)...)
	if d := c.Run(is("describe-user", "--user-id", id)...); str(d, "Name", "GivenName") != "Alicia" || str(d, "DisplayName") != "Alicia Example" {
		t.Errorf("after update-user = %v", d)
	}
	c.Fail("ValidationException", is("update-user", "--user-id", id, "--operations", `[{"AttributePath":"emails.value","AttributeValue":"x@example.com"}]`)...)

	byName := c.Run(is("get-user-id", "--alternate-identifier", `{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"Alice@Example.com"}}`)...)
	byExternal := c.Run(is("get-user-id", "--alternate-identifier", `{"ExternalId":{"Issuer":"okta","Id":"00u-dana"}}`)...)
	if str(byName, "UserId") != id || str(byExternal, "UserId") == "" || str(byExternal, "UserId") == id {
		t.Errorf("get-user-id = %v, %v", byName, byExternal)
	}
	// The CLI's paginator follows NextToken through pages of one.
	if l := c.Run(is("list-users", "--page-size", "1")...); length(l, "Users") != 2 {
		t.Errorf("list-users = %v", l)
	}
	if l := c.Run(is("list-users", "--filters", "AttributePath=UserName,AttributeValue=dana@example.com")...); length(l, "Users") != 1 {
		t.Errorf("filtered list-users = %v", l)
	}
	c.Run(is("delete-user", "--user-id", id)...)
	c.Fail("ResourceNotFoundException", is("describe-user", "--user-id", id)...)
	c.Fail("ResourceNotFoundException", "identitystore", "list-users", "--identity-store-id", "d-0000000000")
	newCLIFor(t, c.srv, "999999999999").Fail("AccessDeniedException", is("list-users")...)
}

func TestIdentityStoreGroupsFromTheCLI(t *testing.T) {
	c := idcServer(t)
	is := func(args ...string) []string {
		return append(append([]string{"identitystore"}, args...), "--identity-store-id", idcStore)
	}
	dana := str(c.Run(is("get-user-id", "--alternate-identifier", `{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"dana@example.com"}}`)...), "UserId")
	readers := str(c.Run(is("get-group-id", "--alternate-identifier", `{"ExternalId":{"Issuer":"okta","Id":"00g-readers"}}`)...), "GroupId")

	devs := str(c.Run(is("create-group", "--display-name", "developers", "--description", "People who ship")...), "GroupId")
	c.Fail("ConflictException", is("create-group", "--display-name", "Developers")...)
	if g := c.Run(is("get-group-id", "--alternate-identifier", `{"UniqueAttribute":{"AttributePath":"displayName","AttributeValue":"developers"}}`)...); str(g, "GroupId") != devs {
		t.Errorf("get-group-id = %v", g)
	}
	c.Run(is("update-group", "--group-id", devs, "--operations", `[{"AttributePath":"displayName","AttributeValue":"engineers"}]`)...)
	if g := c.Run(is("describe-group", "--group-id", devs)...); str(g, "DisplayName") != "engineers" || str(g, "Description") != "People who ship" {
		t.Errorf("describe-group = %v", g)
	}
	if l := c.Run(is("list-groups", "--page-size", "1")...); length(l, "Groups") != 2 {
		t.Errorf("list-groups = %v", l)
	}

	member := []string{"--member-id", "UserId=" + dana}
	m := str(c.Run(is(append([]string{"create-group-membership", "--group-id", devs}, member...)...)...), "MembershipId")
	c.Fail("ConflictException", is(append([]string{"create-group-membership", "--group-id", devs}, member...)...)...)
	if got := c.Run(is(append([]string{"get-group-membership-id", "--group-id", devs}, member...)...)...); str(got, "MembershipId") != m {
		t.Errorf("get-group-membership-id = %v", got)
	}
	if d := c.Run(is("describe-group-membership", "--membership-id", m)...); str(d, "GroupId") != devs || str(d, "MemberId", "UserId") != dana {
		t.Errorf("describe-group-membership = %v", d)
	}
	if l := c.Run(is("list-group-memberships", "--group-id", devs)...); length(l, "GroupMemberships") != 1 {
		t.Errorf("list-group-memberships = %v", l)
	}
	if l := c.Run(is(append([]string{"list-group-memberships-for-member"}, member...)...)...); length(l, "GroupMemberships") != 2 {
		t.Errorf("list-group-memberships-for-member = %v", l)
	}
	in := c.Run(is(append([]string{"is-member-in-groups", "--group-ids", devs, readers}, member...)...)...)
	if get(in, "Results", 0, "MembershipExists") != true || get(in, "Results", 1, "MembershipExists") != true {
		t.Errorf("is-member-in-groups = %v", in)
	}
	c.Run(is("delete-group-membership", "--membership-id", m)...)
	c.Fail("ResourceNotFoundException", is("describe-group-membership", "--membership-id", m)...)
	c.Run(is("delete-group", "--group-id", readers)...)
	if l := c.Run(is(append([]string{"list-group-memberships-for-member"}, member...)...)...); length(l, "GroupMemberships") != 0 {
		t.Errorf("after deleting readers: %v", l)
	}
}

func TestSSOAdminFromTheCLI(t *testing.T) {
	c := idcServer(t)
	in := []string{"--instance-arn", idcInstance}
	sso := func(args ...string) []string { return append(append([]string{"sso-admin"}, args...), in...) }

	if l := c.Run("sso-admin", "list-instances"); str(l, "Instances", 0, "InstanceArn") != idcInstance || str(l, "Instances", 0, "IdentityStoreId") != idcStore {
		t.Errorf("list-instances = %v", l)
	}
	if d := c.Run(sso("describe-instance")...); str(d, "Status") != "ACTIVE" || str(d, "OwnerAccountId") != idcMgmt {
		t.Errorf("describe-instance = %v", d)
	}
	ps := str(c.Run(sso("create-permission-set", "--name", "Developer", "--session-duration", "PT8H")...), "PermissionSet", "PermissionSetArn")
	c.Fail("ConflictException", sso("create-permission-set", "--name", "developer")...)
	c.Run(sso("attach-managed-policy-to-permission-set", "--permission-set-arn", ps, "--managed-policy-arn", "arn:aws:iam::aws:policy/PowerUserAccess")...)
	if p := c.Run(sso("list-managed-policies-in-permission-set", "--permission-set-arn", ps)...); str(p, "AttachedManagedPolicies", 0, "Name") != "PowerUserAccess" {
		t.Errorf("list-managed-policies-in-permission-set = %v", p)
	}
	if d := c.Run(sso("describe-permission-set", "--permission-set-arn", ps)...); str(d, "PermissionSet", "SessionDuration") != "PT8H" {
		t.Errorf("describe-permission-set = %v", d)
	}
	if l := c.Run(sso("list-permission-sets", "--page-size", "1")...); length(l, "PermissionSets") != 2 {
		t.Errorf("list-permission-sets = %v", l)
	}

	dana := str(c.Run("identitystore", "get-user-id", "--identity-store-id", idcStore,
		"--alternate-identifier", `{"ExternalId":{"Issuer":"okta","Id":"00u-dana"}}`), "UserId")
	target := []string{"--permission-set-arn", ps, "--target-id", idcMember, "--target-type", "AWS_ACCOUNT", "--principal-type", "USER", "--principal-id", dana}
	made := c.Run(sso(append([]string{"create-account-assignment"}, target...)...)...)
	if str(made, "AccountAssignmentCreationStatus", "Status") != "IN_PROGRESS" {
		t.Errorf("create-account-assignment = %v", made)
	}
	idcWait(t, c, sso("describe-account-assignment-creation-status", "--account-assignment-creation-request-id", str(made, "AccountAssignmentCreationStatus", "RequestId")), "AccountAssignmentCreationStatus", "SUCCEEDED")
	if l := c.Run(sso("list-account-assignments", "--account-id", idcMember, "--permission-set-arn", ps)...); str(l, "AccountAssignments", 0, "PrincipalId") != dana {
		t.Errorf("list-account-assignments = %v", l)
	}
	if l := c.Run(sso("list-account-assignments-for-principal", "--principal-id", dana, "--principal-type", "USER")...); length(l, "AccountAssignments") != 1 {
		t.Errorf("list-account-assignments-for-principal = %v", l)
	}
	if l := c.Run(sso("list-accounts-for-provisioned-permission-set", "--permission-set-arn", ps)...); str(l, "AccountIds", 0) != idcMember {
		t.Errorf("list-accounts-for-provisioned-permission-set = %v", l)
	}
	del := c.Run(sso(append([]string{"delete-account-assignment"}, target...)...)...)
	idcWait(t, c, sso("describe-account-assignment-deletion-status", "--account-assignment-deletion-request-id", str(del, "AccountAssignmentDeletionStatus", "RequestId")), "AccountAssignmentDeletionStatus", "SUCCEEDED")

	// An account outside the organisation: accepted, then FAILED with a reason.
	outside := append([]string{"create-account-assignment"}, target...)
	outside[4] = "999999999999"
	failed := c.Run(sso(outside...)...)
	st := idcWait(t, c, sso("describe-account-assignment-creation-status", "--account-assignment-creation-request-id", str(failed, "AccountAssignmentCreationStatus", "RequestId")), "AccountAssignmentCreationStatus", "FAILED")
	if !strings.Contains(str(st, "AccountAssignmentCreationStatus", "FailureReason"), "not a member of the organization") {
		t.Errorf("failed creation = %v", st)
	}

	// A standalone account makes an account instance of its own.
	standalone := newCLIFor(t, c.srv, "999999999999")
	arn := str(standalone.Run("sso-admin", "create-instance", "--name", "team-apps"), "InstanceArn")
	if d := standalone.Run("sso-admin", "describe-instance", "--instance-arn", arn); str(d, "Status") != "ACTIVE" || str(d, "Name") != "team-apps" {
		t.Errorf("describe-instance of the account instance = %v", d)
	}
	c.Fail("ValidationException", "sso-admin", "create-instance")
}

// idcWait polls a describe-…-status call until its status is want.
func idcWait(t *testing.T, c *CLI, args []string, field, want string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out := c.Run(args...)
		switch str(out, field, "Status") {
		case want:
			return out
		case "IN_PROGRESS":
			continue
		default:
			t.Fatalf("%s = %v, want %s", strings.Join(args[:2], " "), out, want)
		}
	}
	t.Fatalf("%s still in progress", strings.Join(args[:2], " "))
	return nil
}

// The quotas meet the CLI as AWS's do: one bucket for both APIs, and the
// next assignment operation over the limit in progress, both
// ThrottlingException (the suite's CLI does not retry).
func TestIdentityCenterQuotasFromTheCLI(t *testing.T) {
	t.Run("rate", func(t *testing.T) {
		c := idcServer(t)
		setIDCQuotas(t, c, `{"requests_per_second": 0.2, "burst": 1}`)
		c.Run("identitystore", "list-users", "--identity-store-id", idcStore)
		c.Fail("ThrottlingException", "sso-admin", "list-permission-sets", "--instance-arn", idcInstance)
		c.Fail("ThrottlingException", "identitystore", "list-groups", "--identity-store-id", idcStore)
	})
	t.Run("in progress", func(t *testing.T) {
		c := idcServer(t)
		setIDCQuotas(t, c, `{"max_in_progress_assignments": 1, "assignment_delay_ms": 3600000}`)
		ps := str(c.Run("sso-admin", "list-permission-sets", "--instance-arn", idcInstance), "PermissionSets", 0)
		dana := str(c.Run("identitystore", "get-user-id", "--identity-store-id", idcStore,
			"--alternate-identifier", `{"ExternalId":{"Issuer":"okta","Id":"00u-dana"}}`), "UserId")
		assign := func(account string) []string {
			return []string{"sso-admin", "create-account-assignment", "--instance-arn", idcInstance, "--permission-set-arn", ps,
				"--target-id", account, "--target-type", "AWS_ACCOUNT", "--principal-type", "USER", "--principal-id", dana}
		}
		c.Run(assign(idcMember)...)
		if msg := c.Fail("ThrottlingException", assign(idcMgmt)...); !strings.Contains(msg, "too many requests processing") {
			t.Errorf("message = %q", msg)
		}
	})
}

// setIDCQuotas changes the instance's quotas through the inspection API.
func setIDCQuotas(t *testing.T, c *CLI, patch string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, c.srv.url+"/_sandbox/sso-admin/quotas", strings.NewReader(patch))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT /_sandbox/sso-admin/quotas: %s", resp.Status)
	}
}
