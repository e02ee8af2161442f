package onboard_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// screener is a batching channel that is asked about a run's messages
// (deliver.Screener, as SES is) and refuses what it is told to.
type screener struct {
	batcher
	mu       sync.Mutex
	asked    [][]string
	refusals []deliver.Refusal
}

func (s *screener) Screen(_ context.Context, recipients []string) ([]deliver.Refusal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, slices.Clone(recipients))
	return s.refusals, nil
}

const screenSpec = `version: 1
accounts: ["222222222222", "333333333333"]
delivery: {channel: ses, from: it@example.com}
people:
  - email: alice@example.com
  - email: bob@example.com
    accounts: ["222222222222"]
  - email: carol@example.com
    deliver: none
`

// The plan asks the channel about every message the run would send — one
// per person, or one per account when asked — before anyone is created,
// and a rerun with nothing to send asks nothing.
func TestPlanScreensOneMessagePerPerson(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		spec string
		want []string
	}{
		{"one message per person", screenSpec, []string{"alice@example.com", "bob@example.com"}},
		{"one message per account", strings.Replace(screenSpec, "from: it@example.com}", "from: it@example.com, per_account: true}", 1),
			[]string{"alice@example.com", "alice@example.com", "bob@example.com"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			in := parse(t, "team.yaml", tt.spec, spec.Flags{})
			ch := &screener{}
			rep := e.runWith(t, in, ch, 4)
			if !rep.OK() || len(ch.asked) != 1 || !slices.Equal(ch.asked[0], tt.want) {
				t.Fatalf("asked %v, want once about %v (report ok %v)", ch.asked, tt.want, rep.OK())
			}
			e.runWith(t, in, ch, 4)
			if len(ch.asked) != 1 {
				t.Errorf("the rerun asked about %v; it sends nothing", ch.asked[1:])
			}
		})
	}
}

// Messages the channel would refuse are the plan's problems, at the people
// they go to (or for the run as a whole), and nothing is created.
func TestPlanStopsOnMessagesTheChannelRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := parse(t, "team.yaml", screenSpec, spec.Flags{})
	ch := &screener{refusals: []deliver.Refusal{
		{Recipient: "BOB@example.com", Reason: "not verified: verify it"},
		{Reason: "over the day's quota: send fewer"},
	}}
	deps := e.deps(t, in)
	deps.Channel = func(string) (deliver.Channel, error) { return ch, nil }
	before := e.sb.Requests(t, "")
	_, err := onboard.MakePlan(context.Background(), deps, in)
	var probs spec.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("MakePlan: %v, want problems", err)
	}
	got := make([]string, len(probs))
	for i, p := range probs {
		got[i] = p.String()
	}
	want := []string{"delivery by ses: over the day's quota: send fewer", "recipient bob@example.com at team.yaml:6: not verified: verify it"}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if after := e.sb.Requests(t, ""); after.Mutating != before.Mutating {
		t.Errorf("the plan changed something: %s", mutating(after))
	}
}
