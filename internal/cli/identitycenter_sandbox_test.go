package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const idcExample = "../../examples/onboard/identity-center.yaml"

// The README's Identity Center example on the embedded sandbox: an Identity
// Center user has no password, so onboarding mails each person a welcome
// with the access portal's address — no password line, no IAM user — once;
// the rerun sends nothing.
func TestOnboardIdentityCenterWelcome(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errb := sandboxRun(t, dir, false, "onboard", "-f", idcExample)
	if code != ExitOK || !strings.Contains(out, "3 people in 1 identity store: 3 created.") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	mails, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(mails) != 3 {
		t.Fatalf("%d .eml files, want 3: %v\n%s", len(mails), mails, errb)
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
	code, out, errb = sandboxRun(t, dir, false, "onboard", "-f", idcExample)
	if code != ExitOK || !strings.Contains(out, "3 unchanged") || !strings.Contains(errb, "sent no mail") {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errb)
	}
}

// Claim links and encrypted files carry a password: for Identity Center
// users they are bad input, refused before any AWS call with exit 2.
func TestOnboardIdentityCenterRefusesSecretChannels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, ch := range []string{"claim", "file"} {
		code, _, errb := sandboxRun(t, dir, false, "onboard", "-f", idcExample, "--deliver", ch, "--claim-url", "https://claims.example.com")
		if code != ExitUsage || !strings.Contains(errb, "an Identity Center user has no password for") ||
			!strings.Contains(errb, "by ses, smtp or slack") {
			t.Errorf("--deliver %s: exit %d\n%s", ch, code, errb)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox")); err == nil {
		t.Errorf("the embedded sandbox was started for bad input")
	}
}
