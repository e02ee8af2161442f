package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// startSlack runs a fake Slack whose members are testCredential's people
// (unless opts names others) and a slack channel that talks to it.
func startSlack(t *testing.T, opts slacktest.Options, deps Deps) (*slacktest.Server, Channel) {
	t.Helper()
	if opts.Members == nil {
		opts.Members = map[string]string{"alice@example.com": "U0ALICE", "hanako@example.com": "U0HANAKO"}
	}
	srv := slacktest.Start(t, opts)
	deps.Slack = SlackConfig{Token: srv.Token(), APIURL: srv.URL()}
	ch, err := New(spec.ChannelSlack, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ch.Close() })
	return srv, ch
}

// mrkdwnEscaped is s as Slack requires it in message text.
func mrkdwnEscaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func TestSlackSendsDirectMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, member      string
		subject, greeting string
		notice            string
	}{
		{"en", "U0ALICE", "*Your AWS sign-in details for example-prod*", "Hello Alice Example,", "You must choose a new password when you first sign in."},
		{"ja", "U0HANAKO", "*AWS アカウントのサインイン情報（example-prod）*", "山田 花子 様", "初回サインイン時に、新しいパスワードの設定が必要です。"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			srv, ch := startSlack(t, slacktest.Options{}, Deps{})
			c := testCredential(tt.lang)
			r, err := ch.Deliver(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages posted, want 1", len(msgs))
			}
			m := msgs[0]
			if m.User != tt.member || !strings.HasPrefix(m.Channel, "D") {
				t.Errorf("posted to channel %s with %s, want a DM with %s", m.Channel, m.User, tt.member)
			}
			want := Receipt{Channel: "slack", MessageID: m.Channel + "/" + m.TS, Detail: fmt.Sprintf("Slack direct message to %s (%s)", c.Email, tt.member)}
			if r != want {
				t.Errorf("receipt = %+v, want %+v", r, want)
			}
			text := slacktest.Unescape(m.Text)
			if !strings.HasPrefix(text, tt.subject+"\n") {
				t.Errorf("text does not start with the subject %q:\n%s", tt.subject, text)
			}
			for _, s := range []string{tt.greeting, "<" + c.SignInURL + ">", "`" + c.UserName + "`", "`" + testPassword + "`", tt.notice} {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			if strings.Contains(m.Text, testPassword) || !strings.Contains(m.Text, mrkdwnEscaped(testPassword)) {
				t.Errorf("the password's & is not escaped for mrkdwn:\n%s", m.Text)
			}
			if p := m.Params; p["mrkdwn"] != "true" || p["unfurl_links"] != "false" || p["unfurl_media"] != "false" {
				t.Errorf("params = %v, want mrkdwn and no unfurling", p)
			}
			checkSlackRequests(t, srv)
		})
	}
}

// checkSlackRequests checks that each method was called once, in order, with
// the request shape Slack documents, and drew no warning.
func checkSlackRequests(t *testing.T, srv *slacktest.Server) {
	t.Helper()
	calls := srv.Calls("")
	wantType := map[string]string{
		"auth.test":           "application/x-www-form-urlencoded; charset=utf-8",
		"users.lookupByEmail": "application/x-www-form-urlencoded; charset=utf-8",
		"conversations.open":  "application/json; charset=utf-8",
		"chat.postMessage":    "application/json; charset=utf-8",
	}
	order := []string{"auth.test", "users.lookupByEmail", "conversations.open", "chat.postMessage"}
	if len(calls) != len(order) {
		t.Fatalf("%d calls, want %v: %+v", len(calls), order, calls)
	}
	for i, c := range calls {
		if c.Method != order[i] || c.HTTPMethod != "POST" || c.ContentType != wantType[c.Method] || c.Status != 200 || c.Error != "" || len(c.Warnings) != 0 {
			t.Errorf("call %d = %+v, want a clean POST to %s with %s", i, c, order[i], wantType[order[i]])
		}
	}
}

