package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/doctor"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// doctorWorld returns a folder whose embedded sandbox (doctor --sandbox
// --sandbox-dir DIR/sandbox) holds the world of fixture, not the embedded one.
func doctorWorld(t *testing.T, fixture string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sandbox"), 0o700); err != nil {
		t.Fatal(err)
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) { sb.LoadFixture(t, fixture) })
	return dir
}

type doctorFinding struct{ Account, Check, Severity, Message, Fix string }

type doctorReport struct {
	Caller   string
	Accounts []struct{ ID, Alias, SignInURL string }
	Findings []doctorFinding
	Errors   int
	Warnings int
}

func parseDoctor(t *testing.T, out string) doctorReport {
	t.Helper()
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("the doctor's JSON does not parse: %v\n%s", err, out)
	}
	return rep
}

// find returns the finding of account and check with severity whose
// message says says, failing the test when there is none.
func (r doctorReport) find(t *testing.T, account, check, severity, says string) doctorFinding {
	t.Helper()
	for _, f := range r.Findings {
		if f.Account == account && f.Check == check && f.Severity == severity && strings.Contains(f.Message, says) {
			return f
		}
	}
	t.Errorf("no %s %s finding in %q saying %q; the findings:\n%s", severity, check, account, says, r.dump())
	return doctorFinding{}
}

// none fails the test when account has a finding of check with severity.
func (r doctorReport) none(t *testing.T, account, check, severity string) {
	t.Helper()
	for _, f := range r.Findings {
		if f.Account == account && f.Check == check && f.Severity == severity {
			t.Errorf("unexpected %s %s finding in %q: %s", severity, check, account, f.Message)
		}
	}
}

func (r doctorReport) dump() string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString("  " + f.Account + " " + f.Severity + " " + f.Check + ": " + f.Message + "\n")
	}
	return b.String()
}

// policyIn is the policy document a fix passes to --policy-document.
func policyIn(t *testing.T, fix string) string {
	t.Helper()
	_, rest, ok := strings.Cut(fix, "--policy-document '")
	doc, _, ok2 := strings.Cut(rest, "'")
	if !ok || !ok2 {
		t.Fatalf("no policy document in the fix %q", fix)
	}
	return doc
}

const trustWorld = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Anyone, email: a@example.com}
    - {id: "333333333333", name: Itself, email: i@example.com}
    - {id: "444444444444", name: Roleless, email: r@example.com}
    - {id: "555555555555", name: Careful, email: c@example.com}
accounts:
  "222222222222":
    roles:
      - name: Provisioner
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "sts:AssumeRole"}]}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
  "333333333333":
    roles:
      - name: Provisioner
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: ["arn:aws:iam::111111111111:root", "333333333333"]}
              Action: sts:AssumeRole
              Condition: {StringEquals: {sts:ExternalId: ext-123456}}
        attached_policies: [arn:aws:iam::aws:policy/IAMReadOnlyAccess]
  "444444444444": {alias: roleless-x}
  "555555555555":
    roles:
      - name: Provisioner
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:root"}
              Action: sts:AssumeRole
              Condition: {StringEquals: {sts:ExternalId: ext-123456}}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`

// Seed 001's first prerequisite, broken every way: a role anyone may
// assume, one the member account itself may switch to (and that lacks the
// permissions onboarding needs), one that does not exist; each is found,
// with the command that fixes it, and the run exits 1.
func TestDoctorFindsBroadTrustAndBadRoles(t *testing.T) {
	t.Parallel()
	dir := doctorWorld(t, trustWorld)
	spec := writeFile(t, dir, "team.yaml", `accounts: ["222222222222", "333333333333", "444444444444", "555555555555"]
