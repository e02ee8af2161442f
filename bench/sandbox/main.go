// Command sandbox measures the gatehouse sandbox side by side with moto_server:
// request throughput and latency for an IAM user workload over HTTP with
// aws-sdk-go-v2, start-up time of `gatehouse sandbox serve`, and memory with
// 100,000 users. It starts both servers itself, runs every measurement in one go
// and prints Markdown tables for BENCHMARKS.md. bench/sandbox.sh builds and runs it.
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
	"strconv"
	"strings"
	"time"
)

type options struct {
	gatehouse    string
	moto         string
	fixture      string
	fixtureUsers int
	workers      int
	duration     time.Duration
	warmup       time.Duration
	startupRuns  int
	rounds       int
	users        int
	skipMoto     bool
	only         string

	persistUsers    intList
	persistDuration time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.gatehouse, "gatehouse", "", "path to the gatehouse binary (required)")
	flag.StringVar(&o.moto, "moto", "moto_server", "moto_server executable")
	flag.StringVar(&o.fixture, "fixture", "", "also time start-up with this fixture `FILE`")
	flag.IntVar(&o.fixtureUsers, "fixture-users", 10000, "also time start-up with a generated fixture of this many users (0: skip)")
	flag.IntVar(&o.workers, "workers", 16, "concurrent client workers")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per server")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up per server")
	flag.IntVar(&o.rounds, "rounds", 3, "throughput rounds, each measuring the sandbox and then moto on fresh servers")
	flag.IntVar(&o.startupRuns, "startup-runs", 21, "start-up measurements per configuration (the median is reported)")
	flag.IntVar(&o.users, "users", 100000, "users for the memory measurement")
	flag.BoolVar(&o.skipMoto, "skip-moto", false, "measure the sandbox only")
	flag.StringVar(&o.only, "only", "", "run one measurement: throughput, startup, memory or persistence")
	o.persistUsers = intList{1000, 50000}
	flag.Var(&o.persistUsers, "persist-users", "world sizes for the --state measurement, comma-separated")
	flag.DurationVar(&o.persistDuration, "persist-duration", 5*time.Second, "measured time per world size with --state")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out, log io.Writer) error {
	if o.gatehouse == "" {
		return errors.New("-gatehouse is required (bench/sandbox.sh builds it)")
	}
	if !o.skipMoto && (o.only == "" || o.only == "throughput") {
		if _, err := exec.LookPath(o.moto); err != nil {
			return fmt.Errorf("finding moto_server: %w (pip install 'moto[server]', or pass -skip-moto)", err)
		}
	}
	rep := report{workers: o.workers, duration: o.duration}
	var err error
	if o.only == "" || o.only == "throughput" {
		for i := range o.rounds {
			var rd round
			fmt.Fprintf(log, "throughput round %d: gatehouse sandbox serve\n", i+1)
			if rd.sandbox, err = measureThroughput(ctx, o, func() (*server, error) { return startSandbox(ctx, o.gatehouse, nil) }); err != nil {
				return fmt.Errorf("measuring the sandbox's throughput: %w", err)
			}
			if !o.skipMoto {
				fmt.Fprintf(log, "throughput round %d: moto_server\n", i+1)
				if rd.moto, err = measureThroughput(ctx, o, func() (*server, error) { return startMoto(ctx, o.moto) }); err != nil {
					return fmt.Errorf("measuring moto's throughput: %w", err)
				}
			}
			rep.rounds = append(rep.rounds, rd)
		}
	}
	if o.only == "" || o.only == "startup" {
		fmt.Fprintln(log, "start-up")
		if rep.startups, err = measureStartups(ctx, o); err != nil {
			return err
		}
	}
	if o.only == "" || o.only == "memory" {
		fmt.Fprintf(log, "memory: %d users\n", o.users)
		if rep.memory, err = measureMemory(ctx, o.gatehouse, o.users, o.workers); err != nil {
			return fmt.Errorf("measuring memory: %w", err)
		}
	}
	if o.only == "" || o.only == "persistence" {
		fmt.Fprintf(log, "persistence: %v users\n", o.persistUsers)
		if rep.persistence, err = measurePersistence(ctx, o); err != nil {
			return err
		}
	}
	rep.write(out)
	return nil
}

// intList is a comma-separated list of integers flag.
type intList []int

func (l *intList) String() string {
	return strings.Trim(strings.Join(strings.Fields(fmt.Sprint([]int(*l))), ","), "[]")
}

func (l *intList) Set(s string) error {
	*l = nil
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a number of users", f)
		}
		*l = append(*l, n)
	}
	return nil
}
