package onboard_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
)

// Ctrl-C while onboarding: people in flight finish (their calls are not
// cancelled), nobody new starts, the run is journaled as interrupted, and the
// same command finishes the job, every person mailed exactly once.
func TestInterruptLetsPeopleInFlightFinish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("accounts: [\"222222222222\"]\ndelivery: {from: it@example.com}\npeople:\n")
	for i := range 30 {
		fmt.Fprintf(&b, "  - email: person%02d@example.com\n", i)
	}
	in := parse(t, "many.yaml", b.String(), spec.Flags{})
	deps := e.deps(t, in)
	deps.Concurrency = 3
	plan, err := onboard.MakePlan(context.Background(), deps, in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	e.mail.setFail(func(deliver.Credential) error { once.Do(cancel); return nil }) // Ctrl-C during the first delivery
	rep, err := onboard.Apply(ctx, deps, plan)
	if err != nil {
		t.Fatal(err)
	}
	created, notStarted := rep.Count(onboard.StatusCreated), rep.Count(onboard.StatusNotStarted)
	if !rep.Interrupted || created == 0 || notStarted == 0 || created+notStarted != 30 {
		t.Fatalf("interrupted=%v, %d created, %d not started: %+v", rep.Interrupted, created, notStarted, rep.Rows)
	}
	if got := e.mail.delivered(); got != created {
		t.Errorf("%d delivered for %d people created: in-flight people did not finish", got, created)
	}
	run, _, _ := e.journal.Run(context.Background(), rep.RunID)
	if run.Status != journal.RunInterrupted {
		t.Errorf("run status %q, want %q", run.Status, journal.RunInterrupted)
	}
	e.mail.setFail(nil)
	rep = e.run(t, in)
	if !rep.OK() || rep.Count(onboard.StatusUnchanged) != created {
		t.Errorf("resume: %+v", rep.Rows)
	}
	perUser := map[string]int{}
	for _, m := range e.messages(t) {
		perUser[m.Destinations[0]]++
	}
	for i := range 30 {
		if n := perUser[fmt.Sprintf("person%02d@example.com", i)]; n != 1 {
			t.Errorf("person%02d got %d mails, want 1", i, n)
		}
	}
}

// Chaos: with 20% of requests throttled and 3% answered with 5xx, every
// person still completes — retried with backoff, never given up on.
func TestChaosEveryoneCompletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("accounts: [\"222222222222\", \"333333333333\"]\ndelivery: {from: it@example.com}\ndefaults: {groups: [developers]}\npeople:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  - email: chaos%02d@example.com\n", i)
	}
	in := parse(t, "chaos.yaml", b.String(), spec.Flags{})
	e.sb.SetFaults(t, sandbox.FaultConfig{ThrottleRate: 0.2, ErrorRate: 0.03, Seed: 3})
	rep := e.run(t, in)
	if !rep.OK() || rep.Count(onboard.StatusCreated) != 40 {
		t.Fatalf("under chaos: %s\n%+v", rep.Sentence(), rep.Rows)
	}
	if rc := e.sb.Requests(t, ""); rc.Errors == 0 {
		t.Error("no request failed: the faults did not apply")
	}
	e.sb.SetFaults(t, sandbox.FaultConfig{})
	for _, row := range rep.Rows {
		c, _ := e.mail.last(row.Account, row.UserName)
		if valid, _ := e.checkPassword(t, row.Account, row.UserName, c.Password); !valid {
			t.Errorf("%s in %s: the delivered password does not sign in", row.UserName, row.Account)
		}
	}
}
