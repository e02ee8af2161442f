package claim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestClientCreateAndReveal(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	k, req := sealedRequest(t)
	req.TTL = 90 * time.Minute
	c, err := ts.client().Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Expires.Equal(ts.clock.Now().Add(90*time.Minute)) || !idPattern.MatchString(c.ID) {
		t.Errorf("created = %+v", c)
	}
	if link := c.Link(k); link != ts.URL+"/c/"+c.ID+"#"+k.Fragment() {
		t.Errorf("link = %q", link)
	}
	var out revealedBody
	r := ts.reveal(t, c.ID, k, "")
	r.decode(t, &out)
	if got, err := Open(k, Sealed{Nonce: out.Nonce, Ciphertext: out.Ciphertext}); err != nil || got != testPassword {
		t.Errorf("revealed %q, %v", got, err)
	}
	events, _ := ts.store.Events(context.Background(), c.ID)
	if len(events) != 2 || events[0].Addr != "127.0.0.1" || events[1].Event != "claimed" {
		t.Errorf("events = %+v", events)
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "database on fire", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	_, req := sealedRequest(t)
	tooLong := req
	tooLong.TTL = MaxTTL + time.Second
	tests := []struct {
		name      string
		client    *Client
		req       Request
		status    int // 0: no APIError
		temporary bool
		want      string
	}{
		{"wrong token", &Client{BaseURL: ts.URL, Token: "not-the-token-at-all"}, req, 401, false, "set GATEHOUSE_CLAIM_TOKEN to the API token gatehouse serve was started with"},
		{"no token", &Client{BaseURL: ts.URL}, req, 401, false, "401 Unauthorized: missing or wrong API token"},
		{"too long", ts.client(), tooLong, 400, false, "ttl_seconds must be 1 to 2592000"},
		{"server error", &Client{BaseURL: failing.URL, Token: testToken}, req, 503, true, "503 Service Unavailable"},
		{"not gatehouse", &Client{BaseURL: ts.URL + "/elsewhere", Token: testToken}, req, 404, false, "check that the claim URL points at gatehouse serve"},
		{"network", &Client{BaseURL: closedURL, Token: testToken}, req, 0, true, "calling gatehouse serve"},
		{"bad address", &Client{BaseURL: "claims.example.com", Token: testToken}, req, 0, false, "give an absolute http or https address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.client.Create(context.Background(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Create: %v; want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "not-the-token-at-all") {
				t.Errorf("error holds the token: %v", err)
			}
			var apiErr *APIError
			if got := errors.As(err, &apiErr); got != (tt.status != 0) || got && (apiErr.Status != tt.status || apiErr.Temporary() != tt.temporary) {
				t.Errorf("APIError = %v (%+v), want status %d temporary %v", got, apiErr, tt.status, tt.temporary)
			}
		})
	}
}

func TestCreateRefusesBadRequests(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	tests := []struct {
		name   string
		mutate func(*createBody)
		want   string
	}{
		{"short verifier", func(b *createBody) { b.Verifier = b.Verifier[:16] }, "verifier must be 32 bytes"},
		{"long nonce", func(b *createBody) { b.Nonce = append(b.Nonce, 0) }, "nonce must be 12 bytes"},
		{"empty ciphertext", func(b *createBody) { b.Ciphertext = nil }, "ciphertext must be"},
		{"huge ciphertext", func(b *createBody) { b.Ciphertext = make([]byte, 4096) }, "ciphertext must be"},
		{"negative TTL", func(b *createBody) { b.TTLSeconds = -1 }, "ttl_seconds"},
		{"no user", func(b *createBody) { b.UserName = "" }, "user_name is required"},
		{"no account", func(b *createBody) { b.Account = "" }, "account is required"},
		{"relative sign-in URL", func(b *createBody) { b.SignInURL = "/console" }, "sign_in_url must be"},
		{"language", func(b *createBody) { b.Language = "de" }, "use en or ja"},
		{"long name", func(b *createBody) { b.DisplayName = strings.Repeat("x", 300) }, "display_name is longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := createBodyOf(t)
			tt.mutate(&body)
			r := ts.do(t, "POST", "/api/v1/claims", "", body, "Authorization", "Bearer "+testToken)
			if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), tt.want) {
				t.Errorf("%d %s; want 400 with %q", r.Status, r.Body, tt.want)
			}
		})
	}
}

