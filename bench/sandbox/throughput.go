package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// seedUsers is how many users the read account holds: ListUsers with MaxItems 100
// returns exactly these on both servers. moto ignores MaxItems and would otherwise
// return every user created so far, so the creates go to another account.
const seedUsers = 100

// mix is one worker cycle: 1 CreateUser, 3 GetUser, 1 ListUsers (MaxItems 100).
var mix = []string{"CreateUser", "GetUser", "GetUser", "GetUser", "ListUsers"}

// throughput is one server's result.
type throughput struct {
	server   string
	requests int
	errors   int
	firstErr string
	elapsed  time.Duration
	p50, p99 time.Duration
	perOp    map[string][2]time.Duration // p50, p99 by action
	rss      memory                      // server memory after the run
	// CPU time per request over the measured run, of the server process and
	// of this (client) process: on a small machine they share the CPUs.
	serverCPU, clientCPU time.Duration
	// others is the share of the machine's CPU other processes used meanwhile:
	// a benchmark run next to other work measures that work too.
	others float64
}

func (t throughput) rate() float64 { return float64(t.requests) / t.elapsed.Seconds() }

type sample struct {
	op  int
	lat time.Duration
}

// measureThroughput starts a server, seeds it, warms it up and measures the mix
// with o.workers concurrent workers for o.duration.
func measureThroughput(ctx context.Context, o options, start func() (*server, error)) (throughput, error) {
	srv, err := start()
	if err != nil {
		return throughput{}, err
	}
	defer srv.stop()
	hc := newHTTPClient(o.workers)
	read, create := newIAM(srv.url, readAccount, hc), newIAM(srv.url, createAccount, hc)
	seeds := make([]string, seedUsers)
	for i := range seeds {
		seeds[i] = fmt.Sprintf("seed-%03d", i)
		if _, err := read.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(seeds[i])}); err != nil {
			return throughput{}, fmt.Errorf("seeding user %s: %w", seeds[i], err)
		}
	}
	if o.warmup > 0 {
		runMix(ctx, read, create, seeds, o.workers, o.warmup, "warm")
	}
	pid := srv.cmd.Process.Pid
	serverBefore, clientBefore, busyBefore := measure.ProcessCPU(pid), selfCPU(), measure.MachineBusy()
	res := runMix(ctx, read, create, seeds, o.workers, o.duration, "run")
	server, client, busy := measure.ProcessCPU(pid)-serverBefore, selfCPU()-clientBefore, measure.MachineBusy()-busyBefore
	if res.requests > 0 {
		res.serverCPU = server / time.Duration(res.requests)
		res.clientCPU = client / time.Duration(res.requests)
	}
	res.others = max(0, float64(busy-server-client)/float64(res.elapsed*time.Duration(runtime.NumCPU())))
	res.server = srv.name
	res.rss, _ = readMemory(srv.cmd.Process.Pid)
	return res, nil
}

// runMix runs the workers until d has passed and summarises their samples.
func runMix(ctx context.Context, read, create *iam.Client, seeds []string, workers int, d time.Duration, tag string) throughput {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		all      []sample
		errs     int
		firstErr string
	)
	begin := time.Now()
	stopAt := begin.Add(d)
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			local := make([]sample, 0, 1<<16)
			var n, werrs int
			var werr string
			for i := 0; time.Now().Before(stopAt) && ctx.Err() == nil; i++ {
				op := i % len(mix)
				t0 := time.Now()
				var err error
				switch mix[op] {
				case "CreateUser":
					n++
					_, err = create.CreateUser(ctx, &iam.CreateUserInput{
						UserName: aws.String(fmt.Sprintf("%s-w%02d-%07d", tag, w, n)),
					})
				case "GetUser":
					_, err = read.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(seeds[rng.IntN(len(seeds))])})
				case "ListUsers":
					var out *iam.ListUsersOutput
					out, err = read.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(100)})
					if err == nil && len(out.Users) != len(seeds) {
						err = fmt.Errorf("ListUsers returned %d users, want %d", len(out.Users), len(seeds))
					}
				}
				local = append(local, sample{op, time.Since(t0)})
				if err != nil {
					werrs++
					if werr == "" {
						werr = fmt.Sprintf("%s: %v", mix[op], err)
					}
				}
			}
			mu.Lock()
			all = append(all, local...)
			errs += werrs
			if firstErr == "" {
				firstErr = werr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res := throughput{requests: len(all), errors: errs, firstErr: firstErr, elapsed: time.Since(begin), perOp: map[string][2]time.Duration{}}
	res.p50, res.p99 = percentiles(all, -1)
	for op, name := range mix {
		if _, done := res.perOp[name]; !done {
			p50, p99 := percentiles(all, op)
			res.perOp[name] = [2]time.Duration{p50, p99}
		}
	}
	return res
}

// percentiles returns the p50 and p99 latency of the samples of one mix slot's
// action (op < 0: all samples).
func percentiles(samples []sample, op int) (time.Duration, time.Duration) {
	var lats []time.Duration
	for _, s := range samples {
		if op < 0 || mix[s.op] == mix[op] {
			lats = append(lats, s.lat)
		}
	}
	if len(lats) == 0 {
		return 0, 0
	}
	slices.Sort(lats)
	at := func(q float64) time.Duration { return lats[min(len(lats)-1, int(q*float64(len(lats))))] }
	return at(0.50), at(0.99)
}
