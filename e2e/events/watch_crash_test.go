package events_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// seed is harness.Seed for this suite.
func seed(t *testing.T) uint64 { t.Helper(); return harness.Seed(t, "./e2e/events") }

// A watcher working through 200 events is killed with SIGKILL at random
// moments and started again, as a process supervisor would, many times;
// the last one runs until the queue is empty. Every user is complete, the
// last password each was mailed signs in and no earlier one does, no
// password was mailed twice, nobody has two confirmed deliveries, the
// journal has no unconfirmed credential, and nothing went to the
// dead-letter queue.
func TestKilledWatcherRestartsUntilEveryUserIsComplete(t *testing.T) {
	t.Parallel()
	const n = 200
	rng := rand.New(rand.NewPCG(seed(t), 0x9e3779b97f4a7c15))
	// 20 ms a call spreads the work over the kills (without latency one
	// watcher completes the 200 users in about two seconds).
	e := newEnvWith(t, seed003World(20, rule("create-user", createUserPattern, topicARN)), raceConfig, "--latency", "20ms")
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("person%03d@example.com", i)
	}
	e.createUsers(t, names, "/", nil)

	kills, midWork := 0, 0
	for kills < 10 {
		before := len(e.mails(t))
		w := e.startWatcher(t, "--in-flight", "8")
		delay := 300*time.Millisecond + time.Duration(rng.Int64N(int64(1500*time.Millisecond)))
		killed, code := w.KillAfter(delay)
		if !killed {
			t.Fatalf("the watcher ended by itself (exit %d) before its kill at %v:\n%s", code, delay, w.Output())
		}
		kills++
		mails := len(e.mails(t))
		if mails > before {
			midWork++
		}
		t.Logf("kill %d after %v: %d mails so far", kills, delay.Round(time.Millisecond), mails)
		if mails >= n {
			break
		}
	}
	if midWork == 0 {
		t.Fatalf("none of the %d kills landed while the watcher was completing users: the test proved nothing", kills)
	}
	final := e.startWatcher(t, "--in-flight", "8")
	waitFor(t, 30*time.Second, "the last watcher to start", func() bool { return strings.Contains(final.Output(), `"msg":"watching"`) })
	waitFor(t, 2*time.Minute, "every user to be mailed and the queue to empty", func() bool {
		v, f := e.depth(t, "new-users")
		return len(mailsByUser(e.mails(t))) >= n && v+f == 0
	})
	if code := final.Stop(t); code != 0 {
		t.Errorf("the last watcher exited with %d after SIGTERM", code)
	}

	checkCompleteAfterKills(t, e, names)
	checkJournalDeliveredOnce(t, e.journal(), names)
	if dlq, _ := e.depth(t, "new-users-dlq"); dlq != 0 {
		t.Errorf("%d messages in the dead-letter queue, want none", dlq)
	}
	checkHistory(t, e, n, kills)
}

// checkCompleteAfterKills checks each user in the sandbox — gatehouse's tag,
// staff, a login profile to reset — and its mail: one per credential
// issued, the last one signing in and no earlier one.
func checkCompleteAfterKills(t *testing.T, e *env, names []string) {
	t.Helper()
	users := e.users(t, member)
	byUser := mailsByUser(e.mails(t))
	seen, resent := map[string]string{}, 0
	for _, name := range names {
		u := users[name]
		if u.tag("gatehouse:managed-by") != "gatehouse" || u.LoginProfile == nil || !u.LoginProfile.ResetRequired ||
			len(u.Groups) != 1 || u.Groups[0] != "staff" {
			t.Errorf("%s: %+v; want gatehouse's, in staff (once), with a login profile to reset", name, u)
		}
		got := byUser[name]
		if len(got) == 0 {
			t.Errorf("%s: no mail", name)
			continue
		}
		if len(got) > 1 {
			resent++
		}
		for i, m := range got {
			if other, dup := seen[m.Password]; dup {
				t.Errorf("the same password was mailed to %s and %s", other, name)
			}
			seen[m.Password] = name
			valid, _ := e.signsIn(t, member, name, m.Password)
			if last := i == len(got)-1; valid != last {
				t.Errorf("%s: mail %d of %d signs in: %v", name, i+1, len(got), valid)
			}
		}
	}
	t.Logf("%d of %d users were mailed twice: a kill fell between the mail and the journal's confirmation, so the "+
		"credential was re-issued (only the last one signs in)", resent, len(names))
}

// checkHistory reads `gatehouse history`: a succeeded run for every user
// (more where a killed watcher's run had done everything but record the
// event), the killed watchers' runs shown as "running or died", none failed.
func checkHistory(t *testing.T, e *env, users, kills int) {
	t.Helper()
	r := e.gatehouse(t).MustRun(t, 0, "history", "--journal", e.journal(), "--output", "json", "--limit", "0")
	var runs []struct {
		ID     int64
		Status string
	}
	if err := json.Unmarshal([]byte(r.Stdout), &runs); err != nil {
		t.Fatalf("gatehouse history --output json: %v\n%s", err, r.Stdout)
	}
	status := map[string]int{}
	for _, run := range runs {
		status[run.Status]++
	}
	t.Logf("history: %d runs: %v", len(runs), status)
	if status["failed"] > 0 || status["running"] > kills*8 || status["succeeded"] < users {
		t.Errorf("history: %v; want no failed run, at least %d succeeded, and at most %d died (8 in hand per kill)", status, users, kills*8)
	}
}
