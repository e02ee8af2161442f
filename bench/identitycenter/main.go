// Command identitycenter measures gatehouse's Identity Center directory
// against the sandbox's Identity Center quotas (AWS's: 20 requests a second
// for the instance, identitystore and sso-admin together; at most 15
// account assignment operations in progress) and prints Markdown for the
// Identity Center section of BENCHMARKS.md:
//
//   - onboard: N people, each in one group with one permission set in M
//     accounts, with `gatehouse onboard --endpoint-url` against a fresh
//     `gatehouse sandbox serve`;
//   - rerun: the same command again (nothing to do: no mutating call);
//   - offboard: `gatehouse offboard -f spec --yes`.
//
// For each run the sandbox's quotas endpoint gives the Identity Center
// requests it answered and throttled and the peak of assignments in flight,
// and its request counters the calls per action. The bound is the answered
// requests, less the bucket's first burst of 20, divided by 20 a second: no
// client can do the same calls faster. Ratio = wall time / bound.
//
// bench/identitycenter/run.sh builds gatehouse and runs this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

type options struct {
	gatehouse string
	people    int
	accounts  int
	latency   time.Duration
	deliver   string
	offboard  bool
	keep      bool
}

func main() {
	var o options
	flag.StringVar(&o.gatehouse, "gatehouse", "", "path to the gatehouse binary (required)")
	flag.IntVar(&o.people, "people", 200, "people to onboard")
	flag.IntVar(&o.accounts, "accounts", 5, "member accounts each person gets read-only access to")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the sandbox adds to every AWS request")
	flag.StringVar(&o.deliver, "deliver", "none", "delivery channel of the welcomes: none (the report) or ses")
	flag.BoolVar(&o.offboard, "offboard", true, "measure offboarding everyone afterwards")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (spec, journal, reports)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/identitycenter:", err)
		os.Exit(1)
	}
}

// result is one measured run.
type result struct {
	phase    string
	run      *measure.Process
	quotas   quotas
	counts   counts
	answered int           // Identity Center requests answered (not throttled)
	bound    time.Duration // (answered - burst) / rate
}

func run(ctx context.Context, o options, out, log io.Writer) error {
	if o.gatehouse == "" {
		return errors.New("-gatehouse is required (bench/identitycenter/run.sh builds it)")
	}
	dir, cleanup, err := measure.WorkDir("gatehouse-bench-idc-", o.keep, log)
	if err != nil {
		return err
	}
	defer cleanup()
	members := memberIDs(o.accounts)
	fixture, err := writeFixture(dir, members)
	if err != nil {
		return err
	}
	spec, err := writeSpec(dir, o.people, members, o.deliver)
	if err != nil {
		return err
	}
	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String())
	if err != nil {
		return err
	}
	defer sb.stop()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	common := []string{"-f", spec, "--journal", filepath.Join(home, "journal.db"), "--endpoint-url", sb.url, "--output", "json"}
	phases := []struct {
		name string
		args []string
		want func(r result) error
	}{
		{"onboard", append([]string{"onboard"}, common...), func(r result) error {
			return expect(r, "CreateUser", o.people)
		}},
		{"rerun", append([]string{"onboard"}, common...), func(r result) error {
			if r.counts.Mutating != 0 {
				return fmt.Errorf("the rerun made %d mutating calls", r.counts.Mutating)
			}
			return nil
		}},
	}
	if o.offboard {
		phases = append(phases, struct {
			name string
			args []string
			want func(r result) error
		}{"offboard", append([]string{"offboard", "--yes"}, common...), func(r result) error {
			return expect(r, "DeleteUser", o.people)
		}})
	}
	var results []result
	for _, ph := range phases {
		fmt.Fprintf(log, "%s: %d people × %d accounts\n", ph.name, o.people, o.accounts)
		r, err := measured(ctx, o, sb, home, ph.name, ph.args)
		if err != nil {
			return fmt.Errorf("%s: %w", ph.name, err)
		}
		if err := ph.want(r); err != nil {
			return fmt.Errorf("%s: %w", ph.name, err)
		}
		fmt.Fprintf(log, "  wall %v, %d Identity Center requests answered (%d throttled), bound %v, ratio %.3f, peak %d in flight\n",
			r.run.Wall.Round(time.Millisecond), r.answered, r.quotas.Stats.Throttled, r.bound.Round(time.Millisecond),
			ratio(r.run.Wall, r.bound), r.quotas.Stats.PeakInProgress)
		results = append(results, r)
	}
	write(out, o, results)
	return nil
}