role: {name: Provisioner, external_id: ext-123456}
delivery: {channel: none}
people: [alice@example.com]
`)
	code, out, errb := sandboxRun(t, dir, false, "doctor", "-f", spec, "-o", "json")
	if code != ExitFailed || !strings.Contains(errb, "the doctor found") {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errb)
	}
	rep := parseDoctor(t, out)
	anyone := rep.find(t, "222222222222", "trust", "error", `lets any AWS principal of any account (Principal "*") assume Provisioner`)
	if !strings.Contains(anyone.Fix, "in account 222222222222: aws iam update-assume-role-policy --role-name Provisioner") ||
		!strings.Contains(anyone.Fix, `"sts:ExternalId":"EXTERNAL_ID"`) {
		t.Errorf("the broad trust's fix: %s", anyone.Fix)
	}
	rep.find(t, "222222222222", "trust", "warning", "does not require the external ID")
	rep.find(t, "333333333333", "trust", "warning", "trusts the whole of account 333333333333 itself")
	rep.find(t, "333333333333", "trust", "warning", "trusts the whole of account 111111111111")
	perm := rep.find(t, "333333333333", "permissions", "error", "arn:aws:iam::333333333333:role/Provisioner lacks")
	for _, want := range []string{"iam:CreateUser", "iam:AddUserToGroup", "iam:CreateLoginProfile"} {
		if !strings.Contains(perm.Message, want) {
			t.Errorf("the missing permissions do not name %s: %s", want, perm.Message)
		}
	}
	if !strings.Contains(perm.Fix, `aws iam put-role-policy --role-name Provisioner --policy-name gatehouse --policy-document "$(gatehouse policy --for onboard --part member)"`) {
		t.Errorf("the permissions' fix: %s", perm.Fix)
	}
	rep.find(t, "444444444444", "role", "error", "cannot assume arn:aws:iam::444444444444:role/Provisioner")
	for _, f := range rep.Findings {
		if f.Account == "444444444444" && f.Check != "role" {
			t.Errorf("an account gatehouse cannot enter was checked further: %+v", f)
		}
	}
	rep.none(t, "555555555555", "trust", "error")
	rep.none(t, "555555555555", "permissions", "error")
	rep.find(t, "555555555555", "permissions", "ok", "may do all")

	// The fix, applied, narrows the trust: the error is gone.
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		doc := strings.Replace(policyIn(t, anyone.Fix), "EXTERNAL_ID", "ext-123456", 1)
		doc = strings.Replace(doc, "role/gatehouse", "root", 1) // the sandbox's caller is the management account's root
		_, err := iam.NewFromConfig(sb.Config("222222222222")).UpdateAssumeRolePolicy(context.Background(),
			&iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Provisioner"), PolicyDocument: aws.String(doc)})
		if err != nil {
			t.Fatal(err)
		}
	})
	_, out, _ = sandboxRun(t, dir, false, "doctor", "-f", spec, "-o", "json")
	rep = parseDoctor(t, out)
	rep.none(t, "222222222222", "trust", "error")
}

const accountWorld = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Team Sandbox, email: a@example.com}
    - {id: "333333333333", name: Staging, email: s@example.com}
accounts:
  "222222222222":
    roles: [&role {name: OrganizationAccountAccessRole, attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess],
                   trust_policy: {Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: sts:AssumeRole}]}}]
    groups:
      - name: developers
        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
        inline_policies:
          manage-users: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["iam:CreateUser", "iam:CreateAccessKey"], Resource: "*"}]}
      - name: locked
        inline_policies:
          no-iam: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "iam:*", Resource: "*"}]}
      - name: auditors
        attached_policies: [arn:aws:iam::aws:policy/SecurityAudit]
  "333333333333":
    alias: staging-x
    password_policy: {minimum_password_length: 14, max_password_age: 90, hard_expiry: true}
    roles: [*role]
    groups:
      - name: developers
        inline_policies:
          deny-iam-changes: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: ["iam:Create*", "iam:Delete*", "iam:Attach*", "iam:Put*", "iam:Add*", "iam:Tag*", "iam:Update*", "iam:PassRole"], Resource: "*"}]}
      - name: locked
      - name: ops
`

