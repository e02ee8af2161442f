package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// welcomeTeam is two Identity Center users of the embedded sandbox's
// instance, welcomed by SES from its verified sender, in two languages.
const welcomeTeam = `directory: identity-center
delivery: {channel: ses, from: it@example.com}
defaults:
  groups: [developers]
  assignments: [{permission_set: ReadOnly, accounts: ["222222222222"]}]
people:
  - {email: ada@example.com, name: Ada Lovelace}
  - {email: taro@example.com, name: 山田 太郎, language: ja}
`

// An Identity Center user has no password: onboarding mails a welcome with
// the access portal's address — no password line, no IAM user — once; the
// rerun sends nothing.
func TestOnboardIdentityCenterWelcome(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(specPath, []byte(welcomeTeam), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errb := sandboxRun(t, dir, false, "onboard", "-f", specPath)
	if code != ExitOK || !strings.Contains(out, "2 people in 1 identity store: 2 created.") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	mails, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(mails) != 2 {
		t.Fatalf("%d .eml files, want 2: %v\n%s", len(mails), mails, errb)
	}
	var all string
	for _, m := range mails {
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		all += string(raw)
	}
	for _, want := range []string{"https://d-1111111111.awsapps.com/start", "Access portal", "ada@example.com",
		"Subject: Your AWS access portal sign-in"} {
		if !strings.Contains(all, want) {
			t.Errorf("the welcomes lack %q:\n%s", want, all)
		}
	}
	for _, not := range []string{"Password:", "IAM user"} {
		if strings.Contains(all, not) {
			t.Errorf("the welcomes say %q, as if there were a password:\n%s", not, all)
		}
	}
	code, out, errb = sandboxRun(t, dir, false, "onboard", "-f", specPath)
	if code != ExitOK || !strings.Contains(out, "2 unchanged") || !strings.Contains(errb, "sent no mail") {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errb)
	}
}

// Claim links and encrypted files carry a password: for Identity Center
// users they are bad input, refused before any AWS call with exit 2.
func TestOnboardIdentityCenterRefusesSecretChannels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(specPath, []byte(welcomeTeam), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"claim", "file"} {
		code, _, errb := sandboxRun(t, dir, false, "onboard", "-f", specPath, "--deliver", ch, "--claim-url", "https://claims.example.com")
		if code != ExitUsage || !strings.Contains(errb, "an Identity Center user has no password for") ||
			!strings.Contains(errb, "by ses, smtp or slack") {
			t.Errorf("--deliver %s: exit %d\n%s", ch, code, errb)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox")); err == nil {
		t.Errorf("the embedded sandbox was started for bad input")
	}
}
