package offboard_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/sandbox"
)

// With every call taking the same latency, a fully loaded user is planned and
// removed in six call latencies on the critical path: discovery (two: lists,
// then policy documents, keys' last use and SSH key bodies), every kind
// removed at once with the MFA devices deactivated, the virtual devices
// deleted, DeleteUser, and the check that it is gone.
//
// The sandbox logs when each request ends; with a fixed latency a request
// began one latency before. A request's depth is one more than the deepest
// request that ended before it began, so the depth counts the calls that had
// to happen one after another, however busy the machine running the test is.
func TestRemovalTakesSixCallLatencies(t *testing.T) {
	t.Parallel()
	log := &requestLog{}
	e := newEnvWith(t, sandbox.Options{Logger: slog.New(log)})
	// In the caller's own account: resolving the selected accounts (Organizations)
	// and assuming a role happen once per run, not per user.
	e.sb.LoadFixture(t, `accounts:
  "111111111111":
    policies:
      - {name: DeveloperBoundary, path: /boundaries/, document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
    groups: [{name: developers, path: /staff/}, {name: on-call}, {name: readers}]
    users:
`+loadedUser(mgmt, "lat", "lat@example.com"))
	ctx := context.Background()
	deps := e.deps(t)
	if _, err := deps.Directory.Caller(ctx); err != nil { // who gatehouse is: asked once per run
		t.Fatal(err)
	}
	const latency = 300 * time.Millisecond
	e.sb.SetFaults(t, sandbox.FaultConfig{LatencyMS: int(latency / time.Millisecond)})
	log.start()
	start := time.Now()
	p, err := offboard.MakePlan(ctx, deps, request(t, offboard.ActionRemove, []string{"lat"}))
	if err != nil {
		t.Fatal(err)
	}
	planDepth := log.depth(latency)
	rep, err := offboard.Apply(ctx, deps, p)
	if err != nil || !rep.OK() {
		t.Fatalf("apply: %v %+v", err, rep.Rows)
	}
	total := time.Since(start)
	depth, requests := log.depth(latency), log.count()
	t.Logf("%d requests, %d one after another (discovery %d); %v in all (%.2f latencies)", requests, depth, planDepth,
		total, float64(total)/float64(latency))
	if planDepth != 2 || depth != 6 {
		t.Errorf("discovery %d and removal %d calls deep, want 2 and 6", planDepth, depth)
	}
	if requests < 40 {
		t.Errorf("only %d requests: the user was not fully loaded", requests)
	}
	// The wall time is logged, not asserted: on a loaded machine it says
	// more about the machine. BENCHMARKS.md measures it quietly.
}

// requestLog is a slog handler that keeps when each sandbox request ended.
type requestLog struct {
	mu   sync.Mutex
	on   bool
	ends []time.Time
}

func (l *requestLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *requestLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *requestLog) WithGroup(string) slog.Handler            { return l }

func (l *requestLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.ends = append(l.ends, r.Time)
	}
	return nil
}

func (l *requestLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.ends = true, nil
}

func (l *requestLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ends)
}

// depth is the longest chain of requests each of which began after the
// previous one ended. A request began a latency before it ended; half a
// latency of tolerance keeps concurrent requests apart.
func (l *requestLog) depth(latency time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	depths := make([]int, len(l.ends))
	best := 0
	for i, end := range l.ends { // in the order they ended
		began := end.Add(-latency / 2)
		depths[i] = 1
		for j := range i {
			if !l.ends[j].After(began) && depths[j]+1 > depths[i] {
				depths[i] = depths[j] + 1
			}
		}
		best = max(best, depths[i])
	}
	return best
}
