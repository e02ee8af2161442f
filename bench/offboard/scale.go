package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// scaleResult is one scale run.
type scaleResult struct {
	concurrency int // gatehouse --concurrency (0: left out, its default)
	run         *measure.Process
	bound       time.Duration // the busiest account's calls / R
	busiest     string
	busiestN    int
	errors      int // calls answered with an error
	throttled   int // of those, beyond the one NoSuchEntity per user of the final check
	total       int
	firstChange time.Duration
	// spans are, per account, when its first and last calls were counted
	// (to the sampler's resolution): how much the accounts overlapped.
	spans map[string][2]time.Duration
}

func scale(ctx context.Context, o options, dir string, out, log io.Writer) error {
	if o.accounts < 1 || o.accounts > 7 {
		return fmt.Errorf("-accounts %d: use 1 to 7", o.accounts)
	}
	var members []string
	for i := range o.accounts {
		members = append(members, memberID(i))
	}
	everyone := peopleOf(o.people, "person")
	fixture, err := writeWorld(dir, "scale.yaml", members, members, everyone, typical)
	if err != nil {
		return err
	}
	peopleFile, err := writePeople(dir, "scale-people.csv", everyone)
	if err != nil {
		return err
	}
	concurrencies, err := gatehouseflags.ParseList(o.concurrency)
	if err != nil {
		return err
	}
	var results []scaleResult
	for _, conc := range concurrencies {
		fmt.Fprintf(log, "scale: %d people × %d accounts, %v latency, %g requests/s per account, --rate-limit %s, --concurrency %s\n",
			o.people, o.accounts, o.latency, o.rate, gatehouseflags.RateLabel(o.ghRate), concurrency().Label(conc, o.accounts))
		r, err := scaleRun(ctx, o, dir, fixture, peopleFile, members, conc)
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "  wall %v, bound %v (%s: %d calls), ratio %.3f, peak RSS %d MiB, %d throttled, first change at %v\n",
			ms(r.run.Wall), ms(r.bound), r.busiest, r.busiestN, ratio(r.run.Wall, r.bound), r.run.MaxRSSKB/1024, r.throttled, ms(r.firstChange))
		results = append(results, r)
	}
	writeScale(out, o, results, members)
	return nil
}

func scaleRun(ctx context.Context, o options, dir, fixture, peopleFile string, members []string, conc int) (scaleResult, error) {
	r := scaleResult{concurrency: conc}
	users := o.people * len(members)
	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String(), "--rate-limit", fmt.Sprint(o.rate))
	if err != nil {
		return r, err
	}
	defer sb.stop()
	home, err := os.MkdirTemp(dir, "scale-")
	if err != nil {
		return r, err
	}
	args := append([]string{"offboard", "-f", peopleFile, "--account", strings.Join(members, ","), "--yes",
		"--journal", filepath.Join(home, "journal.db"), "--archive", filepath.Join(home, "archive"), "--endpoint-url", sb.url,
		"--output", "json"}, gatehouseflags.Flags(o.ghRate, conc)...)
	sm := startSampler(sb, 250*time.Millisecond)
	bin, cmdline := o.gatehouse, args
	if o.profiled != "" {
		bin = o.profiled
		name := fmt.Sprintf("offboard-%d", conc)
		if conc == 0 {
			name = "offboard-default"
		}
		cmdline = append([]string{"-dir", filepath.Join(o.profileDir, name), "--"}, args...)
	}
	r.run, err = measure.Run(ctx, gatehouseEnv(home), bin, cmdline...)
	samples := sm.finish()
	if err != nil {
		return r, err
	}
	if err := r.run.MustSucceed("gatehouse offboard"); err != nil {
		return r, err
	}
	var w world
	if err := sb.get("state", &w); err != nil {
		return r, err
	}
	if users, devices := w.remaining(members); users != 0 || devices != 0 {
		return r, fmt.Errorf("%d users and %d virtual MFA devices left after the run", users, devices)
	}
	var c counts
	if err := sb.get("requests", &c); err != nil {
		return r, err
	}
	for account, a := range c.perAccount() {
		r.errors += a.refused
		r.total += a.calls
		if a.calls > r.busiestN {
			r.busiest, r.busiestN = account, a.calls
		}
	}
	r.throttled = r.errors - users
	r.bound = time.Duration(float64(r.busiestN) / o.rate * float64(time.Second))
	r.firstChange, r.spans = samples.firstChange(), samples.spans(members)
	return r, nil
}

func ratio(wall, bound time.Duration) float64 { return wall.Seconds() / bound.Seconds() }

// sample is the sandbox's request counts at a moment of a run.
type sample struct {
	at       time.Duration
	mutating int
	accounts map[string]int // calls so far
}