// The accounts' own prerequisites: a missing alias, a group no one made, a
// group that should deny IAM and allows it, one that denies people their
// own password at first sign-in, and password policies that are missing
// or lock people out — each found with its fix; applied, the fixes clear
// the errors.
func TestDoctorFindsAccountProblems(t *testing.T) {
	t.Parallel()
	dir := doctorWorld(t, accountWorld)
	spec := writeFile(t, dir, "team.yaml", `accounts: ["222222222222", "333333333333"]
checks:
  deny_iam_groups: [developers, auditors]
delivery: {channel: none}
people:
  - email: alice@example.com
    groups: [developers, ops]
  - email: bob@example.com
    groups: [locked]
`)
	code, out, errb := sandboxRun(t, dir, false, "doctor", "-f", spec, "-o", "json")
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errb)
	}
	rep := parseDoctor(t, out)
	alias := rep.find(t, "222222222222", "alias", "warning", "has no alias: the sign-in URL people are sent, https://222222222222.signin.aws.amazon.com/console")
	if alias.Fix != "in account 222222222222: aws iam create-account-alias --account-alias team-sandbox" {
		t.Errorf("the alias's fix: %s", alias.Fix)
	}
	rep.find(t, "333333333333", "alias", "ok", "alias staging-x")
	missing := rep.find(t, "222222222222", "group", "error", "group ops does not exist; 1 person joins it ("+spec+":6)")
	if !strings.HasPrefix(missing.Fix, "in account 222222222222: aws iam create-group --group-name ops") {
		t.Errorf("the missing group's fix: %s", missing.Fix)
	}
	rep.find(t, "333333333333", "group", "error", "group auditors does not exist; checks.deny_iam_groups names it")
	allows := rep.find(t, "222222222222", "deny-iam", "error", "group developers must deny IAM changes (checks.deny_iam_groups) but allows iam:CreateUser, iam:CreateAccessKey")
	rep.find(t, "222222222222", "deny-iam", "ok", "group auditors allows none of the")
	rep.find(t, "333333333333", "deny-iam", "ok", "group developers explicitly denies all")
	locked := rep.find(t, "222222222222", "first-sign-in", "error", "group locked denies iam:ChangePassword")
	rep.none(t, "333333333333", "first-sign-in", "error")
	rep.find(t, "222222222222", "password-policy", "warning", "the account has no password policy")
	rep.find(t, "333333333333", "password-policy", "warning", "passwords expire after 90 days with hard expiry")
	rep.find(t, "333333333333", "first-sign-in", "ok", "gatehouse attaches IAMUserChangePassword")

	// The fixes, applied: the policy the doctor suggests denies IAM changes
	// and leaves people their password; the group is created.
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		ctx, api := context.Background(), iam.NewFromConfig(sb.Config("222222222222"))
		for group, fix := range map[string]string{"developers": allows.Fix, "locked": locked.Fix} {
			if _, err := api.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(group),
				PolicyName: aws.String("deny-iam-changes"), PolicyDocument: aws.String(policyIn(t, fix))}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := api.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("locked"), PolicyName: aws.String("no-iam")}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}); err != nil {
			t.Fatal(err)
		}
	})
	_, out, _ = sandboxRun(t, dir, false, "doctor", "-f", spec, "-o", "json")
	rep = parseDoctor(t, out)
	for _, check := range []string{"group", "deny-iam", "first-sign-in"} {
		rep.none(t, "222222222222", check, "error")
	}
	rep.find(t, "222222222222", "deny-iam", "ok", "group developers explicitly denies all")
}

const sesWorld = `
accounts:
  "111111111111":
    alias: mgmt-x
    password_policy: {minimum_password_length: 14, allow_users_to_change_password: true}
    ses_identities: {us-east-1: [it@example.com, bob@example.org]}
    ses_pending_identities: {us-east-1: [new@example.com]}
    ses_account: {production_access: false, max_24_hour_send: 2}
`

