package onboard_test

import (
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// seed is harness.Seed for this suite.
func seed(t *testing.T) uint64 { t.Helper(); return harness.Seed(t, "./e2e/onboard") }

// Crash safety: a 300-person run into three accounts is killed with SIGKILL
// at random moments, many times, then run to completion. Afterwards every
// person exists once in every account, the last password each was mailed
// signs in, no group membership or policy is doubled, no password was mailed
// twice, the journal has no unconfirmed credential, and one more run changes
// nothing.
func TestCrashKill9ThenRerun(t *testing.T) {
	requireOnboard(t)
	t.Parallel()
	rng := rand.New(rand.NewPCG(seed(t), 0x9e3779b97f4a7c15))
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"), "--state", filepath.Join(dir, "state"))
	specPath, people := writeSpec(t, dir, "team.yaml", 0, 300, "ses")
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	// 300 requests a second per account keeps a whole run (1,200 calls in
	// each member) at about 4 s, longer than the longest wait before a kill:
	// unpaced, a quiet machine finished the first run within 1.5 s, before
	// any kill landed, and the test proved nothing.
	args := []string{"onboard", "-f", specPath, "--journal", filepath.Join(dir, "journal.db"),
		"--endpoint-url", sb.URL, "--concurrency", "64", "--rate-limit", "300"}

	target := 8 + rng.IntN(8) // kills wanted
	kills, midApply := 0, 0
	for attempt := 0; kills < target || midApply < 4; attempt++ {
		if attempt == 30 {
			break
		}
		before := sb.requests(t)
		delay := 50*time.Millisecond + time.Duration(rng.Int64N(int64(1500*time.Millisecond)))
		killed, code := gh.Start(t, args...).KillAfter(delay)
		after := sb.requests(t)
		if !killed {
			t.Logf("run %d finished by itself (exit %d) before its kill at %v", attempt+1, code, delay)
			break
		}
		kills++
		changed := after.Mutating - before.Mutating
		if changed > 0 {
			midApply++
		}
		users, _ := after.action("CreateUser")
		resets, _ := after.action("UpdateLoginProfile")
		mails, _ := after.action("SendEmail")
		t.Logf("kill %d after %v: %d changes in this run; so far %d CreateUser, %d UpdateLoginProfile, %d SendEmail calls",
			kills, delay.Round(time.Millisecond), changed, users, resets, mails)
	}
	if midApply == 0 {
		t.Fatalf("none of the %d kills landed while gatehouse was changing anything: the test proved nothing", kills)
	}
	t.Logf("%d kills, %d of them while changing IAM or sending mail", kills, midApply)

	final := gh.MustRun(t, 0, args...)
	t.Logf("the run to completion took %v: %s", final.Took.Round(time.Millisecond), lastLine(final.Stdout))

	checkUsersExistOnce(t, sb, people)
	checkUsersComplete(t, sb, people)
	creds := checkLastCredentialsSignIn(t, sb, people)
	checkNothingUnconfirmed(t, filepath.Join(dir, "journal.db"), people)
	resent := 0
	for _, list := range creds {
		if len(list) > 1 {
			resent++
		}
	}
	t.Logf("%d of %d users were mailed more than once (a fresh password after a kill between setting and confirming one)", resent, len(creds))

	// The journal tells the killed runs from the finished one.
	hist := gh.MustRun(t, 0, "history", "--journal", filepath.Join(dir, "journal.db"), "--output", "json", "--limit", "0")
	var runs []struct {
		ID     int64
		Status string
	}
	if err := json.Unmarshal([]byte(hist.Stdout), &runs); err != nil {
		t.Fatalf("gatehouse history --output json: %v\n%s", err, hist.Stdout)
	}
	if len(runs) == 0 || runs[0].Status != "succeeded" {
		t.Errorf("history: newest run %+v, want succeeded", runs)
	}

	before, mails := sb.requests(t), len(sb.messages(t))
	gh.MustRun(t, 0, args...)
	if after := sb.requests(t); after.Mutating != before.Mutating {
		t.Errorf("the run after completion made %d mutating calls, want 0", after.Mutating-before.Mutating)
	}
	if n := len(sb.messages(t)); n != mails {
		t.Errorf("the run after completion sent %d mails, want 0", n-mails)
	}
}

func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] != "" {
			return lines[i]
		}
	}
	return ""
}
