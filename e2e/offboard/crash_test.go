package offboard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// seed is harness.Seed for this suite.
func seed(t *testing.T) uint64 { t.Helper(); return harness.Seed(t, "./e2e/offboard") }

// Crash safety of offboarding: 100 people with users in one to three of
// four accounts (about 200 users, each with login profile, access keys, SSH
// keys, groups, inline and managed policies and an enabled virtual MFA
// device; some also certificates, service-specific credentials, a boundary,
// hardware tokens and passkeys) are offboarded from every account of the
// organisation, and the run is killed with SIGKILL at random moments, many
// times, most of them while it is removing things; then it is run to
// completion.
//
// After every kill, every user the sandbox shows has lost anything (or is
// gone) has an archive file and a journal archive record, and the first of
// each holds everything the user had at the start: archiving happens before
// the first delete, whatever moment the process dies at. At the end everyone
// is gone from every account, no virtual MFA device is left orphaned (a kill
// between deactivating and deleting one leaves exactly that), the bystanders
// and the spare device are untouched, and one more run changes nothing.
func TestOffboardKilledAtRandomThenRerun(t *testing.T) {
	dir := t.TempDir()
	everyone := people(100)
	sb := startSandbox(t, writeFixture(t, dir, everyone), filepath.Join(dir, "sandbox.log"), "--state", filepath.Join(dir, "state"))
	registerDevices(t, sb, everyone)
	c := &crashes{t: t, rng: rand.New(rand.NewPCG(seed(t), 0x6a09e667f3bcc909)), sb: sb, everyone: everyone,
		initial: sb.world(t), gh: newGatehouse(t, filepath.Join(dir, "home")),
		journal: filepath.Join(dir, "journal.db"), archive: filepath.Join(dir, "archive")}
	checkLoaded(t, c.initial, everyone)
	// --rate-limit and --concurrency only keep the test short; the sandbox
	// has no rate limit here.
	c.args = []string{"offboard", "-f", writePeople(t, dir, everyone), "--all-accounts", "--yes",
		"--journal", c.journal, "--archive", c.archive, "--endpoint-url", sb.URL, "--concurrency", "8", "--rate-limit", "1000"}

	target := 20 + c.rng.IntN(10)
	for attempt := 1; c.kills < target && attempt <= 80; attempt++ {
		if !c.killOnce(attempt) {
			break // the run finished by itself: nothing left to interrupt
		}
		if t.Failed() {
			t.FailNow() // the first kill that breaks the rule is the one to replay
		}
	}
	if c.midApply < 10 {
		t.Fatalf("only %d of %d kills landed while gatehouse was removing anything: the test proved too little", c.midApply, c.kills)
	}
	t.Logf("%d kills, %d while removing; %d left users partly stripped, %d left virtual MFA devices deactivated but not deleted",
		c.kills, c.midApply, c.sawStripped, c.sawLeftover)
	if c.sawLeftover == 0 {
		t.Logf("no kill left a virtual MFA device deactivated but not deleted: the orphan check below proved less this time")
	}

	final := c.gh.MustRun(t, 0, c.args...)
	t.Logf("the run to completion took %v", final.Took.Round(time.Millisecond))
	end := sb.world(t)
	s := checkArchivedFirst(t, c.initial, end, everyone, readArchives(t, c.archive, c.journal))
	if s.touched != len(refs(everyone)) || s.gone != s.touched {
		t.Errorf("%d of %d users touched and %d gone, want all of them gone", s.touched, len(refs(everyone)), s.gone)
	}
	checkEveryoneGone(t, sb, c.initial, end)
	if len(s.tmpFiles) > 0 {
		// Harmless (0600, never read), but nothing ever removes them.
		t.Logf("%d temporary archive files left behind by killed writes, such as %s", len(s.tmpFiles), s.tmpFiles[0])
	}

	before := sb.requests(t)
	again := c.gh.MustRun(t, 0, c.args...)
	if n := sb.requests(t).Mutating - before.Mutating; n != 0 {
		t.Errorf("the run after completion made %d mutating calls, want 0\n%s", n, harness.Tail(again.Stdout, 20))
	}
}

