package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

func clients(t *testing.T) (*sns.Client, *sqs.Client) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	cfg := sb.Config("111111111111")
	return sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
}

func queue(t *testing.T, c *sqs.Client, name string) (url, arn string) {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), "arn:aws:sqs:us-east-1:111111111111:" + name
}

func receiveBody(t *testing.T, c *sqs.Client, url string) (string, map[string]string) {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: []string{"All"}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receiving from %s: %v, %d messages", url, err, len(out.Messages))
	}
	attrs := map[string]string{}
	for k, v := range out.Messages[0].MessageAttributes {
		attrs[k] = aws.ToString(v.StringValue)
	}
	return aws.ToString(out.Messages[0].Body), attrs
}

func TestPublishToQueues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, q := clients(t)
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("users")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(topic.TopicArn)
	if arn != "arn:aws:sns:us-east-1:111111111111:users" {
		t.Errorf("topic ARN = %s", arn)
	}
	envURL, envARN := queue(t, q, "enveloped")
	rawURL, rawARN := queue(t, q, "raw")
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(envARN)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(rawARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(`{"user":"alice"}`), Subject: aws.String("created"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("user")}}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := receiveBody(t, q, envURL)
	var env map[string]any
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("envelope %s: %v", body, err)
	}
	if env["Type"] != "Notification" || env["MessageId"] != aws.ToString(pub.MessageId) || env["TopicArn"] != arn || env["Subject"] != "created" ||
		env["Message"] != `{"user":"alice"}` || env["SignatureVersion"] != "1" || env["Signature"] == "" || env["SigningCertURL"] == nil ||
		env["UnsubscribeURL"] != "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="+aws.ToString(sub.SubscriptionArn) {
		t.Errorf("envelope = %v", env)
	}
	if a, _ := env["MessageAttributes"].(map[string]any); a["kind"] == nil {
		t.Errorf("envelope attributes = %v", env["MessageAttributes"])
	}
	if raw, attrs := receiveBody(t, q, rawURL); raw != `{"user":"alice"}` || attrs["kind"] != "user" {
		t.Errorf("raw delivery = %s %v", raw, attrs)
	}
	got, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	if err != nil || got.Attributes["RawMessageDelivery"] != "false" || got.Attributes["Endpoint"] != envARN {
		t.Errorf("attributes = %v, %v", got, err)
	}
	if _, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	if body, _ := receiveBody(t, q, envURL); body != "plain" {
		t.Errorf("after RawMessageDelivery=true: %s", body)
	}
	list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	if err != nil || len(list.Subscriptions) != 2 {
		t.Fatalf("subscriptions = %+v, %v", list, err)
	}
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameter" {
		t.Errorf("email subscription: %v", err)
	}
	if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic.TopicArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("gone")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("publish to a deleted topic: %v", err)
	}
}
