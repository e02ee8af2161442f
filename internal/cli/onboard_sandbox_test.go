package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (-update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// sandboxRun runs gatehouse with --sandbox in dir and returns the exit code,
// standard output and standard error.
func sandboxRun(t *testing.T, dir string, terminal bool, args ...string) (int, string, string) {
	t.Helper()
	streams, out, errb := testIO()
	streams.IsTerminal = terminal
	args = append(args, "--sandbox", "--sandbox-dir", filepath.Join(dir, "sandbox"))
	if args[0] == "onboard" {
		args = append(args, "--mail-dir", filepath.Join(dir, "mail"))
	}
	code := Main(context.Background(), streams, args)
	return code, out.String(), errb.String()
}

const teamExample = "../../examples/onboard/team.yaml"

// The README's quick start: the example team onto the embedded sandbox, the
// mail saved as .eml files, and a second run that finds everything done.
func TestOnboardSandboxQuickStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, true, "onboard", "-f", teamExample)
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	if !strings.Contains(out, "6 people in 2 accounts: 9 created.") || !strings.Contains(errb, "onboarding [") {
		t.Errorf("first run: stdout\n%s\nstderr\n%s", out, errb)
	}
	mails, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(mails) != 5 { // one per person but carol, whose passwords are in the report
		t.Fatalf("%d .eml files, want 5: %v\n%s", len(mails), mails, errb)
	}
	raw, err := os.ReadFile(mails[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("From: \"Cloud Platform\" <noreply@example.com>")) {
		t.Errorf("%s is not the sent message:\n%s", mails[0], raw)
	}
	if fi, _ := os.Stat(mails[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v; it holds a password", mails[0], fi.Mode().Perm())
	}
	if !strings.Contains(errb, filepath.Join(dir, "mail")) {
		t.Errorf("stderr does not say where the mail went:\n%s", errb)
	}

	code, out, errb = sandboxRun(t, dir, false, "onboard", "-f", teamExample)
	if code != ExitOK || !strings.Contains(errb, "sent no mail") {
		t.Fatalf("rerun: exit %d\n%s", code, errb)
	}
	golden(t, "onboard_rerun.golden", out)
	if again, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml")); len(again) != 5 {
		t.Errorf("the rerun saved %d more mails", len(again)-5)
	}

	code, out, _ = sandboxRun(t, dir, false, "history")
	if code != ExitOK || strings.Count(out, " succeeded ") != 2 || !strings.HasPrefix(out, "RUN ") {
		t.Errorf("history: exit %d\n%s", code, out)
	}
	code, out, _ = sandboxRun(t, dir, false, "history", "1", "-o", "json")
	var run struct {
		Run   struct{ ID int64 }
		Steps []struct{ Step, Status string }
	}
	if err := json.Unmarshal([]byte(out), &run); code != ExitOK || err != nil || run.Run.ID != 1 || len(run.Steps) < 9*4 {
		t.Errorf("history 1: exit %d, %v, %d steps\n%s", code, err, len(run.Steps), out)
	}
}

// The dry run prints the plan and changes nothing: the real run after it
// still creates everyone.
func TestOnboardSandboxDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "onboard", "-f", teamExample, "--dry-run")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	golden(t, "onboard_plan.golden", out)
	code, out, _ = sandboxRun(t, dir, false, "onboard", "-f", teamExample, "-o", "csv")
	if code != ExitOK || strings.Count(out, ",created,") != 9 {
		t.Errorf("after the dry run: exit %d\n%s", code, out)
	}
}

// Seed 001's input on the sandbox: JSON on standard output only, in seed
// 001's shape, with the passwords.
func TestOnboardSandboxSeed001JSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "onboard", "-f", "../../examples/onboard/seed001.json", "--group", "developers", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var rep struct {
		Users []struct{ UserName, LoginURL, Password string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Users) != 2 {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	for _, u := range rep.Users {
		if u.LoginURL != "https://example-production.signin.aws.amazon.com/console" || len(u.Password) < 20 {
			t.Errorf("user %+v", u)
		}
	}
}

// A sender SES has not verified stops the run before anyone is created
// (exit 2); the same people then onboard with another channel.
func TestOnboardSandboxUnverifiedSenderExitsTwo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "onboard", "dana@example.com", "--from", "it@unverified.example.org")
	if code != ExitUsage || out != "" || !strings.Contains(errb, "it@unverified.example.org") || !strings.Contains(errb, "nothing was changed") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	code, out, _ = sandboxRun(t, dir, false, "onboard", "dana@example.com", "--deliver", "none", "-o", "csv")
	if code != ExitOK || strings.Count(out, ",created,") != 1 {
		t.Errorf("then with --deliver none: exit %d\n%s", code, out)
	}
}

// A group that does not exist stops the run with exit 2 before anyone is
// created: the same input with the group removed then creates everyone.
func TestOnboardSandboxMissingGroupExitsTwo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "onboard", "a@example.com", "b@example.com", "--account", "333333333333",
		"--group", "on-call", "--deliver", "none")
	if code != ExitUsage || out != "" || !strings.Contains(errb, `person "a@example.com" (and 1 more) at argument 1: needs group "on-call", which does not exist in account 333333333333`) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	code, out, _ = sandboxRun(t, dir, false, "onboard", "a@example.com", "b@example.com", "--account", "333333333333", "--deliver", "none", "-o", "csv")
	if code != ExitOK || strings.Count(out, ",created,") != 2 {
		t.Errorf("without the group: exit %d\n%s", code, out)
	}
}