func TestWithdrawLeavesRevealedClaims(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	c, k := ts.create(t)
	ts.reveal(t, c.ID, k, "")
	if err := ts.client().Withdraw(context.Background(), c.ID); err != nil {
		t.Errorf("withdrawing a revealed claim: %v", err)
	}
	if st, _ := ts.store.Status(context.Background(), c.ID, ts.clock.Now()); st.State != StateClaimed {
		t.Errorf("state after withdrawing a revealed claim: %s", st.State)
	}
}

func TestSweeperPurgesExpiredClaims(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, func(c *Config) { c.SweepEvery = 10 * time.Millisecond })
	_, req := sealedRequest(t)
	req.TTL = time.Minute
	c, err := ts.client().Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ts.clock.Add(time.Hour)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Serve(ctx, ln, nil) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, _ := ts.store.Events(context.Background(), c.ID)
		if len(events) == 2 && events[1].Event == "expired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sweeper did not purge the expired claim: %+v", events)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// The client never hands its API token to wherever a redirect points: Go's
// client keeps Authorization for the same host on another port or scheme,
// so a redirect (a misconfigured proxy, a hostile server) would carry the
// token to a listener nobody vetted. A redirect is refused instead, with
// the address it pointed at, so the person can fix --claim-url.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var got []string // the Authorization headers the other listener saw
	var mu sync.Mutex
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		writeJSON(w, http.StatusCreated, createdBody{ID: "AAAAAAAAAAAAAAAAAAAAAA", Path: "/c/AAAAAAAAAAAAAAAAAAAAAA"})
	}))
	t.Cleanup(elsewhere.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, status)
		}))
		t.Cleanup(redirecting.Close)
		for _, hc := range []*http.Client{nil, {Timeout: 5 * time.Second}} {
			c := &Client{BaseURL: redirecting.URL, Token: testToken, HTTP: hc}
			_, req := sealedRequest(t)
			_, err := c.Create(context.Background(), req)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != status || apiErr.Temporary() ||
				!strings.Contains(err.Error(), "redirects to "+elsewhere.URL+"/api/v1/claims") || strings.Contains(err.Error(), testToken) {
				t.Errorf("%d: Create = %v, want a refusal naming the redirect", status, err)
			}
			if err := c.Withdraw(context.Background(), "AAAAAAAAAAAAAAAAAAAAAA"); err == nil {
				t.Errorf("%d: Withdraw followed the redirect", status)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) > 0 {
		t.Errorf("the other listener was called %d times, with Authorization %q", len(got), got)
	}
}

// Status tells the API token's holder what became of a claim — ready with
// its expiry, then claimed or withdrawn with the time — and never reveals it.
func TestClientStatus(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	ctx := context.Background()
	k, req := sealedRequest(t)
	c, err := ts.client().Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := ts.client().Status(ctx, c.ID); err != nil || st.State != "ready" || st.Expires == nil || st.At != nil {
		t.Fatalf("ready: %+v, %v", st, err)
	}
	ts.reveal(t, c.ID, k, "")
	if st, err := ts.client().Status(ctx, c.ID); err != nil || st.State != "claimed" || st.At == nil {
		t.Errorf("claimed: %+v, %v", st, err)
	}
	_, req2 := sealedRequest(t)
	c2, _ := ts.client().Create(ctx, req2)
	if err := ts.client().Withdraw(ctx, c2.ID); err != nil {
		t.Fatal(err)
	}
	if st, err := ts.client().Status(ctx, c2.ID); err != nil || st.State != "withdrawn" {
		t.Errorf("withdrawn: %+v, %v", st, err)
	}
	wrong := *ts.client()
	wrong.Token = "not-the-token-at-all-0123456789"
	var apiErr *APIError
	if _, err := wrong.Status(ctx, c.ID); !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		t.Errorf("with a wrong token: %v", err)
	}
}
