package ses_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

func start(t *testing.T) *sandboxtest.Sandbox {
	t.Helper()
	return sandboxtest.Start(t, sandbox.Options{})
}

func apiError(t *testing.T, err error) (code, msg string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), status
}

func messages(t *testing.T, sb *sandboxtest.Sandbox, account string) []state.Message {
	t.Helper()
	var out struct{ Messages []state.Message }
	sb.Get(t, "ses/messages?account="+account, &out)
	return out.Messages
}

func v1Client(sb *sandboxtest.Sandbox, account, region string) *ses.Client {
	cfg := sb.Config(account)
	cfg.Region = region
	return ses.NewFromConfig(cfg)
}

func TestV1Identities(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	c := v1Client(sb, "100000000001", "eu-west-1")
	for _, addr := range []string{"a@example.com", "b@example.com", "C@Example.com"} {
		if _, err := c.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String(addr)}); err != nil {
			t.Fatal(err)
		}
	}
	dom, err := c.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("example.org")})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(dom.VerificationToken)) != 44 {
		t.Errorf("VerificationToken = %q", aws.ToString(dom.VerificationToken))
	}
	var all []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListIdentities(ctx, &ses.ListIdentitiesInput{MaxItems: aws.Int32(3), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Identities...)
		if token = out.NextToken; token == nil {
			if pages != 1 {
				t.Errorf("listed in %d pages, want 2", pages+1)
			}
			break
		}
	}
	if got := strings.Join(all, ","); got != "a@example.com,b@example.com,C@Example.com,example.org" {
		t.Errorf("identities = %s", got)
	}
	domains, err := c.ListIdentities(ctx, &ses.ListIdentitiesInput{IdentityType: sestypes.IdentityTypeDomain})
	if err != nil || len(domains.Identities) != 1 || domains.Identities[0] != "example.org" {
		t.Errorf("domains = %v, %v", domains, err)
	}
	attrs, err := c.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{"a@example.com", "example.org", "nobody@example.net"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(attrs.VerificationAttributes) != 2 || attrs.VerificationAttributes["a@example.com"].VerificationStatus != sestypes.VerificationStatusSuccess ||
		aws.ToString(attrs.VerificationAttributes["example.org"].VerificationToken) != aws.ToString(dom.VerificationToken) {
		t.Errorf("verification attributes = %+v", attrs.VerificationAttributes)
	}
	for range 2 { // DeleteIdentity is idempotent
		if _, err := c.DeleteIdentity(ctx, &ses.DeleteIdentityInput{Identity: aws.String("b@example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	left, _ := c.ListIdentities(ctx, &ses.ListIdentitiesInput{IdentityType: sestypes.IdentityTypeEmailAddress})
	if strings.Join(left.Identities, ",") != "a@example.com,C@Example.com" {
		t.Errorf("after delete: %v", left.Identities)
	}
	other, _ := v1Client(sb, "100000000001", "us-east-1").ListIdentities(ctx, &ses.ListIdentitiesInput{})
	if len(other.Identities) != 0 {
		t.Errorf("identities leak across regions: %v", other.Identities)
	}
	_, err = c.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("not-an-address")})
	if code, _, _ := apiError(t, err); code != "InvalidParameterValue" {
		t.Errorf("invalid address: %s", code)
	}
}

func TestV1SendEmail(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	const acct = "100000000002"
	c := v1Client(sb, acct, "us-west-2")
	in := &ses.SendEmailInput{
		Source: aws.String("Gatehouse <noreply@mail.example.com>"),
		Destination: &sestypes.Destination{ToAddresses: []string{"alice@corp.example"}, CcAddresses: []string{"bob@corp.example"},
			BccAddresses: []string{"audit@corp.example"}},
		Message: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("ようこそ、アカウントの準備ができました"), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("Sign in at https://example.signin.aws/\nユーザー名: alice")},
				Html: &sestypes.Content{Data: aws.String("<p>Sign in</p>")}},
		},
	}
	_, err := c.SendEmail(ctx, in)
	code, msg, status := apiError(t, err)
	if code != "MessageRejected" || status != 400 || msg != "Email address is not verified. The following identities failed the check in region US-WEST-2: noreply@mail.example.com" {
		t.Errorf("unverified sender: %s %d %q", code, status, msg)
	}
	// Verifying the parent domain verifies its addresses and subdomains.
	if _, err := c.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1Client(sb, acct, "us-east-1").SendEmail(ctx, in); err == nil {
		t.Error("identity verified in us-west-2 let us-east-1 send")
	}
	out, err := c.SendEmail(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, sb, acct)
	if len(msgs) != 1 {
		t.Fatalf("recorded %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ID != aws.ToString(out.MessageId) || m.API != "ses" || m.Action != "SendEmail" || m.Region != "us-west-2" || m.Source != "noreply@mail.example.com" {
		t.Errorf("message = %+v", m)
	}
	if strings.Join(m.Destinations, ",") != "alice@corp.example,bob@corp.example,audit@corp.example" {
		t.Errorf("destinations = %v", m.Destinations)
	}
	checkComposed(t, m, *in.Message.Subject.Data, *in.Message.Body.Text.Data, *in.Message.Body.Html.Data)
}

