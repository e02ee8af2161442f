// Command onboard measures `gatehouse onboard` against the sandbox and prints
// Markdown for BENCHMARKS.md:
//
//   - scale: N people into M member accounts with per-call latency and a
//     per-account rate limit R in the sandbox; gatehouse gets --rate-limit R
//     too unless -gatehouse-rate says otherwise (0: its adaptive default),
//     and each -concurrency value (0: its default, 8 per account).
//     The bound is the busiest account's answered calls (mutating and
//     reading, counted by the sandbox after the run), less the sandbox's
//     initial burst of R, divided by R; the report
//     gives the wall time, the bound, their ratio and gatehouse's peak RSS.
//   - cli: the same people onboarded into one account by gatehouse (at its
//     defaults, and with the limits out of the way) and by a shell loop of
//     AWS CLI v2 calls (cli-loop.sh), each against a fresh sandbox with the
//     same latency.
//
// bench/onboard/run.sh builds gatehouse and runs this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

type options struct {
	gatehouse   string
	aws         string
	loop        string
	only        string
	people      int
	accounts    int
	rate        float64
	ghRate      float64 // gatehouse --rate-limit in the scale runs (0: left out)
	latency     time.Duration
	concurrency string // comma-separated: one scale run per value and channel (0: left out)
	channels    string // comma-separated delivery channels for the scale runs
	cliPeople   int
	keep        bool
	rerun       bool
	profiled    string // bench/onboard/profiled, to run the scale runs' onboard under
	profileDir  string
}