type samples []sample

func (s samples) firstChange() time.Duration {
	for _, x := range s {
		if x.mutating > 0 {
			return x.at
		}
	}
	return 0
}

// spans says, per account, when it had received 10% and 90% of its calls:
// accounts worked on together overlap, accounts worked on in turn do not.
func (s samples) spans(accounts []string) map[string][2]time.Duration {
	out := map[string][2]time.Duration{}
	if len(s) == 0 {
		return out
	}
	for _, a := range accounts {
		total := s[len(s)-1].accounts[a]
		var span [2]time.Duration
		for i, share := range []float64{0.1, 0.9} {
			for _, x := range s {
				if float64(x.accounts[a]) >= share*float64(total) {
					span[i] = x.at
					break
				}
			}
		}
		out[a] = span
	}
	return out
}

// sampler polls /_sandbox/requests while a run goes on.
type sampler struct {
	mu      sync.Mutex
	samples samples
	stop    chan struct{}
	done    chan struct{}
}

func startSampler(sb *sandbox, every time.Duration) *sampler {
	sm := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(sm.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			var c counts
			if err := sb.get("requests", &c); err == nil {
				x := sample{at: time.Since(start), mutating: c.Mutating, accounts: map[string]int{}}
				for a, n := range c.perAccount() {
					x.accounts[a] = n.calls
				}
				sm.mu.Lock()
				sm.samples = append(sm.samples, x)
				sm.mu.Unlock()
			}
			select {
			case <-sm.stop:
				return
			case <-t.C:
			}
		}
	}()
	return sm
}

func (sm *sampler) finish() samples {
	close(sm.stop)
	<-sm.done
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return sm.samples
}

func writeScale(w io.Writer, o options, results []scaleResult, members []string) {
	fmt.Fprintf(w, "#### 2. %d people × %d accounts under a rate limit\n\n", o.people, o.accounts)
	fmt.Fprintf(w, "`gatehouse offboard -f people.csv --account <%d members> --yes%s [--concurrency C]` against "+
		"`gatehouse sandbox serve --rate-limit %g --latency %v` (a token bucket per account, burst one second's worth; "+
		"calls over it are answered with IAM's Throttling error). Each of the %d users (one per person per account) has a "+
		"login profile, two access keys, an SSH key, an enabled virtual MFA device, two groups, an inline and a managed policy. "+
		"%s Bound = the busiest account's calls, as `/_sandbox/requests` counts them after the run, ÷ %g/s. Peak RSS is gatehouse's "+
		"(GNU time's `%%M`: the rusage Go hands back counts this program's own peak in).\n\n",
		o.accounts, gatehouseflags.RateFlagText(o.ghRate), o.rate, o.latency, o.people*o.accounts, concurrency().DefaultsText(), o.rate)
	if o.ghRate <= 0 {
		fmt.Fprintf(w, "gatehouse runs without `--rate-limit` here, so its limit is adaptive (above), not %g/s.\n\n", o.rate)
	}
	fmt.Fprintln(w, "| --concurrency | wall time | bound (busiest account) | ratio | peak RSS | first change | calls (all accounts) | throttled | each account's 10%–90% of calls (s) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		var spans []string
		for _, a := range members {
			s := r.spans[a]
			spans = append(spans, fmt.Sprintf("%.0f–%.0f", s[0].Seconds(), s[1].Seconds()))
		}
		fmt.Fprintf(w, "| %s | %.1f s | %.1f s (%s: %d calls) | **%.2f** | %d MiB | %.1f s | %d | %d | %s |\n",
			concurrency().Label(r.concurrency, o.accounts), r.run.Wall.Seconds(), r.bound.Seconds(), r.busiest, r.busiestN, ratio(r.run.Wall, r.bound),
			r.run.MaxRSSKB/1024, r.firstChange.Seconds(), r.total, r.throttled, strings.Join(spans, ", "))
	}
	fmt.Fprintln(w)
	best := slices.MinFunc(results, func(a, b scaleResult) int {
		return int(ratio(a.run.Wall, a.bound)*1000 - ratio(b.run.Wall, b.bound)*1000)
	})
	fmt.Fprint(w, "Goal: within 1.2× of the bound.")
	if i := slices.IndexFunc(results, func(r scaleResult) bool { return r.concurrency == 0 }); i >= 0 {
		fmt.Fprintf(w, " At gatehouse's default --concurrency (%d): %.2f×.", concurrency().Default(o.accounts), ratio(results[i].run.Wall, results[i].bound))
	}
	fmt.Fprintf(w, " Best: %.2f× at --concurrency %s.\n\n", ratio(best.run.Wall, best.bound), concurrency().Label(best.concurrency, o.accounts))
}