// measured runs gatehouse with args against sb, its quotas and counters
// restarted first, and reads what the sandbox counted.
func measured(ctx context.Context, o options, sb *sandbox, home, phase string, args []string) (result, error) {
	r := result{phase: phase}
	if err := sb.restart(); err != nil {
		return r, err
	}
	p, err := measure.Run(ctx, gatehouseEnv(home), o.gatehouse, args...)
	if err != nil {
		return r, err
	}
	if err := p.MustSucceed("gatehouse " + phase); err != nil {
		return r, err
	}
	r.run = p
	if err := sb.get("sso-admin/quotas", &r.quotas); err != nil {
		return r, err
	}
	if err := sb.get("requests", &r.counts); err != nil {
		return r, err
	}
	r.answered = r.quotas.Stats.Requests - r.quotas.Stats.Throttled
	r.bound = time.Duration(float64(max(0, r.answered-burst)) / rate * float64(time.Second))
	return r, nil
}

// The instance's quotas, as the sandbox keeps them by default (AWS's).
const (
	rate  = 20.0 // requests a second, identitystore and sso-admin together
	burst = 20   // the bucket's size: it starts full
)

// expect checks that action was answered n times without error.
func expect(r result, action string, n int) error {
	calls, failed := r.counts.action(action)
	if calls-failed != n {
		return fmt.Errorf("%d %s answered, want %d", calls-failed, action, n)
	}
	return nil
}

// ratioCell is the ratio in bold, or "—" (with why) when the requests fit
// in the bucket's first burst and the quota sets no bound.
func ratioCell(wall, bound time.Duration) string {
	if bound <= 0 {
		return "— (within the first burst)"
	}
	return fmt.Sprintf("**%.3f×**", ratio(wall, bound))
}

func ratio(wall, bound time.Duration) float64 {
	if bound <= 0 {
		return 0
	}
	return wall.Seconds() / bound.Seconds()
}

// gatehouseEnv is a clean environment with the management account's root
// credentials.
func gatehouseEnv(home string) []string { return measure.GatehouseEnv(home, management) }

// write prints the results as Markdown.
func write(out io.Writer, o options, results []result) {
	fmt.Fprintf(out, "#### %d people × %d accounts, %v latency, 20 requests/s and 15 assignments in flight\n\n", o.people, o.accounts, o.latency)
	fmt.Fprintf(out, "Each person: one group (`readers`) and `ReadOnly` in %d accounts; welcomes by `%s`. "+
		"Bound = Identity Center requests answered, less the bucket's first 20, ÷ 20/s.\n\n", o.accounts, o.deliver)
	fmt.Fprintln(out, "| run | wall time | Identity Center requests answered | per person | bound | ratio | throttled | peak assignments in flight | peak RSS |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Fprintf(out, "| %s | %.1f s | %d | %.2f | %.1f s | %s | %d | %d | %d MiB |\n", r.phase, r.run.Wall.Seconds(), r.answered,
			float64(r.answered)/float64(o.people), r.bound.Seconds(), ratioCell(r.run.Wall, r.bound), r.quotas.Stats.Throttled,
			r.quotas.Stats.PeakInProgress, r.run.MaxRSSKB/1024)
	}
	fmt.Fprintln(out)
	for _, r := range results {
		fmt.Fprintf(out, "Calls per person, %s: %s.\n\n", r.phase, r.counts.perPerson(o.people))
	}
}

// perPerson lists the Identity Center calls per person by action, most
// first: every call counts against the quota, those answered with an error
// (a GetUserId that finds no user) too.
func (c counts) perPerson(people int) string {
	type row struct {
		action string
		n      int
	}
	var rows []row
	for _, x := range c.Counts {
		if x.Service != "identitystore" && x.Service != "sso" && x.Service != "sso-admin" {
			continue
		}
		rows = append(rows, row{x.Action, x.Count})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.action, b.action)
	})
	var parts []string
	for _, r := range rows {
		parts = append(parts, fmt.Sprintf("%s %.2f", r.action, float64(r.n)/float64(people)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