// SES, as a run would meet it: the account in the sending sandbox with
// recipients that are not verified (listed, with where they are in the
// spec), a quota smaller than the run, and — with other senders — one SES
// does not know and one whose verification is pending.
func TestDoctorFindsSESProblems(t *testing.T) {
	t.Parallel()
	dir := doctorWorld(t, sesWorld)
	spec := writeFile(t, dir, "team.yaml", `delivery: {from: "IT <it@example.com>"}
people:
  - bob@example.org
  - carol@example.net
  - dave@example.net
`)
	code, out, errb := sandboxRun(t, dir, false, "doctor", "-f", spec, "-o", "json")
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errb)
	}
	rep := parseDoctor(t, out)
	rep.find(t, "", "ses-sender", "ok", "SES may send from it@example.com in us-east-1")
	sb := rep.find(t, "", "ses-sandbox", "error", "SES in us-east-1 is in the sending sandbox, which mails only verified recipients, and 2 recipients are not: carol@example.net ("+spec+":4), dave@example.net ("+spec+":5)")
	if !strings.Contains(sb.Fix, "aws sesv2 put-account-details --production-access-enabled") {
		t.Errorf("the sending sandbox's fix: %s", sb.Fix)
	}
	if strings.Contains(sb.Message, "bob@example.org") {
		t.Errorf("a verified recipient is listed: %s", sb.Message)
	}
	rep.find(t, "", "ses-quota", "warning", "a run sends up to 3 messages through SES in us-east-1, and 2 of its 24-hour quota of 2 are left")
	rep.find(t, "111111111111", "role", "ok", "gatehouse's own account")

	code, out, errb = sandboxRun(t, dir, false, "doctor", "-f", spec, "--from", "ghost@example.net", "-o", "json")
	if code != ExitFailed {
		t.Fatalf("unknown sender: exit %d, want 1\n%s\n%s", code, out, errb)
	}
	sender := parseDoctor(t, out).find(t, "", "ses-sender", "error", "neither ghost@example.net nor its domain example.net is an SES identity in us-east-1")
	if !strings.HasPrefix(sender.Fix, "aws sesv2 create-email-identity --email-identity ghost@example.net --region us-east-1") {
		t.Errorf("the sender's fix: %s", sender.Fix)
	}

	// Known to SES but never verified: a different finding, a different fix.
	_, out, _ = sandboxRun(t, dir, false, "doctor", "-f", spec, "--from", "new@example.com", "-o", "json")
	pending := parseDoctor(t, out).find(t, "", "ses-sender", "error", "SES identity new@example.com in us-east-1 is not verified for sending (status PENDING)")
	if !strings.Contains(pending.Fix, "aws sesv2 get-email-identity --email-identity new@example.com --region us-east-1") {
		t.Errorf("the pending sender's fix: %s", pending.Fix)
	}
}

// The embedded sandbox's own world, with the example team: warnings only
// (gatehouse signs as the management account's root, which its members'
// roles trust as a whole), so exit 0; the table as a person reads it.
func TestDoctorEmbeddedWorldPasses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "doctor", "-f", teamExample)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	golden(t, "doctor_embedded.golden", out)
	code, out, _ = sandboxRun(t, dir, false, "doctor", "-f", teamExample, "-v")
	if code != ExitOK || !strings.Contains(out, "ok       alias") || strings.Contains(out, "(-v lists them)") {
		t.Errorf("-v does not list the checks that passed:\n%s", out)
	}
}

// Bad input is exit 2 before any AWS call.
func TestDoctorBadInputMakesNoCall(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "checks:\n  deny_iam_groups: [\"has space\"]\ndelivery: {channel: none}\npeople: [a@example.com]\n")
	center := writeFile(t, dir, "center.yaml", "directory: identity-center\n"+
		"delivery: {channel: claim, from: it@example.com, claim: {url: https://claims.example.com}}\n"+
		"people:\n  - {email: a@example.com, name: Ada Lovelace}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"output format", []string{"-o", "xml"}, `--output "xml"`},
		{"feature", []string{"--for", "onboard,nonsense"}, `--for "nonsense"`},
		{"spec problem", []string{"-f", bad}, "bad.yaml:2"},
		{"identity center with claim links", []string{"-f", center}, "no password for a claim link"},
		{"ses without a sender", []string{"--deliver", "ses"}, "sender address"},
		{"arguments", []string{"alice@example.com"}, "unknown command"},
		{"unknown flag", []string{"--dry-run"}, "unknown flag"},
		{"rate", []string{"--rate-limit", "NaN"}, "--rate-limit"},
	} {
		streams, out, errb := testIO()
		args := append([]string{"doctor", "--endpoint-url", sb.URL}, tc.args...)
		if code := Main(context.Background(), streams, args); code != ExitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 saying %q", tc.name, code, errb, tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: stdout %q, want nothing", tc.name, out)
		}
	}
	if rc := sb.Requests(t, ""); rc.Total != 0 {
		t.Errorf("bad input reached AWS: %+v", rc.Counts)
	}
}

// A world set up as the doctor advises — gatehouse runs as an IAM user of
// its own with the caller's policy, the member role trusts that user alone
// and requires the external ID, has the member's policy, the account has an
// alias and a password policy, the team's group denies IAM changes with the
// policy the doctor suggests — passes without an error or a warning. It is
// reached through --endpoint-url with the user's access key, as AWS would
// be: the process environment carries the credentials, so this test does not
// run in parallel.
func TestDoctorCorrectWorldPasses(t *testing.T) {
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	caller, err := policy.For([]string{policy.Onboard}, policy.Caller)
	if err != nil {
		t.Fatal(err)
	}
	member, err := policy.For([]string{policy.Onboard}, policy.Member)
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/gatehouse"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-123456"}}}]}`
	fixture := `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Production, email: p@example.com}
