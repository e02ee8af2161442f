package ses_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// sendMail sends a raw message, which the endpoint lists like any other.
func sendMail(t *testing.T, sb *sandboxtest.Sandbox, to string) {
	t.Helper()
	raw := "From: noreply@example.com\r\nTo: " + to + "\r\nSubject: hello " + to + "\r\n\r\nhi\r\n"
	_, err := v1Client(sb, "111111111111", "eu-west-1").SendRawEmail(context.Background(),
		&ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)}})
	if err != nil {
		t.Fatalf("sending mail to %s: %v", to, err)
	}
}

func TestInspectMessages(t *testing.T) {
	t.Parallel()
	sb := start(t)
	sb.LoadFixture(t, "accounts:\n  \"111111111111\":\n    ses_identities:\n      eu-west-1: [noreply@example.com]\n")
	sendMail(t, sb, "Alice@Example.com")
	sendMail(t, sb, "bob@example.com")
	var msgs struct{ Messages []state.Message }
	sb.Get(t, "ses/messages?to=alice@example.com", &msgs)
	if len(msgs.Messages) != 1 || msgs.Messages[0].Subject != "hello Alice@Example.com" || msgs.Messages[0].Account != "111111111111" {
		t.Errorf("messages to alice = %+v", msgs.Messages)
	}
	sb.Get(t, "ses/messages?account=222222222222", &msgs)
	if len(msgs.Messages) != 0 {
		t.Errorf("account filter: %d messages for an account that sent none", len(msgs.Messages))
	}
	sb.Delete(t, "ses/messages")
	sb.Get(t, "ses/messages", &msgs)
	if len(msgs.Messages) != 0 {
		t.Errorf("%d messages after DELETE", len(msgs.Messages))
	}
	sb.Inspect(t, http.MethodPut, "ses/messages", nil, http.StatusMethodNotAllowed, nil)
}
