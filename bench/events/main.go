// Command events measures `gatehouse watch` against the sandbox and prints
// Markdown for the Events section of BENCHMARKS.md:
//
//   - throughput: N users are created in a member account (their CreateUser
//     events wait in the queue), then one watcher, or three sharing the
//     queue and the journal, complete them against a sandbox with per-call
//     latency and a per-account rate limit R. Events a second = N ÷ (the last
//     mail − the watchers' start). The bound is the busiest account's calls
//     per event (counted first, without a rate limit) × N, less the
//     sandbox's first burst of R, ÷ R: the least time any client making
//     those calls can take.
//   - delay: with one watcher running, users are created one at a time
//     (paced, so nothing queues) and then all at once (a burst), and each
//     user's delay is its mail's time − when its CreateUser was answered;
//     p50, p90, p99 and the largest.
//
// bench/events/run.sh builds gatehouse and runs this.
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
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

type options struct {
	gatehouse string
	only      string
	users     int
	calibrate int
	watchers  string
	rate      float64
	latency   time.Duration
	inFlight  int
	paced     int
	gap       time.Duration
	burst     int
	keep      bool
}

func main() {
	var o options
	flag.StringVar(&o.gatehouse, "gatehouse", "", "path to the gatehouse binary (required)")
	flag.StringVar(&o.only, "only", "", "run one measurement: throughput or delay")
	flag.IntVar(&o.users, "users", 200, "users (events) in each throughput run")
	flag.IntVar(&o.calibrate, "calibrate", 20, "events completed without a rate limit to count the calls per event")
	flag.StringVar(&o.watchers, "watchers", "1,3", "watchers sharing the queue, one throughput run per value")
	flag.Float64Var(&o.rate, "rate", 50, "requests per second per account the sandbox allows")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the sandbox adds to every AWS request")
	flag.IntVar(&o.inFlight, "in-flight", 0, "gatehouse watch --in-flight (0: its default)")
	flag.IntVar(&o.paced, "paced", 100, "users created one at a time in the delay run")
	flag.DurationVar(&o.gap, "gap", 500*time.Millisecond, "time between two paced users")
	flag.IntVar(&o.burst, "burst", 50, "users created at once in the delay run")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (logs, journals)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench/events:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out, log io.Writer) error {
	if o.gatehouse == "" {
		return errors.New("-gatehouse is required (bench/events/run.sh builds it)")
	}
	dir, cleanup, err := measure.WorkDir("gatehouse-bench-events-", o.keep, log)
	if err != nil {
		return err
	}
	defer cleanup()
	if o.only == "" || o.only == "throughput" {
		fmt.Fprintf(log, "calibration: %d events, one watcher, %v latency, no rate limit\n", o.calibrate, o.latency)
		cal, err := calibrate(ctx, o, filepath.Join(dir, "calibration"), o.calibrate)
		if err != nil {
			return fmt.Errorf("counting the calls per event: %w", err)
		}
		var results []throughputResult
		for _, s := range strings.Split(o.watchers, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				return fmt.Errorf("-watchers %q: want counts of at least 1", o.watchers)
			}
			fmt.Fprintf(log, "throughput: %d users, %d watcher(s), %v latency, %g requests/s per account\n", o.users, n, o.latency, o.rate)
			r, err := throughput(ctx, o, filepath.Join(dir, fmt.Sprintf("throughput-%d", n)), n, cal)
			if err != nil {
				return fmt.Errorf("throughput with %d watcher(s): %w", n, err)
			}
			fmt.Fprintf(log, "  %.1f events/s, wall %v, bound %v, ratio %.3f\n", r.perSecond(), r.wall.Round(time.Millisecond), r.bound.Round(time.Millisecond), r.ratio())
			results = append(results, r)
		}
		writeThroughput(out, o, cal, results)
	}
	if o.only == "" || o.only == "delay" {
		fmt.Fprintf(log, "delay: %d users paced %v apart, then %d at once\n", o.paced, o.gap, o.burst)
		paced, burst, err := delay(ctx, o, filepath.Join(dir, "delay"))
		if err != nil {
			return fmt.Errorf("delay: %w", err)
		}
		writeDelay(out, o, paced, burst)
	}
	return nil
}

// watchArgs are the flags every watcher of a run gets: the queue, the
// configuration, the shared journal, the sandbox; gatehouse's own rate limit
// and concurrency stay at their defaults unless -in-flight says otherwise.
func watchArgs(o options, sb *sandbox, configPath, journal string) []string {
	args := []string{"--queue", sb.url + "/" + management + "/" + queueName, "--config", configPath, "--journal", journal,
		"--endpoint-url", sb.url}
	if o.inFlight > 0 {
		args = append(args, "--in-flight", strconv.Itoa(o.inFlight))
	}
	return args
}

// sandboxFlags are the faults every run's sandbox gets.
func sandboxFlags(o options) []string {
	return []string{"--latency", o.latency.String(), "--rate-limit", strconv.FormatFloat(o.rate, 'g', -1, 64)}
}

// burstOf is the sandbox's token bucket for a rate: one second's worth.
func burstOf(rate float64) int { return max(1, int(rate)) }
