package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// auditWorld holds, in two member accounts of the embedded world, users for
// every finding and users with none, aged through the fixture ({{ago N}} is
// N days before now): stale keys and passwords, fresh ones, old keys in
// daily use, missing MFA, policies on users and unmanaged users.
const auditWorld = `
accounts:
  "222222222222":
    users:
      - {name: clean, tags: &managed {"gatehouse:managed-by": gatehouse}, created: {{ago 400}}, password_last_used: {{ago 1}},
         login_profile: {password: "Clean-Password-2024!", password_last_changed: {{ago 300}}},
         mfa_devices: [{type: virtual, name: clean-phone}]}
      - {name: nomfa, tags: *managed, created: {{ago 400}}, password_last_used: {{ago 1}},
         login_profile: {password: "NoMfa-Password-2024!", password_last_changed: {{ago 300}}}}
      - {name: stale-pw, tags: *managed, created: {{ago 400}}, password_last_used: {{ago 60}},
         login_profile: {password: "Stale-Password-2024!", password_last_changed: {{ago 300}}}, mfa_devices: [{type: passkey, name: key}]}
      - {name: never-pw, tags: *managed, created: {{ago 400}},
         login_profile: {password: "Never-Password-2024!", password_last_changed: {{ago 100}}}, mfa_devices: [{type: hardware}]}
      - {name: new-pw, tags: *managed, created: {{ago 3}},
         login_profile: {password: "NewPw-Password-2024!", password_last_changed: {{ago 3}}}, mfa_devices: [{type: virtual, name: new-phone}]}
      - {name: stale-key, tags: *managed, created: {{ago 400}}, access_keys: [{created: {{ago 80}}, last_used: {date: {{ago 50}}}}]}
      - {name: never-key, tags: *managed, created: {{ago 400}}, access_keys: [{created: {{ago 100}}}]}
      - {name: old-key, tags: *managed, created: {{ago 400}}, access_keys: [{created: {{ago 200}}, last_used: {date: {{ago 1}}}}]}
      - name: busy-key
        tags: *managed
        created: {{ago 400}}
        access_keys: [{created: {{ago 30}}, last_used: {date: {{ago 1}}}}, {created: {{ago 20}}, last_used: {date: {{ago 1}}}}]
      - {name: old-inactive, tags: *managed, created: {{ago 400}}, access_keys: [{status: Inactive, created: {{ago 400}}}]}
      - name: direct
        tags: *managed
        attached_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
        inline_policies:
          read-own-tags: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "iam:ListUserTags", Resource: "*"}]}
      - {name: legacy}
      - {name: "=cmd"}
      - {name: adopted}
      - {name: break-glass, created: {{ago 400}}, login_profile: {password: "Break-Glass-2024!", password_last_changed: {{ago 365}}}}
  "333333333333":
    users:
      - {name: stale-pw, tags: *managed, created: {{ago 400}}, password_last_used: {{ago 50}},
         login_profile: {password: "Stale-Password-2024!", password_last_changed: {{ago 300}}}, mfa_devices: [{type: virtual, name: phone}]}
      - {name: never-key, tags: *managed}
`

// auditSpec lists everyone but legacy, direct, break-glass and =cmd.
const auditSpec = `version: 1
people:
  - {user_name: clean}
  - {user_name: nomfa}
  - {user_name: stale-pw}
  - {user_name: never-pw}
  - {user_name: new-pw}
  - {user_name: stale-key}
  - {user_name: never-key}
  - {user_name: old-key}
  - {user_name: busy-key}
  - {user_name: old-inactive}
  - {user_name: adopted}
`

