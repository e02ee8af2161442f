package cli

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// offboardRun runs gatehouse with --sandbox in dir, with in as standard
// input and the configuration config ("" for one that protects nobody).
func offboardRun(t *testing.T, dir string, terminal bool, in, config string, args ...string) (int, string, string) {
	t.Helper()
	if config == "" {
		config = writeFile(t, dir, "empty-config.yaml", "")
	}
	streams, out, errb := testIO()
	streams.IsTerminal, streams.In = terminal, strings.NewReader(in)
	if args[0] == "offboard" || args[0] == "audit" {
		args = append(args, "--config", config)
	}
	args = append(args, "--sandbox", "--sandbox-dir", filepath.Join(dir, "sandbox"))
	if args[0] != "history" {
		args = append(args, "--mail-dir", filepath.Join(dir, "mail"))
	}
	code := Main(context.Background(), streams, args)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// onboardTeam onboards the README's example team into the embedded sandbox.
func onboardTeam(t *testing.T, dir string) {
	t.Helper()
	if code, _, errb := offboardRun(t, dir, false, "", "", "onboard", "-f", teamExample); code != ExitOK {
		t.Fatalf("onboarding the team: exit %d\n%s", code, errb)
	}
}

// withSandboxState serves the embedded sandbox's saved state for fn (which
// reads or changes it over the API), then saves it again.
func withSandboxState(t *testing.T, dir string, fn func(sb *sandboxtest.Sandbox)) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{StateDir: filepath.Join(dir, "sandbox")})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	fn(&sandboxtest.Sandbox{URL: "http://" + ln.Addr().String(), Server: srv})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

