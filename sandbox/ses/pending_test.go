package ses_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// An identity whose verification is pending (ses_pending_identities) is
// what SES reports after CreateEmailIdentity until the link is followed:
// listed and readable as PENDING, not verified for sending, and refused as a
// sender. Listing it beside a verified one of the same name is an error.
func TestPendingIdentities(t *testing.T) {
	t.Parallel()
	sb := start(t)
	sb.LoadFixture(t, `
accounts:
  "100000000020":
    ses_identities: {us-east-1: [ops@example.com]}
    ses_pending_identities: {us-east-1: [new@example.com, pending.example.org]}
`)
	ctx := context.Background()
	c := sesv2.NewFromConfig(sb.Config("100000000020"))
	for _, id := range []string{"new@example.com", "pending.example.org"} {
		got, err := c.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got.VerifiedForSendingStatus || got.VerificationStatus != types.VerificationStatusPending {
			t.Errorf("%s: VerifiedForSendingStatus %v, VerificationStatus %s; want false, PENDING", id, got.VerifiedForSendingStatus, got.VerificationStatus)
		}
	}
	list, err := c.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]types.VerificationStatus{}
	for _, id := range list.EmailIdentities {
		status[aws.ToString(id.IdentityName)] = id.VerificationStatus
	}
	if status["ops@example.com"] != types.VerificationStatusSuccess || status["new@example.com"] != types.VerificationStatusPending {
		t.Errorf("listed: %v", status)
	}
	_, err = c.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("new@example.com"),
		Destination: &types.Destination{ToAddresses: []string{"ops@example.com"}},
		Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("hi")},
			Body: &types.Body{Text: &types.Content{Data: aws.String("body")}}}}})
	if code, msg, st := apiError(t, err); code != "MessageRejected" || st != http.StatusBadRequest || !strings.Contains(msg, "new@example.com") {
		t.Errorf("sending from a pending identity: %s %d %q", code, st, msg)
	}

	resp, err := http.Post(sb.URL+"/_sandbox/fixture", "application/yaml", strings.NewReader(
		"accounts:\n  \"100000000021\":\n    ses_identities: {us-east-1: [a@example.com]}\n    ses_pending_identities: {us-east-1: [A@example.com]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Error("an identity both verified and pending was accepted")
	}
}
