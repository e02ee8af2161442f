package idcstate

import (
	"time"

	"golang.org/x/time/rate"
)

// Quotas are an instance's limits, AWS's by default: "IAM Identity Center
// APIs have a collective throttle maximum of 20 transactions per second"
// and "the write API operations have a limit of 15 outstanding asynchronous
// calls" (the Identity Center quotas page). The sandbox lets a fixture or
// PUT /_sandbox/sso-admin/quotas change them, and adds how long an account
// assignment operation stays IN_PROGRESS.
type Quotas struct {
	// RequestsPerSecond is the token bucket's rate for every identitystore
	// and sso-admin request on the instance together (0: no limit); Burst
	// its size (0: the rate, at least 1).
	RequestsPerSecond float64 `json:"requests_per_second"`
	Burst             int     `json:"burst"`
	// MaxInProgress is how many account assignment operations may be
	// IN_PROGRESS at once (0: no limit); the next is refused with
	// ThrottlingException.
	MaxInProgress int `json:"max_in_progress_assignments"`
	// AssignmentDelayMS is how long an assignment operation stays IN_PROGRESS
	// (0: it has completed by the next request, though CreateAccountAssignment
	// still answers IN_PROGRESS, as AWS always does).
	AssignmentDelayMS int `json:"assignment_delay_ms"`
}

// Defaults, from AWS's quotas; the delay is short enough for tests to wait
// out and long enough that a client must poll.
const (
	DefaultRequestsPerSecond = 20
	DefaultMaxInProgress     = 15
	DefaultAssignmentDelayMS = 250
)

// DefaultQuotas are a new instance's quotas.
func DefaultQuotas() Quotas {
	return Quotas{RequestsPerSecond: DefaultRequestsPerSecond, MaxInProgress: DefaultMaxInProgress, AssignmentDelayMS: DefaultAssignmentDelayMS}
}

// QuotasPatch changes some of an instance's quotas: a fixture's quotas
// block and PUT /_sandbox/sso-admin/quotas say only what they change.
type QuotasPatch struct {
	RequestsPerSecond *float64 `json:"requests_per_second" yaml:"requests_per_second"`
	Burst             *int     `json:"burst" yaml:"burst"`
	MaxInProgress     *int     `json:"max_in_progress_assignments" yaml:"max_in_progress_assignments"`
	AssignmentDelayMS *int     `json:"assignment_delay_ms" yaml:"assignment_delay_ms"`
}

// Problem says what is wrong with the patch, "" when nothing is.
func (p QuotasPatch) Problem() string {
	for _, n := range []*int{p.Burst, p.MaxInProgress, p.AssignmentDelayMS} {
		if n != nil && *n < 0 {
			return "burst, max_in_progress_assignments and assignment_delay_ms must not be negative"
		}
	}
	if p.RequestsPerSecond != nil && *p.RequestsPerSecond < 0 {
		return "requests_per_second must not be negative (0 turns the limit off)"
	}
	return ""
}

// Apply returns q changed by the patch.
func (p QuotasPatch) Apply(q Quotas) Quotas {
	if p.RequestsPerSecond != nil {
		q.RequestsPerSecond = *p.RequestsPerSecond
	}
	for _, f := range []struct{ from, to *int }{{p.Burst, &q.Burst}, {p.MaxInProgress, &q.MaxInProgress}, {p.AssignmentDelayMS, &q.AssignmentDelayMS}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	return q
}

// AssignmentDelay is how long an assignment operation stays IN_PROGRESS.
func (q Quotas) AssignmentDelay() time.Duration {
	return time.Duration(q.AssignmentDelayMS) * time.Millisecond
}

// SetQuotas replaces an instance's quotas and restarts its bucket.
func (w *World) SetQuotas(in *Instance, q Quotas) {
	in.Quotas = q
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.meters, in.ID)
}

// meter is one instance's token bucket and what it has counted.
type meter struct {
	bucket *rate.Limiter // nil when the limit is off
	stats  Stats
}

// Stats are what an instance's quotas have seen since the sandbox started
// (or was reset), for tests that check a client keeps to them.
type Stats struct {
	Requests          int `json:"requests"`            // every request charged to the instance
	Throttled         int `json:"throttled"`           // refused by the rate limit
	RefusedInProgress int `json:"refused_in_progress"` // refused by the in-progress limit
	PeakInProgress    int `json:"peak_in_progress"`    // most assignment operations in progress at once
}

func (w *World) meter(in *Instance) *meter {
	m, ok := w.meters[in.ID]
	if !ok {
		m = &meter{}
		if q := in.Quotas; q.RequestsPerSecond > 0 {
			burst := q.Burst
			if burst == 0 {
				burst = max(1, int(q.RequestsPerSecond))
			}
			m.bucket = rate.NewLimiter(rate.Limit(q.RequestsPerSecond), burst)
		}
		w.meters[in.ID] = m
	}
	return m
}

// Admit charges one request to the instance's bucket and reports whether it
// may proceed; a request over the rate is refused as AWS throttles it.
func (w *World) Admit(in *Instance) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.meter(in)
	m.stats.Requests++
	if m.bucket != nil && !m.bucket.Allow() {
		m.stats.Throttled++
		return false
	}
	return true
}

// AdmitOperation reports whether one more assignment operation may start at
// now, counting it towards the peak when it may and as refused when not.
// Call with the world's write lock held (it reads the operations).
func (w *World) AdmitOperation(in *Instance, now time.Time) bool {
	n := len(in.InProgress(now))
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.meter(in)
	if limit := in.Quotas.MaxInProgress; limit > 0 && n >= limit {
		m.stats.RefusedInProgress++
		return false
	}
	m.stats.PeakInProgress = max(m.stats.PeakInProgress, n+1)
	return true
}

// StatsOf returns what the instance's quotas have counted.
func (w *World) StatsOf(in *Instance) Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.meter(in).stats
}
