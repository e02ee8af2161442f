package ses_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func v2Client(t *testing.T, account string) (*sesv2.Client, *ses.Client) {
	t.Helper()
	sb := start(t)
	return sesv2.NewFromConfig(sb.Config(account)), ses.NewFromConfig(sb.Config(account))
}

func TestV2Identities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, v1c := v2Client(t, "100000000010")
	created, err := c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("sender@example.com"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	if err != nil {
		t.Fatal(err)
	}
	if created.IdentityType != types.IdentityTypeEmailAddress || !created.VerifiedForSendingStatus {
		t.Errorf("created = %+v", created)
	}
	dom, err := c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("example.org")})
	if err != nil {
		t.Fatal(err)
	}
	if dom.IdentityType != types.IdentityTypeDomain || len(dom.DkimAttributes.Tokens) != 3 || !dom.DkimAttributes.SigningEnabled {
		t.Errorf("domain = %+v", dom.DkimAttributes)
	}
	_, err = c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("SENDER@example.com")})
	if code, _, status := apiError(t, err); code != "AlreadyExistsException" || status != 400 {
		t.Errorf("duplicate: %s %d", code, status)
	}
	got, err := c.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("sender@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if got.VerificationStatus != types.VerificationStatusSuccess || !got.VerifiedForSendingStatus || got.IdentityType != types.IdentityTypeEmailAddress {
		t.Errorf("get = %+v", got)
	}
	_, err = c.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("nobody@example.com")})
	if code, _, status := apiError(t, err); code != "NotFoundException" || status != 404 {
		t.Errorf("missing: %s %d", code, status)
	}
	// v1 and v2 share identities.
	if _, err := v1c.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("v1@example.com")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	var token *string
	for pages := 1; ; pages++ {
		out, err := c.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range out.EmailIdentities {
			names = append(names, aws.ToString(id.IdentityName)+"="+string(id.IdentityType)+"/"+string(id.VerificationStatus))
		}
		if token = out.NextToken; token == nil {
			if pages != 2 {
				t.Errorf("%d pages, want 2", pages)
			}
			break
		}
	}
	if strings.Join(names, ",") != "example.org=DOMAIN/SUCCESS,sender@example.com=EMAIL_ADDRESS/SUCCESS,v1@example.com=EMAIL_ADDRESS/SUCCESS" {
		t.Errorf("listed %v", names)
	}
	filtered, err := c.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{Filter: map[string]string{"IDENTITY_TYPE": "EMAIL_ADDRESS", "IDENTITY_NAME_CONTAINS": "SENDER"}})
	if err != nil || len(filtered.EmailIdentities) != 1 || aws.ToString(filtered.EmailIdentities[0].IdentityName) != "sender@example.com" {
		t.Errorf("filtered list = %+v, %v", filtered, err)
	}
	if _, err := c.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("v1@example.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("v1@example.com")})
	if code, _, status := apiError(t, err); code != "NotFoundException" || status != 404 {
		t.Errorf("second delete: %s %d", code, status)
	}
	left, _ := v1c.ListIdentities(ctx, &ses.ListIdentitiesInput{})
	if strings.Join(left.Identities, ",") != "example.org,sender@example.com" {
		t.Errorf("v1 sees %v after v2 delete", left.Identities)
	}
	_, err = c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("bad domain")})
	if code, _, _ := apiError(t, err); code != "BadRequestException" {
		t.Errorf("invalid identity: %s", code)
	}
}

