package differential

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

const (
	// SES SendEmail (v1): "The message must be sent from a verified email address
	// or domain." Otherwise MessageRejected, HTTP 400.
	refSESSendEmail = "https://docs.aws.amazon.com/ses/latest/APIReference/API_SendEmail.html"
	// SES SendRawEmail (v1): the same rule for the Source and the From header.
	refSESSendRawEmail = "https://docs.aws.amazon.com/ses/latest/APIReference/API_SendRawEmail.html"
	// SESv2 SendEmail: MessageRejected, HTTP 400, for an unverified sender.
	refSESv2SendEmail = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html"
)

func TestSESRejectsAnUnverifiedSender(t *testing.T) {
	scenario(t, "Sending mail from an address that was never verified", func(r *run) {
		from, to := "onboarding@unverified.example.com", "new.starter@example.com"
		_, err := r.SES.SendEmail(r.ctx, &ses.SendEmailInput{
			Source:      aws.String(from),
			Destination: &sestypes.Destination{ToAddresses: []string{to}},
			Message: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String("Welcome")},
				Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("Your account is ready.")}},
			},
		})
		rejected := "MessageRejected (HTTP 400): the sender is not a verified identity"
		r.wantError("SES v1 SendEmail from an unverified address", awsDoc{says: rejected, ref: refSESSendEmail}, err, "MessageRejected")
		raw := "From: " + from + "\r\nTo: " + to + "\r\nSubject: Welcome\r\n\r\nYour account is ready.\r\n"
		_, err = r.SES.SendRawEmail(r.ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)}})
		r.wantError("SES v1 SendRawEmail from an unverified address", awsDoc{says: rejected, ref: refSESSendRawEmail}, err, "MessageRejected")
		_, err = r.SESv2.SendEmail(r.ctx, &sesv2.SendEmailInput{
			FromEmailAddress: aws.String(from),
			Destination:      &sesv2types.Destination{ToAddresses: []string{to}},
			Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{
				Subject: &sesv2types.Content{Data: aws.String("Welcome")},
				Body:    &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("Your account is ready.")}},
			}},
		})
		r.wantError("SES v2 SendEmail from an unverified address", awsDoc{says: rejected, ref: refSESv2SendEmail}, err, "MessageRejected")
	})
}
