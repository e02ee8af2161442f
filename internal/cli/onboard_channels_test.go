package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
	"github.com/gatehouse/gatehouse/internal/deliver/smtptest"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// channelRun runs gatehouse on the embedded sandbox in dir with env as the
// whole environment.
func channelRun(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	streams, out, errb := testIO()
	streams.Getenv = func(k string) string { return env[k] }
	args = append(args, "--sandbox", "--sandbox-dir", filepath.Join(dir, "sandbox"), "--mail-dir", filepath.Join(dir, "mail"))
	code := Main(context.Background(), streams, args)
	return code, out.String(), errb.String()
}

// Slack, end to end through onboard: the spec's api_url, the token from the
// environment only, one direct message per person with a password that
// signs in; someone not in the workspace fails alone with a clear message.
func TestOnboardDeliversBySlack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	slack := slacktest.Start(t, slacktest.Options{Token: "xoxb-test-token", Members: map[string]string{
		"alice@example.com": "U0ALICE", "bob@example.com": "U0BOB"}})
	spec := writeFile(t, dir, "team.yaml", `accounts: ["222222222222"]
delivery:
  channel: slack
  slack: {api_url: "`+slack.URL()+`"}
people:
  - email: alice@example.com
  - email: bob@example.com
  - email: stranger@example.com
`)
	env := map[string]string{"GATEHOUSE_SLACK_TOKEN": "xoxb-test-token"}
	code, out, errb := channelRun(t, dir, env, "onboard", "-f", spec, "-o", "json")
	if code != ExitFailed || !strings.Contains(out, "stranger@example.com is not in the Slack workspace") {
		t.Fatalf("exit %d, want 1 for the stranger alone\n%s\n%s", code, out, errb)
	}
	msgs := slack.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d Slack messages, want 2: %+v", len(msgs), msgs)
	}
	if strings.Contains(out+errb, "xoxb-test-token") {
		t.Error("the Slack token reached the output")
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		for _, m := range msgs {
			text := slacktest.Unescape(m.Text)
			user := map[string]string{"U0ALICE": "alice@example.com", "U0BOB": "bob@example.com"}[m.User]
			pw := passwordIn(t, text)
			if !signsIn(t, sb, "222222222222", user, pw) {
				t.Errorf("the password Slack sent %s does not sign in", user)
			}
		}
	})

	// Without the token nothing happens: exit 2 before any user is created.
	code, _, errb = channelRun(t, t.TempDir(), nil, "onboard", "-f", spec)
	if code != ExitUsage || !strings.Contains(errb, "GATEHOUSE_SLACK_TOKEN") {
		t.Errorf("without a token: exit %d, want 2 naming GATEHOUSE_SLACK_TOKEN\n%s", code, errb)
	}
}

// passwordIn finds the password in a message: the text in backticks after
// the line that names the password.
func passwordIn(t *testing.T, text string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for _, l := range lines {
		if !strings.Contains(strings.ToLower(l), "password") {
			continue
		}
		if i, j := strings.Index(l, "`"), strings.LastIndex(l, "`"); i >= 0 && j > i {
			return l[i+1 : j]
		}
	}
	t.Fatalf("no password in the message:\n%s", text)
	return ""
}

// Encrypted files through onboard: a bad key stops the run before any AWS
// call (exit 2); a good one gets a 0600 file that only its key opens, and
// the password in it signs in.
func TestOnboardDeliversByFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	credDir := filepath.Join(dir, "creds")
	bad := writeFile(t, dir, "bad.yaml", `accounts: ["222222222222"]
delivery: {channel: file, file: {dir: "`+credDir+`"}}
people:
  - email: alice@example.com
    public_key: age1notarealrecipientatall
`)
	if code, out, errb := channelRun(t, dir, nil, "onboard", "-f", bad); code != ExitUsage || !strings.Contains(errb, "alice@example.com") {
		t.Fatalf("a bad key: exit %d, want 2 naming alice\n%s\n%s", code, out, errb)
	}
	good := writeFile(t, dir, "good.yaml", `accounts: ["222222222222"]
delivery: {channel: file, file: {dir: "`+credDir+`"}}
people:
  - email: alice@example.com
    public_key: `+id.Recipient().String()+`
`)
	if code, out, errb := channelRun(t, dir, nil, "onboard", "-f", good); code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	path := filepath.Join(credDir, "222222222222", "alice@example.com.txt.age")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, mode %v", path, err, fi)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := age.Decrypt(armor.NewReader(f), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	pw := passwordLine(t, string(plain))
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		if pw == "" || !signsIn(t, sb, "222222222222", "alice@example.com", pw) {
			t.Errorf("the password in the file (%d characters) does not sign in", len(pw))
		}
	})
}

// The report never carries a password for a channel other than none.
func TestOnboardJSONHasNoPasswordForChannels(t *testing.T) {
	t.Parallel()
	var rep struct{ Users []struct{ Password string } }
	dir := t.TempDir()
	code, out, errb := channelRun(t, dir, nil, "onboard", "dave@example.com", "--account", "222222222222", "--from", "it@example.com", "-o", "json")
	if err := json.Unmarshal([]byte(out), &rep); code != ExitOK || err != nil || len(rep.Users) != 1 || rep.Users[0].Password != "" {
		t.Fatalf("exit %d %v\n%s\n%s", code, err, out, errb)
	}
}