var planDates = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(T[0-9:]+Z)?`)

// The plan of the onboarding spec's people: what each has in each account,
// a protected person, and nothing changed.
func TestOffboardSandboxPlanGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	protect := writeFile(t, dir, "gatehouse.yaml", "protect:\n  patterns: [\"carol.*\"]\n")
	code, out, errb := offboardRun(t, dir, false, "", protect, "offboard", "-f", teamExample)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errb)
	}
	golden(t, "offboard_plan.golden", planDates.ReplaceAllString(out, "YYYY-MM-DD"))
	// Nothing changed: the same plan again.
	if _, again, _ := offboardRun(t, dir, false, "", protect, "offboard", "-f", teamExample); again != out {
		t.Errorf("the plan changed something:\n%s", again)
	}
}

// Removal with --yes: a JSON report, archives, a journaled run; the same
// command again finds nothing to do and exits 0.
func TestOffboardSandboxRemoveAndRerun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	args := []string{"offboard", "alice.smith@example.com", "taro.yamada@example.com", "--all-accounts", "--yes"}
	code, out, errb := offboardRun(t, dir, false, "", "", "offboard", "alice.smith@example.com", "--all-accounts", "-o", "json")
	var plan struct {
		Action  string
		Targets []struct {
			Account, State string
			Changes        []struct{ Action, What, ID string }
			Record         *struct{ Groups []struct{ GroupName string } }
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); code != ExitOK || err != nil || plan.Action != "remove" || len(plan.Targets) != 3 ||
		plan.Targets[1].State != "managed" || len(plan.Targets[1].Record.Groups) != 2 || len(plan.Targets[1].Changes) != 6 {
		t.Fatalf("JSON plan: exit %d, %v\n%s", code, err, out)
	}
	code, out, errb = offboardRun(t, dir, true, "", "", append(args, "-o", "json")...)
	if code != ExitOK || !strings.Contains(errb, "offboarding [") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	var rep struct {
		RunID   int64
		Rows    []struct{ Account, UserName, Status, Archive string }
		Summary map[string]int
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Summary["removed"] != 3 || rep.Summary["absent"] != 3 {
		t.Fatalf("summary %v", rep.Summary)
	}
	for _, row := range rep.Rows {
		if row.Status == "removed" {
			if fi, err := os.Stat(row.Archive); err != nil || fi.Mode().Perm() != 0o600 ||
				!strings.HasPrefix(row.Archive, filepath.Join(dir, "sandbox", "archive", row.Account)) {
				t.Errorf("archive of %s: %s (%v)", row.UserName, row.Archive, err)
			}
		}
	}
	code, out, _ = offboardRun(t, dir, false, "", "", args...)
	if code != ExitOK || strings.Count(out, " absent ") != 6 || !strings.Contains(out, "2 people in 3 accounts: 6 absent.") {
		t.Errorf("rerun: exit %d\n%s", code, out)
	}
	code, out, _ = offboardRun(t, dir, false, "", "", "history")
	if code != ExitOK || strings.Count(out, "offboard ") != 2 {
		t.Errorf("history: %s", out)
	}
}

// A protected person survives --yes (exit 1: something is left) and is still
// there, protected, in the next plan; the other person is removed.
func TestOffboardSandboxProtectedSurvives(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	protect := writeFile(t, dir, "gatehouse.yaml", "protect:\n  users: [bob.jones@example.com]\n")
	people := []string{"offboard", "bob.jones@example.com", "alice.smith@example.com", "--account", "222222222222"}
	code, out, errb := offboardRun(t, dir, false, "", protect, append(people, "--yes")...)
	if code != ExitFailed || !strings.Contains(out, "protected") || !strings.Contains(errb, "1 of 2 not done") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	_, out, _ = offboardRun(t, dir, false, "", protect, people...)
	if !strings.Contains(out, "bob.jones@example.com: left alone — protected by configuration (users: bob.jones@example.com)") ||
		!strings.Contains(out, "alice.smith@example.com: nothing to do — no such user") {
		t.Errorf("plan after:\n%s", out)
	}
}

// Removing a user gatehouse did not create asks on a terminal: "no" leaves it
// (exit 1), "yes" removes it; off a terminal --yes is enough.
func TestOffboardSandboxForeignUserNeedsConfirmation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		for _, name := range []string{"contractor", "temp"} {
			if _, err := iam.NewFromConfig(sb.Config("222222222222")).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
		}
	})
	args := []string{"offboard", "contractor", "--account", "222222222222", "--yes"}
	code, out, errb := offboardRun(t, dir, true, "no\n", "", args...)
	if code != ExitFailed || !strings.Contains(errb, "Type yes to confirm") || !strings.Contains(out, "declined") {
		t.Fatalf("declined: exit %d\n%s\n%s", code, out, errb)
	}
	code, out, _ = offboardRun(t, dir, true, "yes\n", "", args...)
	if code != ExitOK || !strings.Contains(out, " removed ") {
		t.Fatalf("confirmed: exit %d\n%s", code, out)
	}
	code, out, errb = offboardRun(t, dir, false, "", "", "offboard", "temp", "--account", "222222222222", "--yes")
	if code != ExitOK || strings.Contains(errb, "Type yes") {
		t.Errorf("off a terminal: exit %d\n%s\n%s", code, out, errb)
	}
}

// Suspend, then reinstate: the new password comes through onboarding — in
// the report with --deliver none (and it signs in), by SES otherwise.
func TestOffboardSandboxSuspendReinstateIssuesPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onboardTeam(t, dir)
	carol := []string{"offboard", "carol.white@example.com", "--account", "333333333333"}
	if code, out, errb := offboardRun(t, dir, false, "", "", append(carol, "--suspend", "--yes")...); code != ExitOK || !strings.Contains(out, "suspended") {
		t.Fatalf("suspend: exit %d\n%s\n%s", code, out, errb)
	}
	code, out, errb := offboardRun(t, dir, false, "", "", append(carol, "--reinstate", "--yes", "--deliver", "none", "-o", "json")...)
	var rep struct {
		Rows []struct{ Status, Delivery, Password string }
	}
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil || len(rep.Rows) != 1 || rep.Rows[0].Password == "" ||
		rep.Rows[0].Status != "reinstated" || rep.Rows[0].Delivery != "none: in this output" {
		t.Fatalf("reinstate: exit %d %v\n%s\n%s", code, err, out, errb)
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		var got struct{ Valid bool }
		sb.Post(t, "iam/check-password", map[string]string{"account": "333333333333", "user": "carol.white@example.com", "password": rep.Rows[0].Password}, &got)
		if !got.Valid {
			t.Error("the reinstated password does not sign in")
		}
	})

	bob := []string{"offboard", "bob.jones@example.com", "--account", "222222222222"}
	if code, _, errb := offboardRun(t, dir, false, "", "", append(bob, "--suspend", "--yes")...); code != ExitOK {
		t.Fatalf("suspend bob: %s", errb)
	}
	before, _ := filepath.Glob(filepath.Join(dir, "mail", "bob.jones*.eml"))
	code, out, errb = offboardRun(t, dir, false, "", "", append(bob, "--reinstate", "--yes", "--from", "noreply@example.com")...)
	after, _ := filepath.Glob(filepath.Join(dir, "mail", "bob.jones*.eml"))
	if code != ExitOK || !strings.Contains(out, "ses: sent") || len(after) != len(before)+1 || slices.Equal(before, after) {
		t.Errorf("reinstate by ses: exit %d\n%s\n%s\nmail before %v after %v", code, out, errb, before, after)
	}
}
