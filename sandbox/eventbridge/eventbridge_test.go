package eventbridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

type world struct {
	events *eventbridge.Client
	queues *sqs.Client
	topics *sns.Client
	sb     *sandboxtest.Sandbox
}

func start(t *testing.T) world {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	cfg := sb.Config("111111111111")
	return world{eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg), sb}
}

func (w world) queue(t *testing.T, name string) string {
	t.Helper()
	out, err := w.queues.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

func (w world) bodies(t *testing.T, url string) []string {
	t.Helper()
	out, err := w.queues.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	return bodies
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := start(t)
	put, err := w.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("new-users"), EventPattern: aws.String(`{"source":["app"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.RuleArn) != "arn:aws:events:us-east-1:111111111111:rule/new-users" {
		t.Errorf("rule ARN = %s", aws.ToString(put.RuleArn))
	}
	if _, err := w.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"app"}`)}); code(err) != "InvalidEventPatternException" {
		t.Errorf("bad pattern: %v", err)
	}
	got, err := w.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("new-users")})
	if err != nil || got.State != ebtypes.RuleStateEnabled || aws.ToString(got.EventBusName) != "default" || aws.ToString(got.EventPattern) != `{"source":["app"]}` {
		t.Errorf("described = %+v, %v", got, err)
	}
	if _, err := w.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("missing rule: %v", err)
	}
	for _, name := range []string{"a-1", "a-2", "a-3"} {
		if _, err := w.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 hour)")}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for token := (*string)(nil); ; {
		out, err := w.events.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("a-"), Limit: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(names) != 3 || names[2] != "a-3" {
		t.Errorf("listed %v", names)
	}
	if _, err := w.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("new-users"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:111111111111:q")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("new-users")}); code(err) != "ValidationException" {
		t.Errorf("delete with targets: %v", err)
	}
	targets, err := w.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("new-users")})
	if err != nil || len(targets.Targets) != 1 {
		t.Fatalf("targets = %+v, %v", targets, err)
	}
	if _, err := w.events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("new-users"), Ids: []string{"q"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("new-users")}); err != nil {
		t.Errorf("delete without targets: %v", err)
	}
}

func TestPutEventsReachesTargets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := start(t)
	direct, viaTopic, pathOnly := w.queue(t, "direct"), w.queue(t, "via-topic"), w.queue(t, "path-only")
	topic, err := w.topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("fanout")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:111111111111:via-topic"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orders"),
		EventPattern: aws.String(`{"source":["shop"],"detail":{"total":[{"numeric":[">=",100]}]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("queue"), Arn: aws.String("arn:aws:sqs:us-east-1:111111111111:direct")},
		{Id: aws.String("topic"), Arn: topic.TopicArn},
		{Id: aws.String("path"), Arn: aws.String("arn:aws:sqs:us-east-1:111111111111:path-only"), InputPath: aws.String("$.detail.customer")},
	}}); err != nil {
		t.Fatal(err)
	}
	out, err := w.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(`{"total":150,"customer":"ann"}`)},
		{Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(`{"total":5,"customer":"bob"}`)},
		{Source: aws.String("aws.iam"), DetailType: aws.String("x"), Detail: aws.String(`{}`)},
		{Source: aws.String("shop"), DetailType: aws.String("x"), Detail: aws.String(`not json`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 2 || aws.ToString(out.Entries[2].ErrorCode) != "NotAuthorizedForSourceException" || aws.ToString(out.Entries[3].ErrorCode) != "MalformedDetail" {
		t.Errorf("PutEvents = %+v", out.Entries)
	}
	got := w.bodies(t, direct)
	if len(got) != 1 {
		t.Fatalf("direct queue got %v", got)
	}
	var event map[string]any
	if err := json.Unmarshal([]byte(got[0]), &event); err != nil {
		t.Fatal(err)
	}
	if event["id"] != aws.ToString(out.Entries[0].EventId) || event["source"] != "shop" || event["detail-type"] != "order" ||
		event["account"] != "111111111111" || event["region"] != "us-east-1" || event["version"] != "0" {
		t.Errorf("delivered event = %v", event)
	}
	if viaSNS := w.bodies(t, viaTopic); len(viaSNS) != 1 || viaSNS[0] != got[0] {
		t.Errorf("through SNS (raw): %v", viaSNS)
	}
	if path := w.bodies(t, pathOnly); len(path) != 1 || path[0] != `"ann"` {
		t.Errorf("InputPath delivery: %v", path)
	}
	var recent struct {
		Events []struct {
			Rules []string `json:"rules"`
		} `json:"events"`
	}
	w.sb.Get(t, "events?account=111111111111", &recent)
	if len(recent.Events) != 2 || len(recent.Events[0].Rules) != 1 || len(recent.Events[1].Rules) != 0 {
		t.Errorf("/_sandbox/events = %+v", recent)
	}
}
