package okta_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
)

// truth is a person as Okta has them after their events, in order.
type truth struct {
	in     map[string]bool // mapped source → member
	status string          // active, suspended, deactivated
}

// moves are what may happen to a person in Okta, with what it does to the
// truth.
var moves = []struct {
	make  func(uuid, who string, at int) okta.Event
	apply func(t *truth)
}{
	{joinApp, func(t *truth) { t.in["app"] = true }},
	{leaveApp, func(t *truth) { t.in["app"] = false }},
	{func(u, w string, at int) okta.Event { return joinGroup(u, w, admins, at) }, func(t *truth) { t.in["admins"] = true }},
	{func(u, w string, at int) okta.Event { return leaveGroup(u, w, admins, at) }, func(t *truth) { t.in["admins"] = false }},
	{func(u, w string, at int) okta.Event { return joinGroup(u, w, auditors, at) }, func(t *truth) { t.in["auditors"] = true }},
	{func(u, w string, at int) okta.Event { return leaveGroup(u, w, auditors, at) }, func(t *truth) { t.in["auditors"] = false }},
	{func(u, w string, at int) okta.Event { return joinGroup(u, w, unmapped, at) }, func(*truth) {}},
	{func(u, w string, at int) okta.Event { return lifecycle(u, okta.UserSuspend, w, at) }, func(t *truth) { t.status = "suspended" }},
	{func(u, w string, at int) okta.Event { return lifecycle(u, okta.UserUnsuspend, w, at) }, func(t *truth) { t.status = "active" }},
	{func(u, w string, at int) okta.Event { return lifecycle(u, okta.UserDeactivate, w, at) }, func(t *truth) { t.status = "deactivated" }},
	{func(u, w string, at int) okta.Event { return lifecycle(u, okta.UserReactivate, w, at) }, func(t *truth) { t.status = "active" }},
}

// grants are what each mapped source gives (as the test mapping says).
var grants = map[string]struct{ groups, assigned []string }{
	"app":      {[]string{"engineers"}, []string{"ReadOnly@111111111111"}},
	"admins":   {[]string{"admins"}, []string{"AdministratorAccess@111111111111", "AdministratorAccess@222222222222"}},
	"auditors": {[]string{"auditors"}, []string{"ReadOnly@111111111111", "ReadOnly@222222222222"}},
}

// A burst of 500 events about 40 people — every one delivered, a quarter
// of them twice or more, in shuffled deliveries posted concurrently while
// the processor works — converges to the state Okta's order of events
// implies: who has a user, with which memberships and assignments. Every
// event is accounted for, a welcome goes out once per user created, and
// delivering the whole burst again changes nothing.
func TestBurstConverges(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	sent := burst(t, w, 40)
	if created := w.dir.calls["create-user"]; w.mail.Count() != created {
		t.Errorf("%d welcomes for %d users created", w.mail.Count(), created)
	}
	calls := fmt.Sprint(w.dir.calls)
	w.post500(t, sent, rand.New(rand.NewPCG(1, 2)))
	w.drain(t)
	if fmt.Sprint(w.dir.calls) != calls || w.counts(t)[journal.OktaDone]+w.counts(t)[journal.OktaIgnored] != 500 {
		t.Errorf("delivering the burst again reached Identity Center: %v, was %s", w.dir.calls, calls)
	}
}

// burst sends 500 events about people, a quarter of them again, shuffled
// into deliveries posted concurrently while four workers reconcile; then
// checks every person against the truth and that every event is done or
// ignored. It returns what it sent.
func burst(t *testing.T, w *world, people int) []okta.Event {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	events, truths := []okta.Event{}, map[string]*truth{}
	for i := range people {
		who := fmt.Sprintf("p%02d", i)
		tr := &truth{in: map[string]bool{}, status: "active"}
		truths[who] = tr
		n := 500 / people
		if i < 500%people {
			n++
		}
		for k := range n {
			m := moves[rng.IntN(len(moves))]
			if k == 0 {
				m = moves[rng.IntN(6)] // start with a membership, mostly
			}
			events = append(events, m.make(fmt.Sprintf("%s-e%02d", who, k), who, k+1))
			m.apply(tr)
		}
	}
	sent := slices.Clone(events)
	for range len(events) / 4 {
		sent = append(sent, events[rng.IntN(len(events))])
	}
	rng.Shuffle(len(sent), func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })

	ctx, stop := context.WithCancel(context.Background())
	w.proc.Workers = 4
	running := make(chan struct{})
	go func() { defer close(running); w.proc.Run(ctx) }()
	w.post500(t, sent, rng)
	waitDrained(t, w)
	stop()
	<-running
	for who, tr := range truths {
		check(t, w, who, tr)
	}
	c := w.counts(t)
	if c[journal.OktaDone]+c[journal.OktaIgnored] != len(events) || c[journal.OktaPending]+c[journal.OktaFailed]+c[journal.OktaSkipped] != 0 {
		t.Errorf("events %v: want all %d done or ignored", c, len(events))
	}
	return sent
}

// post500 posts events in deliveries of 1 to 20, from 8 clients at once.
func (w *world) post500(t *testing.T, events []okta.Event, rng *rand.Rand) {
	t.Helper()
	var batches [][]okta.Event
	for rest := events; len(rest) > 0; {
		n := min(len(rest), 1+rng.IntN(20))
		batches = append(batches, rest[:n])
		rest = rest[n:]
	}
	next := make(chan []okta.Event)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for b := range next {
				w.deliver(t, b...)
			}
		})
	}
	for _, b := range batches {
		next <- b
	}
	close(next)
	wg.Wait()
}

// waitDrained waits until nothing is pending while the processor runs.
func waitDrained(t *testing.T, w *world) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if w.counts(t)[journal.OktaPending] == 0 {
			return
		}
	}
	t.Fatalf("still pending: %v", w.counts(t))
}

// check compares who's user with what the truth implies. A suspended
// person has no assignment, and at most the groups they should have (their
// user may not have been made before the suspension came).
func check(t *testing.T, w *world, who string, tr *truth) {
	t.Helper()
	var groups, assigned []string
	member := false
	for src, in := range tr.in {
		if in {
			member = true
			groups = append(groups, grants[src].groups...)
			assigned = append(assigned, grants[src].assigned...)
		}
	}
	slices.Sort(groups)
	assigned = slices.Compact(slices.Sorted(slices.Values(assigned)))
	u := w.look(t, who+"@example.com")
	switch {
	case tr.status == "deactivated" || !member:
		if u != nil {
			t.Errorf("%s (%s, in %v) has a user (%v, %v), want none", who, tr.status, tr.in, u.Groups, u.Assigned)
		}
	case tr.status == "suspended":
		if u != nil && (len(u.Assigned) > 0 || !subset(slices.Collect(maps.Keys(u.Groups)), groups)) {
			t.Errorf("%s (suspended, in %v) has %v and %v, want no assignment and groups among %v", who, tr.in, u.Groups, u.Assigned, groups)
		}
	case u == nil:
		t.Errorf("%s (active, in %v) has no user", who, tr.in)
	default:
		gotG, gotA := slices.Sorted(maps.Keys(u.Groups)), slices.Sorted(maps.Keys(u.Assigned))
		if !slices.Equal(gotG, groups) || !slices.Equal(gotA, assigned) {
			t.Errorf("%s (active, in %v) has %v and %v, want %v and %v", who, tr.in, gotG, gotA, groups, assigned)
		}
	}
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
