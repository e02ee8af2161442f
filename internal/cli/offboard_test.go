package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

func TestOffboardFlags(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *OffboardOptions
	cmd := NewCmdOffboard(streams, func(_ context.Context, o *OffboardOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"alice", "bob@example.com", "--account", "222222222222,333333333333", "--tag", "team=core", "--tag", "k=v=w",
		"--role", "arn:aws:iam::{account}:role/Offboard", "--external-id", "ext-1", "--session-name", "s1", "--yes", "--reinstate",
		"--deliver", "none", "--from", "it@example.com", "--language", "ja", "--archive", "/tmp/a", "--config", "/tmp/g.yaml",
		"-o", "json", "--journal", "/tmp/j.db", "--concurrency", "4", "--rate-limit", "7.5", "--endpoint-url", "http://127.0.0.1:1",
		"--region", "eu-west-1", "--profile", "p", "-v"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	f := got.Flags
	checks := []struct {
		what string
		ok   bool
	}{
		{"people", slices.Equal(got.Users, []string{"alice", "bob@example.com"})},
		{"accounts", f.Accounts.Set && slices.Equal(f.Accounts.Value, []string{"222222222222", "333333333333"}) && !f.AllAccounts.Set && !f.OUs.Set},
		{"tags", slices.Equal(got.Tags, []string{"team=core", "k=v=w"})},
		{"role", f.Role == spec.Set("arn:aws:iam::{account}:role/Offboard") && f.ExternalID == spec.Set("ext-1") && f.SessionName == spec.Set("s1")},
		{"action", got.Yes && got.Reinstate && !got.Suspend && got.action() == offboard.ActionReinstate},
		{"delivery", f.Deliver == spec.Set("none") && f.From == spec.Set("it@example.com") && f.Language == spec.Set("ja")},
		{"files", got.Archive == "/tmp/a" && got.Config == "/tmp/g.yaml" && got.Journal == "/tmp/j.db"},
		{"options", got.Output == "json" && got.Concurrency == 4 && got.RateLimit == 7.5 && got.EndpointURL == "http://127.0.0.1:1" &&
			got.Region == "eu-west-1" && got.Profile == "p" && got.Verbose},
		{"command line", got.Args[0] == "offboard" && slices.Contains(got.Args, "--tag=k=v=w") && slices.Contains(got.Args, "--yes")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: options = %+v", c.what, got)
		}
	}
	if tags, probs := parseTags(got.Tags); len(probs) != 0 || tags["k"] != "v=w" || tags["team"] != "core" {
		t.Errorf("tags %v, problems %v", tags, probs)
	}
}

func TestOffboardFlagDefaults(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *OffboardOptions
	cmd := NewCmdOffboard(streams, func(_ context.Context, o *OffboardOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "team.yaml", "--suspend"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "team.yaml" || got.Output != "table" || got.Concurrency != 0 || got.RateLimit != 0 ||
		got.Yes || got.action() != offboard.ActionSuspend || got.Archive != "" || got.SandboxDir != DefaultSandboxDir || got.Flags.Accounts.Set {
		t.Errorf("defaults = %+v", got)
	}
}

// Bad input exits with 2 and every problem, before any AWS call: the sandbox
// the command is pointed at sees no request at all.
func TestOffboardBadInputMakesNoCall(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	badSpec := filepath.Join(dir, "bad.yaml")
	badConfig := filepath.Join(dir, "gatehouse.yaml")
	for path, text := range map[string]string{
		badSpec:   "accounts: [\"12345\"]\npeople:\n  - email: not-an-address\n",
		badConfig: "protect:\n  user: [x]\n",
	} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"every problem at once", []string{"has space", "--tag", "novalue", "--suspend", "-o", "xml", "--concurrency", "-1",
			"--from", "x@example.com", "--config", badConfig},
			[]string{"6 problems; nothing was changed", `user name "has space" at argument 1`, `--tag "novalue"`,
				`--output "xml"`, "--concurrency", "--from is for --reinstate", `gatehouse.yaml:2`, `unknown key "user"`}},
		{"suspend and reinstate", []string{"alice", "--suspend", "--reinstate"}, []string{"--suspend with --reinstate"}},
		{"problems in the file, with lines", []string{"-f", badSpec}, []string{"bad.yaml:1", "bad.yaml:3"}},
		{"nobody", nil, []string{"nobody to offboard"}},
		{"file and names", []string{"-f", badSpec, "alice"}, []string{"not both"}},
		{"missing config", []string{"alice", "--config", filepath.Join(dir, "none.yaml")}, []string{"none.yaml"}},
		{"accounts", []string{"alice", "--all-accounts", "--account", "222222222222"}, []string{"--all-accounts with --account"}},
		{"reinstate needs a sender", []string{"alice@example.com", "--reinstate", "--yes"}, []string{"needs a sender address"}},
		{"sandbox and endpoint", []string{"alice", "--sandbox", "--endpoint-url", sb.URL}, []string{"--sandbox starts its own endpoint"}},
	} {
		streams, out, errb := testIO()
		args := append([]string{"offboard", "--endpoint-url", sb.URL, "--journal", filepath.Join(dir, "j.db")}, tc.args...)
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
