package identitycenter_test

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// seed is harness.Seed for this suite.
func seed(t *testing.T) uint64 { t.Helper(); return harness.Seed(t, "./e2e/identitycenter") }

// kill -9 during onboarding, again and again, then a run to completion: no
// user, membership or assignment is doubled, nobody is refused as someone
// else's (Identity Center cannot mark users: a user created just before a
// kill is recognised from the intent the journal recorded before
// CreateUser), everyone has their access and a welcome, and one more run
// changes nothing.
func TestKill9DuringOnboardingThenRerun(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(seed(t), 0x9e3779b97f4a7c15))
	dir := t.TempDir()
	sb := startSandbox(t, dir)
	specPath, names := writeTeam(t, dir, 24)
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	args := []string{"onboard", "-f", specPath, "--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", sb.URL}

	// A run plans for a few seconds (reads, at 20 a second) before it
	// changes anything, and each run's plan is longer than the last's.
	kills, midApply, creating := 0, 0, 0
	for attempt := 0; attempt < 8 && (midApply < 3 || creating == 0); attempt++ {
		before := sb.requests(t)
		delay := 3500*time.Millisecond + time.Duration(rng.Int64N(int64(5*time.Second)))
		killed, code := gh.Start(t, args...).KillAfter(delay)
		after := sb.requests(t)
		if !killed {
			t.Logf("run %d finished by itself (exit %d) before its kill at %v", attempt+1, code, delay)
			break
		}
		kills++
		if after.Mutating > before.Mutating {
			midApply++
		}
		made := after.action("CreateUser") - before.action("CreateUser")
		if made > 0 {
			creating++
		}
		t.Logf("kill %d after %v: %d mutating calls in this run, %d of them CreateUser; %d CreateAccountAssignment so far",
			kills, delay.Round(time.Millisecond), after.Mutating-before.Mutating, made, after.action("CreateAccountAssignment"))
	}
	if creating == 0 {
		t.Fatalf("none of the %d kills landed while gatehouse was creating users: the test proved nothing", kills)
	}

	final := gh.MustRun(t, 0, args...)
	summary := lastLine(final.Stdout)
	if strings.Contains(summary, "skipped") || strings.Contains(summary, "failed") {
		t.Errorf("the run after %d kills: %q — someone was refused or failed:\n%s", kills, summary, final.Stdout)
	}
	t.Logf("after %d kills, the run to completion: %s", kills, summary)
	d := sb.read(t)
	d.checkPeople(t, names)
	for _, name := range fixtureUsers {
		if d.users[name] != 1 {
			t.Errorf("%s: %d users", name, d.users[name])
		}
	}
	mail := sb.mail(t)
	for _, name := range names {
		if len(mail[name]) == 0 {
			t.Errorf("%s was never welcomed", name)
		}
	}

	sb.Inspect(t, "DELETE", "requests", nil, nil)
	again := gh.MustRun(t, 0, args...)
	if c := sb.requests(t); c.Mutating != 0 {
		t.Errorf("one more run made %d mutating calls (%s):\n%s", c.Mutating, c.mutations(), again.Stdout)
	}
}