func TestSlackRejectsNonMember(t *testing.T) {
	t.Parallel()
	srv, ch := startSlack(t, slacktest.Options{}, Deps{})
	c := testCredential("en")
	c.Email = "bob@example.com"
	_, err := ch.Deliver(context.Background(), c)
	const want = "bob@example.com is not in the Slack workspace (users.lookupByEmail: users_not_found): invite them, or deliver to them another way (deliver: ses|smtp|claim)"
	if !errors.Is(err, ErrRejected) || !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("Deliver = %v; want ErrRejected with %q", err, want)
	}
	if n, opens := len(srv.Messages()), len(srv.Calls("conversations.open")); n != 0 || opens != 0 {
		t.Errorf("%d messages, %d conversations.open calls; want none", n, opens)
	}
}

func TestSlackWaitsOutRateLimit(t *testing.T) {
	t.Parallel()
	srv, ch := startSlack(t, slacktest.Options{Faults: map[string]slacktest.Fault{"chat.postMessage": slacktest.RateLimit(1, 1)}}, Deps{})
	if _, err := ch.Deliver(context.Background(), testCredential("en")); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("chat.postMessage calls = %+v; want 429 then 200", calls)
	}
	if gap := calls[1].Time.Sub(calls[0].Time); gap < time.Second {
		t.Errorf("retried after %s; Retry-After asked for 1s", gap)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages posted, want 1", n)
	}
}

func TestSlackRateLimitIsBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     slacktest.Fault
		timeout   time.Duration
		wantCalls int
		want      string
	}{
		{"gives up after 5 attempts", slacktest.RateLimit(10, 0), 0, 5, "gave up after 5 attempts"},
		{"refuses a wait over a minute", slacktest.RateLimit(1, 120), 0, 1, "Retry-After: 2m0s"},
		{"stops when the context ends", slacktest.RateLimit(1, 30), 50 * time.Millisecond, 1, context.DeadlineExceeded.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, ch := startSlack(t, slacktest.Options{Faults: map[string]slacktest.Fault{"users.lookupByEmail": tt.fault}}, Deps{})
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := ch.Deliver(ctx, testCredential("en"))
			if err == nil || errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Deliver = %v; want a retryable error with %q", err, tt.want)
			}
			if n := len(srv.Calls("users.lookupByEmail")); n != tt.wantCalls {
				t.Errorf("%d users.lookupByEmail calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestNewSlackChecksSetup(t *testing.T) {
	t.Parallel()
	const wrongToken = "xoxb-9999-wrong-secret-token"
	tests := []struct {
		name   string
		token  string // "": the server's
		apiURL string // "": the server's
		faults map[string]slacktest.Fault
		deps   Deps
		want   string // error text; "" for success
	}{
		{"ok", "", "", nil, Deps{}, ""},
		{"no token", "-", "", nil, Deps{}, "no Slack token; set GATEHOUSE_SLACK_TOKEN to the bot token (xoxb-…)"},
		{"token with newline", "xoxb-1-2-abc\n", "", nil, Deps{}, "contains white space"},
		{"wrong token", wrongToken, "", nil, Deps{}, "checking the Slack token: auth.test: invalid_auth: Slack refused the token; set GATEHOUSE_SLACK_TOKEN"},
		{"revoked token", "", "", map[string]slacktest.Fault{"auth.test": {Calls: 1, Error: "token_revoked"}}, Deps{}, "auth.test: token_revoked: Slack refused the token"},
		{"not a URL", "", "ftp://slack.example.com/api/", nil, Deps{}, `Slack API URL "ftp://slack.example.com/api/" is not an http(s) address`},
		{"plain HTTP", "", "http://slack.example.com/api/", nil, Deps{}, "plain HTTP to another machine"},
		{"nobody listening", "", "http://127.0.0.1:1/api/", nil, Deps{}, "check the Slack API URL http://127.0.0.1:1/api/ and the network"},
		{"not Slack", "", "", map[string]slacktest.Fault{"auth.test": {Calls: 1, Status: 404}}, Deps{}, "auth.test: HTTP 404 Not Found without Slack's JSON answer: check the Slack API URL"},
		{"bad language", "", "", nil, Deps{Language: "xx"}, `unknown template language "xx"`},
		{"broken override", "", "", nil, Deps{Template: spec.Template{Text: "{{.Nope}}"}}, "rendering the delivery.template.text template"},
		{"override without the password", "", "", nil, Deps{Template: spec.Template{Text: "{{if false}}x{{end}}"}}, "delivery.template.text does not contain the password"},
		{"broken subject", "", "", nil, Deps{Subject: "{{end}}"}, "delivery.subject does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := slacktest.Start(t, slacktest.Options{Faults: tt.faults})
			deps := tt.deps
			deps.Slack = SlackConfig{Token: srv.Token(), APIURL: srv.URL()}
			switch tt.token {
			case "":
			case "-":
				deps.Slack.Token = ""
			default:
				deps.Slack.Token = tt.token
			}
			if tt.apiURL != "" {
				deps.Slack.APIURL = tt.apiURL
			}
			ch, err := New(spec.ChannelSlack, deps)
			if tt.want == "" {
				if err != nil || ch.Name() != "slack" || len(srv.Calls("auth.test")) != 1 {
					t.Fatalf("New = %v, %v after %d auth.test calls; want a channel checked once", ch, err, len(srv.Calls("auth.test")))
				}
				if err := ch.Close(); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil || ch != nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "setting up Slack delivery: ") {
				t.Fatalf("New = %v, %v; want an error with %q", ch, err, tt.want)
			}
			for _, secret := range []string{srv.Token(), wrongToken, "secret-token"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error holds the token: %v", err)
				}
			}
		})
	}
}

func TestSlackMissingScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, needed string
		scopes         []string
	}{
		{"users.lookupByEmail", "users:read.email", []string{"chat:write", "im:write"}},
		{"conversations.open", "im:write", []string{"chat:write", "users:read.email"}},
		{"chat.postMessage", "chat:write", []string{"im:write", "users:read.email"}},
	}
	for _, tt := range tests {
		t.Run(tt.needed, func(t *testing.T) {
			t.Parallel()
			srv, ch := startSlack(t, slacktest.Options{Scopes: tt.scopes}, Deps{})
			_, err := ch.Deliver(context.Background(), testCredential("en"))
			for _, want := range []string{
				tt.method + ": missing_scope", "lacks the scope " + tt.needed, "(it has: " + strings.Join(tt.scopes, ","),
				"add the bot token scopes users:read.email, im:write and chat:write", "GATEHOUSE_SLACK_TOKEN",
			} {
				if !strings.Contains(fmt.Sprint(err), want) {
					t.Errorf("error %v lacks %q", err, want)
				}
			}
			if !errors.Is(err, ErrRejected) || len(srv.Messages()) != 0 {
				t.Errorf("Deliver = %v with %d messages; want ErrRejected and none", err, len(srv.Messages()))
			}
		})
	}
}

func TestSlackClaimLinkReplacesPassword(t *testing.T) {
	t.Parallel()
	const link = "https://claim.example.com/c/Q7x?lang=en&v=1#k3y-_AbC"
	tests := []struct {
		name, lang, password string
		tmpl                 spec.Template
		want                 []string
	}{
		{"en", "en", "", spec.Template{}, []string{"open this one-time link", "until 2026-11-24 09:30 UTC"}},
		{"ja", "ja", "", spec.Template{}, []string{"次のワンタイムリンクで確認してください", "2026-11-24 09:30 UTC まで"}},
		// The claim channel clears the password; should it not, the link
		// still wins, even with an override that shows the password.
		{"password left in", "en", testPassword, spec.Template{Text: "{{.UserName}} <{{.ClaimURL}}> [{{.Password}}]"}, []string{"[]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, ch := startSlack(t, slacktest.Options{}, Deps{Template: tt.tmpl})
			c := testCredential(tt.lang)
			c.Password, c.ClaimURL, c.ClaimExpires = tt.password, link, time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
			if _, err := ch.Deliver(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			m := srv.Messages()[0]
			text := slacktest.Unescape(m.Text)
			for _, want := range append(tt.want, "<"+link+">", c.UserName) {
				if !strings.Contains(text, want) {
					t.Errorf("text lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, testPassword) || strings.Contains(text, "``") {
				t.Errorf("text holds a password (or an empty one):\n%s", text)
			}
			if m.Params["unfurl_links"] != "false" {
				t.Errorf("unfurl_links = %q: Slack would fetch the claim link", m.Params["unfurl_links"])
			}
		})
	}
}

func TestSlackConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	const n = 12
	members := map[string]string{}
	for i := range n {
		members[fmt.Sprintf("user%02d@example.com", i)] = fmt.Sprintf("U%02d", i)
	}
	srv, ch := startSlack(t, slacktest.Options{Members: members, Faults: map[string]slacktest.Fault{"conversations.open": slacktest.RateLimit(3, 0)}}, Deps{})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c := testCredential("en")
			c.UserName, c.Email, c.DisplayName = fmt.Sprintf("user%02d", i), fmt.Sprintf("user%02d@example.com", i), ""
			_, errs[i] = ch.Deliver(context.Background(), c)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range srv.Messages() {
		got[m.User]++
		name := "user" + strings.TrimPrefix(m.User, "U")
		if !strings.Contains(m.Text, "Hello "+name+",") || !strings.Contains(m.Text, "`"+name+"`") {
			t.Errorf("the message to %s is not about %s:\n%s", m.User, name, m.Text)
		}
	}
	for _, id := range members {
		if got[id] != 1 {
			t.Errorf("%s got %d messages, want 1", id, got[id])
		}
	}
}

// TestSlackErrorsNeverContainSecrets makes Slack fail with answers that echo
// the password and the token back (a verbose proxy, a debugging gateway).
func TestSlackErrorsNeverContainSecrets(t *testing.T) {
	t.Parallel()
	echo := []string{"text=" + testPassword, "mrkdwn " + mrkdwnEscaped(testPassword), `json "Xq7vR2mK9pL4!@#$%^\u0026*()_+-=[]{}|'"`, "token " + slacktest.DefaultToken}
	tests := []struct {
		method   string
		fault    slacktest.Fault
		rejected bool
		want     string
	}{
		{"users.lookupByEmail", slacktest.Fault{Calls: 1, Error: "invalid_arguments", Messages: echo}, true, "users.lookupByEmail: invalid_arguments (text=[password]"},
		{"chat.postMessage", slacktest.Fault{Calls: 1, Error: "internal_error", Messages: echo}, false, "chat.postMessage: internal_error"},
		{"chat.postMessage", slacktest.Fault{Calls: 1, Status: 503}, false, "HTTP 503 Service Unavailable"},
		{"chat.postMessage", slacktest.Fault{Calls: 1, Status: 400}, true, "HTTP 400 Bad Request without Slack's JSON answer: check the Slack API URL"},
		{"conversations.open", slacktest.Fault{Calls: 1, Error: "token_revoked", Messages: echo}, true, "Slack refused the token; set GATEHOUSE_SLACK_TOKEN"},
		{"conversations.open", slacktest.Fault{Calls: 1, Error: "user_disabled"}, true, "the Slack account of alice@example.com is deactivated"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.want, func(t *testing.T) {
			t.Parallel()
			_, ch := startSlack(t, slacktest.Options{Faults: map[string]slacktest.Fault{tt.method: tt.fault}}, Deps{})
			_, err := ch.Deliver(context.Background(), testCredential("en"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, secret := range []string{testPassword, mrkdwnEscaped(testPassword), `\u0026*()_+`, slacktest.DefaultToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error holds the secret %q: %v", secret, err)
				}
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "to alice@example.com through Slack") {
				t.Errorf("error %q lacks %q or the recipient", err, tt.want)
			}
			if errors.Is(err, ErrRejected) != tt.rejected {
				t.Errorf("errors.Is(ErrRejected) = %v, want %v: %v", !tt.rejected, tt.rejected, err)
			}
		})
	}
}

func TestSlackEscapesMentionsAndLinks(t *testing.T) {
	t.Parallel()
	srv, ch := startSlack(t, slacktest.Options{}, Deps{})
	c := testCredential("en")
	c.DisplayName = "<!channel> <https://evil.example/|sign in here> & co"
	if _, err := ch.Deliver(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	text := srv.Messages()[0].Text
	if strings.Contains(text, "<!channel>") || strings.Contains(text, "<https://evil") {
		t.Errorf("the name became a mention or a link:\n%s", text)
	}
	if !strings.Contains(text, "Hello &lt;!channel&gt; &lt;https://evil.example/|sign in here&gt; &amp; co,") {
		t.Errorf("the name is not shown escaped:\n%s", text)
	}
}

func TestSlackTemplateOverride(t *testing.T) {
	t.Parallel()
	srv, ch := startSlack(t, slacktest.Options{}, Deps{Subject: "Welcome to {{.AccountName}}", Template: spec.Template{Text: "{{.Subject}}: <{{.SignInURL}}|sign in> as {{.UserName}} with {{.Password}}", HTML: "<p>mail only</p>"}})
	c := testCredential("en")
	if _, err := ch.Deliver(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	want := "Welcome to example-prod: <" + c.SignInURL + "|sign in> as alice@example.com with " + mrkdwnEscaped(testPassword)
	if got := srv.Messages()[0].Text; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

func TestRenderSlack(t *testing.T) {
	t.Parallel()
	got, err := RenderSlack("ja", spec.Template{}, "", testCredential("ja"))
	if err != nil || !strings.HasPrefix(got, "*AWS アカウントのサインイン情報（example-prod）*\n") || !strings.Contains(got, "`"+mrkdwnEscaped(testPassword)+"`") {
		t.Errorf("RenderSlack(ja) = %q, %v", got, err)
	}
	if _, err := RenderSlack("de", spec.Template{}, "", testCredential("en")); !errors.Is(err, ErrRejected) {
		t.Errorf("RenderSlack(de) = %v; want ErrRejected", err)
	}
}

func TestSlackRefusesIncompleteCredential(t *testing.T) {
	t.Parallel()
	srv, ch := startSlack(t, slacktest.Options{}, Deps{})
	noEmail := testCredential("en")
	noEmail.Email = ""
	for _, c := range []Credential{noEmail, testCredential("de")} {
		if _, err := ch.Deliver(context.Background(), c); !errors.Is(err, ErrRejected) || strings.Contains(err.Error(), testPassword) {
			t.Errorf("Deliver(%q, %q) = %v; want ErrRejected", c.Email, c.Language, err)
		}
	}
	if n := len(srv.Calls("users.lookupByEmail")); n != 0 {
		t.Errorf("%d users.lookupByEmail calls, want none", n)
	}
}

// The bot token goes to the Slack API URL and nowhere else: a redirect (to
// another port of the same host, where Go's client would keep the
// Authorization header) is refused, and the target never sees the token.
func TestSlackDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	srv := slacktest.Start(t, slacktest.Options{})
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.TrimSuffix(srv.URL(), "/")+r.URL.Path[len("/api"):], http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	deps := Deps{Slack: SlackConfig{Token: srv.Token(), APIURL: redirecting.URL + "/api/"}, HTTPClient: &http.Client{Timeout: 5 * time.Second}}
	ch, err := New(spec.ChannelSlack, deps)
	if err == nil {
		_ = ch.Close()
		t.Fatal("New followed the redirect")
	}
	if n := len(srv.Calls("auth.test")); n != 0 {
		t.Errorf("the redirect's target was called %d times", n)
	}
	if strings.Contains(err.Error(), srv.Token()) || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("New = %v, want a refusal that says redirect", err)
	}
	if deps.HTTPClient.CheckRedirect != nil {
		t.Error("the caller's client was changed")
	}
}
