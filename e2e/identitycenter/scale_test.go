package identitycenter_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// people is how many people the scale test onboards: the acceptance's 200
// (about five minutes, nearly all of it waiting on the 20 requests/s quota,
// beside the other suites), or GATEHOUSE_E2E_IDC_PEOPLE for a quicker look.
func people(t *testing.T) int {
	t.Helper()
	n := 200
	if env := os.Getenv("GATEHOUSE_E2E_IDC_PEOPLE"); env != "" {
		var err error
		if n, err = strconv.Atoi(env); err != nil || n < 1 {
			t.Fatalf("GATEHOUSE_E2E_IDC_PEOPLE=%q: want a number of people", env)
		}
	}
	return n
}

// People with groups and assignments in five accounts, under Identity
// Center's 20 requests/s and 15 assignments in flight: onboarding completes
// with no failure and no throttling error in the report, welcomes everyone
// once, keeps to the quotas (client-side: the sandbox counts peaks and
// throttles); a rerun changes nothing; offboarding removes the people's
// assignments, memberships and users, and leaves alone the users gatehouse
// did not create — who share the people's groups and permission sets.
func TestOnboardRerunOffboardUnderTheQuotas(t *testing.T) {
	t.Parallel()
	n := people(t)
	dir := t.TempDir()
	sb := startSandbox(t, dir)
	specPath, names := writeTeam(t, dir, n)
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	common := []string{"-f", specPath, "--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", sb.URL}

	// erin (not gatehouse's) already reads Prod: the pair gatehouse reads and
	// assigns holds someone it must never touch.
	erin := sb.userID(t, "erin@example.com")
	readOnly := permissionSetARN(t, sb, "ReadOnly")
	sandboxCLI(sb).CLI(t, management, "sso-admin", "create-account-assignment", "--instance-arn", instanceARN,
		"--target-id", members[0], "--target-type", "AWS_ACCOUNT", "--permission-set-arn", readOnly,
		"--principal-type", "USER", "--principal-id", erin)
	time.Sleep(400 * time.Millisecond) // the assignment finishes after 250 ms
	before := sb.read(t)
	sb.restartQuotas(t) // what the test itself read must not count against gatehouse

	start := time.Now()
	run := gh.MustRun(t, 0, append([]string{"onboard"}, common...)...)
	took := time.Since(start)
	summary := lastLine(run.Stdout)
	if want := strconv.Itoa(n) + " created."; !strings.HasSuffix(summary, want) || strings.Contains(run.Stdout, "failed") {
		t.Fatalf("onboarding: %q, want %q\n%s", summary, want, harness.Tail(run.Stdout, 20))
	}
	for _, bad := range []string{"Throttling", "throttl", "Rate exceeded", "TooManyRequests"} {
		if strings.Contains(run.Stdout, bad) || strings.Contains(run.Stderr, bad) {
			t.Errorf("a throttling error reached the output (%q):\n%s\n%s", bad, harness.Tail(run.Stdout, 10), harness.Tail(run.Stderr, 10))
		}
	}
	q := sb.quotas(t)
	t.Logf("onboarding %d people × %d accounts: %v, %d Identity Center requests (%.1f a person, bound %.0f s at 20/s: %.2f×), "+
		"%d throttled, peak %d assignments in flight", n, len(members), took.Round(time.Millisecond), q.Stats.Requests,
		float64(q.Stats.Requests)/float64(n), float64(q.Stats.Requests)/20, took.Seconds()/(float64(q.Stats.Requests)/20),
		q.Stats.Throttled, q.Stats.PeakInProgress)
	if q.Stats.PeakInProgress > 15 || q.Stats.RefusedInProgress > 0 {
		t.Errorf("assignments in flight: peak %d, %d refused; the quota is 15", q.Stats.PeakInProgress, q.Stats.RefusedInProgress)
	}
	if limit := max(3, q.Stats.Requests/200); q.Stats.Throttled > limit {
		t.Errorf("%d of %d requests throttled: the client-side limit should keep it near 0 (at most %d)", q.Stats.Throttled, q.Stats.Requests, limit)
	}
	after := sb.read(t)
	after.checkPeople(t, names)
	checkFixtureUntouched(t, before, after)
	mail := sb.mail(t)
	for _, name := range names {
		if got := mail[name]; len(got) != 1 || !strings.Contains(got[0], portal) {
			t.Errorf("%s was sent %d welcomes, want 1 with the access portal: %q", name, len(got), got)
		}
	}

	sb.Inspect(t, "DELETE", "requests", nil, nil)
	rerun := gh.MustRun(t, 0, append([]string{"onboard"}, common...)...)
	if c := sb.requests(t); c.Mutating != 0 || c.action("SendEmail") != 0 {
		t.Errorf("the rerun made %d mutating calls (%s)", c.Mutating, c.mutations())
	}
	if want := strconv.Itoa(n) + " unchanged."; !strings.HasSuffix(lastLine(rerun.Stdout), want) {
		t.Errorf("rerun: %q, want %q", lastLine(rerun.Stdout), want)
	}

	off := gh.MustRun(t, 0, append([]string{"offboard", "--yes"}, common...)...)
	if want := strconv.Itoa(n) + " removed."; !strings.HasSuffix(lastLine(off.Stdout), want) {
		t.Fatalf("offboarding: %q, want %q\n%s", lastLine(off.Stdout), want, harness.Tail(off.Stdout, 10))
	}
	gone := sb.read(t)
	for _, name := range names {
		if gone.users[name] != 0 || len(gone.memberships[name]) != 0 || len(gone.assigned[name]) != 0 {
			t.Errorf("%s after offboarding: %d users, groups %v, assignments %v", name, gone.users[name], gone.memberships[name], gone.assigned[name])
		}
	}
	for who := range gone.assigned {
		if strings.HasPrefix(who, "unknown principal") {
			t.Errorf("an assignment outlived its user: %s %v", who, gone.assigned[who])
		}
	}
	checkFixtureUntouched(t, before, gone)
	sb.Inspect(t, "DELETE", "requests", nil, nil)
	again := gh.MustRun(t, 0, append([]string{"offboard", "--yes"}, common...)...)
	if c := sb.requests(t); c.Mutating != 0 || !strings.Contains(lastLine(again.Stdout), strconv.Itoa(n)+" absent") {
		t.Errorf("offboarding again: %q, %d mutating calls (%s)", lastLine(again.Stdout), c.Mutating, c.mutations())
	}
}

// checkFixtureUntouched checks that the users gatehouse did not create have
// what they had.
func checkFixtureUntouched(t *testing.T, before, after directory) {
	t.Helper()
	for _, name := range fixtureUsers {
		if after.users[name] != 1 {
			t.Errorf("%s, not gatehouse's: %d users", name, after.users[name])
		}
		if g, w := once(t, name, after.memberships[name]), once(t, name, before.memberships[name]); strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("%s, not gatehouse's: groups %v, had %v", name, g, w)
		}
		if g, w := once(t, name, after.assigned[name]), once(t, name, before.assigned[name]); strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("%s, not gatehouse's: assignments %v, had %v", name, g, w)
		}
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
