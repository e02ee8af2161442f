package sqs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// A snapshot keeps the messages, which are in flight and which handle is
// the latest: after a restore an in-flight message stays hidden until its
// timeout and its receipt handle still deletes it.
func TestMessagesSurviveRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, sb := client(t, "111111111111")
	url := createQueue(t, c, "kept", nil)
	send(t, c, url, "in flight")
	send(t, c, url, "waiting")
	taken := receive(t, c, url, sqs.ReceiveMessageInput{VisibilityTimeout: 600})
	if len(taken) != 1 {
		t.Fatalf("received %d", len(taken))
	}
	w := sb.Server.World()
	w.RLock()
	snap, err := w.Snapshot()
	w.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	restored := sandboxtest.Start(t, sandbox.Options{})
	rw := restored.Server.World()
	rw.Lock()
	err = rw.Restore(snap)
	rw.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	rc := sqs.NewFromConfig(restored.Config("111111111111"))
	rurl := restored.URL + "/111111111111/kept"
	if n := count(t, rc, rurl, "ApproximateNumberOfMessagesNotVisible"); n != "1" {
		t.Errorf("in flight after restore = %s", n)
	}
	if got := receive(t, rc, rurl, sqs.ReceiveMessageInput{MaxNumberOfMessages: 10}); len(got) != 1 || aws.ToString(got[0].Body) != "waiting" {
		t.Errorf("after restore received %v", got)
	}
	if _, err := rc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(rurl), ReceiptHandle: taken[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, rc, rurl, "ApproximateNumberOfMessagesNotVisible"); n != "1" {
		t.Errorf("in flight after deleting the restored handle = %s (the other message is in flight now)", n)
	}
}

// A posted fixture replaces the world's contents while a long poll waits;
// the poll still returns as soon as a message arrives afterwards.
func TestLongPollSurvivesFixtureLoad(t *testing.T) {
	t.Parallel()
	c, sb := client(t, "111111111111")
	url := createQueue(t, c, "steady", nil)
	done := make(chan []string, 1)
	start := time.Now()
	go func() {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		var bodies []string
		if err == nil {
			for _, m := range out.Messages {
				bodies = append(bodies, aws.ToString(m.Body))
			}
		}
		done <- bodies
	}()
	time.Sleep(300 * time.Millisecond)
	sb.LoadFixture(t, "accounts:\n  \"222222222222\":\n    sqs_queues: [{name: other}]\n")
	send(t, c, url, "after the fixture")
	select {
	case got := <-done:
		if len(got) != 1 || time.Since(start) > 5*time.Second {
			t.Errorf("long poll got %v after %v", got, time.Since(start))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll missed the message sent after a fixture load")
	}
}
