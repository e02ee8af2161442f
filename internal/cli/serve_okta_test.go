package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/spec"
)

const oktaSecret = "okta-hook-secret-for-serve-0123"

// oktaYAML maps the AWS app; the welcome goes nowhere (none).
const oktaYAML = `directory: identity-center
delivery: {channel: none}
okta:
  apps:
    0oaAWS: {groups: [engineers]}
`

// gatehouse serve --okta-config hosts the hook beside the claim pages: it
// answers Okta's verification, refuses requests without the secret, stores
// deliveries, and okta-status lists what is stored. Without a claims API
// token the claims API refuses everyone; the secret never reaches the log.
func TestServeHostsTheOktaHook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := writeFile(t, dir, "okta.yaml", oktaYAML)
	journalPath := filepath.Join(dir, "journal.db")
	base, stderr := startServeEnv(t, map[string]string{spec.EnvOktaSecret: oktaSecret},
		"--data", filepath.Join(dir, "data"), "--okta-config", config, "--journal", journalPath,
		"--sandbox", "--sandbox-dir", filepath.Join(dir, "sandbox"), "--protect", writeFile(t, dir, "gatehouse.yaml", "protect: {users: [break-glass]}\n"))
	if !strings.Contains(stderr.String(), "Okta hook at /hooks/okta") {
		t.Errorf("serve does not say where the hook is: %s", stderr)
	}
	call := func(method, path, body string, header ...string) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := call("GET", "/hooks/okta", "", "Authorization", oktaSecret, "X-Okta-Verification-Challenge", "chal-123")
	if status != 200 || strings.TrimSpace(body) != `{"verification":"chal-123"}` {
		t.Errorf("verification: %d %s", status, body)
	}
	delivery := `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","eventId":"d1","data":{"events":[
		{"uuid":"ev-1","published":"2026-04-01T09:00:00.000Z","eventType":"application.user_membership.add",
		 "target":[{"id":"00uada","type":"User","alternateId":"ada@example.com","displayName":"Ada Lovelace"},
		           {"id":"0oaAWS","type":"AppInstance","alternateId":"aws","displayName":"AWS"}]}]}}`
	if status, _ := call("POST", "/hooks/okta", delivery, "Authorization", "wrong-"+oktaSecret); status != 401 {
		t.Errorf("a wrong secret: %d, want 401", status)
	}
	if status, body := call("POST", "/hooks/okta", delivery, "Authorization", oktaSecret); status != 200 {
		t.Errorf("a delivery: %d %s", status, body)
	}
	if status, _ := call("POST", "/api/v1/claims", "{}", "Authorization", "Bearer "); status != 401 {
		t.Errorf("the claims API without a token configured: %d, want 401", status)
	}

	streams, out, _ := testIO()
	Main(context.Background(), streams, []string{"serve", "okta-status", "--all", "--journal", journalPath, "-o", "json"})
	var got struct {
		Counts map[string]int
		Events []struct{ UUID, Login, State string }
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got.Events) != 1 || got.Events[0].UUID != "ev-1" ||
		got.Events[0].Login != "ada@example.com" {
		t.Errorf("okta-status: %s (%v)", out, err)
	}
	if strings.Contains(stderr.String(), oktaSecret) {
		t.Error("the secret reached the log")
	}
}

func TestServeRefusesBadOktaSetup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "okta.yaml", oktaYAML)
	bad := writeFile(t, dir, "bad.yaml", "delivery: {channel: none}\nokta:\n  apps: {aws: {policies: [x]}}\n")
	org := writeFile(t, dir, "org.yaml", oktaYAML+"  org: https://example.okta.com\n")
	tests := []struct {
		name   string
		secret string
		config string
		want   string
	}{
		{"no secret", "", good, "no Okta hook secret: set GATEHOUSE_OKTA_SECRET"},
		{"a short secret", "short", good, "the Okta hook secret in GATEHOUSE_OKTA_SECRET is shorter than 16 characters"},
		{"no such file", oktaSecret, filepath.Join(dir, "none.yaml"), "reading the Okta hook's configuration"},
		{"a bad mapping", oktaSecret, bad, `unknown field "policies" at ` + bad + ":3"},
		{"an org without a token", oktaSecret, org, "okta.org is set, so the Users API needs a token: set GATEHOUSE_OKTA_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var errb bytes.Buffer
			streams := &IO{In: strings.NewReader(""), Out: io.Discard, Err: &errb, Getenv: func(k string) string {
				return map[string]string{spec.EnvOktaSecret: tt.secret, claim.TokenEnv: serveToken}[k]
			}}
			args := []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--okta-config", tt.config, "--journal", filepath.Join(t.TempDir(), "j.db")}
			if code := Main(context.Background(), streams, args); code != ExitUsage {
				t.Errorf("exit code %d, want %d: %s", code, ExitUsage, errb.String())
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr = %q, want %q", errb.String(), tt.want)
			}
		})
	}
}
