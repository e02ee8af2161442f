package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
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
	pw := ""
	for _, l := range strings.Split(string(plain), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Password" {
			pw = strings.TrimSpace(v)
		}
	}
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
