package slacktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
)

// do sends one request the way a hand-written client might and decodes the answer.
func do(t *testing.T, srv *slacktest.Server, method, contentType, body, auth string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL()+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", method, err)
	}
	return resp.StatusCode, out
}

func TestServerChecksRequestsLikeSlack(t *testing.T) {
	t.Parallel()
	const (
		form   = "application/x-www-form-urlencoded"
		js     = "application/json; charset=utf-8"
		bearer = "Bearer " + slacktest.DefaultToken
	)
	tests := []struct {
		name, method, contentType, body, auth string
		wantStatus                            int
		wantError                             string // "" for ok
	}{
		{"no token", "auth.test", "", "", "", 200, "not_authed"},
		{"wrong token", "auth.test", "", "", "Bearer xoxb-other", 200, "invalid_auth"},
		{"token in the form", "auth.test", form, url.Values{"token": {slacktest.DefaultToken}}.Encode(), "", 200, ""},
		{"token in a JSON body is ignored", "auth.test", js, `{"token":"` + slacktest.DefaultToken + `"}`, "", 200, "not_authed"},
		{"lookup without email", "users.lookupByEmail", form, "", bearer, 200, "invalid_arguments"},
		{"lookup of a stranger", "users.lookupByEmail", form, "email=eve%40example.com", bearer, 200, "users_not_found"},
		{"lookup ignores case", "users.lookupByEmail", form, "email=Alice%40Example.com", bearer, 200, ""},
		{"open without users", "conversations.open", js, `{}`, bearer, 200, "users_list_not_supplied"},
		{"open an unknown user", "conversations.open", js, `{"users":"U404"}`, bearer, 200, "user_not_found"},
		{"post to a user ID", "chat.postMessage", js, `{"channel":"U0ALICE","text":"hi"}`, bearer, 200, "channel_not_found"},
		{"post without channel", "chat.postMessage", js, `{"text":"hi"}`, bearer, 200, "channel_not_found"},
		{"bad JSON", "chat.postMessage", js, `{"channel":`, bearer, 200, "invalid_json"},
		{"unknown method", "chat.delete", js, `{}`, bearer, 404, "unknown_method"},
	}
	srv := slacktest.Start(t, slacktest.Options{Members: map[string]string{"alice@example.com": "U0ALICE"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, out := do(t, srv, tt.method, tt.contentType, tt.body, tt.auth)
			gotErr, _ := out["error"].(string)
			if status != tt.wantStatus || gotErr != tt.wantError || out["ok"] != (tt.wantError == "") {
				t.Errorf("%s = HTTP %d %v; want HTTP %d error %q", tt.method, status, out, tt.wantStatus, tt.wantError)
			}
		})
	}
}

func TestServerDirectMessage(t *testing.T) {
	t.Parallel()
	srv := slacktest.Start(t, slacktest.Options{Members: map[string]string{"alice@example.com": "U0ALICE"}})
	const bearer = "Bearer " + slacktest.DefaultToken
	_, found := do(t, srv, "users.lookupByEmail", "application/x-www-form-urlencoded", "email=alice%40example.com", bearer)
	user, _ := found["user"].(map[string]any)
	profile, _ := user["profile"].(map[string]any)
	if user["id"] != "U0ALICE" || profile["email"] != "alice@example.com" {
		t.Fatalf("users.lookupByEmail = %v", found)
	}
	_, opened := do(t, srv, "conversations.open", "application/json", `{"users":"U0ALICE"}`, bearer)
	channel, _ := opened["channel"].(map[string]any)
	dm, _ := channel["id"].(string)
	if !strings.HasPrefix(dm, "D") || opened["warning"] != "missing_charset" {
		t.Fatalf("conversations.open without a charset = %v; want a D… channel and Slack's missing_charset warning", opened)
	}
	_, again := do(t, srv, "conversations.open", "application/json; charset=utf-8", `{"users":"U0ALICE"}`, bearer)
	if c, _ := again["channel"].(map[string]any); c["id"] != dm || again["already_open"] != true {
		t.Errorf("second conversations.open = %v; want the same DM, already open", again)
	}
	_, posted := do(t, srv, "chat.postMessage", "application/json; charset=utf-8", `{"channel":"`+dm+`","text":"a &amp; b","mrkdwn":true}`, bearer)
	msg, _ := posted["message"].(map[string]any)
	if posted["ok"] != true || posted["channel"] != dm || posted["ts"] == "" || msg["text"] != "a &amp; b" {
		t.Fatalf("chat.postMessage = %v", posted)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].User != "U0ALICE" || msgs[0].Channel != dm || msgs[0].Params["mrkdwn"] != "true" ||
		slacktest.Unescape(msgs[0].Text) != "a & b" || msgs[0].TS != posted["ts"] {
		t.Errorf("messages = %+v", msgs)
	}
	if calls := srv.Calls("conversations.open"); len(calls) != 2 || len(calls[0].Warnings) != 1 || len(calls[1].Warnings) != 0 {
		t.Errorf("conversations.open calls = %+v; want the first warned", calls)
	}
}

func TestServerFaults(t *testing.T) {
	t.Parallel()
	srv := slacktest.Start(t, slacktest.Options{
		Scopes: []string{"chat:write"},
		Faults: map[string]slacktest.Fault{"auth.test": slacktest.RateLimit(1, 7)},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"auth.test", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("rate-limited auth.test = HTTP %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, out := do(t, srv, "auth.test", "", "", "Bearer "+srv.Token()); out["ok"] != true {
		t.Errorf("auth.test after the fault = %v", out)
	}
	_, out := do(t, srv, "users.lookupByEmail", "application/x-www-form-urlencoded", "email=a%40example.com", "Bearer "+srv.Token())
	if out["error"] != "missing_scope" || out["needed"] != "users:read.email" || out["provided"] != "chat:write" {
		t.Errorf("users.lookupByEmail without its scope = %v", out)
	}
	if calls := srv.Calls("auth.test"); len(calls) != 2 || calls[0].Error != "ratelimited" || calls[1].Status != 200 {
		t.Errorf("auth.test calls = %+v", calls)
	}
}