// SMTP through onboard: the flags reach the channel, the password comes
// from the environment, and the mail that arrives carries a password that
// signs in. (TLS modes are the smtp channel's own tests; a local relay
// without TLS keeps this one free of certificates.)
func TestOnboardDeliversBySMTP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.Plaintext, User: "relay", Password: "relay-secret-1"})
	env := map[string]string{"GATEHOUSE_SMTP_PASSWORD": "relay-secret-1"}
	code, out, errb := channelRun(t, dir, env, "onboard", "erin@example.com", "--account", "222222222222", "--deliver", "smtp",
		"--smtp-addr", srv.Addr(), "--smtp-user", "relay", "--smtp-tls", "none", "--from", "IT <it@example.com>")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].User != "relay" || len(msgs[0].To) != 1 || msgs[0].To[0] != "erin@example.com" {
		t.Fatalf("messages = %+v", msgs)
	}
	if strings.Contains(out+errb, "relay-secret-1") {
		t.Error("the SMTP password reached the output")
	}
	text := decodedText(t, msgs[0].Data)
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		if !signsIn(t, sb, "222222222222", "erin@example.com", passwordLine(t, text)) {
			t.Error("the mailed password does not sign in")
		}
	})
}

// Claim links through onboard, carried by Slack: the message holds the link
// and not the password; the link's key opens the sealed password once, and
// it signs in.
func TestOnboardDeliversByClaimLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	web := startClaimServer(t, dir)
	slack := slacktest.Start(t, slacktest.Options{Token: "xoxb-test-token", Members: map[string]string{"fay@example.com": "U0FAY"}})
	spec := writeFile(t, dir, "team.yaml", `accounts: ["222222222222"]
delivery:
  channel: claim
  claim: {url: "`+web.URL+`", via: slack, ttl: 2h}
  slack: {api_url: "`+slack.URL()+`"}
people:
  - email: fay@example.com
`)
	env := map[string]string{"GATEHOUSE_SLACK_TOKEN": "xoxb-test-token", "GATEHOUSE_CLAIM_TOKEN": claimToken}
	if code, out, errb := channelRun(t, dir, env, "onboard", "-f", spec); code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	msgs := slack.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d Slack messages, want 1", len(msgs))
	}
	text := slacktest.Unescape(msgs[0].Text)
	link := regexp.MustCompile(regexp.QuoteMeta(web.URL) + `/c/[A-Za-z0-9_-]+#[A-Za-z0-9_-]+`).FindString(text)
	if link == "" {
		t.Fatalf("no claim link in the message:\n%s", text)
	}
	pw := revealClaim(t, link)
	if strings.Contains(text, pw) {
		t.Error("the Slack message carries the password itself")
	}
	withSandboxState(t, dir, func(sb *sandboxtest.Sandbox) {
		if !signsIn(t, sb, "222222222222", "fay@example.com", pw) {
			t.Error("the claimed password does not sign in")
		}
	})
	if status := revealStatus(t, link); status != http.StatusGone {
		t.Errorf("revealing twice: HTTP %d, want 410 Gone", status)
	}

	// The audit trail says it was created and claimed, and from where.
	streams, out, errb := testIO()
	if code := Main(t.Context(), streams, []string{"serve", "audit", "--data", filepath.Join(dir, "claims"), "-o", "json"}); code != ExitOK {
		t.Fatalf("serve audit: exit %d: %s", code, errb)
	}
	var audit struct {
		Events []struct{ Event, UserName, Addr string }
	}
	if err := json.Unmarshal(out.Bytes(), &audit); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range audit.Events {
		if e.UserName == "fay@example.com" && e.Addr != "" {
			seen = append(seen, e.Event)
		}
	}
	if strings.Join(seen, ",") != "created,claimed" {
		t.Errorf("audit events for fay = %v, want created,claimed with addresses\n%s", seen, out)
	}
	if strings.Contains(out.String(), pw) {
		t.Error("the audit trail holds the password")
	}
}

// revealClaim does what the claim page's script does: derive the token from
// the link's key, ask for the sealed password, and open it.
func revealClaim(t *testing.T, link string) string {
	t.Helper()
	key, resp := postReveal(t, link)
	defer resp.Body.Close()
	var sealed struct{ Nonce, Ciphertext []byte }
	if err := json.NewDecoder(resp.Body).Decode(&sealed); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("reveal: %s %v", resp.Status, err)
	}
	pw, err := claim.Open(key, claim.Sealed{Nonce: sealed.Nonce, Ciphertext: sealed.Ciphertext})
	if err != nil {
		t.Fatal(err)
	}
	return pw
}

// revealStatus is the HTTP status of a reveal with the link's right key.
func revealStatus(t *testing.T, link string) int {
	t.Helper()
	_, resp := postReveal(t, link)
	resp.Body.Close()
	return resp.StatusCode
}

func postReveal(t *testing.T, link string) (claim.Key, *http.Response) {
	t.Helper()
	page, fragment, _ := strings.Cut(link, "#")
	key, err := claim.ParseKey(fragment)
	if err != nil {
		t.Fatal(err)
	}
	token, err := claim.AuthToken(key)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string][]byte{"token": token})
	resp, err := http.Post(strings.Replace(page, "/c/", "/api/v1/claims/", 1)+"/reveal", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return key, resp
}

// decodedText is the text/plain part of a MIME message, transfer-decoded.
func decodedText(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(part)
			return string(b)
		}
	}
}

// passwordLine is the value after "Password:" in a text message.
func passwordLine(t *testing.T, text string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Password" {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no Password: line in\n%s", text)
	return ""
}
