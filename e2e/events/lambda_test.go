package events_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The binary runs as a Lambda function when AWS_LAMBDA_RUNTIME_API is set:
// driven through the Runtime API protocol with payloads shaped like AWS's,
// it answers an SQS batch with exactly the failed messages in
// batchItemFailures, and SNS or EventBridge invocations with an error only
// when completing failed; a redelivered event sends no second mail.
func TestLambdaHandler(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	api := startRuntimeAPI(t)
	e.createUser(t, "ada@example.com", "/engineering/")
	e.createUser(t, "bob@example.com", "/")
	if _, err := e.iam.CreateLoginProfile(context.Background(), &iam.CreateLoginProfileInput{UserName: aws.String("bob@example.com"),
		Password: aws.String("Hand-Made-Password-1!")}); err != nil {
		t.Fatal(err)
	}
	e.createUser(t, "carl@example.com", "/broken/")
	e.createUser(t, "dan@example.com", "/")

	fn := e.gatehouse(t, "AWS_LAMBDA_RUNTIME_API="+api.addr(), "AWS_LAMBDA_LOG_STREAM_NAME=test").Start(t)
	t.Cleanup(func() { fn.Kill() })

	sqsRecord := func(id string, body string) map[string]any {
		return map[string]any{"messageId": id, "receiptHandle": "rh-" + id, "body": body, "eventSource": "aws:sqs",
			"eventSourceARN": "arn:aws:sqs:us-east-1:111111111111:iam-users", "awsRegion": "us-east-1",
			"attributes": map[string]string{"ApproximateReceiveCount": "1"}, "messageAttributes": map[string]any{}}
	}
	snsEnvelope := func(message string) string {
		return mustJSON(t, map[string]string{"Type": "Notification", "MessageId": "n-1", "TopicArn": "arn:aws:sns:us-east-1:111111111111:iam-users",
			"Message": message, "Timestamp": "2026-12-05T10:00:01.000Z"})
	}
	batch := map[string]any{"Records": []any{
		sqsRecord("m1", snsEnvelope(mustJSON(t, record("ev-ada", "ada@example.com", "/engineering/")))),
		sqsRecord("m2", mustJSON(t, record("ev-bob", "bob@example.com", "/"))),
		sqsRecord("m3", mustJSON(t, record("ev-carl", "carl@example.com", "/broken/"))),
	}}
	got := api.invoke(t, "inv-1", batch)
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal([]byte(got.body), &resp); err != nil || !got.ok || len(resp.BatchItemFailures) != 1 ||
		resp.BatchItemFailures[0].ItemIdentifier != "m3" {
		t.Fatalf("SQS batch: ok %v, %s; want only m3 failed", got.ok, got.body)
	}

	sns := map[string]any{"Records": []any{map[string]any{"EventSource": "aws:sns", "EventVersion": "1.0",
		"EventSubscriptionArn": "arn:aws:sns:us-east-1:111111111111:iam-users:sub",
		"Sns": map[string]any{"Type": "Notification", "MessageId": "n-2", "TopicArn": "arn:aws:sns:us-east-1:111111111111:iam-users",
			"Message": mustJSON(t, record("ev-ada", "ada@example.com", "/engineering/")), "Timestamp": "2026-12-05T10:00:02.000Z"}}}}
	if got := api.invoke(t, "inv-2", sns); !got.ok {
		t.Errorf("a redelivered event through SNS: %s", got.body)
	}
	if got := api.invoke(t, "inv-3", record("ev-dan", "dan@example.com", "/")); !got.ok {
		t.Errorf("an EventBridge event delivered directly: %s", got.body)
	}
	if got := api.invoke(t, "inv-4", record("ev-carl-2", "carl@example.com", "/broken/")); got.ok || !strings.Contains(got.body, "no-such-group") {
		t.Errorf("a failing EventBridge event: ok %v, %s; want an error naming the missing group", got.ok, got.body)
	}
	for address, want := range map[string]int{"ada@example.com": 1, "bob@example.com": 0, "carl@example.com": 0, "dan@example.com": 1} {
		if n := e.mailTo(t, address); n != want {
			t.Errorf("%s got %d mails, want %d", address, n, want)
		}
	}
}
