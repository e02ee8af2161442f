package conformance

import (
	"encoding/base64"
	"strings"
	"testing"
)

// sentMail is a message as GET /_sandbox/ses/messages shows it.
type sentMail struct {
	ID           string   `json:"id"`
	API          string   `json:"api"`
	Action       string   `json:"action"`
	Region       string   `json:"region"`
	Source       string   `json:"source"`
	Destinations []string `json:"destinations"`
	Subject      string   `json:"subject"`
	Text         string   `json:"text"`
	HTML         string   `json:"html"`
	Raw          string   `json:"raw"`
}

func (c *CLI) sentMail() []sentMail {
	var out struct {
		Messages []sentMail `json:"messages"`
	}
	c.Inspect("ses/messages?account="+c.Account, &out)
	return out.Messages
}

func TestSESIdentities(t *testing.T) {
	cli := newCLI(t)
	for _, addr := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		cli.Run("ses", "verify-email-identity", "--email-address", addr)
	}
	if tok := str(cli.Run("ses", "verify-domain-identity", "--domain", "example.org"), "VerificationToken"); len(tok) != 44 {
		t.Errorf("VerificationToken = %q", tok)
	}
	first := cli.Run("ses", "list-identities", "--no-paginate", "--max-items", "3")
	if length(first, "Identities") != 3 || str(first, "NextToken") == "" {
		t.Fatalf("first page = %v", first)
	}
	second := cli.Run("ses", "list-identities", "--no-paginate", "--max-items", "3", "--next-token", str(first, "NextToken"))
	if length(second, "Identities") != 1 || str(second, "Identities", 0) != "example.org" || second["NextToken"] != nil {
		t.Errorf("second page = %v", second)
	}
	if all := cli.Run("ses", "list-identities", "--page-size", "2"); length(all, "Identities") != 4 {
		t.Errorf("auto-paginated list-identities = %v", all)
	}
	if domains := cli.Run("ses", "list-identities", "--identity-type", "Domain"); length(domains, "Identities") != 1 {
		t.Errorf("domains = %v", domains)
	}
	attrs := cli.Run("ses", "get-identity-verification-attributes", "--identities", "a@example.com", "example.org", "unknown@example.com")
	if str(attrs, "VerificationAttributes", "a@example.com", "VerificationStatus") != "Success" ||
		str(attrs, "VerificationAttributes", "example.org", "VerificationToken") == "" ||
		get(attrs, "VerificationAttributes", "unknown@example.com") != nil {
		t.Errorf("verification attributes = %v", attrs)
	}
	cli.Run("ses", "delete-identity", "--identity", "b@example.com")
	cli.Run("ses", "delete-identity", "--identity", "b@example.com")
	if left := cli.Run("ses", "list-identities", "--identity-type", "EmailAddress"); length(left, "Identities") != 2 {
		t.Errorf("after delete-identity: %v", left)
	}
	cli.Fail("InvalidParameterValue", "ses", "verify-email-identity", "--email-address", "not-an-address")
}

func TestSESSendEmail(t *testing.T) {
	cli := newCLI(t)
	args := []string{"ses", "send-email", "--from", "Gatehouse <noreply@example.com>",
		"--destination", "ToAddresses=new.hire@corp.example,CcAddresses=manager@corp.example",
		"--message", "Subject={Data=アカウントのご案内,Charset=UTF-8},Body={Text={Data=Your user name is new.hire},Html={Data=<p>Welcome</p>}}"}
	msg := cli.Fail("MessageRejected", args...)
	if want := "Email address is not verified. The following identities failed the check in region US-EAST-1: noreply@example.com"; msg != want {
		t.Errorf("unverified sender message = %q, want %q", msg, want)
	}
	cli.Run("ses", "verify-domain-identity", "--domain", "example.com")
	id := str(cli.Run(args...), "MessageId")
	if id == "" {
		t.Fatal("no MessageId")
	}
	cli.Fail("InvalidParameterValue", "ses", "send-email", "--from", "noreply@example.com", "--destination", "ToAddresses=nobody",
		"--message", "Subject={Data=x},Body={Text={Data=y}}")
	mails := cli.sentMail()
	if len(mails) != 1 {
		t.Fatalf("sent %d messages, want 1", len(mails))
	}
	m := mails[0]
	if m.ID != id || m.API != "ses" || m.Action != "SendEmail" || m.Source != "noreply@example.com" || m.Subject != "アカウントのご案内" ||
		m.Text != "Your user name is new.hire" || m.HTML != "<p>Welcome</p>" || strings.Join(m.Destinations, ",") != "new.hire@corp.example,manager@corp.example" {
		t.Errorf("recorded message = %+v", m)
	}
	if !strings.Contains(m.Raw, "Subject: =?UTF-8?b?") || !strings.Contains(m.Raw, "multipart/alternative") {
		t.Errorf("raw MIME lacks an encoded subject or multipart/alternative:\n%s", m.Raw)
	}
}

func TestSESSendRawEmail(t *testing.T) {
	cli := newCLI(t)
	raw := "From: Notifier <notify@example.net>\r\nTo: alice@corp.example\r\nSubject: Raw hello\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello from a raw message\r\n"
	data := "Data=" + base64.StdEncoding.EncodeToString([]byte(raw))
	cli.Fail("MessageRejected", "ses", "send-raw-email", "--raw-message", data)
	cli.Run("ses", "verify-email-identity", "--email-address", "notify@example.net")
	cli.Run("ses", "send-raw-email", "--raw-message", data)
	cli.Run("ses", "send-raw-email", "--raw-message", data, "--source", "notify@example.net", "--destinations", "bob@corp.example")
	mails := cli.sentMail()
	if len(mails) != 2 || mails[0].Action != "SendRawEmail" || mails[0].Subject != "Raw hello" || mails[0].Text != "Hello from a raw message\r\n" ||
		mails[0].Raw != raw || strings.Join(mails[0].Destinations, ",") != "alice@corp.example" || strings.Join(mails[1].Destinations, ",") != "bob@corp.example" {
		t.Errorf("recorded = %+v", mails)
	}
	noTo := strings.Replace(raw, "To: alice@corp.example\r\n", "", 1)
	if msg := cli.Fail("InvalidParameterValue", "ses", "send-raw-email", "--raw-message", "Data="+base64.StdEncoding.EncodeToString([]byte(noTo))); msg != "Missing required header 'To'." {
		t.Errorf("no-recipient message = %q", msg)
	}
}
