package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

func TestOnboardFlags(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *OnboardOptions
	cmd := NewCmdOnboard(streams, func(_ context.Context, o *OnboardOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"a@example.com", "b@example.com", "--account", "222222222222,333333333333", "--role", "arn:aws:iam::{account}:role/X",
		"--external-id", "ext-1", "--session-name", "s1", "--group", "dev,ops", "--group", "on-call", "--policy", "ReadOnlyAccess",
		"--boundary", "arn:aws:iam::aws:policy/PowerUserAccess", "--deliver", "none", "--from", "it@example.com", "--language", "ja",
		"--password-source", "secretsmanager", "--password-length", "40", "--no-reset-required", "--adopt", "-o", "json",
		"--dry-run", "--journal", "/tmp/j.db", "--concurrency", "4", "--rate-limit", "7.5", "--endpoint-url", "http://127.0.0.1:1",
		"--region", "eu-west-1", "--profile", "p", "-v"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	f := got.Flags
	checks := []struct {
		what string
		ok   bool
	}{
		{"emails", slices.Equal(got.Emails, []string{"a@example.com", "b@example.com"})},
		{"accounts", f.Accounts.Set && slices.Equal(f.Accounts.Value, []string{"222222222222", "333333333333"})},
		{"groups keep commas (IAM names may have them)", f.Groups.Set && slices.Equal(f.Groups.Value, []string{"dev,ops", "on-call"})},
		{"role", f.Role == spec.Set("arn:aws:iam::{account}:role/X")},
		{"external id", f.ExternalID == spec.Set("ext-1") && f.SessionName == spec.Set("s1")},
		{"policy", f.Policies.Set && slices.Equal(f.Policies.Value, []string{"ReadOnlyAccess"})},
		{"boundary", f.Boundary == spec.Set("arn:aws:iam::aws:policy/PowerUserAccess")},
		{"delivery", f.Deliver == spec.Set("none") && f.From == spec.Set("it@example.com") && f.Language == spec.Set("ja")},
		{"password", f.PasswordSource == spec.Set("secretsmanager") && f.PasswordLength == spec.Set(40)},
		{"reset", f.ResetRequired == spec.Set(false)},
		{"unset flags stay unset", !f.AllAccounts.Set && !f.OUs.Set},
		{"options", got.Adopt && got.Output == "json" && got.DryRun && got.Journal == "/tmp/j.db" && got.Concurrency == 4 &&
			got.RateLimit == 7.5 && got.EndpointURL == "http://127.0.0.1:1" && got.Region == "eu-west-1" && got.Profile == "p" && got.Verbose},
		{"command line", got.Args[0] == "onboard" && slices.Contains(got.Args, "--group=dev,ops") && slices.Contains(got.Args, "--adopt")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: options = %+v", c.what, got)
		}
	}
}

func TestOnboardFlagDefaults(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *OnboardOptions
	cmd := NewCmdOnboard(streams, func(_ context.Context, o *OnboardOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "team.yaml"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "team.yaml" || got.Output != "table" || got.Concurrency != 0 || got.RateLimit != 0 || got.SandboxDir != DefaultSandboxDir ||
		got.MailDir != DefaultMailDir || got.Flags.ResetRequired.Set || got.Flags.Deliver.Set || got.Flags.Groups.Set {
		t.Errorf("defaults = %+v", got)
	}
}

// Bad input and bad usage exit with 2 before any AWS call: the sandbox the
// command is pointed at sees no request at all.
func TestOnboardBadInputMakesNoCall(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("accounts: [\"12345\"]\ndelivery: {channel: none}\npeople:\n  - email: not-an-address\n  - email: ok@example.com\n    user_name: \"has space\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"problems with file:line", []string{"-f", bad}, []string{"bad.yaml:1", "bad.yaml:4", "bad.yaml:6", `"has space"`}},
		{"bad address argument", []string{"not-an-address", "--deliver", "none"}, []string{"argument 1"}},
		{"conflicting flags", []string{"a@example.com", "--deliver", "none", "--all-accounts", "--account", "222222222222"}, []string{"--all-accounts with --account"}},
		{"nobody", nil, []string{"nobody to onboard"}},
		{"file and addresses", []string{"-f", bad, "a@example.com"}, []string{"not both"}},
		{"output format", []string{"a@example.com", "-o", "xml"}, []string{`--output "xml"`}},
		{"sandbox and endpoint", []string{"a@example.com", "--sandbox", "--endpoint-url", sb.URL}, []string{"--sandbox starts its own endpoint"}},
		{"missing file", []string{"-f", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml"}},
		{"no sender for ses", []string{"a@example.com"}, []string{"sender address"}},
	} {
		streams, out, errb := testIO()
		args := append([]string{"onboard", "--endpoint-url", sb.URL, "--journal", filepath.Join(dir, "j.db")}, tc.args...)
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