accounts:
  "111111111111":
    alias: example-mgmt
    ses_identities: {us-east-1: [it@example.com]}
    policies: [{name: gatehouse-caller, document: '` + mustJSON(caller.Entering("Provisioner")) + `'}]
    users:
      - name: gatehouse
        attached_policies: [arn:aws:iam::111111111111:policy/gatehouse-caller]
        access_keys: [{id: AKIAGATEHOUSEDOCTOR1, secret: doctor-secret}]
  "222222222222":
    alias: example-prod
    password_policy: {minimum_password_length: 16, require_symbols: true, require_numbers: true, require_uppercase_characters: true,
                      require_lowercase_characters: true, allow_users_to_change_password: true, password_reuse_prevention: 24}
    policies: [{name: gatehouse-member, document: '` + mustJSON(member) + `'}]
    roles:
      - name: Provisioner
        trust_policy: '` + trust + `'
        attached_policies: [arn:aws:iam::222222222222:policy/gatehouse-member]
    groups:
      - name: developers
        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
        inline_policies: {deny-iam-changes: '` + doctor.DenyIAMPolicy() + `'}
`
	dir := t.TempDir()
	world := writeFile(t, dir, "world.yaml", fixture)
	sb := sandboxtest.Start(t, sandbox.Options{Fixture: world})
	spec := writeFile(t, dir, "team.yaml", `accounts: ["222222222222"]
role: {name: Provisioner, external_id: ext-123456}
checks: {deny_iam_groups: [developers]}
delivery: {from: it@example.com}
people:
  - email: alice@example.com
    groups: [developers]
`)
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIAGATEHOUSEDOCTOR1", "AWS_SECRET_ACCESS_KEY": "doctor-secret",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none")} {
		t.Setenv(k, v)
	}
	streams, out, errb := testIO()
	code := Main(context.Background(), streams, []string{"doctor", "-f", spec, "--endpoint-url", sb.URL, "-o", "json"})
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	rep := parseDoctor(t, out.String())
	if rep.Errors != 0 || rep.Warnings != 0 || rep.Caller != "arn:aws:iam::111111111111:user/gatehouse" {
		t.Errorf("caller %s, %d errors, %d warnings:\n%s", rep.Caller, rep.Errors, rep.Warnings, rep.dump())
	}
	rep.find(t, "", "permissions", "ok", "arn:aws:iam::111111111111:user/gatehouse may do all")
	rep.find(t, "222222222222", "trust", "ok", "lets only arn:aws:iam::111111111111:user/gatehouse assume it, with the external ID")
	rep.find(t, "222222222222", "permissions", "ok", "arn:aws:iam::222222222222:role/Provisioner may do all")
	rep.find(t, "222222222222", "deny-iam", "ok", "group developers explicitly denies all")
	rep.find(t, "222222222222", "first-sign-in", "ok", "lets users change their own password")
	rep.find(t, "", "ses-sandbox", "ok", "production access")

	// The same user without its policy: the simulation finds what it lacks,
	// and the fix is the policy to give it.
	if _, err := iam.NewFromConfig(sb.Config("111111111111")).DetachUserPolicy(context.Background(), &iam.DetachUserPolicyInput{
		UserName: aws.String("gatehouse"), PolicyArn: aws.String("arn:aws:iam::111111111111:policy/gatehouse-caller")}); err != nil {
		t.Fatal(err)
	}
	streams, out, errb = testIO()
	if code := Main(context.Background(), streams, []string{"doctor", "-f", spec, "--endpoint-url", sb.URL, "-o", "json"}); code != ExitFailed {
		t.Fatalf("without its policy: exit %d\n%s\n%s", code, out, errb)
	}
	lack := parseDoctor(t, out.String()).find(t, "", "permissions", "error", "arn:aws:iam::111111111111:user/gatehouse lacks")
	if !strings.Contains(lack.Message, "sts:AssumeRole") || !strings.Contains(lack.Message, "ses:SendEmail") ||
		strings.Contains(lack.Message, "organizations:") {
		t.Errorf("what the caller lacks: %s", lack.Message)
	}
	if !strings.Contains(lack.Fix, `aws iam put-user-policy --user-name gatehouse --policy-name gatehouse --policy-document "$(gatehouse policy --for onboard --part caller --role Provisioner)"`) {
		t.Errorf("the caller's fix: %s", lack.Fix)
	}
}

// The other channels are checked as a run checks them before creating
// anyone: a Slack channel without its token is an error finding, and only
// the people it delivers to are handed to it.
func TestDoctorChecksOtherChannels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := writeFile(t, dir, "team.yaml", `accounts: ["222222222222"]
delivery: {channel: slack, from: noreply@example.com}
people:
  - alice@example.com
  - {email: bob@example.com, deliver: ses}
  - {user_name: carol, deliver: none}
