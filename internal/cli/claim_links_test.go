package cli

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
)

// The journal keeps each claim link's ID (never its key): after deliver
// --resend the previous link answers "withdrawn", and history shows which
// links were claimed and when.
func TestResendWithdrawsTheOldClaimLinkAndHistoryShowsClaims(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	web := startClaimServer(t, dir)
	slack := slacktest.Start(t, slacktest.Options{Token: "xoxb-test-token", Members: map[string]string{"gus@example.com": "U0GUS"}})
	team := writeFile(t, dir, "team.yaml", `accounts: ["222222222222"]
delivery:
  channel: claim
  claim: {url: "`+web.URL+`", via: slack}
  slack: {api_url: "`+slack.URL()+`"}
people:
  - email: gus@example.com
`)
	env := map[string]string{"GATEHOUSE_SLACK_TOKEN": "xoxb-test-token", "GATEHOUSE_CLAIM_TOKEN": claimToken}
	links := regexp.MustCompile(regexp.QuoteMeta(web.URL) + `/c/[A-Za-z0-9_-]+#[A-Za-z0-9_-]+`)
	if code, out, errb := channelRun(t, dir, env, "onboard", "-f", team); code != ExitOK {
		t.Fatalf("onboard: exit %d\n%s\n%s", code, out, errb)
	}
	if code, out, errb := channelRun(t, dir, env, "deliver", "--resend", "-f", team, "gus@example.com"); code != ExitOK {
		t.Fatalf("deliver --resend: exit %d\n%s\n%s", code, out, errb)
	}
	msgs := slack.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d Slack messages, want 2", len(msgs))
	}
	old, fresh := links.FindString(slacktest.Unescape(msgs[0].Text)), links.FindString(slacktest.Unescape(msgs[1].Text))
	if status := revealStatus(t, old); status != http.StatusGone {
		t.Errorf("the old link after a resend: HTTP %d, want 410 (withdrawn)", status)
	}
	revealClaim(t, fresh)

	streams, out, errb := testIO()
	streams.Getenv = func(k string) string { return env[k] }
	args := []string{"history", "--sandbox", "--sandbox-dir", filepath.Join(dir, "sandbox"), "2"}
	if code := Main(t.Context(), streams, args); code != ExitOK {
		t.Fatalf("history: exit %d: %s", code, errb)
	}
	id := func(link string) string { return link[strings.LastIndex(link, "/")+1 : strings.Index(link, "#")] }
	if !regexp.MustCompile(regexp.QuoteMeta(id(fresh)) + `\s+222222222222\s+gus@example.com\s+claimed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).MatchString(out.String()) {
		t.Errorf("history of the resend does not show its link claimed:\n%s", out)
	}
	streams, out, _ = testIO()
	args[len(args)-1] = "1"
	if code := Main(t.Context(), streams, args); code != ExitOK || !strings.Contains(out.String(), id(old)) ||
		!regexp.MustCompile(regexp.QuoteMeta(id(old))+`\s+\S+\s+\S+\s+withdrawn`).MatchString(out.String()) {
		t.Errorf("history of the first run does not show its link withdrawn:\n%s", out)
	}
	if strings.Contains(out.String(), "#") {
		t.Error("history shows a link's key")
	}
}

// One claim link carries all of a person's accounts: a resend of some of
// them would withdraw it and lose the others' passwords, so it is refused
// (exit 2, nothing changed) until they are resent together.
func TestResendOfPartOfASharedClaimLinkIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	web := startClaimServer(t, dir)
	slack := slacktest.Start(t, slacktest.Options{Token: "xoxb-test-token", Members: map[string]string{"gus@example.com": "U0GUS"}})
	team := writeFile(t, dir, "team.yaml", `accounts: ["222222222222", "333333333333"]
delivery:
  channel: claim
  claim: {url: "`+web.URL+`", via: slack}
  slack: {api_url: "`+slack.URL()+`"}
people:
  - email: gus@example.com
`)
	env := map[string]string{"GATEHOUSE_SLACK_TOKEN": "xoxb-test-token", "GATEHOUSE_CLAIM_TOKEN": claimToken}
	links := regexp.MustCompile(regexp.QuoteMeta(web.URL) + `/c/[A-Za-z0-9_-]+#[A-Za-z0-9_-]+`)
	if code, out, errb := channelRun(t, dir, env, "onboard", "-f", team); code != ExitOK {
		t.Fatalf("onboard: exit %d\n%s\n%s", code, out, errb)
	}
	code, out, errb := channelRun(t, dir, env, "deliver", "--resend", "-f", team, "--account", "222222222222", "gus@example.com")
	if code != ExitUsage || !strings.Contains(errb, "333333333333") {
		t.Fatalf("a resend of one of the link's two accounts: exit %d, want 2 naming the other account\n%s\n%s", code, out, errb)
	}
	if msgs := slack.Messages(); len(msgs) != 1 {
		t.Fatalf("%d Slack messages after the refused resend, want the first one alone", len(msgs))
	}
	old := links.FindString(slacktest.Unescape(slack.Messages()[0].Text))
	if status := revealStatus(t, old); status == http.StatusGone {
		t.Fatal("the refused resend withdrew the link")
	}
	if code, out, errb := channelRun(t, dir, env, "deliver", "--resend", "-f", team, "gus@example.com"); code != ExitOK {
		t.Fatalf("a resend of both accounts: exit %d\n%s\n%s", code, out, errb)
	}
	if status := revealStatus(t, old); status != http.StatusGone {
		t.Errorf("the old link after resending both accounts: HTTP %d, want 410 (withdrawn)", status)
	}
}

// claimToken is the API token of the claim servers tests start.
const claimToken = "claim-api-token-0123456789"

// startClaimServer serves gatehouse serve's handler over a store in dir,
// for as long as the test runs.
func startClaimServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	store, err := claim.OpenStore(t.Context(), filepath.Join(dir, "claims"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	server, err := claim.NewServer(claim.Config{Store: store, Token: claimToken})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(server.Handler())
	t.Cleanup(web.Close)
	return web
}
