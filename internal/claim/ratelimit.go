package claim

import (
	"net/netip"
	"sync"
	"time"
)

// Defaults of the failure limiter: this many failures per client within the
// window, then every claim request from that client is refused until the
// oldest failure leaves the window.
const (
	DefaultMaxFailures   = 5
	DefaultFailureWindow = 10 * time.Minute
)

// maxClients bounds the limiter's memory; past it, the clients whose last
// failure is oldest are forgotten first (a flood of addresses cannot grow it).
const maxClients = 100_000

// limiter counts failures (wrong keys, unknown IDs, bad API tokens) per
// client in a sliding window. The client is an IPv4 address or an IPv6 /64,
// since one IPv6 host usually holds a whole /64.
type limiter struct {
	max    int
	window time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time // oldest first, within the window
}

func newLimiter(maxFailures int, window time.Duration) *limiter {
	return &limiter{max: maxFailures, window: window, failures: map[string][]time.Time{}}
}

// clientKey is the limiter's key for a client address (host only, no port).
func clientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// blocked says whether client may not try again yet, and for how long.
func (l *limiter) blocked(client string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := clientKey(client)
	fs := l.recent(key, now)
	if len(fs) < l.max {
		return 0, false
	}
	return fs[len(fs)-l.max].Add(l.window).Sub(now), true
}

// fail counts a failure for client.
func (l *limiter) fail(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := clientKey(client)
	fs := l.recent(key, now)
	if len(fs) >= l.max {
		fs = fs[len(fs)-l.max+1:] // only the last max matter
	}
	if _, ok := l.failures[key]; !ok && len(l.failures) >= maxClients {
		l.evictOldest()
	}
	l.failures[key] = append(fs, now)
}

// recent drops key's failures older than the window and returns the rest.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && !fs[i].Add(l.window).After(now) {
		i++
	}
	if i == len(fs) {
		delete(l.failures, key)
		return nil
	}
	return fs[i:]
}

// prune forgets every failure older than the window.
func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for key, fs := range l.failures {
		if len(fs) == 0 || !fs[len(fs)-1].Add(l.window).After(now) {
			delete(l.failures, key)
		}
	}
}

func (l *limiter) evictOldest() {
	var (
		oldestKey string
		oldest    time.Time
	)
	for key, fs := range l.failures {
		if last := fs[len(fs)-1]; oldestKey == "" || last.Before(oldest) {
			oldestKey, oldest = key, last
		}
	}
	delete(l.failures, oldestKey)
}
