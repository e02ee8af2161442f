package sandbox

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/organizations/orgstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// These tests load fixtures through every service's sections, as the server
// does: the format as a whole, in docs/sandbox-fixture.md.

const exampleWorld = "../examples/sandbox/world.yaml"

var fixtures = fixtureLoader(Services())

func applyFixture(data []byte, source string, w *state.World) error {
	return fixtures.Apply(data, source, w)
}

func loadExample(t *testing.T) *state.World {
	t.Helper()
	w := NewWorld()
	if err := fixtures.LoadFile(exampleWorld, w); err != nil {
		t.Fatalf("loading %s: %v", exampleWorld, err)
	}
	return w
}

// iamOf is IAM's part of an account of w.
func iamOf(w *state.World, account string) *iamstate.Account { return iamstate.Of(w.Accounts[account]) }

// member is an account's place in the organisation.
func member(w *state.World, account string) *orgstate.Membership {
	return orgstate.MembershipOf(w.Accounts[account])
}

// sesIdentity reads an SES identity from the world's snapshot, as GET
// /_sandbox/state shows it (SES keeps its types to itself).
func sesIdentity(t *testing.T, w *state.World, account, region, id string) (found struct {
	Type     string `json:"type"`
	Verified bool   `json:"verified"`
}) {
	t.Helper()
	snap, err := w.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Accounts map[string]struct {
			SES map[string]map[string]json.RawMessage `json:"ses_identities"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(snap, &doc); err != nil {
		t.Fatal(err)
	}
	if raw := doc.Accounts[account].SES[region][id]; raw != nil {
		_ = json.Unmarshal(raw, &found)
	}
	return found
}

func TestFixtureExampleOrganisation(t *testing.T) {
	t.Parallel()
	w := loadExample(t)
	org := orgstate.Of(w)
	if org == nil || org.ManagementAccount != "111111111111" || org.FeatureSet != "ALL" {
		t.Fatalf("organization = %+v", org)
	}
	if !strings.HasPrefix(org.ID, "o-") || len(org.ID) != 12 || !strings.HasPrefix(org.RootID, "r-") {
		t.Errorf("IDs = %s, %s; want o-xxxxxxxxxx and r-xxxx", org.ID, org.RootID)
	}
	mgmt, prod, dev := member(w, "111111111111"), member(w, "222222222222"), member(w, "333333333333")
	if mgmt.ParentID != org.RootID || !mgmt.InOrg || mgmt.OrgEmail != "aws-management@example.com" {
		t.Errorf("management account = %+v", mgmt)
	}
	workloads, sandboxes := org.OUs[prod.ParentID], org.OUs[dev.ParentID]
	if workloads == nil || workloads.Name != "Workloads" || workloads.ParentID != org.RootID {
		t.Errorf("production's OU = %+v, want Workloads under the root", workloads)
	}
	if sandboxes == nil || sandboxes.Name != "Sandboxes" || workloads == nil || sandboxes.ParentID != workloads.ID {
		t.Errorf("development's OU = %+v, want Sandboxes under Workloads", sandboxes)
	}
	if p := iamOf(w, "222222222222"); p.Alias != "example-production" || p.PasswordPolicy == nil || p.PasswordPolicy.MinimumPasswordLength != 16 {
		t.Errorf("production alias/policy = %q %+v", p.Alias, p.PasswordPolicy)
	}
	for _, id := range []string{"222222222222", "333333333333"} {
		role, ok := iamOf(w, id).Roles.Get("OrganizationAccountAccessRole")
		if !ok || !strings.Contains(role.TrustPolicy, `"arn:aws:iam::111111111111:root"`) || role.MaxSessionDuration != 3600 {
			t.Errorf("account %s: access role = %+v", id, role)
		}
	}
	if id := sesIdentity(t, w, "111111111111", "us-east-1", "noreply@example.com"); !id.Verified || id.Type != "EmailAddress" {
		t.Errorf("verified sender = %+v", id)
	}
}

func TestFixtureExampleUserHasEveryDependency(t *testing.T) {
	t.Parallel()
	w := loadExample(t)
	alice, ok := iamOf(w, "222222222222").Users.Get("ALICE")
	if !ok {
		t.Fatal("alice is missing")
	}
	counts := map[string]int{
		"access keys": len(alice.AccessKeys), "ssh keys": len(alice.SSHKeys), "signing certificates": len(alice.SigningCerts),
		"service credentials": len(alice.ServiceCreds), "MFA devices": len(alice.MFADevices), "groups": len(alice.Groups),
		"attached policies": len(alice.AttachedPolicies), "inline policies": len(alice.InlinePolicies), "tags": len(alice.Tags),
	}
	want := map[string]int{"access keys": 2, "ssh keys": 1, "signing certificates": 1, "service credentials": 2,
		"MFA devices": 3, "groups": 2, "attached policies": 1, "inline policies": 1, "tags": 2}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("alice has %d %s, want %d", counts[k], k, n)
		}
	}
	if alice.LoginProfile == nil || !alice.LoginProfile.Matches("Correct-Horse-Battery-9!") || !alice.LoginProfile.ResetRequired {
		t.Errorf("login profile = %+v", alice.LoginProfile)
	}
	types := ""
	for _, d := range alice.MFADevices {
		types += d.Type + " "
	}
	if types != "virtual hardware passkey " {
		t.Errorf("MFA device types = %q", types)
	}
	if _, ok := iamOf(w, "222222222222").VirtualMFA["arn:aws:iam::222222222222:mfa/alice-phone"]; !ok {
		t.Error("alice's virtual device is not in the account's virtual MFA devices")
	}
	cred := w.Credentials["AKIAEXAMPLEALICE0001"]
	if cred == nil || cred.User != "alice" || cred.Account != "222222222222" || cred.SecretAccessKey != "alice-secret-do-not-use-in-aws" {
		t.Errorf("alice's credential = %+v", cred)
	}
	if inactive := alice.AccessKeys[1]; inactive.Status != "Inactive" || !strings.HasPrefix(inactive.ID, "AKIA") || len(inactive.ID) != 20 {
		t.Errorf("generated key = %+v", inactive)
	}
	if root := w.Credentials["111111111111"]; root == nil || root.User != "" || root.Account != "111111111111" {
		t.Errorf("management root credential = %+v", root)
	}
	snap, _ := w.Snapshot()
	if strings.Contains(string(snap), "Correct-Horse-Battery-9!") {
		t.Error("the state holds alice's password in plain text")
	}
}

func TestFixtureIDsHaveAWSFormats(t *testing.T) {
	t.Parallel()
	a := iamOf(loadExample(t), "222222222222")
	alice, _ := a.Users.Get("alice")
	group, _ := a.Groups.Get("developers")
	role, _ := a.Roles.Get("OrganizationAccountAccessRole")
	policy, _ := a.Policies.Get("DenyOutsideEU")
	for id, prefix := range map[string]string{
		alice.ID: "AIDA", group.ID: "AGPA", role.ID: "AROA", policy.ID: "ANPA",
		alice.SSHKeys[0].ID: "APKA", alice.ServiceCreds[0].ID: "ACCA",
	} {
		if !strings.HasPrefix(id, prefix) || len(id) < 20 || strings.ToUpper(id) != id {
			t.Errorf("ID %q, want %s followed by upper-case characters", id, prefix)
		}
	}
	if alice.ServiceCreds[0].ServiceUser != "alice-at-222222222222" {
		t.Errorf("service user name = %q", alice.ServiceCreds[0].ServiceUser)
	}
	if fp := alice.SSHKeys[0].Fingerprint; len(fp) != 47 || strings.Count(fp, ":") != 15 {
		t.Errorf("SSH fingerprint = %q, want 16 colon-separated hex bytes", fp)
	}
}

func TestFixturePolicyDocumentsInYAMLBecomeJSON(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	err := applyFixture([]byte(`
accounts:
  "123456789012":
    policies:
      - name: p
        document:
          Version: 2012-10-17
          Statement: [{Effect: Allow, Action: "*", Resource: "*", Condition: {NumericLessThan: {"aws:MultiFactorAuthAge": 3600}, Bool: {"aws:SecureTransport": true}}}]
`), "inline.yaml", w)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := iamOf(w, "123456789012").Policies.Get("p")
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"Bool":{"aws:SecureTransport":true}}}]}`
	if got := p.Versions[0].Document; got != want {
		t.Errorf("document =\n%s\nwant\n%s", got, want)
	}
	if !json.Valid([]byte(p.Versions[0].Document)) || p.DefaultVersion != "v1" {
		t.Errorf("policy = %+v", p)
	}
}

func TestFixtureIsAtomic(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	err := applyFixture([]byte(`
accounts:
  "123456789012":
    users:
      - name: first
      - name: second
        groups: [missing]
credentials:
  - {access_key_id: "123456789012", secret_access_key: s}
`), "bad.yaml", w)
	if err == nil {
		t.Fatal("fixture with a missing group loaded")
	}
	if len(w.Accounts) != 0 || len(w.Credentials) != 0 {
		t.Errorf("a failed fixture changed the world: %d accounts, %d credentials", len(w.Accounts), len(w.Credentials))
	}
}

func TestFixtureIsAdditive(t *testing.T) {
	t.Parallel()
	w := loadExample(t)
	org := *orgstate.Of(w)
	workloads := member(w, "222222222222").ParentID
	err := applyFixture([]byte(`
organization:
  management_account: "111111111111"
  units:
    - name: workloads
      accounts: [{id: "444444444444", name: Staging, email: aws-staging@example.com}]
accounts:
  "222222222222":
    users:
      - name: bob
        groups: [developers]
        attached_policies: [arn:aws:iam::222222222222:policy/guardrails/DenyOutsideEU]
`), "more.yaml", w)
	if err != nil {
		t.Fatal(err)
	}
	if orgstate.Of(w).ID != org.ID || member(w, "444444444444").ParentID != workloads {
		t.Errorf("staging joined %q in org %s, want the existing Workloads OU %s in %s",
			member(w, "444444444444").ParentID, orgstate.Of(w).ID, workloads, org.ID)
	}
	if _, ok := iamOf(w, "222222222222").Users.Get("alice"); !ok {
		t.Error("the second fixture removed alice")
	}
	err = applyFixture([]byte(`
accounts:
  "222222222222":
    users: [{name: Alice}]
`), "again.yaml", w)
	if err == nil || !strings.Contains(err.Error(), "again.yaml:4: user Alice already exists in account 222222222222") {
		t.Errorf("adding alice again: %v", err)
	}
}

func TestFixtureProblemsCarryFileAndLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"yaml syntax", "accounts: [\n", "f.yaml:1: did not find expected node content"},
		{"wrong type", "accounts:\n  \"123456789012\":\n    roles:\n      - name: r\n        max_session_duration: long\n", "f.yaml:5: cannot unmarshal !!str `long` into int"},
		{"unknown top-level field", "acounts: {}\n", `f.yaml:1: unknown field "acounts" (this level takes: organization, accounts, credentials)`},
		{"unknown nested field", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        login_profile: {pasword: x}\n", `f.yaml:5: unknown field "pasword"`},
		{"account ID", "accounts:\n  \"12345\": {}\n", `f.yaml:2: account "12345": account IDs are 12 digits`},
		{"missing group", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        groups:\n          - devs\n", `f.yaml:6: user a: group "devs" does not exist in account 123456789012`},
		{"missing policy", "accounts:\n  \"123456789012\":\n    groups:\n      - name: g\n        attached_policies:\n          - arn:aws:iam::123456789012:policy/nope\n", "f.yaml:6: group g: policy arn:aws:iam::123456789012:policy/nope does not exist"},
		{"another account's policy", "accounts:\n  \"111111111111\":\n    policies: [{name: p, document: {Version: \"2012-10-17\"}}]\n  \"123456789012\":\n    users: [{name: u, attached_policies: [\"arn:aws:iam::111111111111:policy/p\"]}]\n", "f.yaml:5: user u: policy arn:aws:iam::111111111111:policy/p does not exist in account 123456789012"},
		{"missing boundary", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        permissions_boundary: arn:aws:iam::aws:policy/Nope\n", "f.yaml:5: user a: permissions_boundary arn:aws:iam::aws:policy/Nope does not exist"},
		{"duplicate user", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n      - name: A\n", "f.yaml:5: user A already exists in account 123456789012"},
		{"user name", "accounts:\n  \"123456789012\":\n    users:\n      - name: a b\n", `f.yaml:4: user name "a b" must be 1 to 64 characters`},
		{"path", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        path: staff\n", `f.yaml:4: user a: path "staff" must begin and end with /`},
		{"trust policy", "accounts:\n  \"123456789012\":\n    roles:\n      - name: r\n        trust_policy: '{not json'\n", "f.yaml:5: role r: trust_policy must be a JSON object"},
		{"missing trust policy", "accounts:\n  \"123456789012\":\n    roles:\n      - name: r\n", "f.yaml:4: role r: trust_policy must be a JSON object"},
		{"session duration", "accounts:\n  \"123456789012\":\n    roles:\n      - {name: r, trust_policy: {}, max_session_duration: 60}\n", "f.yaml:4: role r: max_session_duration must be 3600 to 43200"},
		{"alias", "accounts:\n  \"123456789012\":\n    alias: Bad--Alias\n", `f.yaml:2: account 123456789012: alias "Bad--Alias" must be 3 to 63`},
		{"password policy", "accounts:\n  \"123456789012\":\n    password_policy:\n      minimum_password_length: 200\n", "f.yaml:4: account 123456789012: password_policy.minimum_password_length must be 6 to 128"},
		{"key status", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        access_keys: [{status: active}]\n", `f.yaml:5: user a: access key AKIA`},
		{"key ID", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        access_keys: [{id: ASIA1234567890123456}]\n", `f.yaml:5: user a: access key id "ASIA1234567890123456" must be AKIA`},
		{"too many keys", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        access_keys: [{}, {}, {}]\n", "f.yaml:5: user a: 3 access keys; IAM allows 2 per user"},
		{"key used twice", "accounts:\n  \"123456789012\":\n    users:\n      - {name: a, access_keys: [{id: AKIAAAAAAAAAAAAAAAAA}]}\n      - {name: b, access_keys: [{id: AKIAAAAAAAAAAAAAAAAA}]}\n", "f.yaml:5: access key AKIAAAAAAAAAAAAAAAAA is defined twice"},
		{"ssh key", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        ssh_keys: [{body: not-a-key}]\n", "f.yaml:5: user a: ssh key body must be an OpenSSH public key"},
		{"certificate", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        signing_certificates: [{body: nope}]\n", "f.yaml:5: user a: signing certificate body must be a PEM certificate"},
		{"service", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        service_credentials: [{service: s3.amazonaws.com}]\n", `f.yaml:5: user a: service "s3.amazonaws.com" must be one of`},
		{"MFA type", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        mfa_devices: [{type: sms}]\n", `f.yaml:5: user a: MFA device type "sms" must be virtual, hardware or passkey`},
		{"MFA seed", "accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        mfa_devices: [{type: virtual, name: p, seed: not-base32!}]\n", "f.yaml:5: user a: MFA seed must be base32"},
		{"SES identity", "accounts:\n  \"123456789012\":\n    ses_identities:\n      us-east-1:\n        - \"not an identity\"\n", `f.yaml:5: SES identity "not an identity" is neither`},
		{"SES region", "accounts:\n  \"123456789012\":\n    ses_identities:\n      mars-1: [a@example.com]\n", `account 123456789012: ses_identities region "mars-1"`},
		{"management not listed", "organization:\n  management_account: \"111111111111\"\n", "f.yaml:2: organization: management account 111111111111 must be listed under accounts"},
		{"member email", "organization:\n  management_account: \"111111111111\"\n  accounts:\n    - {id: \"111111111111\", name: M, email: nope}\n", `f.yaml:4: organization account 111111111111: email "nope"`},
		{"member twice", "organization:\n  management_account: \"111111111111\"\n  accounts:\n    - {id: \"111111111111\", name: M, email: m@example.com}\n  units:\n    - name: U\n      accounts: [{id: \"111111111111\", name: M, email: m@example.com}]\n", "f.yaml:7: organization account 111111111111 is listed twice"},
		{"member email twice", "organization:\n  management_account: \"111111111111\"\n  accounts:\n    - {id: \"111111111111\", name: M, email: m@example.com}\n    - {id: \"222222222222\", name: N, email: M@example.com}\n", "f.yaml:5: organization account 222222222222: email M@example.com is already used by account 111111111111"},
		{"OU twice", "organization:\n  management_account: \"111111111111\"\n  accounts: [{id: \"111111111111\", name: M, email: m@example.com}]\n  units:\n    - name: U\n    - name: u\n", "f.yaml:6: organizational unit u appears twice under the same parent"},
		{"credential secret", "credentials:\n  - access_key_id: \"123456789012\"\n", "f.yaml:2: credential 123456789012: secret_access_key is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := applyFixture([]byte(tt.yaml), "f.yaml", NewWorld())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestFixtureReportsEveryProblem(t *testing.T) {
	t.Parallel()
	err := applyFixture([]byte("accounts:\n  \"123456789012\":\n    users:\n      - name: a\n        groups: [x]\n      - name: b\n        groups: [y]\n"), "f.yaml", NewWorld())
	if err == nil || !strings.Contains(err.Error(), "f.yaml:5:") || !strings.Contains(err.Error(), "f.yaml:7:") {
		t.Errorf("error = %v, want both missing groups (lines 5 and 7)", err)
	}
}

func TestFixtureEmptyIsEmptyWorld(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	if err := applyFixture([]byte("# nothing yet\n"), "empty.yaml", w); err != nil || len(w.Accounts) != 0 {
		t.Errorf("empty fixture: err %v, %d accounts", err, len(w.Accounts))
	}
}
