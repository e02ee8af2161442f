package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// criticalResult is one `gatehouse offboard USER --yes` of a fully loaded
// user, laid out in time from the sandbox's request log.
type criticalResult struct {
	rate     float64       // gatehouse --rate-limit (0: left out, adaptive)
	wall     time.Duration // the process, start to exit
	setup    time.Duration // process start to the user's first call (config, caller identity, assume role)
	critical time.Duration // the user's first call began → the last call ended (discover, archive, remove, verify)
	apply    time.Duration // the first change began → the last call ended
	after    time.Duration // the last call ended → the process exited (report, journal)
	depth    int           // the user's calls that had to happen one after another
	calls    int           // the user's calls
	planWall time.Duration // `gatehouse offboard USER` without --yes (the plan only), on its own sandbox
}

func critical(ctx context.Context, o options, dir string, out, log io.Writer) error {
	member := memberID(0)
	fixture, err := writeWorld(dir, "critical.yaml", []string{member}, []string{member},
		[]person{{email: "alice@example.com", userName: "alice"}}, loaded)
	if err != nil {
		return err
	}
	var results [][]criticalResult
	for _, rate := range o.criticalRates {
		var runs []criticalResult
		for i := range o.repeat {
			r, err := criticalRun(ctx, o, dir, fixture, member, rate)
			if err != nil {
				return err
			}
			fmt.Fprintf(log, "critical, --rate-limit %s, %d/%d: wall %v, setup %v, critical path %v (%.2f latencies, %d calls deep, %d calls), apply %v, plan-only wall %v\n",
				gatehouseflags.RateLabel(rate), i+1, o.repeat, ms(r.wall), ms(r.setup), ms(r.critical), latencies(r.critical, o.latency), r.depth, r.calls, ms(r.apply), ms(r.planWall))
			runs = append(runs, r)
		}
		results = append(results, runs)
	}
	writeCritical(out, o, results)
	return nil
}

func criticalRun(ctx context.Context, o options, dir, fixture, member string, rate float64) (criticalResult, error) {
	r := criticalResult{rate: rate}
	home, err := os.MkdirTemp(dir, "critical-")
	if err != nil {
		return r, err
	}
	args := append([]string{"offboard", "alice", "--account", member, "--journal", filepath.Join(home, "journal.db"),
		"--archive", filepath.Join(home, "archive")}, gatehouseflags.Flags(rate, 0)...)

	// The plan alone, on a sandbox of its own: process start, setup, discovery, printing.
	plan, err := oneRun(ctx, o, fixture, home, args)
	if err != nil {
		return r, err
	}
	r.planWall = plan.Wall

	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String(), "-v")
	if err != nil {
		return r, err
	}
	defer sb.stop()
	m, err := measure.Run(ctx, gatehouseEnv(home), o.gatehouse, append(args, "--yes", "--endpoint-url", sb.url)...)
	if err != nil {
		return r, err
	}
	if err := m.MustSucceed("gatehouse offboard --yes"); err != nil {
		return r, err
	}
	time.Sleep(200 * time.Millisecond) // the sandbox's last log lines
	var w world
	if err := sb.get("state", &w); err != nil {
		return r, err
	}
	if users, _ := w.remaining([]string{member}); users != 0 {
		return r, fmt.Errorf("alice is still in %s after gatehouse offboard --yes", member)
	}
	var c counts
	if err := sb.get("requests", &c); err != nil {
		return r, err
	}
	r.wall = m.Wall
	return r, r.layOut(sb.logged(m.Start, m.End), c.mutatingActions(), member, o.latency, m)
}

// oneRun runs gatehouse with args against a fresh sandbox with the same latency.
func oneRun(ctx context.Context, o options, fixture, home string, args []string) (*measure.Process, error) {
	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String())
	if err != nil {
		return nil, err
	}
	defer sb.stop()
	m, err := measure.Run(ctx, gatehouseEnv(home), o.gatehouse, append(args, "--endpoint-url", sb.url)...)
	if err != nil {
		return nil, err
	}
	return m, m.MustSucceed("gatehouse " + args[0])
}

// layOut places the run's calls in time. With a fixed latency each call
// began one latency before the sandbox logged its end. The user's calls
// start with the first GetUser in the member account (discovery); the calls
// before it are setup, made once per run (caller identity, assume role).
func (r *criticalResult) layOut(reqs []loggedRequest, mutating map[string]bool, member string, latency time.Duration, m *measure.Process) error {
	first := slices.IndexFunc(reqs, func(q loggedRequest) bool { return q.account == member && q.action == "GetUser" })
	if first < 0 {
		return fmt.Errorf("the sandbox logged no GetUser in %s (%d requests logged)", member, len(reqs))
	}
	// Discovery's first calls all go out together with GetUser; some are
	// logged just before it.
	began := reqs[first].end.Add(-latency)
	var user []loggedRequest
	for _, q := range reqs {
		if q.end.After(began.Add(latency / 2)) {
			user = append(user, q)
		}
	}
	last := user[len(user)-1].end
	r.setup = began.Sub(m.Start)
	r.critical = last.Sub(began)
	r.after = m.End.Sub(last)
	r.calls = len(user)
	if i := slices.IndexFunc(user, func(q loggedRequest) bool { return mutating[q.action] }); i >= 0 {
		r.apply = last.Sub(user[i].end.Add(-latency))
	}
	r.depth = depth(user, latency)
	return nil
}

