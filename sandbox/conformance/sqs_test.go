package conformance

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// queue creates a queue with the CLI and returns its URL.
func (c *CLI) queue(name string, args ...string) string {
	c.t.Helper()
	return str(c.Run(append([]string{"sqs", "create-queue", "--queue-name", name}, args...)...), "QueueUrl")
}

// receive runs receive-message and returns the messages.
func (c *CLI) receive(url string, args ...string) []any {
	c.t.Helper()
	out := c.Run(append([]string{"sqs", "receive-message", "--queue-url", url}, args...)...)
	msgs, _ := get(out, "Messages").([]any)
	return msgs
}

func TestSQSQueues(t *testing.T) {
	cli := newCLI(t)
	url := cli.queue("jobs", "--attributes", "VisibilityTimeout=45,DelaySeconds=0", "--tags", "team=platform")
	if want := cli.srv.url + "/" + cli.Account + "/jobs"; url != want {
		t.Errorf("QueueUrl = %s, want %s", url, want)
	}
	if again := cli.queue("jobs", "--attributes", "VisibilityTimeout=45"); again != url {
		t.Errorf("idempotent create-queue = %s", again)
	}
	msg := cli.Fail("QueueAlreadyExists", "sqs", "create-queue", "--queue-name", "jobs", "--attributes", "VisibilityTimeout=10")
	if msg != "A queue already exists with the same name and a different value for attribute VisibilityTimeout" {
		t.Errorf("conflict message = %q", msg)
	}
	cli.Fail("InvalidAttributeName", "sqs", "create-queue", "--queue-name", "x", "--attributes", "Colour=blue")
	if got := str(cli.Run("sqs", "get-queue-url", "--queue-name", "jobs"), "QueueUrl"); got != url {
		t.Errorf("get-queue-url = %s", got)
	}
	cli.Fail("AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-url", "--queue-name", "nope")
	for _, n := range []string{"page-a", "page-b", "page-c"} {
		cli.queue(n)
	}
	first := cli.Run("sqs", "list-queues", "--queue-name-prefix", "page-", "--max-results", "2", "--no-paginate")
	if length(first, "QueueUrls") != 2 || str(first, "NextToken") == "" {
		t.Fatalf("first page = %v", first)
	}
	second := cli.Run("sqs", "list-queues", "--queue-name-prefix", "page-", "--max-results", "2", "--no-paginate", "--next-token", str(first, "NextToken"))
	if length(second, "QueueUrls") != 1 || !strings.HasSuffix(str(second, "QueueUrls", 0), "/page-c") || second["NextToken"] != nil {
		t.Errorf("second page = %v", second)
	}
	if all := cli.Run("sqs", "list-queues"); length(all, "QueueUrls") != 4 {
		t.Errorf("list-queues = %v", all)
	}
	cli.Run("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "ReceiveMessageWaitTimeSeconds=5")
	attrs := cli.Run("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
	if str(attrs, "Attributes", "VisibilityTimeout") != "45" || str(attrs, "Attributes", "ReceiveMessageWaitTimeSeconds") != "5" ||
		str(attrs, "Attributes", "QueueArn") != "arn:aws:sqs:us-east-1:"+cli.Account+":jobs" || str(attrs, "Attributes", "ApproximateNumberOfMessages") != "0" {
		t.Errorf("attributes = %v", attrs)
	}
	named := cli.Run("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn")
	if len(get(named, "Attributes").(map[string]any)) != 1 {
		t.Errorf("named attribute = %v", named)
	}
	cli.Fail("InvalidAttributeValue", "sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "VisibilityTimeout=43201")
	cli.Run("sqs", "delete-queue", "--queue-url", url)
	cli.Fail("AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-attributes", "--queue-url", url)
	cli.Fail("AWS.SimpleQueueService.QueueDeletedRecently", "sqs", "create-queue", "--queue-name", "jobs")
}

func TestSQSMessages(t *testing.T) {
	cli := newCLI(t)
	url := cli.queue("work")
	sent := cli.Run("sqs", "send-message", "--queue-url", url, "--message-body", "hello",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"greeting"}}`)
	if str(sent, "MD5OfMessageBody") != "5d41402abc4b2a76b9719d911017c592" || str(sent, "MD5OfMessageAttributes") == "" {
		t.Errorf("send-message = %v", sent)
	}
	batch := cli.Run("sqs", "send-message-batch", "--queue-url", url, "--entries",
		"Id=one,MessageBody=first", "Id=two,MessageBody=second", "Id=late,MessageBody=x,DelaySeconds=901")
	if length(batch, "Successful") != 2 || length(batch, "Failed") != 1 || str(batch, "Failed", 0, "Code") != "InvalidParameterValue" {
		t.Errorf("send-message-batch = %v", batch)
	}
	cli.Fail("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "sqs", "send-message-batch", "--queue-url", url, "--entries", "Id=a,MessageBody=1", "Id=a,MessageBody=2")
	msgs := cli.receive(url, "--max-number-of-messages", "10", "--attribute-names", "All", "--message-attribute-names", "All")
	if len(msgs) != 3 {
		t.Fatalf("received %d messages, want 3", len(msgs))
	}
	var hello map[string]any
	for _, m := range msgs {
		if str(m, "Body") == "hello" {
			hello = m.(map[string]any)
		}
	}
	if str(hello, "Attributes", "ApproximateReceiveCount") != "1" || str(hello, "Attributes", "SenderId") != cli.Account ||
		str(hello, "Attributes", "SentTimestamp") == "" || str(hello, "Attributes", "ApproximateFirstReceiveTimestamp") == "" ||
		str(hello, "MessageAttributes", "kind", "StringValue") != "greeting" || str(hello, "MD5OfBody") != "5d41402abc4b2a76b9719d911017c592" {
		t.Errorf("received = %v", hello)
	}
	cli.Run("sqs", "delete-message", "--queue-url", url, "--receipt-handle", str(hello, "ReceiptHandle"))
	del := cli.Run("sqs", "delete-message-batch", "--queue-url", url, "--entries",
		"Id=a,ReceiptHandle="+str(msgs[0], "ReceiptHandle"), "Id=b,ReceiptHandle="+str(msgs[1], "ReceiptHandle"), "Id=bad,ReceiptHandle=garbage")
	if length(del, "Successful") != 2 || str(del, "Failed", 0, "Code") != "ReceiptHandleIsInvalid" {
		t.Errorf("delete-message-batch = %v", del)
	}
	cli.Fail("ReceiptHandleIsInvalid", "sqs", "delete-message", "--queue-url", url, "--receipt-handle", "garbage")
	cli.Fail("InvalidParameterValue", "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "11")
	cli.Run("sqs", "send-message", "--queue-url", url, "--message-body", "to purge")
	cli.Run("sqs", "purge-queue", "--queue-url", url)
	cli.Fail("AWS.SimpleQueueService.PurgeQueueInProgress", "sqs", "purge-queue", "--queue-url", url)
	if n := str(cli.Run("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages"), "Attributes", "ApproximateNumberOfMessages"); n != "0" {
		t.Errorf("%s messages after purge-queue", n)
	}
}

func TestSQSVisibility(t *testing.T) {
	cli := newCLI(t)
	url := cli.queue("vis", "--attributes", "VisibilityTimeout=1")
	cli.Run("sqs", "send-message", "--queue-url", url, "--message-body", "one")
	first := cli.receive(url)
	if len(first) != 1 || len(cli.receive(url)) != 0 {
		t.Fatalf("first receive = %v, and the message was visible again at once", first)
	}
	// The visibility timeout runs out: the message is back, with a new handle.
	again := cli.receive(url, "--wait-time-seconds", "5", "--attribute-names", "ApproximateReceiveCount")
	if len(again) != 1 || str(again[0], "Attributes", "ApproximateReceiveCount") != "2" || str(again[0], "ReceiptHandle") == str(first[0], "ReceiptHandle") {
		t.Fatalf("after the timeout = %v", again)
	}
	handle := str(again[0], "ReceiptHandle")
	cli.Run("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", handle, "--visibility-timeout", "0")
	cli.Fail("AWS.SimpleQueueService.MessageNotInflight", "sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", handle, "--visibility-timeout", "30")
	cli.Fail("ReceiptHandleIsInvalid", "sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle", "garbage", "--visibility-timeout", "30")
	third := cli.receive(url, "--visibility-timeout", "600")
	if len(third) != 1 {
		t.Fatalf("visibility 0 did not make the message visible")
	}
	// The stale handle of the second receive deletes nothing.
	cli.Run("sqs", "delete-message", "--queue-url", url, "--receipt-handle", handle)
	attrs := cli.Run("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessagesNotVisible")
	if str(attrs, "Attributes", "ApproximateNumberOfMessagesNotVisible") != "1" {
		t.Errorf("a stale receipt handle deleted the message: %v", attrs)
	}
}

func TestSQSRedriveToDeadLetterQueue(t *testing.T) {
	cli := newCLI(t)
	dlq := cli.queue("dead")
	arn := "arn:aws:sqs:us-east-1:" + cli.Account + ":dead"
	cli.Fail("InvalidParameterValue", "sqs", "create-queue", "--queue-name", "src", "--attributes",
		`{"RedrivePolicy":"{\"deadLetterTargetArn\":\"`+arn+`x\",\"maxReceiveCount\":\"2\"}"}`)
	src := cli.queue("src", "--attributes", `{"VisibilityTimeout":"0","RedrivePolicy":"{\"deadLetterTargetArn\":\"`+arn+`\",\"maxReceiveCount\":\"2\"}"}`)
	id := str(cli.Run("sqs", "send-message", "--queue-url", src, "--message-body", "poison"), "MessageId")
	for i := range 2 {
		if got := cli.receive(src); len(got) != 1 {
			t.Fatalf("receive %d got %d messages", i+1, len(got))
		}
	}
	if got := cli.receive(src); len(got) != 0 {
		t.Fatalf("a third receive got the message: it should have moved to the dead-letter queue")
	}
	dead := cli.receive(dlq, "--attribute-names", "All")
	if len(dead) != 1 || str(dead[0], "MessageId") != id || str(dead[0], "Body") != "poison" ||
		str(dead[0], "Attributes", "DeadLetterQueueSourceArn") != "arn:aws:sqs:us-east-1:"+cli.Account+":src" {
		t.Errorf("dead-letter queue holds %v", dead)
	}
}

func TestSQSLongPollReturnsOnArrival(t *testing.T) {
	cli := newCLI(t)
	url := cli.queue("poll")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(time.Second)
		if r := cli.Try("sqs", "send-message", "--queue-url", url, "--message-body", "late"); r.Err != nil {
			t.Errorf("sending while a long poll waits: %v\n%s", r.Err, r.Stderr)
		}
	}()
	start := time.Now()
	got := cli.receive(url, "--wait-time-seconds", "20")
	took := time.Since(start)
	wg.Wait()
	if len(got) != 1 || str(got[0], "Body") != "late" {
		t.Fatalf("long poll got %v", got)
	}
	if took > 10*time.Second {
		t.Errorf("long poll returned after %v; it should return when the message arrives", took)
	}
}