// checkComposed parses the recorded raw MIME as a mail client would.
func checkComposed(t *testing.T, m state.Message, subject, text, html string) {
	t.Helper()
	parsed, err := mail.ReadMessage(strings.NewReader(m.Raw))
	if err != nil {
		t.Fatalf("raw message does not parse: %v\n%s", err, m.Raw)
	}
	dec := mime.WordDecoder{}
	if got, _ := dec.DecodeHeader(parsed.Header.Get("Subject")); got != subject || m.Subject != subject {
		t.Errorf("subject = %q (recorded %q), want %q", got, m.Subject, subject)
	}
	for _, line := range strings.Split(m.Raw, "\r\n") {
		if len(line) > 998 || strings.ContainsFunc(line, func(r rune) bool { return r > 127 }) {
			t.Errorf("raw line not 7-bit or too long: %q", line)
		}
	}
	if parsed.Header.Get("Bcc") != "" {
		t.Error("Bcc header leaked into the message")
	}
	mediaType, params, _ := mime.ParseMediaType(parsed.Header.Get("Content-Type"))
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q", parsed.Header.Get("Content-Type"))
	}
	parts := map[string]string{}
	mr := multipart.NewReader(parsed.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[mt] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	if parts["text/plain"] != text || parts["text/html"] != html || m.Text != text || m.HTML != html {
		t.Errorf("parts = %q, recorded text %q html %q", parts, m.Text, m.HTML)
	}
}

const rawMessage = "From: =?UTF-8?B?6YCa55+l?= <notify@example.com>\r\n" +
	"To: alice@corp.example\r\n" +
	"Cc: Bob <bob@corp.example>\r\n" +
	"Subject: =?UTF-8?B?44OR44K544Ov44O844OJ?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n\r\n" +
	"44GT44KT44Gr44Gh44Gv\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"<b>hi</b> caf=C3=A9\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: text/plain\r\n" +
	"Content-Disposition: attachment; filename=notes.txt\r\n\r\n" +
	"not the body\r\n" +
	"--outer--\r\n"

