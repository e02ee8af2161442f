package deliver_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/deliver/delivertest"
	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
	"github.com/gatehouse/gatehouse/internal/deliver/smtptest"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// The suite's tests do not call t.Parallel: delivertest.Run counts
// goroutines and captures the process's log, so it runs alone, before the
// package's parallel tests start.

// smtpSuitePassword is the mail server's password in the SMTP harnesses.
const smtpSuitePassword = "suite-smtp-S3cret!pw"

// emailPerson is the i-th of the people the mail and Slack harnesses reach.
func emailPerson(i int) deliver.Credential {
	return deliver.Credential{
		Account: account, AccountAlias: "example-prod", UserName: fmt.Sprintf("person%d", i),
		Email: fmt.Sprintf("person%d@example.com", i), DisplayName: fmt.Sprintf("Person %d", i),
		SignInURL: "https://example-prod.signin.aws.amazon.com/console", ResetRequired: true, Language: "en",
	}
}

// with is deps changed by change, leaving deps as it was.
func with(deps deliver.Deps, change func(*deliver.Deps)) deliver.Deps {
	change(&deps)
	return deps
}

// noPasswordTemplate is a bad setup every channel that renders templates
// refuses: a body that would reach the person without their credential.
func noPasswordTemplate(good deliver.Deps) delivertest.BadSetup {
	return delivertest.BadSetup{
		Name: "a template that shows no credential",
		Deps: with(good, func(d *deliver.Deps) { d.Template.Text = "Hello {{.Name}}, welcome." }),
		Want: "the person would receive no credential",
	}
}

// listWithoutPasswords is a bad setup every channel that renders passwords
// refuses: a template for several accounts that shows the first password
// alone, found when the channel renders its samples.
func listWithoutPasswords(good deliver.Deps) delivertest.BadSetup {
	return delivertest.BadSetup{
		Name: listWithoutPasswordsName,
		Deps: with(good, func(d *deliver.Deps) { d.Template.Text = "{{range .Credentials}}{{.AccountName}} {{end}}{{.Password}}" }),
		Want: "does not contain the password of account (444455556666)",
	}
}

// listWithoutPasswordsName is not a bad setup for the claim channel, whose
// carrier shows one link for every account.
const listWithoutPasswordsName = "a template for several accounts that shows one password"

// mailHarness is a harness whose messages can be read as text, for the
// claim harnesses that carry their links by mail or Slack.
type mailHarness struct {
	*delivertest.Harness
	// texts are the text bodies of the messages to c.
	texts func(t *testing.T, c deliver.Credential) []string
	// raw is every message sent, to anyone, as it went over the wire.
	raw func(t *testing.T) []string
}

// readEachAll is what the person recovers from each text with read, for
// several accounts.
func readEachAll(texts func(*testing.T, deliver.Credential) []string, read func(string) map[string]string) func(*testing.T, deliver.Credential) []map[string]string {
	return func(t *testing.T, c deliver.Credential) []map[string]string {
		var got []map[string]string
		for _, text := range texts(t, c) {
			got = append(got, read(text))
		}
		return got
	}
}

// readEach is what the person recovers from each text with read.
func readEach(texts func(*testing.T, deliver.Credential) []string, read func(string) string) func(*testing.T, deliver.Credential) []string {
	return func(t *testing.T, c deliver.Credential) []string {
		var got []string
		for _, text := range texts(t, c) {
			got = append(got, read(text))
		}
		return got
	}
}

func TestSuiteSES(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return sesHarness(t).Harness })
}

