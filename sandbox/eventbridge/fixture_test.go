package eventbridge_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// The example world wires seed 003: CreateUser → rule → topic → queue.
func TestExampleEventsWorld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := sandboxtest.Start(t, sandbox.Options{Fixture: "../../examples/sandbox/events.yaml"})
	cfg := sb.Config("111111111111")
	if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice@example.com")}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	url := sb.URL + "/111111111111/new-users"
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("received %+v, %v", out, err)
	}
	var envelope struct{ Type, TopicArn, Message string }
	var event struct {
		Detail struct{ EventName string } `json:"detail"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &envelope); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(envelope.Message), &event); err != nil || envelope.Type != "Notification" || event.Detail.EventName != "CreateUser" {
		t.Errorf("envelope %+v around %+v (%v)", envelope, event, err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || !strings.Contains(attrs.Attributes["RedrivePolicy"], `"maxReceiveCount":5`) || attrs.Attributes["ReceiveMessageWaitTimeSeconds"] != "20" {
		t.Errorf("queue attributes = %v, %v", attrs, err)
	}
}

// Every reference a fixture makes is checked, each problem on its line.
func TestFixtureProblems(t *testing.T) {
	t.Parallel()
	bad := `accounts:
  "111111111111":
    sqs_queues:
      - name: q
        redrive: {dead_letter_queue: nowhere, max_receive_count: 3}
      - name: "bad name"
    sns_topics:
      - name: t
        subscriptions:
          - queue: missing
    event_rules:
      - name: r
        event_pattern: {source: aws.iam}
      - name: r2
        event_pattern: {source: [x]}
        targets:
          - {queue: q, topic: t}
          - {topic: nope}
`
	path := t.TempDir() + "/bad.yaml"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sandbox.New(sandbox.Options{Fixture: path})
	if err == nil {
		t.Fatal("a fixture with broken references loaded")
	}
	for _, want := range []string{
		"bad.yaml:5: queue q: redrive to nowhere:",
		"bad.yaml:6: queue \"bad name\"",
		"bad.yaml:10: topic t: queue \"missing\" does not exist",
		"bad.yaml:13: rule r: Event pattern is not valid",
		"bad.yaml:17: rule r2: a target names one of queue, topic or arn",
		"bad.yaml:18: rule r2: nope does not exist",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}
