package sandbox

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// plantedKey is a fixture that adds a root key whose secret the caller knows.
const plantedKey = "credentials:\n  - {access_key_id: \"444444444444\", secret_access_key: planted-secret}\n" +
	"accounts:\n  \"333333333333\":\n    users: [{name: mole, access_keys: [{id: AKIAPLANTED000000001, secret: planted-secret}]}]\n"

// inspectAs calls the inspection API with an Authorization header (none when
// auth is "") and returns the status and body.
func inspectAs(t *testing.T, method, url, auth, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp := sendRaw(t, req)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestStrictInspectionRefusesAnonymousCallers: with --strict-auth the
// inspection API must not hand out secrets or take new keys from anyone who
// can reach the port.
func TestStrictInspectionRefusesAnonymousCallers(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	for _, tc := range []struct{ name, auth string }{
		{"no credential", ""},
		{"a wrong token", "Bearer not-the-token"},
		{"an AWS signature", "AWS4-HMAC-SHA256 Credential=111111111111/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"},
	} {
		if status, body := inspectAs(t, http.MethodGet, url+"/_sandbox/state", tc.auth, ""); status != http.StatusUnauthorized || strings.Contains(body, "root-secret") {
			t.Errorf("GET /_sandbox/state with %s: %d %.80s…, want 401 and no secret", tc.name, status, body)
		}
		if status, _ := inspectAs(t, http.MethodPost, url+"/_sandbox/fixture", tc.auth, plantedKey); status != http.StatusUnauthorized {
			t.Errorf("POST /_sandbox/fixture with %s: %d, want 401", tc.name, status)
		}
		if status, _ := inspectAs(t, http.MethodGet, url+"/_sandbox/ses/messages", tc.auth, ""); status != http.StatusUnauthorized {
			t.Errorf("GET /_sandbox/ses/messages with %s: %d, want 401", tc.name, status)
		}
	}
	for _, key := range []string{"444444444444", "AKIAPLANTED000000001"} {
		_, err := sts.NewFromConfig(sdkConfig(url, key, "planted-secret", "")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err == nil {
			t.Errorf("a key planted through the inspection API signs requests: %s", key)
		}
	}
	if status, _ := inspectAs(t, http.MethodGet, url+"/_sandbox/health", "", ""); status != http.StatusOK {
		t.Errorf("GET /_sandbox/health without a token: %d, want 200 (it holds no secret)", status)
	}
}

func TestInspectionTokenOpensTheAPI(t *testing.T) {
	t.Parallel()
	srv, url := startStrict(t)
	token := srv.InspectToken()
	if len(token) < 32 {
		t.Fatalf("strict mode made the token %q; want a long random one", token)
	}
	if status, body := inspectAs(t, http.MethodGet, url+"/_sandbox/state", "Bearer "+token, ""); status != http.StatusOK || !strings.Contains(body, "root-secret") {
		t.Errorf("GET /_sandbox/state with the token: %d", status)
	}
	if other, _ := startStrict(t); other.InspectToken() == token {
		t.Error("two strict sandboxes made the same token")
	}

	// A token given is the token required, with or without --strict-auth.
	chosen, url := startSandbox(t, Options{InspectToken: "chosen-token-0123456789abcdef0123"})
	if chosen.InspectToken() != "chosen-token-0123456789abcdef0123" {
		t.Errorf("InspectToken() = %q, want the one given", chosen.InspectToken())
	}
	if status, _ := inspectAs(t, http.MethodGet, url+"/_sandbox/requests", "", ""); status != http.StatusUnauthorized {
		t.Errorf("a set token is not required: %d", status)
	}
	if status, _ := inspectAs(t, http.MethodGet, url+"/_sandbox/requests", "Bearer chosen-token-0123456789abcdef0123", ""); status != http.StatusOK {
		t.Errorf("the set token is refused: %d", status)
	}
	open, url := startSandbox(t, Options{})
	if status, _ := inspectAs(t, http.MethodGet, url+"/_sandbox/requests", "", ""); status != http.StatusOK || open.InspectToken() != "" {
		t.Errorf("without --strict-auth or a token the inspection API should stay open: %d", status)
	}
}

// TestServeWarnsBeyondLoopback: a sandbox others can reach says so when it
// starts, and louder when it does not check signatures.
func TestServeWarnsBeyondLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		addr   string
		strict bool
		want   string
	}{
		{"loopback", "127.0.0.1:0", false, ""},
		{"all interfaces, strict", "0.0.0.0:0", true, "level=WARN"},
		{"all interfaces, open", "0.0.0.0:0", false, "level=ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			srv, err := New(Options{StrictAuth: tc.strict, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", tc.addr)
			if err != nil {
				t.Skipf("cannot listen on %s here: %v", tc.addr, err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := srv.Serve(ctx, ln); err != nil {
				t.Fatal(err)
			}
			got := logs.String()
			switch {
			case tc.want == "" && strings.Contains(got, "loopback"):
				t.Errorf("a loopback sandbox warned: %s", got)
			case tc.want != "" && (!strings.Contains(got, tc.want) || !strings.Contains(got, "beyond loopback")):
				t.Errorf("listening on %s logged %q, want a %s line about listening beyond loopback", tc.addr, got, tc.want)
			case tc.want != "" && !tc.strict && !strings.Contains(got, "--strict-auth"):
				t.Errorf("the warning does not say how to fix it: %s", got)
			}
		})
	}
}