// crashes is the kill-and-rerun test's world and what its kills saw.
type crashes struct {
	t                *testing.T
	rng              *rand.Rand
	sb               *sandbox
	gh               *harness.Gatehouse
	args             []string
	everyone         []person
	initial          world
	journal, archive string
	kills, midApply  int
	sawLeftover      int // kills after which a virtual MFA device was deactivated but not deleted
	sawStripped      int // kills after which a user had lost some things but not all
}

// killOnce starts a run and kills it with SIGKILL, then checks the archive
// rule; it reports false when the run finished before the kill.
//
// Most kills land after a random number of this run's changes (a user takes
// about 17), so they fall while it removes things however fast the machine
// is; the others at a random time since the start, which may be while it
// reads the input, plans or opens the journal. Every choice is drawn every
// time, so a seed replays the same choices.
func (c *crashes) killOnce(attempt int) bool {
	t := c.t
	blind := c.rng.IntN(5) == 0
	// Up to 400 ms: reading, planning and the first removals. Later blind
	// kills let a fast machine finish everyone before ten kills landed.
	blindAt := time.Duration(c.rng.Int64N(int64(400 * time.Millisecond)))
	afterChanges := 1 + c.rng.IntN(250)
	before := c.sb.requests(t).Mutating
	run := c.gh.Start(t, c.args...)
	var how string
	if blind {
		waitUntil(run, func() bool { return time.Since(run.Started) >= blindAt })
		how = fmt.Sprintf("%v after start", blindAt.Round(time.Millisecond))
	} else {
		waitUntil(run, func() bool { n, err := c.sb.mutations(); return err == nil && n >= before+afterChanges })
		how = fmt.Sprintf("after %d of its changes (%v after start)", afterChanges, time.Since(run.Started).Round(time.Millisecond))
	}
	killed, code := run.Kill()
	if !killed {
		t.Logf("run %d finished by itself (exit %d) before its kill, %s", attempt, code, how)
		return false
	}
	c.kills++
	changes := c.sb.requests(t).Mutating - before
	if changes > 0 {
		c.midApply++
	}
	s := checkArchivedFirst(t, c.initial, c.sb.world(t), c.everyone, readArchives(t, c.archive, c.journal))
	if s.leftoverVirtual > 0 {
		c.sawLeftover++
	}
	if s.stripped > 0 {
		c.sawStripped++
	}
	t.Logf("kill %d, %s: %d changes in this run; %d users gone, %d partly stripped, %d virtual MFA devices deactivated but not deleted",
		c.kills, how, changes, s.gone, s.stripped, s.leftoverVirtual)
	return true
}

// waitUntil polls cond until it holds or the run ends by itself (or a
// minute passes, which fails nothing: the kill then tells what happened).
func waitUntil(run *harness.Process, cond func() bool) {
	deadline := time.Now().Add(time.Minute)
	for !run.Exited() && !cond() && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
}

// checkLoaded makes sure the world is what the test means it to be: every
// user with what the fixture and the registrations gave it.
func checkLoaded(t *testing.T, w world, everyone []person) {
	t.Helper()
	kinds := map[string]int{}
	for i, p := range everyone {
		for _, acct := range p.Accounts {
			u := w.user(acct, p.UserName)
			if u == nil {
				t.Fatalf("the fixture did not make %s in %s", p.UserName, acct)
			}
			want := 1 + len(p.Registered)
			if i%6 == 5 {
				want++
			}
			if len(u.MFADevices) != want || u.LoginProfile == nil || len(u.AccessKeys) == 0 || len(u.SSHKeys) == 0 ||
				len(u.Groups) < 2 || len(u.InlinePolicies) == 0 || len(u.AttachedPolicies) == 0 {
				t.Fatalf("%s in %s is not loaded as meant: %+v", p.UserName, acct, u)
			}
			for _, d := range u.MFADevices {
				kinds[d.Type]++
			}
			kinds["certificate"] += len(u.SigningCerts)
			kinds["service credential"] += len(u.ServiceCreds)
			if u.PermissionsBoundary != "" {
				kinds["boundary"]++
			}
		}
	}
	for _, k := range []string{"virtual", "hardware", "passkey", "certificate", "service credential", "boundary"} {
		if kinds[k] == 0 {
			t.Fatalf("no user has a %s: the fixture does not test what it should (%v)", k, kinds)
		}
	}
	t.Logf("%d people, %d users in %d accounts; MFA devices and other kinds: %v", len(everyone), len(refs(everyone)), len(accounts), kinds)
}

