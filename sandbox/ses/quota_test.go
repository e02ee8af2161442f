package ses_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// quotaWorld has an account in the sending sandbox, one with a tight rate and
// one with a tiny daily quota; 100000000001 is left at the defaults.
const quotaWorld = `
accounts:
  "100000000002":
    ses_account: {production_access: false}
    ses_identities:
      us-east-1: [ops@example.com, team.example.org, friend@elsewhere.example]
  "100000000003":
    ses_account: {max_send_rate: 5}
    ses_identities: {us-east-1: [ops@example.com]}
  "100000000004":
    ses_account: {max_send_rate: 100, max_24_hour_send: 3}
    ses_identities: {us-east-1: [ops@example.com]}
`

func startQuota(t *testing.T) *sandboxtest.Sandbox {
	t.Helper()
	sb := start(t)
	sb.LoadFixture(t, quotaWorld)
	return sb
}

// quotaClients are v2 and v1 clients that do not retry, so throttling shows.
func quotaClients(sb *sandboxtest.Sandbox, account string) (*sesv2.Client, *ses.Client) {
	cfg := sb.Config(account)
	cfg.RetryMaxAttempts = 1
	return sesv2.NewFromConfig(cfg), ses.NewFromConfig(cfg)
}

func sendV2(c *sesv2.Client, to ...string) error {
	_, err := c.SendEmail(context.Background(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("ops@example.com"),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("hi")},
			Body: &types.Body{Text: &types.Content{Data: aws.String("body")}}}},
	})
	return err
}

func sendV1(c *ses.Client, to ...string) error {
	_, err := c.SendEmail(context.Background(), &ses.SendEmailInput{
		Source:      aws.String("ops@example.com"),
		Destination: &sestypes.Destination{ToAddresses: to},
		Message: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("hi")},
			Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("body")}}},
	})
	return err
}