// sesHarness sends through the sandbox's SES, from a verified sender.
func sesHarness(t *testing.T) *mailHarness {
	sb := sandboxtest.Start(t, sandbox.Options{})
	verify(t, sb, sender)
	good := deliver.Deps{AWS: sb.Config(account), From: "Gatehouse <" + sender + ">"}
	creds, err := good.AWS.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	texts := func(t *testing.T, c deliver.Credential) []string {
		var got []string
		for _, m := range sent(t, sb) {
			if slices.Contains(m.Destinations, c.Email) {
				got = append(got, m.Text)
			}
		}
		return got
	}
	raw := func(t *testing.T) []string {
		var got []string
		for _, m := range sent(t, sb) {
			got = append(got, m.Raw)
		}
		return got
	}
	return &mailHarness{texts: texts, raw: raw, Harness: &delivertest.Harness{
		Name:        "ses",
		Deps:        good,
		Person:      emailPerson,
		Received:    readEach(texts, delivertest.PasswordIn),
		ReceivedAll: readEachAll(texts, delivertest.AccountsIn),
		// SES refuses an address it cannot parse at once; a mailbox that
		// does not exist comes back later as a bounce, which is beyond a channel.
		Unreachable: func(c *deliver.Credential) { c.Email = "person0@not-a-domain" },
		BadSetups: []delivertest.BadSetup{
			{Name: "no sender", Deps: with(good, func(d *deliver.Deps) { d.From = "" }), Want: "set delivery.from in the spec or --from"},
			{Name: "a sender that is no address", Deps: with(good, func(d *deliver.Deps) { d.From = "gatehouse at example" }), Want: `sender address "gatehouse at example"`},
			{Name: "no region", Deps: with(good, func(d *deliver.Deps) { d.AWS.Region = "" }), Want: "no AWS region"},
			{Name: "an unverified sender", Deps: with(good, func(d *deliver.Deps) { d.From = "ops@unverified.example" }), Want: "verify one of them in the SES console"},
			noPasswordTemplate(good),
			listWithoutPasswords(good),
		},
		Secrets: []string{creds.SecretAccessKey},
	}}
}

func TestSuiteSMTP(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return smtpHarness(t).Harness })
}

// smtpHarness sends through a mail server that wants STARTTLS and a
// password, and has no mailbox for nobody@example.com.
func smtpHarness(t *testing.T) *mailHarness {
	srv := smtptest.Start(t, smtptest.Options{User: "mailer", Password: smtpSuitePassword, Refuse: "nobody@example.com"})
	noTLS := smtptest.Start(t, smtptest.Options{Security: smtptest.Plaintext})
	good := deliver.Deps{
		From: "Ops <ops@example.com>",
		SMTP: deliver.SMTPConfig{Addr: srv.Addr(), User: "mailer", Password: smtpSuitePassword, RootCAs: srv.RootCAs()},
	}
	const wrongPassword = "wrong-smtp-S3cret!pw"
	texts := func(t *testing.T, c deliver.Credential) []string {
		var got []string
		for _, m := range srv.Messages() {
			if !slices.Contains(m.To, c.Email) {
				continue
			}
			text, err := m.Body("text/plain")
			if err != nil {
				t.Errorf("the message to %s: %v", c.Email, err)
			}
			got = append(got, text)
		}
		return got
	}
	raw := func(*testing.T) []string {
		var got []string
		for _, m := range srv.Messages() {
			got = append(got, string(m.Data))
		}
		return got
	}
	return &mailHarness{texts: texts, raw: raw, Harness: &delivertest.Harness{
		Name:        "smtp",
		Deps:        good,
		Person:      emailPerson,
		Received:    readEach(texts, delivertest.PasswordIn),
		ReceivedAll: readEachAll(texts, delivertest.AccountsIn),
		Unreachable: func(c *deliver.Credential) { c.Email = "nobody@example.com" },
		BadSetups: []delivertest.BadSetup{
			{Name: "no mail server", Deps: with(good, func(d *deliver.Deps) { d.SMTP.Addr = "" }), Want: "set --smtp-addr HOST:PORT"},
			{Name: "a user without a password", Deps: with(good, func(d *deliver.Deps) { d.SMTP.Password = "" }), Want: "set GATEHOUSE_SMTP_PASSWORD"},
			{Name: "the password in clear to another machine", Deps: with(good, func(d *deliver.Deps) {
				d.SMTP.Addr, d.SMTP.TLS = "smtp.example.com:25", "none"
			}), Want: "unencrypted to smtp.example.com"},
			{Name: "a wrong password", Deps: with(good, func(d *deliver.Deps) { d.SMTP.Password = wrongPassword }),
				Want: "check --smtp-user and GATEHOUSE_SMTP_PASSWORD", Secrets: []string{wrongPassword}},
			{Name: "a server without STARTTLS", Deps: with(good, func(d *deliver.Deps) { d.SMTP.Addr, d.SMTP.User = noTLS.Addr(), "" }),
				Want: "does not offer STARTTLS"},
			{Name: "an untrusted certificate", Deps: with(good, func(d *deliver.Deps) { d.SMTP.RootCAs = nil }), Want: "certificate"},
			{Name: "nobody listening", Deps: with(good, func(d *deliver.Deps) { d.SMTP.Addr = "127.0.0.1:1" }), Want: "connecting"},
			noPasswordTemplate(good),
			listWithoutPasswords(good),
		},
		Secrets: []string{smtpSuitePassword},
	}}
}

