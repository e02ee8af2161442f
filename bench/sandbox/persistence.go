package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// bigAccount holds generatedFixture's users; the persistence run writes there,
// so the account every commit changes is the large one.
const bigAccount = "444444444444"

// persistence is the acknowledged-write rate of a sandbox with --state whose
// world starts with users users.
type persistence struct {
	users     int
	acked     int
	errors    int
	firstErr  string
	elapsed   time.Duration
	p50, p99  time.Duration
	stateSize int64 // bytes in the state directory when the run stopped
}

func (p persistence) rate() float64 { return float64(p.acked) / p.elapsed.Seconds() }

// measurePersistence starts `gatehouse sandbox serve --state DIR` on a world
// of each size in o.persistUsers (a generated fixture, written to DIR at
// start) and creates users in that same account with o.workers workers:
// every acknowledgement means the user is on disk.
func measurePersistence(ctx context.Context, o options) ([]persistence, error) {
	var out []persistence
	for _, n := range o.persistUsers {
		p, err := measurePersistenceAt(ctx, o, n)
		if err != nil {
			return nil, fmt.Errorf("measuring persistence with %d users: %w", n, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func measurePersistenceAt(ctx context.Context, o options, users int) (persistence, error) {
	dir, err := os.MkdirTemp("", "gatehouse-bench-state-")
	if err != nil {
		return persistence{}, err
	}
	defer os.RemoveAll(dir)
	fixture := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(fixture, []byte(generatedFixture(users)), 0o600); err != nil {
		return persistence{}, err
	}
	state := filepath.Join(dir, "state")
	srv, err := startSandbox(ctx, o.gatehouse, nil, "--state", state, "--fixture", fixture)
	if err != nil {
		return persistence{}, err
	}
	defer srv.stop()
	client := newIAM(srv.url, bigAccount, newHTTPClient(o.workers))
	var next atomic.Int64
	if o.warmup > 0 {
		createUsers(ctx, client, &next, o.workers, o.warmup)
	}
	res := createUsers(ctx, client, &next, o.workers, o.persistDuration)
	res.users = users
	res.stateSize = dirSize(state)
	return res, nil
}

// createUsers runs workers that create users until d has passed.
func createUsers(ctx context.Context, client *iam.Client, next *atomic.Int64, workers int, d time.Duration) persistence {
	var (
		mu  sync.Mutex
		res persistence
		lat []time.Duration
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				name := fmt.Sprintf("persisted-%07d@example.com", next.Add(1))
				t0 := time.Now()
				_, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/staff/")})
				took := time.Since(t0)
				mu.Lock()
				if err != nil {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = err.Error()
					}
				} else {
					res.acked++
					lat = append(lat, took)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(lat)
	if len(lat) > 0 {
		res.p50, res.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return res
}

// dirSize is the bytes of the files directly in dir.
func dirSize(dir string) int64 {
	entries, _ := os.ReadDir(dir)
	var n int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}
