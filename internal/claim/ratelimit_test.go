package claim

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const client1 = "198.51.100.1"

// wrongKey is k with one bit changed: a damaged link.
func wrongKey(k Key) Key {
	k[0] ^= 1
	return k
}

func isTooMany(r response) bool {
	return r.Status == http.StatusTooManyRequests &&
		(strings.Contains(string(r.Body), codeTooMany) || strings.Contains(string(r.Body), `data-state="too-many"`))
}

// Wrong keys for one claim from one client: five are answered 403, then
// that client gets 429 for that claim — the right key included, and its
// page says so — until the oldest failure is ten minutes old. Another claim
// from the same client, and the same claim from another client, are not
// held up.
func TestWrongKeysBlockOneClaimForOneClient(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	target, k := ts.create(t)
	other, otherKey := ts.create(t)
	for i := range DefaultMaxFailures {
		if r := ts.reveal(t, target.ID, wrongKey(k), client1); r.Status != http.StatusForbidden {
			t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
		}
		ts.clock.Add(time.Minute)
	}
	for _, r := range []response{ts.reveal(t, target.ID, wrongKey(k), client1), ts.reveal(t, target.ID, k, client1), ts.do(t, "GET", "/c/"+target.ID, client1, nil)} {
		if !isTooMany(r) || r.Header.Get("Retry-After") != "300" {
			t.Fatalf("while blocked: %d Retry-After %q: %s", r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if r := ts.reveal(t, other.ID, otherKey, client1); r.Status != http.StatusOK {
		t.Errorf("another claim from the blocked client: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "GET", "/c/"+target.ID, "198.51.100.2", nil); r.Status != http.StatusOK {
		t.Errorf("the page from another client: %d", r.Status)
	}
	ts.clock.Add(5 * time.Minute)
	if r := ts.reveal(t, target.ID, k, client1); r.Status != http.StatusOK {
		t.Errorf("after the window: %d %s", r.Status, r.Body)
	}
}

// Unknown claim IDs, on the page or the API: five are answered 404, then
// that client's unknown IDs get 429. A claim that exists is still served to
// it: behind a proxy every client may share one address, and a scanner
// must not take everyone's links down.
func TestUnknownClaimsNeverBlockRealOnes(t *testing.T) {
	t.Parallel()
	for _, trustProxy := range []bool{true, false} {
		ts := startTestServer(t, func(c *Config) { c.TrustProxy = trustProxy })
		created, k := ts.create(t)
		unknown := []func() response{
			func() response { return ts.do(t, "GET", "/c/CCCCCCCCCCCCCCCCCCCCCC", client1, nil) },
			func() response { return ts.reveal(t, "BBBBBBBBBBBBBBBBBBBBBB", k, client1) },
			func() response { return ts.do(t, "GET", "/c/not-an-id", client1, nil) },
		}
		for i := range DefaultMaxFailures {
			if r := unknown[i%len(unknown)](); r.Status != http.StatusNotFound {
				t.Fatalf("trust proxy %v, unknown %d: %d", trustProxy, i+1, r.Status)
			}
		}
		for i, f := range unknown {
			if r := f(); !isTooMany(r) {
				t.Errorf("trust proxy %v, unknown %d after five: %d %s", trustProxy, i, r.Status, r.Body)
			}
		}
		if r := ts.do(t, "GET", "/c/"+created.ID, client1, nil); r.Status != http.StatusOK {
			t.Errorf("trust proxy %v: the real page: %d", trustProxy, r.Status)
		}
		if r := ts.reveal(t, created.ID, k, client1); r.Status != http.StatusOK {
			t.Errorf("trust proxy %v: the real reveal: %d %s", trustProxy, r.Status, r.Body)
		}
	}
}

// Wrong API tokens slow only the client that sends them (429 after five,
// unlogged), never the right token, which gatehouse onboard may present
// from the same address (one NAT, one proxy).
func TestWrongTokensNeverBlockTheRightOne(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	for i := range 2 * DefaultMaxFailures {
		r := ts.do(t, "POST", "/api/v1/claims", client1, createBodyOf(t), "Authorization", "Bearer guess-"+testToken)
		if want := http.StatusUnauthorized; i < DefaultMaxFailures && r.Status != want || i >= DefaultMaxFailures && !isTooMany(r) {
			t.Fatalf("wrong token %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	if r := ts.do(t, "POST", "/api/v1/claims", client1, createBodyOf(t), "Authorization", "Bearer "+testToken); r.Status != http.StatusCreated {
		t.Fatalf("the right token from the same client: %d %s", r.Status, r.Body)
	}
	c, k := ts.create(t) // no X-Forwarded-For: the test's own address
	if r := ts.reveal(t, c.ID, k, client1); r.Status != http.StatusOK {
		t.Errorf("a reveal from the client with wrong tokens: %d", r.Status)
	}
}

// The limiter counts an attempt before it is tried: of 100 wrong keys sent
// at once, five are tried (and recorded as refused), the rest are refused
// unseen. The store is held busy until every request has either been
// answered or is waiting for it, so all 100 are in flight together.
func TestConcurrentWrongKeysAreNotAllTried(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	created, k := ts.create(t)
	hold, err := ts.store.db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	waitsBefore := ts.store.db.Stats().WaitCount
	const n = 100
	statuses := make(chan int, n)
	var answered atomic.Int64
	for range n {
		go func() {
			statuses <- ts.reveal(t, created.ID, wrongKey(k), client1).Status
			answered.Add(1)
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for answered.Load()+ts.store.db.Stats().WaitCount-waitsBefore < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for range n {
		count[<-statuses]++
	}
	if count[http.StatusForbidden] != DefaultMaxFailures || count[http.StatusTooManyRequests] != n-DefaultMaxFailures {
		t.Errorf("answers %v, want %d × 403 and the rest 429", count, DefaultMaxFailures)
	}
	events, err := ts.store.Events(context.Background(), created.ID)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, e := range events {
		if e.Event == "refused" {
			refused++
		}
	}
	if refused != DefaultMaxFailures {
		t.Errorf("%d wrong keys were tried, want %d", refused, DefaultMaxFailures)
	}
}

func TestRateLimitIsPerClient(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	created, k := ts.create(t)
	for range DefaultMaxFailures + 2 {
		ts.reveal(t, created.ID, wrongKey(k), "2001:db8:1:2::7")
	}
	if r := ts.reveal(t, created.ID, k, "2001:db8:1:2::8"); r.Status != http.StatusTooManyRequests {
		t.Errorf("same IPv6 /64: %d, want 429", r.Status)
	}
	if r := ts.reveal(t, created.ID, k, "2001:db8:1:3::7"); r.Status != http.StatusOK {
		t.Errorf("another client: %d %s", r.Status, r.Body)
	}
}

// With --trust-proxy the client is the right-most X-Forwarded-For entry,
// the one the proxy appended, and only when it is an IP address: anything
// else (a client talking past the proxy, a 60 KB header) is not a key, and
// the connection's address counts instead. Nothing unvalidated reaches the
// limiter or the audit trail.
func TestForwardedForIsValidated(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	created, k := ts.create(t)
	huge := strings.Repeat("A", 60<<10)
	garbage := []string{huge, "not-an-address", "198.51.100.9, garbage", "1.2.3.4.5", "", "[::1", "unknown"}
	// Each garbage value from the one connection address: they add up.
	for i := range DefaultMaxFailures {
		r := ts.do(t, "POST", "/api/v1/claims/"+created.ID+"/reveal", "", revealBody{Token: mustToken(t, wrongKey(k))},
			"X-Forwarded-For", garbage[i%len(garbage)]+"-"+string(rune('a'+i)))
		if r.Status != http.StatusForbidden {
			t.Fatalf("garbage %d: %d", i, r.Status)
		}
	}
	if r := ts.reveal(t, created.ID, k, ""); !isTooMany(r) {
		t.Errorf("the connection's address after five failures under garbage names: %d", r.Status)
	}
	if n := ts.keyFailures.len(); n != 1 {
		t.Errorf("the limiter tracks %d keys, want 1", n)
	}
	events, _ := ts.store.Events(context.Background(), created.ID)
	for _, e := range events {
		if e.Addr != "127.0.0.1" {
			t.Errorf("audit address %.40q, want the connection's", e.Addr)
		}
	}
	// The right-most entry is the proxy's, with or without a port.
	for header, want := range map[string]string{
		"203.0.113.9, 198.51.100.7":     "198.51.100.7",
		"203.0.113.9,198.51.100.7:4711": "198.51.100.7",
		"[2001:db8::5]:443":             "2001:db8::5",
		"2001:db8::5":                   "2001:db8::5",
		"::ffff:198.51.100.8":           "198.51.100.8",
		" 198.51.100.10 ":               "198.51.100.10",
		huge + ", 198.51.100.11":        "198.51.100.11",
		"198.51.100.12, " + huge:        "127.0.0.1",
		"fe80::1%eth0":                  "fe80::1",
	} {
		c, _ := ts.create(t)
		r := ts.do(t, "POST", "/api/v1/claims/"+c.ID+"/reveal", "", revealBody{Token: mustToken(t, wrongKey(k))}, "X-Forwarded-For", header)
		if r.Status != http.StatusForbidden {
			t.Fatalf("%.40q: %d", header, r.Status)
		}
		events, _ := ts.store.Events(context.Background(), c.ID)
		if last := events[len(events)-1]; last.Event != "refused" || last.Addr != want {
			t.Errorf("X-Forwarded-For %.40q recorded as %.40q, want %s", header, last.Addr, want)
		}
	}
}

// Without --trust-proxy, X-Forwarded-For is ignored, and its arrival is
// logged once: every client behind that proxy shares its address.
func TestForwardedForWithoutTrustProxyIsIgnoredAndWarned(t *testing.T) {
	t.Parallel()
	var log lockedLog
	ts := startTestServer(t, func(c *Config) { c.TrustProxy = false; c.Logger = log.logger() })
	created, k := ts.create(t)
	for range 3 {
		ts.reveal(t, created.ID, wrongKey(k), client1)
	}
	events, _ := ts.store.Events(context.Background(), created.ID)
	if last := events[len(events)-1]; last.Addr != "127.0.0.1" {
		t.Errorf("recorded %q, want the connection's address", last.Addr)
	}
	if n := strings.Count(log.String(), "requests arrive with X-Forwarded-For"); n != 1 || !strings.Contains(log.String(), "--trust-proxy") {
		t.Errorf("%d warnings about X-Forwarded-For, want 1 that names --trust-proxy:\n%s", n, log.String())
	}
}

// The limiter's memory is bounded: past maxKeys, the keys whose last failure
// is oldest are forgotten first.
func TestLimiterForgetsOldestKeysWhenFull(t *testing.T) {
	t.Parallel()
	l := newLimiter(1, time.Hour)
	key := func(i int) limitKey {
		return limitKey{client: clientPrefix(addrOf(t, "10."+itoa(i>>16)+"."+itoa(i>>8&255)+"."+itoa(i&255)))}
	}
	for i := range maxKeys + 10 {
		if _, ok := l.take(key(i), t0.Add(time.Duration(i)*time.Millisecond)); !ok {
			t.Fatalf("key %d blocked at its first failure", i)
		}
	}
	if n := l.len(); n != maxKeys {
		t.Errorf("%d keys remembered, want %d", n, maxKeys)
	}
	if _, blocked := l.peek(key(0), t0.Add(time.Minute)); blocked {
		t.Error("the oldest key is still remembered")
	}
	if _, blocked := l.peek(key(maxKeys+9), t0.Add(time.Minute)); !blocked {
		t.Error("the newest key was forgotten")
	}
}

func addrOf(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func itoa(i int) string { return strconv.Itoa(i) }

// lockedLog is a log that handlers on many goroutines write to.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }
