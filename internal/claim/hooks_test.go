package claim

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

const hookSecret = "hook-secret-0123456789abcdef"

// A hook's handler sees only requests carrying its secret. A missing or
// wrong one is refused with 401 and counted against its client, which is
// answered 429 after too many; the right secret still gets through from
// that client, and the secret never reaches the log.
func TestHookGuard(t *testing.T) {
	t.Parallel()
	var served atomic.Int32
	log := &lockedLog{}
	ts := startTestServer(t, func(c *Config) {
		c.Logger = log.logger()
		c.Hooks = []Hook{{Pattern: "POST /hooks/test", Secret: hookSecret, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			served.Add(1)
			w.WriteHeader(http.StatusNoContent)
		})}}
	})
	const from = "192.0.2.77"
	if r := ts.do(t, "POST", "/hooks/test", from, nil, "Authorization", hookSecret); r.Status != http.StatusNoContent {
		t.Fatalf("right secret: %d %s", r.Status, r.Body)
	}
	for i := range DefaultMaxFailures {
		header := []string{"Authorization", hookSecret + "x"}
		if i%2 == 0 {
			header = nil // no header at all
		}
		if r := ts.do(t, "POST", "/hooks/test", from, nil, header...); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong secret %d: %d, want 401", i, r.Status)
		}
	}
	if r := ts.do(t, "POST", "/hooks/test", from, nil, "Authorization", "Bearer "+hookSecret); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("after %d failures: %d, want 429 with Retry-After", DefaultMaxFailures, r.Status)
	}
	if r := ts.do(t, "POST", "/hooks/test", "192.0.2.78", nil, "Authorization", "wrong-"+hookSecret); r.Status != http.StatusUnauthorized {
		t.Errorf("another client: %d, want 401", r.Status)
	}
	if r := ts.do(t, "POST", "/hooks/test", from, nil, "Authorization", hookSecret); r.Status != http.StatusNoContent {
		t.Errorf("right secret from the blocked client: %d, want it through", r.Status)
	}
	if r := ts.do(t, "POST", "/api/v1/claims", "192.0.2.79", createBodyOf(t), "Authorization", "Bearer "+testToken); r.Status != http.StatusCreated {
		t.Errorf("the claims API beside the hook: %d", r.Status)
	}
	if n := served.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2: only with the secret", n)
	}
	if strings.Contains(log.String(), hookSecret) {
		t.Error("the secret reached the log")
	}
}

func TestHookNeedsALongSecret(t *testing.T) {
	t.Parallel()
	_, err := NewServer(Config{Store: openTestStore(t), Token: testToken,
		Hooks: []Hook{{Pattern: "POST /hooks/test", Secret: "short", Handler: http.NotFoundHandler()}}})
	if err == nil || !strings.Contains(err.Error(), "at least 16 characters") {
		t.Errorf("a short secret: %v", err)
	}
}
