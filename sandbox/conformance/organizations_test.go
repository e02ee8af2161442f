package conformance

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// orgServer is a sandbox of its own: the world holds one organisation, so
// organisation tests must not share the server with each other.
func orgServer(t *testing.T) (*server, *CLI) {
	t.Helper()
	t.Parallel()
	srv := startServer(t)
	t.Cleanup(srv.stop)
	mgmt := newCLIFor(t, srv, freshAccount())
	return srv, mgmt
}

func TestOrganizationsSetUpFromTheCLI(t *testing.T) {
	srv, mgmt := orgServer(t)
	mgmt.Fail("AWSOrganizationsNotInUseException", "organizations", "describe-organization")
	org := mgmt.Run("organizations", "create-organization", "--feature-set", "ALL")
	orgID := str(org, "Organization", "Id")
	if !regexp.MustCompile(`^o-[a-z0-9]{10}$`).MatchString(orgID) || str(org, "Organization", "MasterAccountId") != mgmt.Account ||
		str(org, "Organization", "Arn") != "arn:aws:organizations::"+mgmt.Account+":organization/"+orgID {
		t.Errorf("create-organization = %v", org)
	}
	mgmt.Fail("AlreadyInOrganizationException", "organizations", "create-organization")
	if d := mgmt.Run("organizations", "describe-organization"); str(d, "Organization", "Id") != orgID || str(d, "Organization", "FeatureSet") != "ALL" {
		t.Errorf("describe-organization = %v", d)
	}
	root := str(mgmt.Run("organizations", "list-roots"), "Roots", 0, "Id")
	if !regexp.MustCompile(`^r-[0-9a-z]{4}$`).MatchString(root) {
		t.Fatalf("root = %q", root)
	}
	ou := mgmt.Run("organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads")
	ouID := str(ou, "OrganizationalUnit", "Id")
	if !strings.HasPrefix(ouID, "ou-"+root[2:]+"-") || str(ou, "OrganizationalUnit", "Arn") != "arn:aws:organizations::"+mgmt.Account+":ou/"+orgID+"/"+ouID {
		t.Errorf("create-organizational-unit = %v", ou)
	}
	mgmt.Fail("DuplicateOrganizationalUnitException", "organizations", "create-organizational-unit", "--parent-id", root, "--name", "workloads")
	mgmt.Fail("ParentNotFoundException", "organizations", "create-organizational-unit", "--parent-id", "ou-zzzz-zzzzzzzz", "--name", "X")

	st := mgmt.Run("organizations", "create-account", "--email", "prod@example.com", "--account-name", "Production")
	acct, reqID := str(st, "CreateAccountStatus", "AccountId"), str(st, "CreateAccountStatus", "Id")
	if str(st, "CreateAccountStatus", "State") != "SUCCEEDED" || !regexp.MustCompile(`^\d{12}$`).MatchString(acct) {
		t.Fatalf("create-account = %v", st)
	}
	if d := mgmt.Run("organizations", "describe-create-account-status", "--create-account-request-id", reqID); str(d, "CreateAccountStatus", "AccountId") != acct {
		t.Errorf("describe-create-account-status = %v", d)
	}
	if dup := mgmt.Run("organizations", "create-account", "--email", "prod@example.com", "--account-name", "Again"); str(dup, "CreateAccountStatus", "FailureReason") != "EMAIL_ALREADY_EXISTS" {
		t.Errorf("duplicate e-mail = %v", dup)
	}
	mgmt.Fail("CreateAccountStatusNotFoundException", "organizations", "describe-create-account-status", "--create-account-request-id", "car-0123456789abcdef0123456789abcdef")

	mgmt.Fail("DuplicateAccountException", "organizations", "move-account", "--account-id", acct, "--source-parent-id", ouID, "--destination-parent-id", root)
	mgmt.Fail("AccountNotFoundException", "organizations", "move-account", "--account-id", "123123123123", "--source-parent-id", root, "--destination-parent-id", ouID)
	mgmt.Run("organizations", "move-account", "--account-id", acct, "--source-parent-id", root, "--destination-parent-id", ouID)
	if p := mgmt.Run("organizations", "list-parents", "--child-id", acct); str(p, "Parents", 0, "Id") != ouID || str(p, "Parents", 0, "Type") != "ORGANIZATIONAL_UNIT" {
		t.Errorf("list-parents = %v", p)
	}
	d := mgmt.Run("organizations", "describe-account", "--account-id", acct)
	if str(d, "Account", "Name") != "Production" || str(d, "Account", "Email") != "prod@example.com" || str(d, "Account", "JoinedMethod") != "CREATED" ||
		str(d, "Account", "Arn") != "arn:aws:organizations::"+mgmt.Account+":account/"+orgID+"/"+acct {
		t.Errorf("describe-account = %v", d)
	}
	if l := mgmt.Run("organizations", "list-accounts-for-parent", "--parent-id", ouID); length(l, "Accounts") != 1 || str(l, "Accounts", 0, "Id") != acct {
		t.Errorf("list-accounts-for-parent = %v", l)
	}
	if l := mgmt.Run("organizations", "list-organizational-units-for-parent", "--parent-id", root); length(l, "OrganizationalUnits") != 1 {
		t.Errorf("list-organizational-units-for-parent = %v", l)
	}

	// The member account: it may describe the organisation and nothing more,
	// and the management account can work in it through the role CreateAccount made.
	member := newCLIFor(t, srv, acct)
	member.Run("organizations", "describe-organization")
	member.Fail("AccessDeniedException", "organizations", "list-accounts")
	newCLIFor(t, srv, freshAccount()).Fail("AWSOrganizationsNotInUseException", "organizations", "list-accounts")
	creds := mgmt.Run("sts", "assume-role", "--role-arn", "arn:aws:iam::"+acct+":role/OrganizationAccountAccessRole", "--role-session-name", "setup")
	if who := sessionCLI(mgmt, creds).Run("sts", "get-caller-identity"); str(who, "Account") != acct {
		t.Errorf("identity in the member account = %v", who)
	}
}

func TestOrganizationsPagination(t *testing.T) {
	_, mgmt := orgServer(t)
	mgmt.Run("organizations", "create-organization")
	root := str(mgmt.Run("organizations", "list-roots"), "Roots", 0, "Id")
	want := []string{mgmt.Account}
	for _, name := range []string{"a1", "a2", "a3", "a4"} {
		st := mgmt.Run("organizations", "create-account", "--email", name+"@example.com", "--account-name", name)
		want = append(want, str(st, "CreateAccountStatus", "AccountId"))
	}
	sort.Strings(want)
	var got []string
	token := ""
	for pages := 1; ; pages++ {
		args := []string{"organizations", "list-accounts", "--no-paginate", "--max-results", "2"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		out := mgmt.Run(args...)
		for i := 0; i < length(out, "Accounts"); i++ {
			got = append(got, str(out, "Accounts", i, "Id"))
		}
		if token = str(out, "NextToken"); token == "" {
			if pages != 3 {
				t.Errorf("%d pages, want 3", pages)
			}
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged accounts = %v, want %v", got, want)
	}
	if all := mgmt.Run("organizations", "list-accounts-for-parent", "--parent-id", root, "--page-size", "2"); length(all, "Accounts") != 5 {
		t.Errorf("auto-paginated list-accounts-for-parent = %d accounts, want 5", length(all, "Accounts"))
	}
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		mgmt.Run("organizations", "create-organizational-unit", "--parent-id", root, "--name", name)
	}
	first := mgmt.Run("organizations", "list-organizational-units-for-parent", "--parent-id", root, "--no-paginate", "--max-results", "2")
	if length(first, "OrganizationalUnits") != 2 || str(first, "NextToken") == "" {
		t.Fatalf("first OU page = %v", first)
	}
	second := mgmt.Run("organizations", "list-organizational-units-for-parent", "--parent-id", root, "--no-paginate", "--max-results", "2", "--next-token", str(first, "NextToken"))
	if length(second, "OrganizationalUnits") != 1 || second["NextToken"] != nil {
		t.Errorf("second OU page = %v", second)
	}
	mgmt.Fail("InvalidInputException", "organizations", "list-accounts", "--no-paginate", "--max-results", "21")
	mgmt.Fail("InvalidInputException", "organizations", "list-roots", "--no-paginate", "--next-token", "not*a*token")
}