// setUpAuditWorld serves the embedded world with auditWorld added and a
// journal that says gatehouse adopted "adopted"; it returns the sandbox and
// the journal's path.
func setUpAuditWorld(t *testing.T, dir string) (*sandboxtest.Sandbox, string) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{Fixture: filepath.Join("..", "runenv", "embedded_world.yaml")})
	now := time.Now().UTC()
	ago := func(days int) string { return now.Add(-time.Duration(days) * 24 * time.Hour).Format(time.RFC3339) }
	var world strings.Builder
	if err := template.Must(template.New("world").Funcs(template.FuncMap{"ago": ago}).Parse(auditWorld)).Execute(&world, nil); err != nil {
		t.Fatal(err)
	}
	sb.LoadFixture(t, world.String())

	path := filepath.Join(dir, "journal.db")
	j, err := journal.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := j.StartRun(context.Background(), journal.RunInfo{Command: "onboard", Source: "test"})
	if err == nil {
		err = j.MarkUser(context.Background(), run, "222222222222", "adopted", "", true)
	}
	if err := errors.Join(err, j.Close()); err != nil {
		t.Fatal(err)
	}
	return sb, path
}

func useSandboxCredentials(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "111111111111", "AWS_SECRET_ACCESS_KEY": "sandbox", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
}

type auditJSON struct {
	Candidates []string
	Scopes     []struct {
		ID    string
		AsOf  time.Time
		Users int
		Error string
	}
	Users []struct {
		Scope, UserName, Guard string
		Managed, Candidate     bool
		Findings               []struct{ Kind, Detail string }
	}
}

// findings are the report's findings as "ACCOUNT USER KIND", sorted, and the
// candidates as "ACCOUNT USER".
func (r auditJSON) findings() (found, candidates []string) {
	for _, u := range r.Users {
		for _, f := range u.Findings {
			found = append(found, u.Scope+" "+u.UserName+" "+f.Kind)
		}
		if u.Candidate {
			candidates = append(candidates, u.Scope+" "+u.UserName)
		}
	}
	slices.Sort(found)
	slices.Sort(candidates)
	return found, candidates
}

// runGatehouse runs gatehouse against the sandbox at url with the journal at
// path and the configuration config.
func runGatehouse(t *testing.T, url, journalPath, config string, args ...string) (int, string, string) {
	t.Helper()
	streams, out, errb := testIO()
	args = append(args, "--endpoint-url", url, "--journal", journalPath, "--config", config)
	code := Main(context.Background(), streams, args)
	return code, out.String(), errb.String()
}

