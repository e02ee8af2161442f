package claim

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"Referrer-Policy":        "no-referrer",
	"Cache-Control":          "no-store",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	created, k := ts.create(t)
	claimed, claimedKey := ts.create(t)
	if r := ts.reveal(t, claimed.ID, claimedKey, "192.0.2.90"); r.Status != http.StatusOK {
		t.Fatalf("reveal: %d %s", r.Status, r.Body)
	}
	wrong := k
	wrong[3] ^= 1
	auth := []string{"Authorization", "Bearer " + testToken}
	tests := []struct {
		name, method, path string
		body               any
		header             []string
		status             int
		contentType        string
	}{
		{"ready page", "GET", "/c/" + created.ID, nil, nil, 200, "text/html; charset=utf-8"},
		{"claimed page", "GET", "/c/" + claimed.ID, nil, nil, 410, "text/html; charset=utf-8"},
		{"unknown page", "GET", "/c/AAAAAAAAAAAAAAAAAAAAAA", nil, nil, 404, "text/html; charset=utf-8"},
		{"malformed page ID", "GET", "/c/..%2f..%2fetc", nil, nil, 404, "text/html; charset=utf-8"},
		{"script", "GET", "/static/claim.js", nil, nil, 200, "text/javascript; charset=utf-8"},
		{"style sheet", "GET", "/static/claim.css", nil, nil, 200, "text/css; charset=utf-8"},
		{"other static file", "GET", "/static/page.html", nil, nil, 404, ""},
		{"health", "GET", "/healthz", nil, nil, 200, "text/plain; charset=utf-8"},
		{"create", "POST", "/api/v1/claims", createBodyOf(t), auth, 201, "application/json"},
		{"create without token", "POST", "/api/v1/claims", createBodyOf(t), nil, 401, "application/json"},
		{"create with a bad body", "POST", "/api/v1/claims", map[string]string{"user_name": "x"}, auth, 400, "application/json"},
		{"reveal with a wrong key", "POST", "/api/v1/claims/" + created.ID + "/reveal", revealBody{Token: mustToken(t, wrong)}, nil, 403, "application/json"},
		{"reveal claimed", "POST", "/api/v1/claims/" + claimed.ID + "/reveal", revealBody{Token: mustToken(t, claimedKey)}, nil, 410, "application/json"},
		{"withdraw without token", "DELETE", "/api/v1/claims/" + created.ID, nil, nil, 401, "application/json"},
		{"wrong method", "PUT", "/c/" + created.ID, nil, nil, 404, ""},
		{"unknown path", "GET", "/", nil, nil, 404, "text/plain; charset=utf-8"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Each from its own address, so the failures do not add up to a block.
			r := ts.do(t, tt.method, tt.path, "192.0.2."+strconv.Itoa(i+1), tt.body, tt.header...)
			if r.Status != tt.status {
				t.Errorf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			for name, want := range securityHeaders {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if tt.contentType != "" && r.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", r.Header.Get("Content-Type"), tt.contentType)
			}
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS on a plain HTTP server")
			}
		})
	}
}

func TestHSTSWhenServingHTTPS(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, func(c *Config) { c.HSTS = true })
	if r := ts.do(t, "GET", "/healthz", "", nil); r.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security = %q", r.Header.Get("Strict-Transport-Security"))
	}
}

func createBodyOf(t *testing.T) createBody {
	t.Helper()
	_, req := sealedRequest(t)
	return createBody{Meta: req.Meta, Verifier: req.Verifier, Nonce: req.Nonce, Ciphertext: req.Ciphertext}
}

func TestNewServerRefusesShortToken(t *testing.T) {
	t.Parallel()
	if _, err := NewServer(Config{Store: openTestStore(t), Token: "short"}); err == nil || !strings.Contains(err.Error(), "openssl rand") {
		t.Errorf("NewServer with a short token: %v", err)
	}
}
