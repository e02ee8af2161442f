package sqs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

func client(t *testing.T, account string) (*sqs.Client, *sandboxtest.Sandbox) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	return sqs.NewFromConfig(sb.Config(account)), sb
}

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("creating queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func send(t *testing.T, c *sqs.Client, url, body string) string {
	t.Helper()
	out, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatalf("sending %q: %v", body, err)
	}
	return aws.ToString(out.MessageId)
}

func receive(t *testing.T, c *sqs.Client, url string, in sqs.ReceiveMessageInput) []types.Message {
	t.Helper()
	in.QueueUrl = aws.String(url)
	out, err := c.ReceiveMessage(context.Background(), &in)
	if err != nil {
		t.Fatalf("receiving: %v", err)
	}
	return out.Messages
}

// errorCode is the API error's code and the HTTP status it came with.
func errorCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	return ae.ErrorCode()
}

func TestQueues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, sb := client(t, "111111111111")
	url := createQueue(t, c, "jobs", map[string]string{"VisibilityTimeout": "45"})
	if url != sb.URL+"/111111111111/jobs" {
		t.Errorf("queue URL = %s", url)
	}
	if again := createQueue(t, c, "jobs", map[string]string{"VisibilityTimeout": "45"}); again != url {
		t.Errorf("idempotent create = %s", again)
	}
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{"VisibilityTimeout": "10"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Errorf("create with other attributes: %v", err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"DelaySeconds": "901"}})
	if code := errorCode(t, err); code != "InvalidAttributeValue" {
		t.Errorf("DelaySeconds 901: %s", code)
	}
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Errorf("GetQueueUrl = %v, %v", got, err)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("GetQueueUrl of a missing queue: %v", err)
	}
	for i := range 3 {
		createQueue(t, c, fmt.Sprintf("page-%d", i), nil)
	}
	var urls []string
	p := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("page-"), MaxResults: aws.Int32(2)})
	for pages := 0; p.HasMorePages(); pages++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, out.QueueUrls...)
	}
	if len(urls) != 3 || urls[0] != sb.URL+"/111111111111/page-0" {
		t.Errorf("listed %v", urls)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["VisibilityTimeout"] != "45" || a["QueueArn"] != "arn:aws:sqs:us-east-1:111111111111:jobs" || a["ApproximateNumberOfMessages"] != "0" || a["MessageRetentionPeriod"] != "345600" {
		t.Errorf("attributes = %v", a)
	}
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	var recently *types.QueueDeletedRecently
	if !errors.As(err, &recently) {
		t.Errorf("re-create at once after delete: %v", err)
	}
	// Another account's queue is not the caller's to use.
	other := sqs.NewFromConfig(sb.Config("222222222222"))
	_, err = other.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(sb.URL + "/111111111111/page-0")})
	if code := errorCode(t, err); code != "AccessDenied" {
		t.Errorf("another account's queue: %s", code)
	}
}

func TestSendReceiveDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := client(t, "111111111111")
	url := createQueue(t, c, "work", map[string]string{"VisibilityTimeout": "0"})
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("greeting")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(sent.MD5OfMessageBody) != "5d41402abc4b2a76b9719d911017c592" || aws.ToString(sent.MD5OfMessageAttributes) == "" {
		t.Errorf("sent = %+v", sent)
	}
	first := receive(t, c, url, sqs.ReceiveMessageInput{MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if len(first) != 1 || aws.ToString(first[0].Body) != "hello" || first[0].Attributes["ApproximateReceiveCount"] != "1" ||
		first[0].Attributes["SenderId"] != "111111111111" || first[0].Attributes["SentTimestamp"] == "" ||
		aws.ToString(first[0].MessageAttributes["kind"].StringValue) != "greeting" ||
		aws.ToString(first[0].MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
		t.Fatalf("first receive = %+v", first)
	}
	second := receive(t, c, url, sqs.ReceiveMessageInput{VisibilityTimeout: 30, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" || aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Fatalf("second receive = %+v", second)
	}
	// The first receipt handle is stale: deleting with it succeeds and deletes nothing.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, url, "ApproximateNumberOfMessagesNotVisible"); n != "1" {
		t.Errorf("in flight after a stale delete = %s", n)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, url, "ApproximateNumberOfMessagesNotVisible"); n != "0" {
		t.Errorf("in flight after delete = %s", n)
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	var invalid *types.ReceiptHandleIsInvalid
	if !errors.As(err, &invalid) {
		t.Errorf("garbage receipt: %v", err)
	}
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	if code := errorCode(t, err); code != "InvalidParameterValue" {
		t.Errorf("MaxNumberOfMessages 11: %s", code)
	}
}

func count(t *testing.T, c *sqs.Client, url, name string) string {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeName(name)}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes[name]
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := client(t, "111111111111")
	url := createQueue(t, c, "vis", map[string]string{"VisibilityTimeout": "1"})
	send(t, c, url, "one")
	got := receive(t, c, url, sqs.ReceiveMessageInput{})
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	if again := receive(t, c, url, sqs.ReceiveMessageInput{}); len(again) != 0 {
		t.Fatalf("received an in-flight message")
	}
	start := time.Now()
	expired := receive(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 5})
	if len(expired) != 1 || time.Since(start) > 2*time.Second {
		t.Fatalf("after the visibility timeout: %d messages in %v", len(expired), time.Since(start))
	}
	handle := expired[0].ReceiptHandle
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: handle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: handle, VisibilityTimeout: 30})
	var notInflight *types.MessageNotInflight
	if !errors.As(err, &notInflight) {
		t.Errorf("changing a visible message: %v", err)
	}
	if now := receive(t, c, url, sqs.ReceiveMessageInput{}); len(now) != 1 {
		t.Errorf("visibility 0 did not make the message visible")
	}
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := client(t, "111111111111")
	dlq := createQueue(t, c, "dead", nil)
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("src"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:nope","maxReceiveCount":"2"}`}})
	if code := errorCode(t, err); code != "InvalidParameterValue" {
		t.Errorf("redrive to a missing queue: %s", code)
	}
	src := createQueue(t, c, "src", map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:dead","maxReceiveCount":"2"}`})
	if p := count(t, c, src, "RedrivePolicy"); p != `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111111111111:dead","maxReceiveCount":2}` {
		t.Errorf("RedrivePolicy = %s", p)
	}
	id := send(t, c, src, "poison")
	for i := range 2 {
		if got := receive(t, c, src, sqs.ReceiveMessageInput{}); len(got) != 1 {
			t.Fatalf("receive %d: %d messages", i+1, len(got))
		}
	}
	if got := receive(t, c, src, sqs.ReceiveMessageInput{}); len(got) != 0 {
		t.Fatalf("third receive got the message; it should have moved")
	}
	dead := receive(t, c, dlq, sqs.ReceiveMessageInput{MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if len(dead) != 1 || aws.ToString(dead[0].MessageId) != id || dead[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:111111111111:src" {
		t.Errorf("dead-letter queue holds %+v", dead)
	}
}

func TestLongPollReturnsOnArrival(t *testing.T) {
	t.Parallel()
	c, _ := client(t, "111111111111")
	url := createQueue(t, c, "poll", nil)
	go func() {
		time.Sleep(300 * time.Millisecond)
		if _, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("late")}); err != nil {
			t.Errorf("sending while a long poll waits: %v", err)
		}
	}()
	start := time.Now()
	got := receive(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 10})
	if len(got) != 1 || time.Since(start) > 3*time.Second {
		t.Errorf("long poll: %d messages after %v", len(got), time.Since(start))
	}
	start = time.Now()
	if got := receive(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 1}); len(got) != 0 || time.Since(start) < time.Second {
		t.Errorf("empty long poll: %d messages after %v", len(got), time.Since(start))
	}
}

func TestBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := client(t, "111111111111")
	url := createQueue(t, c, "batch", nil)
	_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("1")}, {Id: aws.String("a"), MessageBody: aws.String("2")}}})
	var notDistinct *types.BatchEntryIdsNotDistinct
	if !errors.As(err, &notDistinct) {
		t.Errorf("repeated ids: %v", err)
	}
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("ok"), MessageBody: aws.String("fine")}, {Id: aws.String("late"), MessageBody: aws.String("x"), DelaySeconds: 901}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 1 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "late" || aws.ToString(out.Failed[0].Code) != "InvalidParameterValue" || !out.Failed[0].SenderFault {
		t.Errorf("batch = %+v", out)
	}
	msgs := receive(t, c, url, sqs.ReceiveMessageInput{MaxNumberOfMessages: 10})
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("m"), ReceiptHandle: msgs[0].ReceiptHandle}, {Id: aws.String("bad"), ReceiptHandle: aws.String("nope")}}})
	if err != nil || len(del.Successful) != 1 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("delete batch = %+v, %v", del, err)
	}
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	var inProgress *types.PurgeQueueInProgress
	if !errors.As(err, &inProgress) {
		t.Errorf("second purge: %v", err)
	}
}