// archiveStats is what a check after a kill saw.
type archiveStats struct {
	touched, gone, stripped int      // users that lost anything; of those, deleted and still there
	leftoverVirtual         int      // virtual MFA devices deactivated and not deleted
	tmpFiles                []string // temporary archive files that killed writes left behind
}

// checkArchivedFirst checks that every selected user the sandbox shows has
// lost anything — or is gone — has an archive file and a journal record, the
// first of each complete: everything the user had at the start.
func checkArchivedFirst(t *testing.T, initial, now world, everyone []person, a archives) archiveStats {
	t.Helper()
	var s archiveStats
	problems := 0
	for _, r := range refs(everyone) {
		want := stateContents(initial.user(r.account, r.name))
		cur := now.user(r.account, r.name)
		if cur != nil && sameContents(stateContents(cur), want) {
			continue
		}
		s.touched++
		if cur == nil {
			s.gone++
		} else {
			s.stripped++
		}
		key := archiveKey(r.account, r.name)
		for place, list := range map[string][]archived{"archive folder": a.files[key], "journal": a.journal[key]} {
			if why := firstComplete(list, want, place); why != "" {
				if problems++; problems <= 10 {
					t.Errorf("%s was changed (%s) but its archive is not complete: %s", r, lost(want, cur), why)
				}
			}
		}
	}
	if problems > 10 {
		t.Errorf("… and %d more such problems", problems-10)
	}
	for _, acct := range accounts {
		for _, d := range now.Accounts[acct].VirtualMFA {
			if d.User == "" && !strings.HasSuffix(d.Serial, "/"+spareDevice) {
				s.leftoverVirtual++
			}
		}
	}
	s.tmpFiles = a.leftovers
	return s
}

// lost says what a user lost since the start.
func lost(initial contents, cur *stateUser) string {
	if cur == nil {
		return "the user is gone"
	}
	gone := initial.missingFrom(stateContents(cur))
	return fmt.Sprintf("lost %d of %d items, such as %s", len(gone), len(initial), shorten(gone[0], 80))
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// checkEveryoneGone asks IAM in every account, as its root: ListUsers shows
// only the bystander, ListVirtualMFADevices only the bystander's device and
// the spare, and the bystander has everything it had.
func checkEveryoneGone(t *testing.T, sb *sandbox, initial, end world) {
	t.Helper()
	ctx := context.Background()
	for _, acct := range accounts {
		api := sb.iam(acct)
		var users []string
		for pages := iam.NewListUsersPaginator(api, &iam.ListUsersInput{}); pages.HasMorePages(); {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListUsers in %s: %v", acct, err)
			}
			for _, u := range page.Users {
				users = append(users, *u.UserName)
			}
		}
		if !slices.Equal(users, []string{bystander}) {
			t.Errorf("ListUsers in %s after the run to completion: %d users %v, want only %s", acct, len(users), head(users, 10), bystander)
		}
		var devices []string
		pages := iam.NewListVirtualMFADevicesPaginator(api, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAny})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListVirtualMFADevices in %s: %v", acct, err)
			}
			for _, d := range page.VirtualMFADevices {
				name := (*d.SerialNumber)[strings.LastIndex(*d.SerialNumber, "/")+1:]
				if d.User != nil {
					name += " (assigned to " + *d.User.UserName + ")"
				}
				devices = append(devices, name)
			}
		}
		want := []string{"bystander-phone (assigned to bystander)"}
		if acct == production {
			want = append(want, spareDevice)
		}
		slices.Sort(devices)
		slices.Sort(want)
		if !slices.Equal(devices, want) {
			t.Errorf("ListVirtualMFADevices in %s: %d devices %v, want %v (an orphaned device is one deactivated and never deleted)",
				acct, len(devices), head(devices, 10), want)
		}
		was, is := initial.user(acct, bystander), end.user(acct, bystander)
		if is == nil || !sameContents(stateContents(was), stateContents(is)) {
			t.Errorf("the bystander in %s was changed: %s", acct, lost(stateContents(was), is))
		}
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(slices.Clip(s[:n]), fmt.Sprintf("… %d more", len(s)-n))
	}
	return s
}