`)
	code, out, errb := sandboxRun(t, dir, false, "doctor", "-f", spec, "-o", "json")
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errb)
	}
	rep := parseDoctor(t, out)
	rep.find(t, "", "delivery", "error", "delivery by slack: setting up Slack delivery: no Slack token; set GATEHOUSE_SLACK_TOKEN")
	rep.find(t, "", "ses-sender", "ok", "SES may send from noreply@example.com")
}

// For an Identity Center spec the doctor checks the instance and what the
// people need of it — groups, permission sets, their assignments' accounts —
// besides gatehouse itself and the welcome's SES; it passes on the embedded
// world, names each missing group and permission set with the spec's
// file:line and a command that makes it, and says when the instance cannot
// be reached.
func TestDoctorChecksIdentityCenter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "doctor", "-f", idcExample, "-o", "json")
	if code != ExitOK {
		t.Fatalf("the embedded world: exit %d\n%s\n%s", code, out, errb)
	}
	rep := parseDoctor(t, out)
	rep.find(t, "d-1111111111", "instance", "ok", "identity store d-1111111111 is reachable")
	rep.find(t, "d-1111111111", "group", "ok", "the 3 groups and 3 permission sets the people need exist")
	rep.find(t, "", "ses-sender", "ok", "it@example.com")
	if rep.Errors != 0 {
		t.Errorf("errors on the embedded world:\n%s", rep.dump())
	}
	if strings.Contains(out, "enter other accounts") {
		t.Errorf("an Identity Center run enters no account, but the report talks of it:\n%s", out)
	}

	example, err := os.ReadFile(idcExample)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(strings.Replace(string(example), "groups: [developers]", "groups: [developers, nosuch]", 1),
		"permission_set: Developer", "permission_set: Nope", 1)
	badSpec := writeFile(t, dir, "bad.yaml", bad)
	code, out, errb = sandboxRun(t, dir, false, "doctor", "-f", badSpec, "-o", "json")
	if code != ExitFailed || !strings.Contains(errb, "the doctor found 2 errors") {
		t.Fatalf("missing group and permission set: exit %d\n%s\n%s", code, out, errb)
	}
	rep = parseDoctor(t, out)
	g := rep.find(t, "d-1111111111", "group", "error", `needs group "nosuch", which identity store d-1111111111 does not have`)
	ps := rep.find(t, "d-1111111111", "permission-set", "error", `needs permission set "Nope"`)
	if !strings.Contains(g.Message, "bad.yaml:") || !strings.Contains(g.Fix, "aws identitystore create-group --identity-store-id d-1111111111") ||
		!strings.Contains(ps.Fix, "aws sso-admin create-permission-set --name NAME") {
		t.Errorf("the findings do not say where and how:\n%+v\n%+v", g, ps)
	}

	elsewhere := writeFile(t, dir, "elsewhere.yaml", "identity_center: {instance_arn: 'arn:aws:sso:::instance/ssoins-0000000000000000'}\n"+string(example))
	code, out, _ = sandboxRun(t, dir, false, "doctor", "-f", elsewhere, "-o", "json")
	rep = parseDoctor(t, out)
	if code != ExitFailed {
		t.Errorf("an instance that is not there: exit %d", code)
	}
	f := rep.find(t, "", "instance", "error", "ssoins-0000000000000000")
	if !strings.Contains(f.Fix, "delegated administrator") {
		t.Errorf("the instance's fix: %s", f.Fix)
	}
}