func TestSuiteSlack(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return slackHarness(t).Harness })
}

// slackHarness sends through a fake Slack whose workspace has the suite's
// people and nobody else.
func slackHarness(t *testing.T) *mailHarness {
	members := map[string]string{}
	for i := range 8 {
		members[emailPerson(i).Email] = fmt.Sprintf("U0PERSON%d", i)
	}
	srv := slacktest.Start(t, slacktest.Options{Members: members})
	good := deliver.Deps{Slack: deliver.SlackConfig{Token: srv.Token(), APIURL: srv.URL()}}
	const wrongToken = "xoxb-0000000000-1111111111-wrongSlackToken"
	texts := func(_ *testing.T, c deliver.Credential) []string {
		var got []string
		for _, m := range srv.Messages() {
			if m.User == members[c.Email] {
				got = append(got, slacktest.Unescape(m.Text))
			}
		}
		return got
	}
	raw := func(*testing.T) []string {
		var got []string
		for _, m := range srv.Messages() {
			got = append(got, m.Text)
		}
		return got
	}
	return &mailHarness{texts: texts, raw: raw, Harness: &delivertest.Harness{
		Name:        "slack",
		Deps:        good,
		Person:      emailPerson,
		Received:    readEach(texts, delivertest.PasswordIn),
		ReceivedAll: readEachAll(texts, delivertest.AccountsIn),
		Unreachable: func(c *deliver.Credential) { c.Email = "stranger@example.com" },
		BadSetups: []delivertest.BadSetup{
			{Name: "no token", Deps: with(good, func(d *deliver.Deps) { d.Slack.Token = "" }), Want: "set GATEHOUSE_SLACK_TOKEN"},
			{Name: "a wrong token", Deps: with(good, func(d *deliver.Deps) { d.Slack.Token = wrongToken }),
				Want: "Slack refused the token", Secrets: []string{wrongToken}},
			{Name: "plain HTTP to another machine", Deps: with(good, func(d *deliver.Deps) { d.Slack.APIURL = "http://slack.example.com/api/" }),
				Want: "plain HTTP to another machine"},
			noPasswordTemplate(good),
			listWithoutPasswords(good),
		},
		Secrets: []string{srv.Token()},
	}}
}

// TestSuiteNone: the none channel hands nothing over. Onboarding never calls
// its Deliver — it puts the password in the command's report itself — so
// what the suite holds it to is being harmless: a receipt that says where the
// credential is and holds no secret, nothing once the context has ended,
// and nothing to close.
func TestSuiteNone(t *testing.T) {
	delivertest.Run(t, func(*testing.T) *delivertest.Harness {
		return &delivertest.Harness{Name: "none", Person: emailPerson}
	})
}
