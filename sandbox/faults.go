package sandbox

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FaultConfig is the fault injection the sandbox applies to AWS API requests (never
// to /_sandbox/). It is set by flags and replaced at run time by PUT /_sandbox/faults.
type FaultConfig struct {
	// LatencyMS is added to every request; JitterMS adds a uniform random 0..JitterMS.
	LatencyMS int `json:"latency_ms"`
	JitterMS  int `json:"jitter_ms"`
	// RateLimit is the sustained requests per second allowed per account (0: unlimited);
	// Burst is the bucket size (default: the rate, at least 1). Requests over it are
	// answered with the protocol's throttling error.
	RateLimit float64 `json:"rate_limit"`
	Burst     int     `json:"burst"`
	// ThrottleRate is the fraction (0..1) of requests answered with a throttling error
	// regardless of rate; ErrorRate the fraction answered with HTTP 500 or 503.
	ThrottleRate float64 `json:"throttle_rate"`
	ErrorRate    float64 `json:"error_rate"`
	// Seed makes the random choices reproducible (0: seeded from the clock).
	Seed uint64 `json:"seed"`
}

// Validate reports the first out-of-range setting.
func (c FaultConfig) Validate() error {
	switch {
	case c.LatencyMS < 0 || c.JitterMS < 0:
		return fmt.Errorf("latency_ms and jitter_ms must not be negative")
	case c.RateLimit < 0 || c.Burst < 0:
		return fmt.Errorf("rate_limit and burst must not be negative")
	case c.ThrottleRate < 0 || c.ThrottleRate > 1 || c.ErrorRate < 0 || c.ErrorRate > 1:
		return fmt.Errorf("throttle_rate and error_rate must be between 0 and 1")
	}
	return nil
}

// faultKind is what the injector decided for one request.
type faultKind int

const (
	faultNone faultKind = iota
	faultThrottle
	fault500
	fault503
)

// faults applies a FaultConfig: latency, per-account token buckets and random errors.
type faults struct {
	mu       sync.Mutex
	cfg      FaultConfig
	rng      *rand.Rand
	limiters map[string]*rate.Limiter
}

func newFaults(cfg FaultConfig) *faults {
	f := &faults{}
	f.set(cfg)
	return f
}

func (f *faults) set(cfg FaultConfig) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seed := cfg.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	f.cfg = cfg
	f.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	f.limiters = map[string]*rate.Limiter{}
}

func (f *faults) get() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg
}

// decide returns the delay to apply and the fault (if any) for one request.
func (f *faults) decide(account string) (time.Duration, faultKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cfg
	delay := time.Duration(c.LatencyMS) * time.Millisecond
	if c.JitterMS > 0 {
		delay += time.Duration(f.rng.IntN(c.JitterMS+1)) * time.Millisecond
	}
	if c.RateLimit > 0 {
		lim, ok := f.limiters[account]
		if !ok {
			burst := c.Burst
			if burst == 0 {
				burst = max(1, int(c.RateLimit))
			}
			lim = rate.NewLimiter(rate.Limit(c.RateLimit), burst)
			f.limiters[account] = lim
		}
		if !lim.Allow() {
			return delay, faultThrottle
		}
	}
	if c.ThrottleRate > 0 && f.rng.Float64() < c.ThrottleRate {
		return delay, faultThrottle
	}
	if c.ErrorRate > 0 && f.rng.Float64() < c.ErrorRate {
		if f.rng.IntN(2) == 0 {
			return delay, fault500
		}
		return delay, fault503
	}
	return delay, faultNone
}
