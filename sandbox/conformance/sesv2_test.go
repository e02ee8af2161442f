package conformance

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestSESv2Identities(t *testing.T) {
	cli := newCLI(t)
	out := cli.Run("sesv2", "create-email-identity", "--email-identity", "sender@example.com")
	if str(out, "IdentityType") != "EMAIL_ADDRESS" || out["VerifiedForSendingStatus"] != true {
		t.Errorf("create-email-identity = %v", out)
	}
	if out := cli.Run("sesv2", "create-email-identity", "--email-identity", "example.org"); str(out, "IdentityType") != "DOMAIN" || length(out, "DkimAttributes", "Tokens") != 3 {
		t.Errorf("domain identity = %v", out)
	}
	cli.Fail("AlreadyExistsException", "sesv2", "create-email-identity", "--email-identity", "Sender@example.com")
	cli.Run("ses", "verify-email-identity", "--email-address", "v1@example.com") // v1 and v2 share identities
	got := cli.Run("sesv2", "get-email-identity", "--email-identity", "v1@example.com")
	if str(got, "VerificationStatus") != "SUCCESS" || got["VerifiedForSendingStatus"] != true || str(got, "IdentityType") != "EMAIL_ADDRESS" {
		t.Errorf("get-email-identity = %v", got)
	}
	cli.Fail("NotFoundException", "sesv2", "get-email-identity", "--email-identity", "nobody@example.com")
	first := cli.Run("sesv2", "list-email-identities", "--no-paginate", "--page-size", "2")
	if length(first, "EmailIdentities") != 2 || str(first, "NextToken") == "" {
		t.Fatalf("first page = %v", first)
	}
	second := cli.Run("sesv2", "list-email-identities", "--no-paginate", "--page-size", "2", "--next-token", str(first, "NextToken"))
	if length(second, "EmailIdentities") != 1 || str(second, "EmailIdentities", 0, "IdentityName") != "v1@example.com" {
		t.Errorf("second page = %v", second)
	}
	cli.Run("sesv2", "delete-email-identity", "--email-identity", "v1@example.com")
	cli.Fail("NotFoundException", "sesv2", "delete-email-identity", "--email-identity", "v1@example.com")
	if left := cli.Run("ses", "list-identities"); length(left, "Identities") != 2 {
		t.Errorf("v1 list after v2 delete = %v", left)
	}
}

func TestSESv2SendEmail(t *testing.T) {
	cli := newCLI(t)
	simple := []string{"sesv2", "send-email", "--from-email-address", "ops@example.com",
		"--destination", "ToAddresses=new.hire@corp.example,BccAddresses=audit@corp.example",
		"--content", `{"Simple":{"Subject":{"Data":"Welcome aboard — ようこそ"},"Body":{"Text":{"Data":"plain"},"Html":{"Data":"<b>html</b>"}}}}`}
	msg := cli.Fail("MessageRejected", simple...)
	if msg != "Email address is not verified. The following identities failed the check in region US-EAST-1: ops@example.com" {
		t.Errorf("message = %q", msg)
	}
	cli.Run("sesv2", "create-email-identity", "--email-identity", "example.com")
	id := str(cli.Run(simple...), "MessageId")
	raw := "From: ops@example.com\r\nTo: bob@corp.example\r\nSubject: Raw v2\r\n\r\nbody\r\n"
	cli.Run("sesv2", "send-email", "--content", `{"Raw":{"Data":"`+base64.StdEncoding.EncodeToString([]byte(raw))+`"}}`)
	cli.Fail("BadRequestException", "sesv2", "send-email", "--from-email-address", "ops@example.com", "--destination", "ToAddresses=a@corp.example",
		"--content", `{"Template":{"TemplateName":"welcome"}}`)
	mails := cli.sentMail()
	if len(mails) != 2 {
		t.Fatalf("sent %d messages, want 2", len(mails))
	}
	if m := mails[0]; m.ID != id || m.API != "sesv2" || m.Subject != "Welcome aboard — ようこそ" || m.Text != "plain" || m.HTML != "<b>html</b>" ||
		strings.Join(m.Destinations, ",") != "new.hire@corp.example,audit@corp.example" || strings.Contains(m.Raw, "audit@corp.example") {
		t.Errorf("simple message = %+v", m)
	}
	if m := mails[1]; m.Subject != "Raw v2" || m.Raw != raw || strings.Join(m.Destinations, ",") != "bob@corp.example" {
		t.Errorf("raw message = %+v", m)
	}
}
