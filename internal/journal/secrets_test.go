package journal_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// TestJournalNeverHoldsPasswords records a run the way the engine does —
// credentials issued, delivered through SES, failed deliveries with the
// channel's error, the none channel — with known passwords, then searches
// every byte of the journal's files for them.
func TestJournalNeverHoldsPasswords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := sandboxtest.Start(t, sandbox.Options{})
	const acct = "111122223333"
	if _, err := sesv2.NewFromConfig(sb.Config(acct)).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("ops@example.com")}); err != nil {
		t.Fatal(err)
	}
	channels := map[string]deliver.Channel{}
	for name, deps := range map[string]deliver.Deps{
		"ses":        {AWS: sb.Config(acct), From: "ops@example.com"},
		"unverified": {AWS: sb.Config(acct), From: "nobody@example.com"}, // every delivery fails
		"none":       {},
	} {
		kind := name
		if name == "unverified" {
			kind = "ses"
		}
		ch, err := deliver.New(kind, deps)
		if err != nil {
			t.Fatal(err)
		}
		channels[name] = ch
	}

	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := journal.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := j.StartRun(ctx, journal.RunInfo{Command: "onboard", Source: "team.yaml", Args: []string{"-f", "team.yaml", "--deliver", "ses"}})
	if err != nil {
		t.Fatal(err)
	}
	var passwords []string
	for i, name := range []string{"ses", "unverified", "none", "ses", "unverified", "none"} {
		pw := rand.Text() + "!&'+"
		passwords = append(passwords, pw)
		recordPerson(t, j, run, channels[name], fmt.Sprintf("person%d", i), pw)
	}
	if err := j.FinishRun(ctx, run, journal.RunFailed, journal.Summary{People: 6, Accounts: 1, Succeeded: 4, Failed: 2}); err != nil {
		t.Fatal(err)
	}
	if n := mailsWith(t, sb, passwords); n != 2 {
		t.Fatalf("%d mails carried a password, want 2: the run did not exercise delivery", n)
	}
	searchFiles(t, path, passwords) // while open: the records are in the -wal file
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	searchFiles(t, path, passwords) // after the checkpoint into the main file
}

func recordPerson(t *testing.T, j *journal.Journal, run int64, ch deliver.Channel, user, pw string) {
	t.Helper()
	ctx := context.Background()
	const acct = "111122223333"
	email := user + "@example.com"
	credID := "cred-" + user
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(j.MarkUser(ctx, run, acct, user, email, true))
	must(j.CredentialIssued(ctx, run, acct, user, credID))
	must(j.RecordStep(ctx, journal.StepRecord{RunID: run, Account: acct, UserName: user, Email: email, Step: "login-profile", Status: journal.StepDone}))
	r, err := ch.Deliver(ctx, deliver.Credential{Account: acct, UserName: user, Email: email, Password: pw,
		SignInURL: "https://" + acct + ".signin.aws.amazon.com/console", ResetRequired: true})
	if err != nil {
		must(j.DeliveryFailed(ctx, run, acct, user, credID, ch.Name(), err.Error()))
		must(j.RecordStep(ctx, journal.StepRecord{RunID: run, Account: acct, UserName: user, Email: email, Step: "deliver", Status: journal.StepFailed, Detail: err.Error()}))
		return
	}
	must(j.CredentialDelivered(ctx, run, acct, user, credID, ch.Name(), r.String()))
	must(j.RecordStep(ctx, journal.StepRecord{RunID: run, Account: acct, UserName: user, Email: email, Step: "deliver", Status: journal.StepDone, Detail: r.String()}))
}

func mailsWith(t *testing.T, sb *sandboxtest.Sandbox, passwords []string) int {
	t.Helper()
	var v struct{ Messages []struct{ Text string } }
	sb.Get(t, "ses/messages", &v)
	n := 0
	for _, m := range v.Messages {
		for _, pw := range passwords {
			if bytes.Contains([]byte(m.Text), []byte(pw)) {
				n++
			}
		}
	}
	return n
}

// searchFiles greps the journal and its -wal and -shm files for each
// password, plain and HTML-escaped; it first finds a known e-mail address, so
// a search that sees nothing cannot pass.
func searchFiles(t *testing.T, path string, passwords []string) {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if !bytes.Contains(all, []byte("person3@example.com")) {
		t.Fatal("the journal files do not hold a recorded e-mail address: the search is blind")
	}
	for _, pw := range passwords {
		for _, form := range []string{pw, html.EscapeString(pw), pw[:12]} {
			if bytes.Contains(all, []byte(form)) {
				t.Errorf("the journal files contain a password (%q)", form)
			}
		}
	}
}
