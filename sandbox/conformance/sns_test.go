package conformance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSNSTopicsAndSubscriptions(t *testing.T) {
	cli := newCLI(t)
	arn := str(cli.Run("sns", "create-topic", "--name", "users", "--tags", "Key=team,Value=platform"), "TopicArn")
	if arn != "arn:aws:sns:us-east-1:"+cli.Account+":users" {
		t.Errorf("TopicArn = %s", arn)
	}
	if again := str(cli.Run("sns", "create-topic", "--name", "users"), "TopicArn"); again != arn {
		t.Errorf("idempotent create-topic = %s", again)
	}
	cli.Run("sns", "create-topic", "--name", "other")
	if topics := cli.Run("sns", "list-topics"); length(topics, "Topics") != 2 || str(topics, "Topics", 1, "TopicArn") != arn {
		t.Errorf("list-topics = %v", topics)
	}
	cli.queue("inbox")
	queueARN := "arn:aws:sqs:us-east-1:" + cli.Account + ":inbox"
	sub := str(cli.Run("sns", "subscribe", "--topic-arn", arn, "--protocol", "sqs", "--notification-endpoint", queueARN), "SubscriptionArn")
	if !strings.HasPrefix(sub, arn+":") {
		t.Errorf("SubscriptionArn = %s", sub)
	}
	cli.Fail("InvalidParameter", "sns", "subscribe", "--topic-arn", arn, "--protocol", "email", "--notification-endpoint", "a@example.com")
	cli.Fail("NotFound", "sns", "subscribe", "--topic-arn", arn+"-gone", "--protocol", "sqs", "--notification-endpoint", queueARN)
	subs := cli.Run("sns", "list-subscriptions-by-topic", "--topic-arn", arn)
	if length(subs, "Subscriptions") != 1 || str(subs, "Subscriptions", 0, "Endpoint") != queueARN || str(subs, "Subscriptions", 0, "Protocol") != "sqs" {
		t.Errorf("list-subscriptions-by-topic = %v", subs)
	}
	attrs := cli.Run("sns", "get-subscription-attributes", "--subscription-arn", sub)
	if str(attrs, "Attributes", "RawMessageDelivery") != "false" || str(attrs, "Attributes", "PendingConfirmation") != "false" || str(attrs, "Attributes", "TopicArn") != arn {
		t.Errorf("get-subscription-attributes = %v", attrs)
	}
	cli.Run("sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name", "RawMessageDelivery", "--attribute-value", "true")
	if got := cli.Run("sns", "get-subscription-attributes", "--subscription-arn", sub); str(got, "Attributes", "RawMessageDelivery") != "true" {
		t.Errorf("after set-subscription-attributes: %v", got)
	}
	cli.Fail("InvalidParameter", "sns", "set-subscription-attributes", "--subscription-arn", sub, "--attribute-name", "FilterPolicy", "--attribute-value", "{}")
	cli.Run("sns", "unsubscribe", "--subscription-arn", sub)
	if left := cli.Run("sns", "list-subscriptions-by-topic", "--topic-arn", arn); length(left, "Subscriptions") != 0 {
		t.Errorf("after unsubscribe: %v", left)
	}
	cli.Fail("NotFound", "sns", "unsubscribe", "--subscription-arn", sub)
	cli.Run("sns", "delete-topic", "--topic-arn", arn)
	cli.Run("sns", "delete-topic", "--topic-arn", arn)
	cli.Fail("NotFound", "sns", "publish", "--topic-arn", arn, "--message", "gone")
}

func TestSNSPublishToQueues(t *testing.T) {
	cli := newCLI(t)
	arn := str(cli.Run("sns", "create-topic", "--name", "news"), "TopicArn")
	enveloped, raw := cli.queue("enveloped"), cli.queue("raw")
	prefix := "arn:aws:sqs:us-east-1:" + cli.Account + ":"
	sub := str(cli.Run("sns", "subscribe", "--topic-arn", arn, "--protocol", "sqs", "--notification-endpoint", prefix+"enveloped"), "SubscriptionArn")
	cli.Run("sns", "subscribe", "--topic-arn", arn, "--protocol", "sqs", "--notification-endpoint", prefix+"raw", "--attributes", "RawMessageDelivery=true")
	id := str(cli.Run("sns", "publish", "--topic-arn", arn, "--subject", "Hello", "--message", `{"user":"alice"}`,
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"user"}}`), "MessageId")
	cli.Fail("InvalidParameter", "sns", "publish", "--topic-arn", arn, "--message", "x", "--subject", "line\nbreak")
	got := cli.receive(enveloped)
	if len(got) != 1 {
		t.Fatalf("enveloped queue got %v", got)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(str(got[0], "Body")), &env); err != nil {
		t.Fatal(err)
	}
	if env["Type"] != "Notification" || env["MessageId"] != id || env["TopicArn"] != arn || env["Subject"] != "Hello" || env["Message"] != `{"user":"alice"}` ||
		env["SignatureVersion"] != "1" || env["Signature"] == "" || !strings.HasPrefix(str(env, "SigningCertURL"), "https://sns.us-east-1.amazonaws.com/") ||
		!strings.HasSuffix(str(env, "UnsubscribeURL"), "SubscriptionArn="+sub) || str(env, "MessageAttributes", "kind", "Value") != "user" {
		t.Errorf("envelope = %v", env)
	}
	if _, err := timeOf(str(env, "Timestamp")); err != nil {
		t.Errorf("Timestamp: %v", err)
	}
	rawGot := cli.receive(raw, "--message-attribute-names", "All")
	if len(rawGot) != 1 || str(rawGot[0], "Body") != `{"user":"alice"}` || str(rawGot[0], "MessageAttributes", "kind", "StringValue") != "user" {
		t.Errorf("raw delivery = %v", rawGot)
	}
}

// timeOf parses SNS's and CloudTrail's timestamps.
func timeOf(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}