// The whole loop on a world with users for every finding and users with
// none: the audit finds exactly those findings (and changes nothing), against the spec also the users it
// does not list; its offboarding file, given to offboard --yes, removes
// exactly the candidates — never the protected user — and a last audit
// finds exactly what is left.
func TestAuditSandboxFindsExactlyTheWorldsFindingsAndOffboardsThem(t *testing.T) {
	useSandboxCredentials(t)
	dir := t.TempDir()
	sb, journalPath := setUpAuditWorld(t, dir)
	config := writeFile(t, dir, "gatehouse.yaml", "protect:\n  users: [break-glass]\n")
	accounts := []string{"--account", "222222222222", "--account", "333333333333"}

	sb.Delete(t, "requests")
	code, out, errb := runGatehouse(t, sb.URL, journalPath, config, append([]string{"audit", "-o", "json",
		"--offboard-file", filepath.Join(dir, "first.yaml")}, accounts...)...)
	var rep auditJSON
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil {
		t.Fatalf("audit: exit %d, %v\n%s\n%s", code, err, out, errb)
	}
	found, candidates := rep.findings()
	want := []string{
		"222222222222 =cmd unmanaged",
		"222222222222 break-glass password-never-used", "222222222222 break-glass password-no-mfa", "222222222222 break-glass unmanaged",
		"222222222222 busy-key two-active-keys",
		"222222222222 direct direct-policies",
		"222222222222 legacy unmanaged",
		"222222222222 never-key key-never-used", "222222222222 never-key key-not-rotated",
		"222222222222 never-pw password-never-used",
		"222222222222 nomfa password-no-mfa",
		"222222222222 old-key key-not-rotated",
		"222222222222 stale-key key-unused",
		"222222222222 stale-pw password-unused",
		"333333333333 stale-pw password-unused",
	}
	if !slices.Equal(found, want) {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(found, "\n  "), strings.Join(want, "\n  "))
	}
	wantCandidates := []string{"222222222222 never-key", "222222222222 never-pw", "222222222222 stale-key", "222222222222 stale-pw", "333333333333 stale-pw"}
	if !slices.Equal(candidates, wantCandidates) {
		t.Errorf("candidates %q, want %q", candidates, wantCandidates)
	}
	checkAuditDetails(t, rep)
	if rc := sb.Requests(t, ""); rc.Mutating != 0 {
		t.Errorf("the audit changed something: %+v", rc.Counts)
	}
	checkOffboardFile(t, filepath.Join(dir, "first.yaml"), map[string][]string{
		"never-key": {"222222222222"}, "never-pw": {"222222222222"}, "stale-key": {"222222222222"},
		"stale-pw": {"222222222222", "333333333333"}})

	// Against the spec, with --fail-on-findings: the users it does not list too, and exit 3.
	specFile := writeFile(t, dir, "team.yaml", auditSpec)
	offboardFile := filepath.Join(dir, "candidates.yaml")
	code, out, errb = runGatehouse(t, sb.URL, journalPath, config, append([]string{"audit", "-f", specFile, "-o", "csv",
		"--fail-on-findings", "--offboard-file", offboardFile}, accounts...)...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != ExitFindings || err != nil || !strings.Contains(errb, "(--fail-on-findings)") {
		t.Fatalf("audit -f: exit %d, %v\n%s\n%s", code, err, out, errb)
	}
	var notInSpec []string
	for _, row := range rows[1:] {
		if row[4] == "not-in-spec" {
			notInSpec = append(notInSpec, row[1])
		}
	}
	slices.Sort(notInSpec)
	if want := []string{"'=cmd", "break-glass", "direct", "legacy"}; len(rows) != len(found)+5 || !slices.Equal(notInSpec, want) {
		t.Errorf("CSV: %d rows, not in the spec: %q; want %d rows and %q\n%s", len(rows), notInSpec, len(found)+5, want, out)
	}
	checkOffboardFile(t, offboardFile, map[string][]string{
		"=cmd": {"222222222222"}, "direct": {"222222222222"}, "legacy": {"222222222222"},
		"never-key": {"222222222222"}, "never-pw": {"222222222222"}, "stale-key": {"222222222222"},
		"stale-pw": {"222222222222", "333333333333"}})

	code, out, errb = runGatehouse(t, sb.URL, journalPath, config, "offboard", "-f", offboardFile, "--yes",
		"--archive", filepath.Join(dir, "archive"))
	if code != ExitOK || !strings.Contains(out, "7 people in 2 accounts: 8 removed.") {
		t.Fatalf("offboard: exit %d\n%s\n%s", code, out, errb)
	}
	for account, want := range map[string][]string{
		"222222222222": {"adopted", "break-glass", "busy-key", "clean", "new-pw", "nomfa", "old-inactive", "old-key"},
		"333333333333": {"never-key"},
	} {
		if got := userNames(t, sb, account); !slices.Equal(got, want) {
			t.Errorf("users left in %s: %q, want %q", account, got, want)
		}
	}

	// What is left: the credential report is the same one (AWS's four hours),
	// but the users removed since are no longer listed, so not reported.
	code, out, errb = runGatehouse(t, sb.URL, journalPath, config, append([]string{"audit", "-o", "json",
		"--offboard-file", offboardFile}, accounts...)...)
	rep = auditJSON{}
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil {
		t.Fatalf("audit after offboarding: exit %d, %v\n%s\n%s", code, err, out, errb)
	}
	found, candidates = rep.findings()
	want = slices.DeleteFunc(slices.Clone(want), func(f string) bool {
		user := strings.Fields(f)[1]
		return !slices.Contains([]string{"break-glass", "busy-key", "nomfa", "old-key"}, user)
	})
	if !slices.Equal(found, want) || len(candidates) != 0 {
		t.Errorf("after offboarding: findings\n  %s\ncandidates %q; want\n  %s", strings.Join(found, "\n  "), candidates, strings.Join(want, "\n  "))
	}
	checkOffboardFile(t, offboardFile, map[string][]string{})
	code, _, errb = runGatehouse(t, sb.URL, journalPath, config, "offboard", "-f", offboardFile, "--yes")
	if code != ExitUsage || !strings.Contains(errb, "no people") {
		t.Errorf("offboarding an empty candidates file: exit %d\n%s", code, errb)
	}
}

// checkAuditDetails checks what a person reads besides the kinds: dates and
// ages, the guard, the managed flags and the report's date.
func checkAuditDetails(t *testing.T, rep auditJSON) {
	t.Helper()
	details := map[string]string{}
	for _, u := range rep.Users {
		for _, f := range u.Findings {
			details[u.Scope+" "+u.UserName+" "+f.Kind] = f.Detail
		}
		switch {
		case u.UserName == "break-glass" && (u.Guard != "protected by configuration (users: break-glass)" || u.Candidate):
			t.Errorf("break-glass: guard %q, candidate %v", u.Guard, u.Candidate)
		case slices.Contains([]string{"legacy", "=cmd", "break-glass"}, u.UserName) == u.Managed:
			t.Errorf("%s: managed %v", u.UserName, u.Managed)
		}
	}
	for key, want := range map[string]string{
		"222222222222 stale-pw password-unused":     "(60 days ago)",
		"333333333333 stale-pw password-unused":     "(50 days ago)",
		"222222222222 stale-key key-unused":         "access key 1 last used ",
		"222222222222 never-key key-never-used":     "(100 days ago), never used",
		"222222222222 never-pw password-never-used": "(100 days ago), never used",
		"222222222222 direct direct-policies":       "managed arn:aws:iam::aws:policy/ReadOnlyAccess; inline read-own-tags",
	} {
		if !strings.Contains(details[key], want) {
			t.Errorf("%s: detail %q, want it to say %q", key, details[key], want)
		}
	}
	for _, s := range rep.Scopes {
		if s.Error != "" || time.Since(s.AsOf) > time.Minute {
			t.Errorf("scope %s: error %q, report of %s", s.ID, s.Error, s.AsOf)
		}
	}
}

// checkOffboardFile reads the offboarding file as offboard does and checks
// that it names exactly want's users, each in exactly its accounts.
func checkOffboardFile(t *testing.T, path string, want map[string][]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if fi, serr := os.Stat(path); err != nil || serr != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("offboarding file %s: %v, %v", path, err, serr)
	}
	in, err := spec.Parse(path, data, spec.Flags{Deliver: spec.Set(spec.ChannelNone)})
	if len(want) == 0 {
		if err == nil || !strings.Contains(err.Error(), "no people") {
			t.Errorf("an empty offboarding file parses: %v\n%s", err, data)
		}
		return
	}
	if err != nil {
		t.Fatalf("offboarding file does not parse: %v\n%s", err, data)
	}
	got := map[string][]string{}
	for _, p := range in.People {
		got[p.UserName] = p.Accounts
	}
	if len(got) != len(want) {
		t.Errorf("offboarding file lists %v, want %v\n%s", got, want, data)
	}
	for name, accounts := range want {
		if !slices.Equal(got[name], accounts) {
			t.Errorf("offboarding file: %s in %q, want %q\n%s", name, got[name], accounts, data)
		}
	}
	if !strings.Contains(string(data), "# 222222222222: ") {
		t.Errorf("offboarding file names no findings:\n%s", data)
	}
}