// depth is the longest chain of calls each of which began after the one
// before it ended: the calls on the critical path, however busy the machine.
// A call began a latency before it ended; half a latency of tolerance keeps
// concurrent calls apart (as internal/offboard's latency test counts).
func depth(reqs []loggedRequest, latency time.Duration) int {
	depths := make([]int, len(reqs))
	best := 0
	for i, q := range reqs {
		began := q.end.Add(-latency / 2)
		depths[i] = 1
		for j := range i {
			if !reqs[j].end.After(began) && depths[j]+1 > depths[i] {
				depths[i] = depths[j] + 1
			}
		}
		best = max(best, depths[i])
	}
	return best
}

func writeCritical(w io.Writer, o options, results [][]criticalResult) {
	med := func(runs []criticalResult, f func(criticalResult) time.Duration) time.Duration {
		var v []time.Duration
		for _, r := range runs {
			v = append(v, f(r))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	cell := func(runs []criticalResult, f func(criticalResult) time.Duration) string {
		lo, hi := f(runs[0]), f(runs[0])
		for _, r := range runs {
			lo, hi = min(lo, f(r)), max(hi, f(r))
		}
		return fmt.Sprintf("%v (%v–%v)", ms(med(runs, f)), ms(lo), ms(hi))
	}
	fmt.Fprintf(w, "#### 1. Critical path: one fully loaded user, %v latency per call\n\n", o.latency)
	fmt.Fprintf(w, "`gatehouse offboard alice --account %s --yes [--rate-limit R]` against `gatehouse sandbox serve --latency %v` "+
		"(no rate limit in the sandbox), a fresh sandbox each time; median of %d runs, range in brackets. The user has every kind of "+
		"dependency: virtual, hardware TOTP and passkey MFA devices, two access keys, two SSH keys, two signing certificates, "+
		"service-specific credentials for two services, three groups, two inline and two managed policies, a permissions boundary. "+
		"The timeline comes from the sandbox's request log (`-v`): a call began one latency before the sandbox logged its end. "+
		"%s\n\n",
		memberID(0), o.latency, o.repeat, concurrency().DefaultsText())
	fmt.Fprint(w, "| measure |")
	for _, runs := range results {
		fmt.Fprintf(w, " --rate-limit %s |", gatehouseflags.RateLabel(runs[0].rate))
	}
	fmt.Fprint(w, "\n|---|")
	for range results {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	row := func(name string, f func(criticalResult) time.Duration) {
		fmt.Fprintf(w, "| %s |", name)
		for _, runs := range results {
			fmt.Fprintf(w, " %s |", cell(runs, f))
		}
		fmt.Fprintln(w)
	}
	row("wall time of the process", func(r criticalResult) time.Duration { return r.wall })
	row("process start and setup (config, GetCallerIdentity, AssumeRole), before the user's first call", func(r criticalResult) time.Duration { return r.setup })
	row("**critical path**: the user's first call began → `GetUser` answered NoSuchEntity", func(r criticalResult) time.Duration { return r.critical })
	row("of which removal: the first change began → verified gone", func(r criticalResult) time.Duration { return r.apply })
	row("after the last call (report, journal) to exit", func(r criticalResult) time.Duration { return r.after })
	row("the plan alone: `gatehouse offboard alice` without `--yes`, start to exit", func(r criticalResult) time.Duration { return r.planWall })
	row("`--yes` wall time minus the plan alone", func(r criticalResult) time.Duration { return r.wall - r.planWall })
	fmt.Fprint(w, "| **critical path ÷ latency** (goal ≤ 6) |")
	for _, runs := range results {
		fmt.Fprintf(w, " **%.2f** |", latencies(med(runs, func(r criticalResult) time.Duration { return r.critical }), o.latency))
	}
	fmt.Fprint(w, "\n| calls one after another on the critical path |")
	for _, runs := range results {
		d := map[int]int{}
		for _, r := range runs {
			d[r.depth]++
		}
		fmt.Fprintf(w, " %s |", depthList(d))
	}
	fmt.Fprint(w, "\n| calls for the user |")
	for _, runs := range results {
		fmt.Fprintf(w, " %d |", runs[0].calls)
	}
	fmt.Fprint(w, "\n\n")
}

func depthList(d map[int]int) string {
	var keys []int
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d (in %d runs)", k, d[k])
	}
	return s
}

func latencies(d, latency time.Duration) float64 { return float64(d) / float64(latency) }

func ms(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
