package awsx

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Adaptive rate defaults: with no --rate-limit, each account starts at
// AdaptiveCeiling requests a second and finds its own pace from AWS's answers.
const (
	// AdaptiveCeiling is the fastest an adaptive limiter goes. IAM publishes no
	// request quota; in practice it throttles somewhere in the tens of requests
	// a second per account, and a throttled call costs a retry, so the limiter
	// starts high and backs off rather than guessing low and staying slow.
	AdaptiveCeiling = 100
	// AdaptiveFloor is the slowest it goes: throttling never stops a run.
	AdaptiveFloor = 1
	// DefaultBurst is the burst of an adaptive limiter: enough for the ~40
	// calls that remove one fully-loaded user to go out together.
	DefaultBurst = 50
	// adaptiveCooldown is how long after one cut the next throttling answer
	// is ignored: the calls already in flight were sent at the old rate.
	adaptiveCooldown = time.Second
	// adaptiveRecovery is the share of the ceiling regained per second
	// without throttling (additive increase).
	adaptiveRecovery = 0.05
)

// limiter is one account's client-side rate limit. A fixed limiter keeps the
// rate it was given. An adaptive one halves its rate when AWS throttles (at
// most once per adaptiveCooldown) and regains adaptiveRecovery of the ceiling
// per second without throttling — additive increase, multiplicative decrease.
type limiter struct {
	lim      *rate.Limiter
	adaptive bool
	ceiling  rate.Limit
	maxBurst int // the burst at the ceiling; it shrinks with the rate

	mu      sync.Mutex
	lastCut time.Time // when the rate was last halved
	lastUp  time.Time // when the rate was last raised
	now     func() time.Time
}

// newLimiter builds an account's limiter from the options: a negative rate is
// unlimited, a positive one fixed, zero adaptive.
func newLimiter(o Options) *limiter {
	switch {
	case o.RequestsPerSecond < 0:
		return &limiter{lim: rate.NewLimiter(rate.Inf, 0), now: time.Now}
	case o.RequestsPerSecond > 0:
		return &limiter{lim: rate.NewLimiter(rate.Limit(o.RequestsPerSecond), o.Burst), now: time.Now}
	}
	return &limiter{lim: rate.NewLimiter(AdaptiveCeiling, o.Burst), adaptive: true, ceiling: AdaptiveCeiling, maxBurst: o.Burst, now: time.Now}
}

// adaptiveStep is the longest an adaptive limiter's caller waits on one
// reservation before taking a new one at the current rate.
const adaptiveStep = 50 * time.Millisecond

// Wait blocks until a request may go. A fixed limiter queues the caller
// (rate.Limiter.Wait). An adaptive one must not: a reservation keeps the
// rate it was made at, so hundreds of callers queued at 100/s would go on
// firing at 100/s long after AWS said 20. Its callers hold a reservation only
// when it comes due within adaptiveStep, and otherwise hand it back, wait a
// step and ask again at whatever the rate is then.
func (l *limiter) Wait(ctx context.Context) error {
	if !l.adaptive {
		return l.lim.Wait(ctx)
	}
	for {
		l.recover()
		now := l.now()
		r := l.lim.ReserveN(now, 1)
		if delay := r.DelayFrom(now); delay <= adaptiveStep {
			if err := sleep(ctx, delay); err != nil {
				r.Cancel()
				return err
			}
			return nil
		}
		r.CancelAt(now)
		if err := sleep(ctx, adaptiveStep); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Limit is the current rate.
func (l *limiter) Limit() rate.Limit { return l.lim.Limit() }

// throttled tells an adaptive limiter that AWS throttled a request.
func (l *limiter) throttled() {
	if !l.adaptive {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastCut) < adaptiveCooldown {
		return
	}
	l.lastCut, l.lastUp = now, now
	l.set(now, max(AdaptiveFloor, l.lim.Limit()/2))
}

// set changes the rate, and the burst with it (a burst of half a second's
// worth, up to maxBurst): tokens saved up at a rate AWS refused would go
// out together and be throttled together.
func (l *limiter) set(now time.Time, r rate.Limit) {
	l.lim.SetLimitAt(now, r)
	l.lim.SetBurstAt(now, min(l.maxBurst, max(1, int(r/2))))
}

func (l *limiter) recover() {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.lim.Limit()
	if cur >= l.ceiling {
		return
	}
	now := l.now()
	elapsed := now.Sub(l.lastUp)
	if elapsed < 100*time.Millisecond {
		return
	}
	l.lastUp = now
	l.set(now, min(l.ceiling, cur+rate.Limit(elapsed.Seconds()*adaptiveRecovery*float64(l.ceiling))))
}
