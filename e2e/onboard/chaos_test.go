package onboard_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Chaos: with 20% of AWS requests throttled and 3% answered with HTTP 500
// or 503 (seeded), one run onboards everyone — exit code 0, every user with
// its login profile and groups — and sends each person exactly one mail per
// account (one credential each, delivered once) whose password signs in.
func TestChaosEveryoneCompletes(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	faultSeed := seed(t)%1_000_000 + 1 // 0 would mean "from the clock"
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"),
		"--throttle-rate", "0.2", "--error-rate", "0.03", "--seed", fmt.Sprint(faultSeed))
	specPath, people := writeSpec(t, dir, "team.yaml", 0, 150, "ses")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	journalPath := filepath.Join(dir, "journal.db")

	r := gh.MustRun(t, 0, "onboard", "-f", specPath, "--journal", journalPath,
		"--endpoint-url", sb.URL, "--concurrency", "64", "--rate-limit", "2000")
	counts := sb.requests(t)
	t.Logf("took %v; %d AWS requests, %d answered with an injected fault: %s", r.Took.Round(time.Millisecond), counts.Total, counts.Errors, lastLine(r.Stdout))

	// The faults were there, and hit the calls that matter (each is made
	// hundreds of times; AssumeRole, three times, may escape them).
	for _, action := range []string{"CreateUser", "AddUserToGroup", "AttachUserPolicy", "CreateLoginProfile", "SendEmail"} {
		if calls, failed := counts.action(action); failed == 0 {
			t.Errorf("%s: %d calls, none faulted: the chaos did not reach it", action, calls)
		}
	}
	if calls, failed := counts.action("SendEmail"); calls-failed != len(people) {
		t.Errorf("SES accepted %d mails, want %d: one per person, every account in it", calls-failed, len(people))
	}
	if calls, _ := counts.action("UpdateLoginProfile"); calls != 0 {
		t.Errorf("%d UpdateLoginProfile calls: a password was replaced although every first one was delivered", calls)
	}

	checkUsersExistOnce(t, sb, people)
	checkUsersComplete(t, sb, people)
	creds := checkLastCredentialsSignIn(t, sb, people)
	for k, list := range creds {
		if len(list) != 1 {
			t.Errorf("%s: %d mails, want exactly 1", k, len(list))
		}
	}
	checkNothingUnconfirmed(t, journalPath, people)
}
