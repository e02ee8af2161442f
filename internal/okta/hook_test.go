package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
)

// Okta's one-time verification: a GET carrying a challenge is answered
// with it, as JSON — only with the secret.
func TestVerification(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	const challenge = "X8zFx5kJcW3pD2bNqS7hL1mTvR9yG4aE"
	status, body := send(t, http.MethodGet, w.url+okta.PathEvents, nil, "Authorization", secret, "X-Okta-Verification-Challenge", challenge)
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil || got["verification"] != challenge || len(got) != 1 {
		t.Fatalf("verification: %d %s", status, body)
	}
	for _, tt := range []struct {
		name   string
		header []string
		want   int
	}{
		{"without the secret", []string{"X-Okta-Verification-Challenge", challenge}, http.StatusUnauthorized},
		{"with a wrong secret", []string{"Authorization", "Bearer " + secret, "X-Okta-Verification-Challenge", challenge}, http.StatusUnauthorized},
		{"without a challenge", []string{"Authorization", secret}, http.StatusBadRequest},
		{"with a challenge too long", []string{"Authorization", secret, "X-Okta-Verification-Challenge", strings.Repeat(challenge, 20)}, http.StatusBadRequest},
	} {
		status, body := send(t, http.MethodGet, w.url+okta.PathEvents, nil, tt.header...)
		if status != tt.want || strings.Contains(body, challenge) {
			t.Errorf("%s: %d %s, want %d and no challenge echoed", tt.name, status, body, tt.want)
		}
	}
}

// A request without the secret, or with a wrong one, is refused and
// changes nothing; a replayed delivery is deduplicated and changes nothing.
func TestDeliveryAuthAndReplay(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	body := delivery(t, joinApp("e1", "ada", 1), joinGroup("e2", "ada", admins, 2))
	for name, header := range map[string][]string{
		"no secret":        {"Content-Type", "application/json"},
		"wrong secret":     {"Authorization", "not-the-" + secret},
		"secret as Bearer": {"Authorization", "Bearer " + secret},
	} {
		if status, _ := w.post(t, okta.PathEvents, body, header...); status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, status)
		}
		if status, _ := w.post(t, okta.PathWorkflows, seed004Payload, header...); status != http.StatusUnauthorized {
			t.Errorf("workflows, %s: %d, want 401", name, status)
		}
	}
	if c := w.counts(t); len(c) != 0 {
		t.Fatalf("refused requests stored events: %v", c)
	}
	w.drain(t)
	if len(w.dir.users) != 0 || w.mail.Count() != 0 {
		t.Fatal("refused requests changed Identity Center or sent mail")
	}

	w.deliver(t, joinApp("e1", "ada", 1), joinGroup("e2", "ada", admins, 2))
	w.drain(t)
	ada := w.dir.user("ada@example.com")
	if ada == nil || !ada.Assigned["AdministratorAccess@222222222222"] || w.mail.Count() != 1 {
		t.Fatalf("after the delivery: %+v, %d welcomes", ada, w.mail.Count())
	}
	calls := fmt.Sprint(w.dir.calls)
	w.deliver(t, joinApp("e1", "ada", 1), joinGroup("e2", "ada", admins, 2))
	w.drain(t)
	if got := w.counts(t); got[journal.OktaDone] != 2 || len(got) != 1 {
		t.Errorf("after the replay: %v, want the two events done once", got)
	}
	if fmt.Sprint(w.dir.calls) != calls || w.mail.Count() != 1 {
		t.Errorf("the replay reached Identity Center (%v, was %s) or mailed again (%d)", w.dir.calls, calls, w.mail.Count())
	}
}

// What is not a delivery, or too large, is refused and stores nothing.
func TestDeliveryBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	noUUID := delivery(t, joinApp("", "ada", 1))
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"not JSON", []byte("hello"), http.StatusBadRequest},
		{"not an event hook", []byte(`{"eventType":"com.example.other","data":{"events":[]}}`), http.StatusBadRequest},
		{"an event without a uuid", noUUID, http.StatusBadRequest},
		{"too large", bytes.Repeat([]byte(" "), okta.MaxDeliveryBytes+1), http.StatusRequestEntityTooLarge},
		{"a payload that is not seed 004's", nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		path := okta.PathEvents
		if tt.body == nil {
			path, tt.body = okta.PathWorkflows, []byte(`{"UserName": "x@example.com", "Emails": []}`)
		}
		if status, body := w.post(t, path, tt.body); status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, status, body, tt.want)
		}
	}
	if c := w.counts(t); len(c) != 0 {
		t.Errorf("bad input stored events: %v", c)
	}
}

// Events the hook does not act on — other types, apps and groups the
// mapping does not name, failed outcomes — are stored as ignored, with
// why, and start no reconcile.
func TestIgnoredEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t, mapping)
	failedAdd := joinApp("e4", "bob", 4)
	w.deliver(t, ev("e1", "user.session.start", 1, person("ada")), joinGroup("e2", "ada", unmapped, 2),
		ev("e3", okta.GroupUserAdd, 3, group("00gX", "x")), failedAdd)
	body := bytes.Replace(delivery(t, joinApp("e5", "bob", 5)), []byte(`"SUCCESS"`), []byte(`"FAILURE"`), 1)
	if status, _ := w.post(t, okta.PathEvents, body); status != http.StatusOK {
		t.Fatal(status)
	}
	events, err := w.journal.OktaEvents(context.Background(), journal.OktaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	why := map[string]string{}
	for _, e := range events {
		why[e.UUID] = e.State + ": " + e.Detail
	}
	for id, want := range map[string]string{
		"e1": "ignored: gatehouse does not act on user.session.start",
		"e2": `ignored: group "Everyone" (00gUNMAPPED) is not in okta.groups`,
		"e3": "ignored: it names no Okta user",
		"e4": "pending",
		"e5": "ignored: Okta reports the outcome FAILURE",
	} {
		if !strings.HasPrefix(why[id], want) {
			t.Errorf("%s: %q, want %q…", id, why[id], want)
		}
	}
}
