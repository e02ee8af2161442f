// Command offboard measures `gatehouse offboard` against the sandbox and
// prints Markdown for the Offboarding section of BENCHMARKS.md:
//
//   - critical: one fully loaded user removed with a fixed latency per call,
//     at gatehouse's default (adaptive) rate limit and at fixed ones; the
//     critical path (discovery to verified gone) in call latencies, from the
//     sandbox's request log.
//   - scale: N people × M member accounts with a per-account rate limit R in
//     the sandbox (and, unless -gatehouse-rate says otherwise, in gatehouse).
//     The bound is the busiest account's calls (counted by the sandbox after
//     the run) divided by R; the report gives the wall time, the bound, their
//     ratio and gatehouse's peak RSS.
//   - runbook: the same users removed by gatehouse (at its defaults, and with
//     the rate limit out of the way) and by runbook.py, a boto3 script making
//     AWSConfigRemediation-DeleteIAMUser's calls one after another (seed 002),
//     each against a fresh sandbox with the same latency.
//
// A gatehouse --rate-limit or --concurrency of 0 here leaves the flag out:
// gatehouse runs at its default.
//
// bench/offboard/run.sh builds gatehouse and runs this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

type options struct {
	gatehouse     string
	runbook       string
	python        string
	only          string
	latency       time.Duration
	repeat        int
	criticalRates []float64
	people        int
	accounts      int
	rate          float64
	ghRate        float64 // gatehouse --rate-limit in the scale run (0: left out)
	concurrency   string  // comma-separated (0: left out)
	rbUsers       int
	rbRate        float64 // gatehouse --rate-limit in the runbook comparison's main row (0: left out)
	rbSleep       bool
	keep          bool
	profiled      string
	profileDir    string
}

func main() {
	var o options
	flag.StringVar(&o.gatehouse, "gatehouse", "", "path to the gatehouse binary (required)")
	flag.StringVar(&o.runbook, "runbook", "bench/offboard/runbook.py", "the boto3 script making the runbook's calls")
	flag.StringVar(&o.python, "python", "python3", "the Python with boto3")
	flag.StringVar(&o.only, "only", "", "run one measurement: critical, scale or runbook")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the sandbox adds to every AWS request")
	flag.IntVar(&o.repeat, "repeat", 5, "runs of the critical-path measurement")
	rates := flag.String("critical-rates", "0,20,1000", "gatehouse --rate-limit values for the critical-path measurement (comma-separated); 0 leaves it out (gatehouse's adaptive default)")
	flag.IntVar(&o.people, "people", 200, "people in the scale run, each with a user in every member account")
	flag.IntVar(&o.accounts, "accounts", 5, "member accounts in the scale run")
	flag.Float64Var(&o.rate, "rate", 100, "requests per second per account the sandbox allows in the scale run")
	flag.Float64Var(&o.ghRate, "gatehouse-rate", 0, "gatehouse --rate-limit in the scale run; 0 leaves it out (gatehouse's adaptive default) (default: the same as -rate)")
	flag.StringVar(&o.concurrency, "concurrency", "0,1000", "gatehouse --concurrency values for the scale runs (comma-separated); 0 leaves it out (gatehouse's default: 8 per account, at least 16)")
	flag.IntVar(&o.rbUsers, "runbook-users", 100, "users in the runbook comparison")
	flag.Float64Var(&o.rbRate, "runbook-gatehouse-rate", 0, "gatehouse --rate-limit in the runbook comparison's main row, where the sandbox limits the account to -rate; 0 leaves it out (gatehouse's adaptive default)")
	flag.BoolVar(&o.rbSleep, "runbook-sleep", true, "also run the runbook script with its THROTTLE_PERIOD sleeps after each listing page, as the runbook has them")
	flag.StringVar(&o.profiled, "profiled", "", "run the scale runs' gatehouse under this build of bench/onboard/profiled (CPU, peak-heap and goroutine profiles)")
	flag.StringVar(&o.profileDir, "profile-dir", "profiles", "where -profiled writes a directory of profiles per scale run")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (fixtures, journals, archives, reports)")
	flag.Parse()
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v < 0 {
			fmt.Fprintf(os.Stderr, "bench/offboard: -critical-rates %q: give positive numbers, 0 for gatehouse's default\n", *rates)
			os.Exit(2)
		}
		o.criticalRates = append(o.criticalRates, v)
	}
	ghRateSet := false
	flag.Visit(func(f *flag.Flag) { ghRateSet = ghRateSet || f.Name == "gatehouse-rate" })
	if !ghRateSet {
		o.ghRate = o.rate
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/offboard:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out, log io.Writer) error {
	if o.gatehouse == "" {
		return errors.New("-gatehouse is required (bench/offboard/run.sh builds it)")
	}
	dir, cleanup, err := measure.WorkDir("gatehouse-bench-offboard-", o.keep, log)
	if err != nil {
		return err
	}
	defer cleanup()
	steps := []struct {
		name string
		fn   func(context.Context, options, string, io.Writer, io.Writer) error
	}{{"critical", critical}, {"scale", scale}, {"runbook", versusRunbook}}
	for _, s := range steps {
		if o.only != "" && o.only != s.name {
			continue
		}
		if err := s.fn(ctx, o, dir, out, log); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// gatehouseEnv is a clean environment with the management account's root
// credentials.
func gatehouseEnv(home string) []string { return measure.GatehouseEnv(home, management) }
