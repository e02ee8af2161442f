package awsx

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// fakeClock is a settable time for limiter tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestAdaptiveLimiterHalvesOnThrottlingAndRecovers(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newLimiter(Options{}.withDefaults())
	l.now = clock.now
	if !l.adaptive || l.Limit() != AdaptiveCeiling {
		t.Fatalf("default limiter: adaptive=%v at %v/s, want adaptive at %d/s", l.adaptive, l.Limit(), AdaptiveCeiling)
	}
	l.throttled()
	if l.Limit() != AdaptiveCeiling/2 {
		t.Fatalf("after one throttle: %v/s, want %d/s", l.Limit(), AdaptiveCeiling/2)
	}
	// Answers to calls sent at the old rate do not cut it again at once.
	l.throttled()
	if l.Limit() != AdaptiveCeiling/2 {
		t.Fatalf("a second throttle within the cooldown cut the rate to %v/s", l.Limit())
	}
	for range 20 {
		clock.advance(adaptiveCooldown)
		l.throttled()
	}
	if l.Limit() != AdaptiveFloor {
		t.Fatalf("after sustained throttling: %v/s, want the floor %d/s", l.Limit(), AdaptiveFloor)
	}
	// Additive increase: 5% of the ceiling per quiet second.
	clock.advance(2 * time.Second)
	l.recover()
	if want := rate.Limit(AdaptiveFloor + 2*adaptiveRecovery*AdaptiveCeiling); l.Limit() != want {
		t.Fatalf("after 2 quiet seconds: %v/s, want %v/s", l.Limit(), want)
	}
	clock.advance(time.Minute)
	l.recover()
	if l.Limit() != AdaptiveCeiling {
		t.Fatalf("after a quiet minute: %v/s, want the ceiling %d/s", l.Limit(), AdaptiveCeiling)
	}
}

func TestFixedLimiterIgnoresThrottling(t *testing.T) {
	t.Parallel()
	l := newLimiter(Options{RequestsPerSecond: 30}.withDefaults())
	l.throttled()
	if l.adaptive || l.Limit() != 30 {
		t.Fatalf("--rate-limit 30 after a throttle: adaptive=%v at %v/s, want fixed at 30/s", l.adaptive, l.Limit())
	}
}