func account(t *testing.T, c *sesv2.Client) *sesv2.GetAccountOutput {
	t.Helper()
	out, err := c.GetAccount(context.Background(), &sesv2.GetAccountInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAccountDefaultsAndSandboxQuota(t *testing.T) {
	t.Parallel()
	sb := startQuota(t)
	def, defV1 := quotaClients(sb, "100000000001")
	got := account(t, def)
	if !got.ProductionAccessEnabled || !got.SendingEnabled || aws.ToString(got.EnforcementStatus) != "HEALTHY" ||
		got.SendQuota.MaxSendRate != 1000 || got.SendQuota.Max24HourSend != 1_000_000 || got.SendQuota.SentLast24Hours != 0 {
		t.Errorf("default account = %+v, quota %+v", got, got.SendQuota)
	}
	sandboxed, sandboxedV1 := quotaClients(sb, "100000000002")
	got = account(t, sandboxed)
	if got.ProductionAccessEnabled || got.SendQuota.MaxSendRate != 1 || got.SendQuota.Max24HourSend != 200 {
		t.Errorf("account in the sending sandbox = %+v, quota %+v", got, got.SendQuota)
	}
	q, err := sandboxedV1.GetSendQuota(context.Background(), &ses.GetSendQuotaInput{})
	if err != nil || q.MaxSendRate != 1 || q.Max24HourSend != 200 || q.SentLast24Hours != 0 {
		t.Errorf("GetSendQuota = %+v, %v", q, err)
	}
	if q, err := defV1.GetSendQuota(context.Background(), &ses.GetSendQuotaInput{}); err != nil || q.MaxSendRate != 1000 {
		t.Errorf("default GetSendQuota = %+v, %v", q, err)
	}
}

func TestSendingSandboxRequiresVerifiedRecipients(t *testing.T) {
	t.Parallel()
	sb := startQuota(t)
	v2c, v1c := quotaClients(sb, "100000000002")
	err := sendV2(v2c, "friend@elsewhere.example", "stranger@corp.example", "x@team.example.org")
	code, msg, status := apiError(t, err)
	if code != "MessageRejected" || status != 400 ||
		msg != "Email address is not verified. The following identities failed the check in region US-EAST-1: stranger@corp.example" {
		t.Errorf("v2 to an unverified recipient: %s %d %q", code, status, msg)
	}
	if code, msg, _ := apiError(t, sendV1(v1c, "a@unknown.example", "b@unknown.example")); code != "MessageRejected" || !strings.HasSuffix(msg, ": a@unknown.example, b@unknown.example") {
		t.Errorf("v1 to unverified recipients: %s %q", code, msg)
	}
	_, err = v1c.SendRawEmail(context.Background(), &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{
		Data: []byte("From: ops@example.com\r\nTo: friend@elsewhere.example\r\nBcc: hidden@corp.example\r\nSubject: s\r\n\r\nbody\r\n")}})
	if code, msg, _ := apiError(t, err); code != "MessageRejected" || !strings.HasSuffix(msg, ": hidden@corp.example") {
		t.Errorf("raw to an unverified Bcc: %s %q", code, msg)
	}
	if err := sendV2(v2c, "success@simulator.amazonses.com"); err != nil {
		t.Errorf("the mailbox simulator needs no verification: %v", err)
	}
	if err := sendV2(v2c, "ignored@team.example.org"); err == nil {
		t.Error("a second message within the second went through at the sandbox's rate of 1")
	}
	if len(messages(t, sb, "100000000002")) != 1 {
		t.Error("rejected messages were recorded as sent")
	}
	// Production access lifts the recipient check and the sandbox's quota.
	var view map[string]any
	sb.Post(t, "ses/account", map[string]any{"account": "100000000002", "production_access": true}, &view)
	if view["production_access"] != true || view["max_send_rate"] != 1000.0 {
		t.Errorf("after granting production access: %v", view)
	}
	if err := sendV2(v2c, "stranger@corp.example"); err != nil {
		t.Errorf("with production access: %v", err)
	}
}

func TestMaximumSendRate(t *testing.T) {
	t.Parallel()
	sb := startQuota(t)
	v2c, v1c := quotaClients(sb, "100000000003")
	sb.Post(t, "clock", map[string]bool{"freeze": true}, nil) // one second lasts as long as the test needs
	// The rate counts recipients: five in one message fill the second.
	if err := sendV2(v2c, "a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example"); err != nil {
		t.Fatal(err)
	}
	code, msg, status := apiError(t, sendV2(v2c, "f@x.example"))
	if code != "TooManyRequestsException" || status != http.StatusTooManyRequests || msg != "Maximum sending rate exceeded." {
		t.Errorf("v2 over the rate: %s %d %q", code, status, msg)
	}
	code, msg, status = apiError(t, sendV1(v1c, "f@x.example"))
	if code != "Throttling" || status != http.StatusBadRequest || msg != "Maximum sending rate exceeded." {
		t.Errorf("v1 over the rate: %s %d %q", code, status, msg)
	}
	sb.Post(t, "clock", map[string]string{"advance": "1s"}, nil)
	if err := sendV1(v1c, "f@x.example"); err != nil {
		t.Errorf("a second later: %v", err)
	}
	// A message to more recipients than the rate goes as the second's first.
	sb.Post(t, "clock", map[string]string{"advance": "1s"}, nil)
	if err := sendV2(v2c, "a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example", "f@x.example"); err != nil {
		t.Errorf("six recipients at a rate of five, alone in their second: %v", err)
	}
	if code, _, _ := apiError(t, sendV2(v2c, "g@x.example")); code != "TooManyRequestsException" {
		t.Errorf("after six recipients: %s", code)
	}
	if got := account(t, v2c).SendQuota.SentLast24Hours; got != 12 {
		t.Errorf("SentLast24Hours = %v, want 12 recipients", got)
	}
}

func TestDailyQuota(t *testing.T) {
	t.Parallel()
	sb := startQuota(t)
	v2c, v1c := quotaClients(sb, "100000000004")
	if err := sendV2(v2c, "a@x.example", "b@x.example"); err != nil {
		t.Fatal(err)
	}
	code, msg, status := apiError(t, sendV2(v2c, "c@x.example", "d@x.example"))
	if code != "LimitExceededException" || status != http.StatusBadRequest || msg != "Daily message quota exceeded." {
		t.Errorf("v2 over the daily quota: %s %d %q", code, status, msg)
	}
	if err := sendV1(v1c, "c@x.example"); err != nil {
		t.Errorf("the third recipient of the day: %v", err)
	}
	code, msg, _ = apiError(t, sendV1(v1c, "d@x.example"))
	if code != "Throttling" || msg != "Daily message quota exceeded." {
		t.Errorf("v1 over the daily quota: %s %q", code, msg)
	}
	sb.Post(t, "clock", map[string]string{"advance": "24h1m"}, nil)
	if got := account(t, v2c).SendQuota.SentLast24Hours; got != 0 {
		t.Errorf("a day later SentLast24Hours = %v", got)
	}
	if err := sendV2(v2c, "d@x.example"); err != nil {
		t.Errorf("a day later: %v", err)
	}
	// Another region has its own quota.
	cfg := sb.Config("100000000004")
	cfg.Region = "eu-west-1"
	if got, err := sesv2.NewFromConfig(cfg).GetAccount(context.Background(), &sesv2.GetAccountInput{}); err != nil || got.SendQuota.SentLast24Hours != 0 {
		t.Errorf("eu-west-1 = %+v, %v", got, err)
	}
}

func TestSendingSettingsAreChecked(t *testing.T) {
	t.Parallel()
	sb := startQuota(t)
	for _, body := range []map[string]any{{"max_send_rate": 0}, {"max_24_hour_send": -2}, {"account": "12"}, {"max_send_rate": "fast"}, {"production": true}} {
		sb.Inspect(t, http.MethodPost, "ses/account", body, http.StatusBadRequest, nil)
	}
	for _, fixture := range []string{
		`{accounts: {"100000000009": {ses_account: {max_send_rate: 0.5}}}}`,
		`{accounts: {"100000000002": {ses_account: {max_send_rate: 2}}}}`,
		`{accounts: {"100000000009": {ses_account: {production: false}}}}`,
	} {
		sb.Inspect(t, http.MethodPost, "fixture", []byte(fixture), http.StatusBadRequest, nil)
	}
}

func TestExampleWorldHasAnAccountInTheSendingSandbox(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{Fixture: "../../examples/sandbox/world.yaml"})
	dev, _ := quotaClients(sb, "333333333333")
	if got := account(t, dev); got.ProductionAccessEnabled || got.SendQuota.Max24HourSend != 200 {
		t.Errorf("development account = %+v", got)
	}
	mgmt, _ := quotaClients(sb, "111111111111")
	if got := account(t, mgmt); !got.ProductionAccessEnabled {
		t.Errorf("management account = %+v", got)
	}
	code, _, _ := apiError(t, sendV2(dev, "someone@corp.example"))
	if code != "MessageRejected" {
		t.Errorf("development account to an unverified recipient: %s", code)
	}
}
