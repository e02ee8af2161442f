package events_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// raceConfig completes every user into staff, mailing the password.
const raceConfig = `
role: {name: OrganizationAccountAccessRole}
delivery: {channel: ses, from: it@example.com}
defaults: {groups: [staff]}
events: {}
`

// Two watchers share one queue and one journal while 500 users are created,
// and every CreateUser reaches the queue twice (through SNS and straight
// from the rule), so the watchers race for the copies of one event as well
// as for the queue. Every user gets exactly one credential and one mail,
// none is lost, and both watchers did part of the work.
func TestTwoWatchersRaceForFiveHundredEvents(t *testing.T) {
	t.Parallel()
	const n = 500
	e := newEnvWith(t, seed003World(10, rule("create-user", createUserPattern, topicARN, queueARN)), raceConfig)
	watchers := []string{"w1", "w2"}
	procs := map[string]*harness.Process{}
	for _, name := range watchers {
		p := e.startWatcher(t, "--name", name, "--in-flight", "8")
		procs[name] = p
		waitFor(t, 30*time.Second, name+" to start", func() bool { return strings.Contains(p.Output(), `"msg":"watching"`) })
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("person%03d@example.com", i)
	}
	start := time.Now()
	e.createUsers(t, names, "/", nil)
	waitFor(t, 3*time.Minute, fmt.Sprintf("%d mails and an empty queue", n), func() bool {
		v, f := e.depth(t, "new-users")
		return len(e.mails(t)) >= n && v+f == 0
	})
	t.Logf("%d users created, completed and mailed in %v (%.0f a second, two watchers, no latency)",
		n, time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds())
	for _, name := range watchers {
		if code := procs[name].Stop(t); code != 0 {
			t.Errorf("%s exited with %d after SIGTERM", name, code)
		}
	}

	checkOneMailEach(t, e, names)
	checkJournalDeliveredOnce(t, e.journal(), names)
	if dlq, _ := e.depth(t, "new-users-dlq"); dlq != 0 {
		t.Errorf("%d messages in the dead-letter queue, want none", dlq)
	}
	completed := map[string]int{}
	for _, name := range watchers {
		for _, l := range verdicts(procs[name].Output()) {
			if l.Msg == "completed" {
				completed[name]++
			}
		}
	}
	t.Logf("completed by each watcher: %v", completed)
	if completed["w1"]+completed["w2"] != n || completed["w1"] == 0 || completed["w2"] == 0 {
		t.Errorf("completed by each watcher: %v; want %d in all, shared", completed, n)
	}
}

// checkOneMailEach checks that each user got exactly one mail, to their
// address, whose password signs in and must be changed, and nobody else
// got any.
func checkOneMailEach(t *testing.T, e *env, names []string) {
	t.Helper()
	ms := e.mails(t)
	byUser := mailsByUser(ms)
	for _, name := range names {
		got := byUser[name]
		if len(got) != 1 {
			t.Errorf("%s: %d mails, want 1", name, len(got))
			continue
		}
		if valid, reset := e.signsIn(t, member, name, got[0].Password); !valid || !reset {
			t.Errorf("%s: the mailed password signs in: %v, must be changed: %v", name, valid, reset)
		}
	}
	if len(ms) != len(names) {
		t.Errorf("%d mails in all, want %d", len(ms), len(names))
	}
}

// checkJournalDeliveredOnce opens the journal the watchers shared: each
// user's credential is delivered, with exactly one confirmed delivery over
// every run, and nothing is left unconfirmed.
func checkJournalDeliveredOnce(t *testing.T, path string, names []string) {
	t.Helper()
	ctx := context.Background()
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	left, err := j.Unconfirmed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range left {
		t.Errorf("journal: %s's credential %s is still unconfirmed", p.UserName, p.CredentialID)
	}
	people, err := j.People(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, p := range people {
		state[strings.ToLower(p.UserName)] = p.CredentialState
	}
	runs, err := j.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for _, r := range runs {
		ds, err := j.Deliveries(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Status == journal.DeliverySent {
				sent[strings.ToLower(d.UserName)]++
			}
		}
	}
	for _, name := range names {
		if state[name] != journal.CredentialDelivered || sent[name] != 1 {
			t.Errorf("journal: %s's credential is %q with %d confirmed deliveries; want delivered, once", name, state[name], sent[name])
		}
	}
}
