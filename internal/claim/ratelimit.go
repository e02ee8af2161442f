package claim

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// Defaults of the failure limiters: this many failures per key within the
// window, then that key's attempts are refused (429) until the oldest
// failure leaves the window.
const (
	DefaultMaxFailures   = 5
	DefaultFailureWindow = 10 * time.Minute
)

// maxKeys bounds each limiter's memory (a key and its failures are some
// 200 bytes); past it, the keys whose last failure is oldest are forgotten
// first, so a flood of addresses cannot grow it.
const maxKeys = 50_000

// The server keeps three limiters, one per kind of failure, so that one
// kind cannot lock out what another protects (docs/claim.md, "Failed
// attempts"):
//
//   - keyFailures: wrong keys, per client and claim. Counted before the key
//     is tried, so concurrent guesses are not all tried; a blocked client
//     gets 429 for that claim alone.
//   - lookupFailures: unknown claim IDs, per client. A blocked client gets
//     429 for unknown IDs, and the claims that exist are still served to it:
//     behind a proxy every client may share one address.
//   - tokenFailures: wrong API tokens, per client. The right token always
//     gets through; a client sending wrong ones is answered 429 (and no
//     longer logged) instead of 401.

// limitKey is what failures are counted under: a client (an IPv4 address or
// an IPv6 /64, since one IPv6 host usually holds a whole /64) and, for wrong
// keys, the claim ID (checked against idPattern first, so 22 bytes).
type limitKey struct {
	client netip.Prefix
	claim  string
}

// clientPrefix is the client part of a limitKey for addr; the zero Prefix
// for an address that is not valid (all such share one key).
func clientPrefix(addr netip.Addr) netip.Prefix {
	if !addr.IsValid() {
		return netip.Prefix{}
	}
	addr = addr.Unmap().WithZone("")
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

// limiter counts failures per key in a sliding window.
type limiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	keys  map[limitKey]*list.Element // of *failures
	order *list.List                 // least recently failed first
}

// failures are one key's failures within the window, oldest first, as Unix
// nanoseconds.
type failures struct {
	key limitKey
	at  []int64
}

func newLimiter(maxFailures int, window time.Duration) *limiter {
	return &limiter{max: maxFailures, window: window, keys: map[limitKey]*list.Element{}, order: list.New()}
}

// take records a failure for k at now, unless k is blocked: then it records
// nothing and returns how long to wait. Checking and recording under one
// lock is what stops concurrent attempts from all getting through; a caller
// that counts an attempt before trying it calls forgive when it succeeded.
func (l *limiter) take(k limitKey, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.recent(k, now)
	if f != nil && len(f.at) >= l.max {
		return l.wait(f, now), false
	}
	if f == nil {
		if len(l.keys) >= maxKeys {
			l.evictOldest()
		}
		f = &failures{key: k, at: make([]int64, 0, l.max)}
		l.keys[k] = l.order.PushBack(f)
	} else {
		l.order.MoveToBack(l.keys[k])
	}
	f.at = append(f.at, now.UnixNano())
	return 0, true
}

// forgive takes back the failure take recorded for k at at: the attempt it
// stood for succeeded, or was not a failure after all.
func (l *limiter) forgive(k limitKey, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.keys[k]
	if !ok {
		return
	}
	f := e.Value.(*failures)
	ns := at.UnixNano()
	for i := len(f.at) - 1; i >= 0; i-- {
		if f.at[i] == ns {
			f.at = append(f.at[:i], f.at[i+1:]...)
			break
		}
	}
	if len(f.at) == 0 {
		l.remove(e)
	}
}

// peek says whether k is blocked at now, and for how long, recording nothing.
func (l *limiter) peek(k limitKey, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.recent(k, now)
	if f == nil || len(f.at) < l.max {
		return 0, false
	}
	return l.wait(f, now), true
}

// len is how many keys the limiter holds.
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// wait is how long until the oldest of f's last max failures leaves the window.
func (l *limiter) wait(f *failures, now time.Time) time.Duration {
	oldest := time.Unix(0, f.at[len(f.at)-l.max])
	return oldest.Add(l.window).Sub(now)
}

// recent drops k's failures older than the window and returns the rest;
// nil when none are left.
func (l *limiter) recent(k limitKey, now time.Time) *failures {
	e, ok := l.keys[k]
	if !ok {
		return nil
	}
	f := e.Value.(*failures)
	cutoff := now.Add(-l.window).UnixNano()
	i := 0
	for i < len(f.at) && f.at[i] <= cutoff {
		i++
	}
	if i == len(f.at) {
		l.remove(e)
		return nil
	}
	f.at = append(f.at[:0], f.at[i:]...)
	return f
}

// prune forgets every key whose last failure is older than the window.
func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := now.Add(-l.window).UnixNano()
	// The whole list: forgive can leave a key's last failure older than
	// its place in the order says.
	for e := l.order.Front(); e != nil; {
		next := e.Next()
		if f := e.Value.(*failures); f.at[len(f.at)-1] <= cutoff {
			l.remove(e)
		}
		e = next
	}
}

func (l *limiter) evictOldest() {
	if e := l.order.Front(); e != nil {
		l.remove(e)
	}
}

func (l *limiter) remove(e *list.Element) {
	delete(l.keys, e.Value.(*failures).key)
	l.order.Remove(e)
}
