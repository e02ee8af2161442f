package awsx_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/sandbox"
)

// BenchmarkAdaptiveRateLimit measures the default (adaptive) limiter against
// accounts that throttle above 20 and 100 requests a second (bucket: one
// second's worth): 256 callers, as offboarding's fan-out makes, 50 ms latency,
// 20 s. It reports the calls completed per second until every caller is done
// (the goodput, as a share of the account's limit; the sandbox's full bucket
// at the start allows a little over 1) and the share of attempts throttled.
//
//	go test ./internal/awsx -run '^$' -bench AdaptiveRateLimit -benchtime 1x
func BenchmarkAdaptiveRateLimit(b *testing.B) {
	for _, limit := range []float64{20, 100} {
		b.Run(fmt.Sprintf("account-%g-per-s", limit), func(b *testing.B) {
			for range b.N {
				goodput, throttled := adaptiveRun(b, limit, 256, 20*time.Second)
				b.ReportMetric(goodput/limit, "goodput/limit")
				b.ReportMetric(throttled, "throttled/attempt")
			}
		})
	}
}

func adaptiveRun(b *testing.B, limit float64, callers int, window time.Duration) (float64, float64) {
	sb := startWorld(b)
	sb.SetFaults(b, sandbox.FaultConfig{LatencyMS: 50, RateLimit: limit, Burst: int(limit)})
	f := newFactory(b, sb, awsx.Options{})
	cfg, err := f.Config(context.Background(), mgmt)
	if err != nil {
		b.Fatal(err)
	}
	client := iam.NewFromConfig(cfg)
	var done atomic.Int64
	start := time.Now()
	deadline := start.Add(window)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := client.ListUsers(context.Background(), &iam.ListUsersInput{}); err == nil {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait() // calls in flight at the deadline finish, retries included: they count, and so does their time
	rc := sb.Requests(b, mgmt)
	return float64(done.Load()) / time.Since(start).Seconds(), float64(rc.Errors) / float64(rc.Total)
}
