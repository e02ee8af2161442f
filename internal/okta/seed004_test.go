package okta_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// seed004Payload is what seed 004's Okta Workflows flow builds for its
// Lambda function: the Okta user's names and address.
var seed004Payload = []byte(`{
  "UserName": "taro.yamada@example.com",
  "DisplayName": "Yamada Taro",
  "GivenName": "Taro",
  "FamilyName": "Yamada",
  "Emails": [{"Value": "taro.yamada@example.com", "Primary": true}]
}`)

// Seed 004's payload provisions the same user through the hook as through
// gatehouse onboard -f (the same lifecycle call the command makes), and a
// repeat with the same Idempotency-Key changes nothing.
func TestSeed004ThroughTheHookAndTheCLI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const user = "taro.yamada@example.com"

	cliDir := newMemory()
	j, err := journal.Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	in, err := spec.Parse("seed004.json", seed004Payload, spec.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	deps := onboard.Deps{Directory: cliDir, Journal: j, Channel: func(string) (deliver.Channel, error) { return nil, nil }}
	plan, err := onboard.MakePlan(ctx, deps, in)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	if err != nil || !rep.OK() {
		t.Fatalf("onboard -f: %+v, %v", rep, err)
	}

	w := newWorld(t, mapping)
	for range 2 {
		status, body := w.post(t, okta.PathWorkflows, seed004Payload, "Authorization", secret, "Idempotency-Key", "exec-42")
		var got map[string]string
		if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got["id"] != "wf-exec-42" {
			t.Fatalf("workflows payload: %d %s", status, body)
		}
	}
	w.drain(t)
	viaCLI, viaHook := cliDir.user(user), w.dir.user(user)
	if viaCLI == nil || viaHook == nil {
		t.Fatalf("CLI: %+v, hook: %+v", viaCLI, viaHook)
	}
	if viaCLI.Name != viaHook.Name || viaCLI.Email != viaHook.Email || viaCLI.Given != viaHook.Given || viaCLI.Family != viaHook.Family ||
		viaCLI.Display != viaHook.Display || len(viaHook.Groups) != 0 || len(viaHook.Assigned) != 0 {
		t.Errorf("the hook's user %+v differs from the CLI's %+v", viaHook, viaCLI)
	}
	if viaHook.Given != "Taro" || viaHook.Family != "Yamada" || viaHook.Display != "Yamada Taro" {
		t.Errorf("the names are not the payload's: %+v", viaHook)
	}
	if c := w.counts(t); c[journal.OktaDone] != 1 || len(c) != 1 {
		t.Errorf("events %v, want the payload done once", c)
	}
	if n := len(w.mail.To(storeID, user)); n != 1 {
		t.Errorf("%d welcomes, want 1", n)
	}
}

// okta.workflows gives a Workflows payload's person more than the payload
// says; a payload Identity Center cannot take is refused with the problem.
func TestWorkflowsGrantsAndProblems(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping+"  workflows: {groups: [workflow-users], assignments: [{permission_set: Billing, accounts: [\"222222222222\"]}]}\n")
	if status, body := w.post(t, okta.PathWorkflows, seed004Payload); status != http.StatusOK {
		t.Fatal(status, body)
	}
	w.drain(t)
	has(t, w, "taro.yamada@example.com", []string{"workflow-users"}, []string{"Billing@222222222222"})
	bad := []byte(`{"UserName": "Administrator", "DisplayName": "A", "GivenName": "A", "FamilyName": "B", "Emails": [{"Value": "not-an-address", "Primary": true}]}`)
	status, body := w.post(t, okta.PathWorkflows, bad)
	if status != http.StatusBadRequest || !strings.Contains(body, "not-an-address") || !strings.Contains(body, "Administrator") {
		t.Errorf("a bad payload: %d %s", status, body)
	}
}
