package claim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testToken = "test-api-token-0123456789"

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testMeta() Meta {
	return Meta{
		UserName: "alice@example.com", Account: "111122223333", AccountAlias: "example-prod", DisplayName: "Alice Example",
		SignInURL: "https://example-prod.signin.aws.amazon.com/console", Language: "en", ResetRequired: true,
	}
}

// sealedRequest seals testPassword into a request with testMeta.
func sealedRequest(t *testing.T) (Key, Request) {
	t.Helper()
	k, s, err := Seal(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return k, Request{Meta: testMeta(), Sealed: s}
}

func mustToken(t *testing.T, k Key) []byte {
	t.Helper()
	token, err := AuthToken(k)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// testServer is a claim server on a loopback port with a settable clock.
type testServer struct {
	*Server
	store *Store
	clock *clock
	URL   string
}

func startTestServer(t *testing.T, mutate func(*Config)) *testServer {
	t.Helper()
	c := newClock()
	cfg := Config{Store: openTestStore(t), Token: testToken, Now: c.Now, TrustProxy: true}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testServer{Server: srv, store: cfg.Store, clock: c, URL: hs.URL}
}

func (ts *testServer) client() *Client { return &Client{BaseURL: ts.URL, Token: testToken} }

// create stores a sealed testPassword through the API.
func (ts *testServer) create(t *testing.T) (Created, Key) {
	t.Helper()
	k, req := sealedRequest(t)
	c, err := ts.client().Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// do sends a request from client address from (X-Forwarded-For; the test
// server trusts it).
func (ts *testServer) do(t *testing.T, method, path, from string, body any, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if from != "" {
		req.Header.Set("X-Forwarded-For", "203.0.113.250, "+from)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func (ts *testServer) reveal(t *testing.T, id string, k Key, from string) response {
	t.Helper()
	return ts.do(t, http.MethodPost, "/api/v1/claims/"+id+"/reveal", from, revealBody{Token: mustToken(t, k)})
}
