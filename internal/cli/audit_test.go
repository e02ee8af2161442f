package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

func TestAuditFlags(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *AuditOptions
	cmd := NewCmdAudit(streams, func(_ context.Context, o *AuditOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "team.yaml", "--ou", "ou-ab12-cd34ef56", "--role", "Auditor", "--external-id", "x", "--unused-days", "30",
		"--rotation-days", "60", "--candidates", "unmanaged,key-unused", "--offboard-file", "c.yaml", "--fail-on-findings",
		"--config", "/tmp/g.yaml", "-o", "csv", "--journal", "/tmp/j.db", "--concurrency", "3", "--sandbox"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	f := got.Flags
	if got.File != "team.yaml" || !f.OUs.Set || f.Role != spec.Set("Auditor") || f.ExternalID != spec.Set("x") ||
		got.UnusedDays != 30 || got.RotationDays != 60 || !slices.Equal(got.Candidates, []string{"unmanaged", "key-unused"}) ||
		got.OffboardFile != "c.yaml" || !got.FailOnFindings || got.Config != "/tmp/g.yaml" || got.Output != "csv" ||
		got.Journal != "/tmp/j.db" || got.Concurrency != 3 || !got.Sandbox {
		t.Errorf("options = %+v", got)
	}

	cmd = NewCmdAudit(streams, func(_ context.Context, o *AuditOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.UnusedDays != audit.DefaultUnusedDays || got.RotationDays != audit.DefaultRotationDays || got.Output != "table" ||
		!slices.Equal(got.Candidates, audit.DefaultCandidates) || got.FailOnFindings || got.OffboardFile != "" {
		t.Errorf("defaults = %+v", got)
	}
}

// Bad input exits with 2 and every problem, before any AWS call.
func TestAuditBadInputMakesNoCall(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	badSpec := writeFile(t, dir, "bad.yaml", "accounts: [\"12345\"]\npeople:\n  - email: not-an-address\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"every problem at once", []string{"--unused-days", "0", "--rotation-days", "-5", "--candidates", "stale,all", "-o", "xml",
			"--offboard-file", filepath.Join(dir, "missing", "c.yaml")},
			[]string{"5 problems; nothing was changed", "--unused-days 0", "--rotation-days -5", `--candidates "stale" is not a kind`,
				`--output "xml"`, "--offboard-file"}},
		{"days not a number", []string{"--unused-days", "abc"}, []string{"--unused-days"}},
		{"days not whole", []string{"--rotation-days", "1.5"}, []string{"--rotation-days"}},
		{"offboard file is a folder", []string{"--offboard-file", dir}, []string{"not a regular file"}},
		{"problems in the spec, with lines", []string{"-f", badSpec}, []string{"bad.yaml:1", "bad.yaml:3"}},
		{"no such directory", []string{"--directory", "ldap"}, []string{"directory"}},
		{"accounts", []string{"--all-accounts", "--account", "222222222222"}, []string{"--all-accounts with --account"}},
		{"a stray argument", []string{"alice"}, []string{"unknown command"}},
	} {
		streams, out, errb := testIO()
		args := append([]string{"audit", "--endpoint-url", sb.URL, "--journal", filepath.Join(dir, "j.db")}, tc.args...)
		if code := Main(context.Background(), streams, args); code != ExitUsage {
			t.Errorf("%s: exit %d, want %d (stderr %s)", tc.name, code, ExitUsage, errb)
		}
		for _, w := range tc.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%s: stderr does not say %q:\n%s", tc.name, w, errb)
			}
		}
		if out.Len() != 0 {
			t.Errorf("%s: stdout = %q, want nothing", tc.name, out)
		}
	}
	if rc := sb.Requests(t, ""); rc.Total != 0 {
		t.Errorf("bad input reached AWS: %d requests %+v", rc.Total, rc.Counts)
	}
}

// On the embedded sandbox after the quick start: everyone onboarded has a
// console password and no MFA yet, and, in the production account whose
// policy does not let users change their own password, the policies
// onboarding attached to them; nobody is a candidate. --fail-on-findings
// makes that exit 3.
func TestAuditSandboxAfterQuickStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	code, out, errb := offboardRun(t, dir, false, "", "", "audit", "--all-accounts", "-o", "json")
	var rep struct {
		Scopes []struct{ ID, Error string }
		Users  []struct {
			Scope, UserName string
			Managed         bool
			Candidate       bool
			Findings        []struct{ Kind string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil || len(rep.Scopes) != 3 {
		t.Fatalf("exit %d, %v\n%s\n%s", code, err, out, errb)
	}
	if len(rep.Users) != 9 {
		t.Errorf("%d users with findings, want the 9 onboarded users:\n%s", len(rep.Users), out)
	}
	for _, u := range rep.Users {
		var kinds []string
		for _, f := range u.Findings {
			kinds = append(kinds, f.Kind)
		}
		if !u.Managed || u.Candidate || !slices.Equal(kinds, []string{audit.KindPasswordNoMFA, audit.KindDirectPolicies}) {
			t.Errorf("%s %s: managed %v, candidate %v, findings %q", u.Scope, u.UserName, u.Managed, u.Candidate, kinds)
		}
	}
	code, _, errb = offboardRun(t, dir, false, "", "", "audit", "--all-accounts", "--fail-on-findings", "-o", "csv")
	if code != ExitFindings || !strings.Contains(errb, "18 findings on 9 users (--fail-on-findings)") {
		t.Errorf("--fail-on-findings: exit %d\n%s", code, errb)
	}
}