func TestV1SendRawEmail(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	const acct = "100000000003"
	c := v1Client(sb, acct, "us-east-1")
	send := func(source string, dests []string, raw string) error {
		in := &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)}, Destinations: dests}
		if source != "" {
			in.Source = aws.String(source)
		}
		_, err := c.SendRawEmail(ctx, in)
		return err
	}
	if code, msg, _ := apiError(t, send("", nil, rawMessage)); code != "MessageRejected" || !strings.HasSuffix(msg, "in region US-EAST-1: notify@example.com") {
		t.Errorf("unverified From: %s %q", code, msg)
	}
	if _, err := c.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("bounce@example.net")}); err != nil {
		t.Fatal(err)
	}
	// A verified Source does not cover an unverified From header.
	if code, msg, _ := apiError(t, send("bounce@example.net", nil, rawMessage)); code != "MessageRejected" || !strings.HasSuffix(msg, ": notify@example.com") {
		t.Errorf("verified Source, unverified From: %s %q", code, msg)
	}
	if _, err := c.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("notify@example.com")}); err != nil {
		t.Fatal(err)
	}
	if err := send("", nil, rawMessage); err != nil {
		t.Fatal(err)
	}
	if err := send("", []string{"only@corp.example"}, rawMessage); err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, sb, acct)
	if len(msgs) != 2 {
		t.Fatalf("recorded %d messages, want 2", len(msgs))
	}
	m := msgs[0]
	if m.Action != "SendRawEmail" || m.Source != "notify@example.com" || strings.Join(m.Destinations, ",") != "alice@corp.example,bob@corp.example" ||
		m.Subject != "パスワード" || m.Text != "こんにちは" || m.HTML != "<b>hi</b> café" || m.Raw != rawMessage {
		t.Errorf("recorded %+v", m)
	}
	if strings.Join(msgs[1].Destinations, ",") != "only@corp.example" {
		t.Errorf("explicit destinations = %v", msgs[1].Destinations)
	}
	noTo := strings.Replace(strings.Replace(rawMessage, "To: alice@corp.example\r\n", "", 1), "Cc: Bob <bob@corp.example>\r\n", "", 1)
	if code, msg, _ := apiError(t, send("", nil, noTo)); code != "InvalidParameterValue" || msg != "Missing required header 'To'." {
		t.Errorf("no recipients: %s %q", code, msg)
	}
	noFrom := strings.SplitN(rawMessage, "\r\n", 2)[1]
	if code, msg, _ := apiError(t, send("", nil, noFrom)); code != "InvalidParameterValue" || msg != "Missing required header 'From'." {
		t.Errorf("no From: %s %q", code, msg)
	}
}

func TestV1SendEmailValidation(t *testing.T) {
	t.Parallel()
	sb := start(t)
	ctx := context.Background()
	c := v1Client(sb, "100000000004", "us-east-1")
	if _, err := c.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("ok@example.com")}); err != nil {
		t.Fatal(err)
	}
	msg := &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}
	many := make([]string, 51)
	for i := range many {
		many[i] = "r" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "@corp.example"
	}
	tests := []struct {
		name, code, message string
		in                  ses.SendEmailInput
	}{
		{"no recipients", "InvalidParameterValue", "Missing required header 'To'.", ses.SendEmailInput{Source: aws.String("ok@example.com"), Destination: &sestypes.Destination{}, Message: msg}},
		{"bad recipient", "InvalidParameterValue", "Missing final '@domain'", ses.SendEmailInput{Source: aws.String("ok@example.com"), Destination: &sestypes.Destination{ToAddresses: []string{"alice"}}, Message: msg}},
		{"too many recipients", "InvalidParameterValue", "Recipient count exceeds 50.", ses.SendEmailInput{Source: aws.String("ok@example.com"), Destination: &sestypes.Destination{ToAddresses: many}, Message: msg}},
		{"configuration set", "ConfigurationSetDoesNotExist", "Configuration set <cs> does not exist.", ses.SendEmailInput{Source: aws.String("ok@example.com"), Destination: &sestypes.Destination{ToAddresses: []string{"a@corp.example"}}, Message: msg, ConfigurationSetName: aws.String("cs")}},
		{"bad tag", "InvalidParameterValue", "Invalid message tag", ses.SendEmailInput{Source: aws.String("ok@example.com"), Destination: &sestypes.Destination{ToAddresses: []string{"a@corp.example"}}, Message: msg, Tags: []sestypes.MessageTag{{Name: aws.String("team name"), Value: aws.String("x")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.SendEmail(ctx, &tt.in)
			if code, m, _ := apiError(t, err); code != tt.code || !strings.HasPrefix(m, tt.message) {
				t.Errorf("error = %s %q, want %s %q", code, m, tt.code, tt.message)
			}
		})
	}
	if n := len(messages(t, sb, "100000000004")); n != 0 {
		t.Errorf("%d rejected messages were recorded", n)
	}
}
