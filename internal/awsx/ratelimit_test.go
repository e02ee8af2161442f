package awsx_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
)

const (
	limitRPS = 25
	window   = 1200 * time.Millisecond
)

// hammer has 8 goroutines per config call ListUsers as fast as they can until
// the window closes, and returns the time from since (taken before the factory
// and its limiters were made) until the last call ended.
func hammer(t *testing.T, since time.Time, cfgs ...aws.Config) time.Duration {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(window)
	var wg sync.WaitGroup
	for _, cfg := range cfgs {
		client := iam.NewFromConfig(cfg)
		for range 8 {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					_, _ = client.ListUsers(ctx, &iam.ListUsersInput{})
				}
			})
		}
	}
	wg.Wait()
	return time.Since(since)
}

// checkRate asserts that n requests in elapsed fit a limiter of limitRPS with
// burst 1 — and came close to it, so a limiter that is too strict fails too.
func checkRate(t *testing.T, what string, n int, elapsed time.Duration) {
	t.Helper()
	allowed := limitRPS*elapsed.Seconds() + 1
	if float64(n) > allowed+1 {
		t.Errorf("%s: %d requests in %v; the limit allows %.0f", what, n, elapsed.Round(time.Millisecond), allowed)
	}
	if float64(n) < 0.6*limitRPS*window.Seconds() {
		t.Errorf("%s: only %d requests in %v; the limit allows %.0f", what, n, elapsed.Round(time.Millisecond), allowed)
	}
}

func TestRateLimiterHoldsTheRate(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	// The sandbox throttles above 30/s; a polite client at 25/s is never throttled.
	sb.SetFaults(t, sandbox.FaultConfig{RateLimit: 30, Burst: 30})
	since := time.Now()
	f := newFactory(t, sb, awsx.Options{RequestsPerSecond: limitRPS, Burst: 1})
	cfg, err := f.Config(context.Background(), mgmt)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := hammer(t, since, cfg)
	rc := sb.Requests(t, mgmt)
	checkRate(t, "caller's account", rc.Total, elapsed)
	if rc.Errors != 0 {
		t.Errorf("%d of %d requests were throttled by the sandbox; the limiter must keep below its 30/s", rc.Errors, rc.Total)
	}
}

// TestRateLimiterIsPerAccount: two accounts hammered at once each get the
// full rate; one shared limiter would halve it.
func TestRateLimiterIsPerAccount(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	since := time.Now()
	f := newFactory(t, sb, awsx.Options{Role: spec.Role{Name: "GatehouseAccess"}, RequestsPerSecond: limitRPS, Burst: 1})
	ctx := context.Background()
	var cfgs []aws.Config
	for _, account := range []string{member, member2} {
		cfg, err := f.Config(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		// Fetch the credentials now so AssumeRole is not part of the window.
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, cfg)
	}
	elapsed := hammer(t, since, cfgs...)
	for _, account := range []string{member, member2} {
		checkRate(t, "account "+account, sb.Requests(t, account).Total, elapsed)
	}
}

// TestRateLimiterCountsRetries: the limiter applies to every attempt, so
// throttled attempts and their retries together stay within the rate.
func TestRateLimiterCountsRetries(t *testing.T) {
	t.Parallel()
	sb := startWorld(t)
	since := time.Now()
	f := newFactory(t, sb, awsx.Options{RequestsPerSecond: limitRPS, Burst: 1, BaseDelay: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	cfg, err := f.Config(context.Background(), mgmt)
	if err != nil {
		t.Fatal(err)
	}
	sb.SetFaults(t, sandbox.FaultConfig{ThrottleRate: 0.5})
	elapsed := hammer(t, since, cfg)
	rc := sb.Requests(t, mgmt)
	checkRate(t, "attempts with retries", rc.Total, elapsed)
	if rc.Errors < rc.Total/4 {
		t.Errorf("only %d of %d attempts were throttled; the faults did not apply", rc.Errors, rc.Total)
	}
}
