package okta_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seed004 is what seed 004's Okta Workflows flow sends its Lambda function.
const seed004 = `{"UserName": "taro.yamada@example.com", "DisplayName": "Yamada Taro", "GivenName": "Taro", "FamilyName": "Yamada",
  "Emails": [{"Value": "taro.yamada@example.com", "Primary": true}]}`

// Seed 004's payload provisions the same Identity Center user through
// gatehouse onboard -f as through the hook's Workflows route, each in a
// sandbox of its own.
func TestSeed004ThroughTheCLIAndTheHook(t *testing.T) {
	t.Parallel()
	const user = "taro.yamada@example.com"
	cli := newEnv(t)
	payload := writeFile(t, cli.dir, "seed004.json", seed004)
	cli.gatehouse(t).MustRun(t, 0, "onboard", "-f", payload, "--journal", cli.journal())
	viaCLI := cli.user(t, user)

	hook := newEnv(t)
	_, base := hook.serve(t)
	status, body := call(t, http.MethodPost, base+"/hooks/okta/workflows", []byte(seed004), "Authorization", secret, "Idempotency-Key", "exec-1")
	if status != http.StatusOK || !strings.Contains(body, `"queued"`) {
		t.Fatalf("the payload: %d %s", status, body)
	}
	if s := hook.settled(t); s.Counts["done"] != 1 {
		t.Fatalf("the payload's event: %+v", s)
	}
	viaHook := hook.user(t, user)
	if viaCLI == "" || viaHook != viaCLI {
		t.Errorf("through the hook:\n  %s\nthrough the CLI:\n  %s", viaHook, viaCLI)
	}
	if !strings.Contains(viaHook, `given "Taro" family "Yamada"`) {
		t.Errorf("the names are not the payload's: %s", viaHook)
	}
}

// The one-time verification works; requests without the secret, with a
// wrong one, or replayed are refused or deduplicated and change nothing;
// after too many failures a client is answered 429.
func TestHandshakeAuthAndReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, base := e.serve(t)
	status, body := call(t, http.MethodGet, base+"/hooks/okta", nil, "Authorization", secret, "X-Okta-Verification-Challenge", "okta-challenge-1")
	var v map[string]string
	if status != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil || v["verification"] != "okta-challenge-1" {
		t.Errorf("verification: %d %s", status, body)
	}
	d := delivery(t, event("e1", "application.user_membership.add", "ada", 1, awsApp))
	for _, header := range [][]string{nil, {"Authorization", "wrong"}, {"Authorization", "Bearer " + secret}} {
		if status, _ := call(t, http.MethodPost, base+"/hooks/okta", d, header...); status != http.StatusUnauthorized {
			t.Errorf("without the secret %v: %d, want 401", header, status)
		}
	}
	if s := e.status(t); len(s.Events) != 0 || e.user(t, "ada@example.com") != "" {
		t.Fatalf("refused requests changed something: %+v", s)
	}
	for range 2 {
		if status, body := call(t, http.MethodPost, base+"/hooks/okta", d, "Authorization", secret); status != http.StatusOK {
			t.Fatalf("the delivery: %d %s", status, body)
		}
	}
	s := e.settled(t)
	before := e.user(t, "ada@example.com")
	if len(s.Events) != 1 || s.Counts["done"] != 1 || !strings.Contains(before, "assigned ReadOnly@222222222222") {
		t.Fatalf("after the delivery and its replay: %+v, %s", s, before)
	}
	if status, _ := call(t, http.MethodPost, base+"/hooks/okta", d, "Authorization", secret); status != http.StatusOK {
		t.Fatal("a third replay was refused")
	}
	if after := e.user(t, "ada@example.com"); after != before || len(e.settled(t).Events) != 1 {
		t.Errorf("a replay changed something: %s, was %s", after, before)
	}
	for range 4 { // five failures from this client so far counting the three above, then 429
		call(t, http.MethodGet, base+"/hooks/okta", nil, "Authorization", "guess")
	}
	if status, _ := call(t, http.MethodGet, base+"/hooks/okta", nil, "Authorization", "guess"); status != http.StatusTooManyRequests {
		t.Errorf("after too many failures: %d, want 429", status)
	}
}

// Events out of order converge (a removal before its assignment leaves no
// user), and events still pending when serve is killed with SIGKILL — AWS
// failing every request meanwhile — are applied by the server that starts
// again under the same name.
func TestOutOfOrderAndRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.sb.Inspect(t, http.MethodPut, "faults", map[string]any{"error_rate": 1}, nil)
	p, base := e.serve(t)
	post := func(base string, events ...map[string]any) {
		t.Helper()
		if status, body := call(t, http.MethodPost, base+"/hooks/okta", delivery(t, events...), "Authorization", secret); status != http.StatusOK {
			t.Fatalf("delivery: %d %s", status, body)
		}
	}
	post(base, event("b2", "application.user_membership.remove", "bob", 2, awsApp))
	post(base, event("b1", "application.user_membership.add", "bob", 1, awsApp),
		event("a1", "application.user_membership.add", "ada", 1, awsApp))
	post(base, event("a2", "group.user_membership.add", "ada", 2, admins), event("c1", "group.user_membership.add", "cy", 1, admins))
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if s := e.status(t); s.Counts["pending"] == 4 && strings.Contains(fmt.Sprint(s.Events), "StatusCode: 50") { // 500 or 503, at random
			break // stored, tried, failed: waiting for a retry
		} else if time.Now().After(deadline) {
			t.Fatalf("want four events pending after failed attempts: %+v", s)
		}
	}
	if killed, _ := p.Kill(); !killed {
		t.Fatal("serve had exited before the kill")
	}
	e.sb.Inspect(t, http.MethodPut, "faults", map[string]any{}, nil)
	_, base = e.serve(t)
	s := e.settled(t)
	if s.Counts["done"]+s.Counts["ignored"] != 5 || s.Counts["failed"]+s.Counts["skipped"] != 0 {
		t.Errorf("after the restart: %+v", s)
	}
	if u := e.user(t, "bob@example.com"); u != "" {
		t.Errorf("bob, removed before he was added: %s", u)
	}
	ada := e.user(t, "ada@example.com")
	if !strings.Contains(ada, "groups admins,engineers assigned AdministratorAccess@111111111111,AdministratorAccess@222222222222,ReadOnly@222222222222") {
		t.Errorf("ada: %s", ada)
	}
	if !strings.Contains(e.user(t, "cy@example.com"), "groups admins assigned AdministratorAccess@111111111111,AdministratorAccess@222222222222") {
		t.Errorf("cy: %s", e.user(t, "cy@example.com"))
	}
	post(base, event("a3", "user.lifecycle.deactivate", "ada", 3))
	e.settled(t)
	if u := e.user(t, "ada@example.com"); u != "" {
		t.Errorf("ada after deactivation: %s", u)
	}
	if files, _ := filepath.Glob(filepath.Join(e.dir, "archive", storeID, "ada@example.com.*.remove.json")); len(files) != 1 {
		t.Errorf("archives of ada's removal: %v, want one", files)
	}
}