func userNames(t *testing.T, sb *sandboxtest.Sandbox, account string) []string {
	t.Helper()
	out, err := iam.NewFromConfig(sb.Config(account)).ListUsers(context.Background(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range out.Users {
		names = append(names, aws.ToString(u.UserName))
	}
	slices.Sort(names)
	return names
}

// Identity Center on the embedded sandbox: people gatehouse onboarded and
// users made elsewhere (a fixture, as an identity provider would). The
// audit finds exactly the users the spec does not list and those the
// journal does not know; the offboarding file names the candidates with
// what a spec needs of them, leaves out (in a comment) one without an
// address, and never the protected one; offboard -f FILE --yes removes
// exactly the candidate it names.
func TestAuditSandboxIdentityCenter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	team := writeFile(t, dir, "idc.yaml", `version: 1
directory: identity-center
delivery: {channel: none}
people:
  - {email: ada@example.com, name: Ada Lovelace}
  - {email: grace@example.com, name: Grace Hopper}
  - {email: alan@example.com, name: Alan Turing}
`)
	if code, _, errb := offboardRun(t, dir, false, "", "", "onboard", "-f", team); code != ExitOK {
		t.Fatalf("onboarding: exit %d\n%s", code, errb)
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		sb.LoadFixture(t, `
identity_center:
  users:
    - {user_name: okta-bob, display_name: Bob Okta, given_name: Bob, family_name: Okta, email: bob@example.com}
    - {user_name: contractor, display_name: Carl Contractor, given_name: Carl, family_name: Contractor}
    - {user_name: break-glass, display_name: Break Glass, given_name: Break, family_name: Glass, email: bg@example.com}
`)
	})
	specFile := writeFile(t, dir, "spec.yaml", `version: 1
directory: identity-center
people:
  - {email: ada@example.com, name: Ada Lovelace}
  - {email: grace@example.com, name: Grace Hopper}
  - {user_name: okta-bob, email: bob@example.com, name: Bob Okta}
`)
	config := writeFile(t, dir, "gatehouse.yaml", "protect:\n  users: [break-glass]\n")
	offboardFile := filepath.Join(dir, "candidates.yaml")
	code, out, errb := offboardRun(t, dir, false, "", config, "audit", "-f", specFile, "-o", "json", "--offboard-file", offboardFile)
	var rep auditJSON
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil {
		t.Fatalf("audit: exit %d, %v\n%s\n%s", code, err, out, errb)
	}
	found, candidates := rep.findings()
	want := []string{"d-1111111111 alan@example.com not-in-spec", "d-1111111111 break-glass not-in-spec", "d-1111111111 break-glass unmanaged",
		"d-1111111111 contractor not-in-spec", "d-1111111111 contractor unmanaged", "d-1111111111 okta-bob unmanaged"}
	if !slices.Equal(found, want) || !slices.Equal(candidates, []string{"d-1111111111 alan@example.com", "d-1111111111 contractor"}) {
		t.Errorf("findings\n  %s\ncandidates %q; want\n  %s", strings.Join(found, "\n  "), candidates, strings.Join(want, "\n  "))
	}
	data, _ := os.ReadFile(offboardFile)
	in, err := spec.Parse(offboardFile, data, spec.Flags{Deliver: spec.Set(spec.ChannelNone)})
	if err != nil || in.Directory != spec.DirectoryIdentityCenter || len(in.People) != 1 || in.People[0].UserName != "alan@example.com" ||
		in.People[0].GivenName != "Alan" || !strings.Contains(string(data), "# contractor is left out") {
		t.Fatalf("offboarding file: %v\n%s", err, data)
	}

	code, out, errb = offboardRun(t, dir, false, "", config, "offboard", "-f", offboardFile, "--yes")
	if code != ExitOK || !strings.Contains(out, "1 removed") {
		t.Fatalf("offboard: exit %d\n%s\n%s", code, out, errb)
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		users, err := identitystore.NewFromConfig(sb.Config("111111111111")).ListUsers(context.Background(),
			&identitystore.ListUsersInput{IdentityStoreId: aws.String("d-1111111111")})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range users.Users {
			names = append(names, aws.ToString(u.UserName))
		}
		slices.Sort(names)
		if want := []string{"ada@example.com", "break-glass", "contractor", "grace@example.com", "okta-bob"}; !slices.Equal(names, want) {
			t.Errorf("users left %q, want %q", names, want)
		}
	})
}