func TestV2SendEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := start(t)
	const acct = "100000000011"
	c := sesv2.NewFromConfig(sb.Config(acct))
	simple := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("Ops <ops@example.com>"),
		Destination:      &types.Destination{ToAddresses: []string{"new.hire@corp.example"}, BccAddresses: []string{"hr@corp.example"}},
		ReplyToAddresses: []string{"help@example.com"},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("Your AWS account — 日本語の件名もそのまま届きます")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String("user: new.hire")}},
			Headers: []types.MessageHeader{{Name: aws.String("X-Gatehouse-Run"), Value: aws.String("42")}},
		}},
	}
	_, err := c.SendEmail(ctx, simple)
	if code, msg, status := apiError(t, err); code != "MessageRejected" || status != 400 ||
		msg != "Email address is not verified. The following identities failed the check in region US-EAST-1: ops@example.com" {
		t.Errorf("unverified: %s %d %q", code, status, msg)
	}
	if _, err := c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("ops@example.com")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.SendEmail(ctx, simple)
	if err != nil {
		t.Fatal(err)
	}
	raw := &sesv2.SendEmailInput{Content: &types.EmailContent{Raw: &types.RawMessage{Data: []byte(rawMessage)}}}
	_, err = c.SendEmail(ctx, raw)
	if code, msg, _ := apiError(t, err); code != "MessageRejected" || !strings.HasSuffix(msg, ": notify@example.com") {
		t.Errorf("raw From notify@example.com with only ops@example.com verified: %s %q", code, msg)
	}
	// Verifying example.com covers its subdomains too.
	if _, err := c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	raw.Content.Raw.Data = []byte(strings.Replace(rawMessage, "notify@example.com", "notify@mail.example.com", 1))
	if _, err := c.SendEmail(ctx, raw); err != nil {
		t.Fatal(err)
	}
	msgs := messages(t, sb, acct)
	if len(msgs) != 2 {
		t.Fatalf("recorded %d messages, want 2", len(msgs))
	}
	m := msgs[0]
	if m.ID != aws.ToString(out.MessageId) || m.API != "sesv2" || m.Action != "SendEmail" || m.Source != "ops@example.com" ||
		strings.Join(m.Destinations, ",") != "new.hire@corp.example,hr@corp.example" || !strings.Contains(m.Raw, "\r\nX-Gatehouse-Run: 42\r\n") ||
		!strings.Contains(m.Raw, "\r\nReply-To: <help@example.com>\r\n") {
		t.Errorf("simple message = %+v", m)
	}
	checkComposed(t, m, *simple.Content.Simple.Subject.Data, "user: new.hire", "")
	if msgs[1].Subject != "パスワード" || msgs[1].Source != "notify@mail.example.com" || msgs[1].API != "sesv2" {
		t.Errorf("raw message = %+v", msgs[1])
	}
}

func TestV2SendEmailValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := v2Client(t, "100000000012")
	if _, err := c.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("ok@example.com")}); err != nil {
		t.Fatal(err)
	}
	body := &types.Body{Text: &types.Content{Data: aws.String("b")}}
	to := &types.Destination{ToAddresses: []string{"a@corp.example"}}
	tests := []struct {
		name, code string
		in         sesv2.SendEmailInput
	}{
		{"no content", "BadRequestException", sesv2.SendEmailInput{FromEmailAddress: aws.String("ok@example.com"), Destination: to, Content: &types.EmailContent{}}},
		{"template", "BadRequestException", sesv2.SendEmailInput{FromEmailAddress: aws.String("ok@example.com"), Destination: to, Content: &types.EmailContent{Template: &types.Template{TemplateName: aws.String("t")}}}},
		{"simple without from", "BadRequestException", sesv2.SendEmailInput{Destination: to, Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: body}}}},
		{"no recipients", "BadRequestException", sesv2.SendEmailInput{FromEmailAddress: aws.String("ok@example.com"), Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: body}}}},
		{"configuration set", "NotFoundException", sesv2.SendEmailInput{FromEmailAddress: aws.String("ok@example.com"), Destination: to, ConfigurationSetName: aws.String("cs"), Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: body}}}},
		{"bad header", "BadRequestException", sesv2.SendEmailInput{FromEmailAddress: aws.String("ok@example.com"), Destination: to, Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: body, Headers: []types.MessageHeader{{Name: aws.String("Bad:Name"), Value: aws.String("v")}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.SendEmail(ctx, &tt.in)
			if err == nil {
				t.Fatalf("succeeded, want %s", tt.code)
			}
			if code, msg, _ := apiError(t, err); code != tt.code {
				t.Errorf("error = %s %q, want %s", code, msg, tt.code)
			}
		})
	}
}