func main() {
	var o options
	flag.StringVar(&o.gatehouse, "gatehouse", "", "path to the gatehouse binary (required)")
	flag.StringVar(&o.aws, "aws", "", "the AWS CLI v2 (default: the first `aws` on PATH or /usr/bin/aws that is version 2)")
	flag.StringVar(&o.loop, "loop", "bench/onboard/cli-loop.sh", "the AWS CLI shell loop")
	flag.StringVar(&o.only, "only", "", "run one measurement: scale or cli")
	flag.IntVar(&o.people, "people", 1000, "people in the scale run")
	flag.IntVar(&o.accounts, "accounts", 10, "member accounts in the scale run")
	flag.Float64Var(&o.rate, "rate", 50, "requests per second per account the sandbox allows in the scale runs")
	flag.Float64Var(&o.ghRate, "gatehouse-rate", 0, "gatehouse --rate-limit in the scale runs; 0 leaves it out (gatehouse's adaptive default) (default: the same as -rate)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the sandbox adds to every AWS request")
	flag.StringVar(&o.concurrency, "concurrency", "0,128", "gatehouse --concurrency values for the scale runs; 0 leaves it out (gatehouse's default: 8 per account, at least 16)")
	flag.StringVar(&o.channels, "deliver", "none,ses", "delivery channels for the scale runs")
	flag.IntVar(&o.cliPeople, "cli-people", 100, "people in the AWS CLI comparison")
	flag.StringVar(&o.profiled, "profiled", "", "run the scale runs' gatehouse onboard under this build of bench/onboard/profiled")
	flag.StringVar(&o.profileDir, "profile-dir", "profiles", "where -profiled writes a directory of profiles per scale run")
	flag.BoolVar(&o.rerun, "rerun", true, "after each scale run, time the same command again (a no-op rerun)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (specs, journals, reports)")
	flag.Parse()
	ghRateSet := false
	flag.Visit(func(f *flag.Flag) { ghRateSet = ghRateSet || f.Name == "gatehouse-rate" })
	if !ghRateSet {
		o.ghRate = o.rate
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/onboard:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out, log io.Writer) error {
	if o.gatehouse == "" {
		return errors.New("-gatehouse is required (bench/onboard/run.sh builds it)")
	}
	dir, cleanup, err := measure.WorkDir("gatehouse-bench-onboard-", o.keep, log)
	if err != nil {
		return err
	}
	defer cleanup()
	if o.only == "" || o.only == "scale" {
		if err := scale(ctx, o, dir, out, log); err != nil {
			return fmt.Errorf("scale: %w", err)
		}
	}
	if o.only == "" || o.only == "cli" {
		if err := versusCLI(ctx, o, dir, out, log); err != nil {
			return fmt.Errorf("cli: %w", err)
		}
	}
	return nil
}

// gatehouseEnv is a clean environment with the management account's root
// credentials.
func gatehouseEnv(home string) []string { return measure.GatehouseEnv(home, management) }

// scaleResult is one scale run.
type scaleResult struct {
	channel     string
	concurrency int
	run         *measure.Process
	bound       time.Duration
	busiest     string
	busiestOK   int
	refused     int
	firstChange time.Duration
	lastCall    time.Duration
	perAccount  map[string]accountCalls
	// rerun is the same command run again at once (nothing left to do):
	// its wall time and the calls it made, mutating ones among them.
	rerun                     *measure.Process
	rerunCalls, rerunMutating int
	rerunPerAccount           map[string]int // calls, answered or not
	// others and rerunOthers are the share of the machine's CPUs that
	// processes other than gatehouse and its sandbox used meanwhile.
	others, rerunOthers float64
}

// cpuMark is the machine's and the sandbox's CPU time so far.
type cpuMark struct{ busy, sandbox time.Duration }

func markCPU(sb *sandbox) cpuMark {
	return cpuMark{busy: measure.MachineBusy(), sandbox: measure.ProcessCPU(sb.cmd.Process.Pid)}
}

// othersShare is the share of the machine's CPUs that processes other than
// p and the sandbox used between two marks: a run beside other work
// measures that work too.
func othersShare(before, after cpuMark, p *measure.Process) float64 {
	rest := after.busy - before.busy - (after.sandbox - before.sandbox) - p.CPU
	return max(0, rest.Seconds()/(p.Wall.Seconds()*float64(runtime.NumCPU())))
}

func scale(ctx context.Context, o options, dir string, out, log io.Writer) error {
	var members []string
	for i := range o.accounts {
		members = append(members, memberID(i))
	}
	fixture, err := writeFixture(dir, o.accounts)
	if err != nil {
		return err
	}
	var results []scaleResult
	concurrencies, err := gatehouseflags.ParseList(o.concurrency)
	if err != nil {
		return err
	}
	for _, channel := range strings.Split(o.channels, ",") {
		spec, err := writeSpec(dir, o.people, members, channel)
		if err != nil {
			return err
		}
		for _, conc := range concurrencies {
			fmt.Fprintf(log, "scale: %d people × %d accounts, deliver %s, --rate-limit %s, --concurrency %s\n",
				o.people, o.accounts, channel, gatehouseflags.RateLabel(o.ghRate), concurrency().Label(conc, o.accounts))
			r, err := scaleRun(ctx, o, dir, fixture, spec, channel, conc)
			if err != nil {
				return err
			}
			fmt.Fprintf(log, "  wall %v, bound %v (%s: %d calls), ratio %.3f, peak RSS %d MiB, first change at %v\n",
				r.run.Wall.Round(time.Millisecond), r.bound.Round(time.Millisecond), r.busiest, r.busiestOK,
				ratio(r.run.Wall, r.bound), r.run.MaxRSSKB/1024, r.firstChange.Round(time.Millisecond))
			results = append(results, r)
		}
	}
	writeScale(out, o, results)
	return nil
}

func scaleRun(ctx context.Context, o options, dir, fixture, spec, channel string, conc int) (scaleResult, error) {
	r := scaleResult{channel: channel, concurrency: conc}
	sb, err := startSandbox(o.gatehouse, fixture, "--latency", o.latency.String(), "--rate-limit", fmt.Sprint(o.rate))
	if err != nil {
		return r, err
	}
	defer sb.stop()
	home, err := os.MkdirTemp(dir, "home-")
	if err != nil {
		return r, err
	}
	watch := memberID(0)
	if channel == "ses" {
		watch = management // every mail is sent from there
	}
	sm := startSampler(sb, 100*time.Millisecond, watch)
	args := append([]string{"onboard", "-f", spec, "--journal", filepath.Join(home, "journal.db"), "--endpoint-url", sb.url,
		"--output", "json"}, gatehouseflags.Flags(o.ghRate, conc)...)
	bin, cmdline := o.gatehouse, args
	if o.profiled != "" {
		bin = o.profiled
		name := fmt.Sprintf("%s-%d", channel, conc)
		if conc == 0 {
			name = channel + "-default"
		}
		cmdline = append([]string{"-dir", filepath.Join(o.profileDir, name), "--"}, args...)
	}
	mark := markCPU(sb)
	r.run, err = measure.Run(ctx, gatehouseEnv(home), bin, cmdline...)
	samples := sm.finish()
	if err != nil {
		return r, err
	}
	r.others = othersShare(mark, markCPU(sb), r.run)
	if r.run.Code != 0 {
		return r, fmt.Errorf("gatehouse exited with %d:\n%s", r.run.Code, measure.Tail(r.run.Stderr.String(), 20))
	}
	// The report holds every password of a none run: keep only its size.
	r.run.Stdout.Reset()
	var c counts
	if err := sb.get("requests", &c); err != nil {
		return r, err
	}
	pairs := o.people * o.accounts
	if calls, failed := c.action("CreateUser"); calls-failed != pairs {
		return r, fmt.Errorf("%d users created, want %d", calls-failed, pairs)
	}
	// One message per person, listing every account.
	if calls, failed := c.action("SendEmail"); channel == "ses" && calls-failed != o.people {
		return r, fmt.Errorf("%d mails sent, want %d (one per person)", calls-failed, o.people)
	}
	r.perAccount = c.perAccount()
	for account, a := range r.perAccount {
		r.refused += a.refused
		if a.ok > r.busiestOK {
			r.busiest, r.busiestOK = account, a.ok
		}
	}
	// The sandbox's bucket starts full (its burst is one second's worth), so
	// the first R calls need not wait: the busiest account needs (calls − R)/R.
	r.bound = time.Duration(float64(r.busiestOK-burst(o.rate)) / o.rate * float64(time.Second))
	r.firstChange, r.lastCall = firstChange(samples), lastCall(samples)
	if o.rerun {
		if err := r.measureRerun(ctx, sb, gatehouseEnv(home), o.gatehouse, args, c); err != nil {
			return r, err
		}
	}
	return r, nil
}

// measureRerun runs the command again; it must change nothing.
func (r *scaleResult) measureRerun(ctx context.Context, sb *sandbox, env []string, bin string, args []string, before counts) error {
	var err error
	mark := markCPU(sb)
	if r.rerun, err = measure.Run(ctx, env, bin, args...); err != nil {
		return err
	}
	r.rerunOthers = othersShare(mark, markCPU(sb), r.rerun)
	if r.rerun.Code != 0 {
		return fmt.Errorf("the rerun exited with %d:\n%s", r.rerun.Code, measure.Tail(r.rerun.Stderr.String(), 20))
	}
	r.rerun.Stdout.Reset()
	var after counts
	if err := sb.get("requests", &after); err != nil {
		return err
	}
	r.rerunCalls, r.rerunMutating = after.Total-before.Total, after.Mutating-before.Mutating
	r.rerunPerAccount = map[string]int{}
	for account, a := range after.perAccount() {
		b := before.perAccount()[account]
		r.rerunPerAccount[account] = a.ok + a.refused - b.ok - b.refused
	}
	if r.rerunMutating != 0 {
		return fmt.Errorf("the rerun made %d mutating calls, want 0", r.rerunMutating)
	}
	return nil
}

// burst is the sandbox's default token bucket size for a rate: one second's worth.
func burst(rate float64) int { return max(1, int(rate)) }

func ratio(wall, bound time.Duration) float64 { return wall.Seconds() / bound.Seconds() }

func writeScale(w io.Writer, o options, results []scaleResult) {
	fmt.Fprintf(w, "#### %d people × %d accounts, %v latency, %g requests/s per account\n\n", o.people, o.accounts, o.latency, o.rate)
	fmt.Fprintf(w, "`gatehouse onboard -f spec.yaml%s [--concurrency C]` against `gatehouse sandbox serve --rate-limit %g --latency %v` "+
		"(a token bucket per account, burst one second's worth; calls over it are answered with IAM's Throttling error). %s "+
		"Bound = the busiest account's answered calls, less the sandbox's first burst of %d, ÷ %g/s.\n\n",
		gatehouseflags.RateFlagText(o.ghRate), o.rate, o.latency, concurrency().DefaultsText(), burst(o.rate), o.rate)
	if o.ghRate <= 0 {
		fmt.Fprintf(w, "gatehouse runs without `--rate-limit` here, so its limit is adaptive (above), not %g/s.\n\n", o.rate)
	}
	fmt.Fprintln(w, "| deliver | --concurrency | wall time | bound (busiest account) | ratio | peak RSS | plan (first change) | after the last call | calls answered (per person) | throttled | rerun: wall, calls (per person, mutating) | gatehouse's CPU: run, rerun | other processes' CPU: run, rerun |")
	fmt.Fprintln(w, "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|")
	for _, r := range results {
		total := 0
		for _, a := range r.perAccount {
			total += a.ok
		}
		perPerson := func(calls int) float64 { return float64(calls) / float64(o.people) }
		rerun := "—"
		if r.rerun != nil {
			rerun = fmt.Sprintf("%.1f s, %d (%.3f, %d)", r.rerun.Wall.Seconds(), r.rerunCalls, perPerson(r.rerunCalls), r.rerunMutating)
		}
		cpu, others := fmt.Sprintf("%.1f s", r.run.CPU.Seconds()), fmt.Sprintf("%.0f%%", 100*r.others)
		if r.rerun != nil {
			cpu += fmt.Sprintf(", %.1f s", r.rerun.CPU.Seconds())
			others += fmt.Sprintf(", %.0f%%", 100*r.rerunOthers)
		}
		fmt.Fprintf(w, "| %s | %s | %.1f s | %.1f s (%s: %d calls) | **%.3f×** | %d MiB | %.1f s | %.1f s | %d (%.2f) | %d | %s | %s | %s |\n",
			r.channel, concurrency().Label(r.concurrency, o.accounts), r.run.Wall.Seconds(), r.bound.Seconds(), r.busiest, r.busiestOK,
			ratio(r.run.Wall, r.bound), r.run.MaxRSSKB/1024, r.firstChange.Seconds(), (r.run.Wall - r.lastCall).Seconds(), total, perPerson(total), r.refused, rerun, cpu, others)
	}
	fmt.Fprintln(w)
	if len(results) > 0 {
		r := results[0]
		member, mgmt := r.perAccount[memberID(0)], r.perAccount[management]
		fmt.Fprintf(w, "Calls per account (deliver %s): each member %d answered (%d mutating), the management account %d (STS, and SES when mailing).\n\n",
			r.channel, member.ok, member.mutating, mgmt.ok)
		if r.rerun != nil {
			fmt.Fprintf(w, "The no-op rerun's calls per account (deliver %s): %d in a member, %d in the management account.\n\n",
				r.channel, r.rerunPerAccount[memberID(0)], r.rerunPerAccount[management])
		}
	}
}

// findAWSCLIv2 picks the AWS CLI v2 among the `aws` executables on PATH (pyenv
// may put a v1 first) and the Debian package's /usr/bin/aws.
func findAWSCLIv2() (string, string, error) {
	var candidates []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		candidates = append(candidates, filepath.Join(d, "aws"))
	}
	candidates = append(candidates, "/usr/bin/aws", "/usr/local/bin/aws")
	for _, c := range candidates {
		out, err := exec.Command(c, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return c, strings.TrimSpace(string(out)), nil
		}
	}
	return "", "", errors.New("no AWS CLI v2 on PATH or at /usr/bin/aws")
}
