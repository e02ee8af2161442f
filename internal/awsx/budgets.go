package awsx

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// budgets are one account's rate limiters, one per service: AWS's quotas
// are per service and account, so IAM slowing down must not slow SES, and
// SES's sending quota must not hold IAM back. Each service's limiter follows
// the options (adaptive, fixed or none) until Fix gives it a rate of its own.
type budgets struct {
	opts Options

	mu        sync.Mutex
	byService map[string]*limiter
}

func newBudgets(opts Options) *budgets {
	return &budgets{opts: opts, byService: map[string]*limiter{}}
}

// of returns service's limiter ("IAM", "SESv2", "STS": the SDK's service
// IDs), making it on first use.
func (b *budgets) of(service string) *limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	lim, ok := b.byService[service]
	if !ok {
		lim = newLimiter(b.opts)
		b.byService[service] = lim
	}
	return lim
}

// fix gives service a fixed rate and burst: a quota the account itself
// reports (SES's maximum send rate) or one AWS documents (Identity
// Center's).
func (b *budgets) fix(service string, perSecond float64, burst int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.byService[service] = &limiter{lim: rate.NewLimiter(rate.Limit(perSecond), max(1, burst)), now: time.Now}
}

// share makes services use one fixed limiter: a quota AWS counts across
// several APIs (Identity Center's 20 requests a second, identitystore and
// sso-admin together). Sharing again what is shared already at that rate
// keeps the limiter, with the tokens spent from it: a long-lived server
// (gatehouse serve's Okta hook) makes a directory per person, and each one
// starting with a full bucket would let it past the quota.
func (b *budgets) share(services []string, perSecond float64, burst int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sharedLocked(services, perSecond, burst) {
		return
	}
	lim := &limiter{lim: rate.NewLimiter(rate.Limit(perSecond), max(1, burst)), now: time.Now}
	for _, s := range services {
		b.byService[s] = lim
	}
}

// sharedLocked reports whether services wait on one fixed limiter of this
// rate and burst already.
func (b *budgets) sharedLocked(services []string, perSecond float64, burst int) bool {
	if len(services) == 0 {
		return false
	}
	lim := b.byService[services[0]]
	if lim == nil || lim.adaptive || lim.lim.Limit() != rate.Limit(perSecond) || lim.lim.Burst() != max(1, burst) {
		return false
	}
	for _, s := range services[1:] {
		if b.byService[s] != lim {
			return false
		}
	}
	return true
}
