package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queueAPI is what the worker calls on SQS.
type queueAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

var _ queueAPI = (*sqs.Client)(nil)

// Worker long-polls a queue and hands each message to the Handler. A
// message is deleted only once it never needs handling again: the user is
// complete and the delivery confirmed, or it is one to leave alone. One that
// failed comes back after Retry, and lands in the dead-letter queue after
// the queue's maxReceiveCount. While a message is worked on, its visibility
// is extended, so no other watcher receives it meanwhile. Several workers
// (processes) may share a queue and a journal.
type Worker struct {
	Handler *Handler
	SQS     queueAPI
	Queue   string // the queue's URL
	// InFlight bounds the messages handled at once (default 4).
	InFlight int
	// Visibility is how long a received message stays hidden; it is renewed
	// every third of it while the message is worked on (default 60 s).
	Visibility time.Duration
	// Retry is when a message that failed comes back (default Visibility);
	// one another watcher is on comes back after BusyRetry (default 5 s).
	Retry, BusyRetry time.Duration
	// Once drains the queue and returns: no long polling, and the first
	// empty receive with nothing in hand ends the run (for cron and tests).
	Once   bool
	Logger *slog.Logger

	mu    sync.Mutex
	stats map[Verdict]int
}

// Run works until ctx ends (SIGTERM: the messages in hand are finished) or,
// with Once, until the queue is drained. It returns how many messages ended
// each way.
func (w *Worker) Run(ctx context.Context) map[Verdict]int {
	w.stats = map[Verdict]int{}
	slots := make(chan struct{}, w.inFlight())
	var wg sync.WaitGroup
	for ctx.Err() == nil {
		n := takeSlots(ctx, slots)
		if n == 0 {
			break
		}
		msgs, err := w.receive(ctx, n)
		for range n - len(msgs) {
			<-slots
		}
		if err != nil {
			if ctx.Err() == nil {
				w.logger().Warn("receiving from the queue", "queue", w.Queue, "error", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		if len(msgs) == 0 && w.Once && len(slots) == 0 {
			break
		}
		for _, m := range msgs {
			wg.Go(func() {
				defer func() { <-slots }()
				w.handle(context.WithoutCancel(ctx), m) // in hand: finish it even on SIGTERM
			})
		}
	}
	wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// takeSlots waits for one free slot, then takes up to nine more that are
// free at once (SQS hands out ten at most), and returns how many it took.
func takeSlots(ctx context.Context, slots chan struct{}) int {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < 10 {
		select {
		case slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

func (w *Worker) receive(ctx context.Context, n int) ([]sqstypes.Message, error) {
	wait := int32(20)
	if w.Once {
		wait = 1
	}
	out, err := w.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(w.Queue), MaxNumberOfMessages: int32(n), WaitTimeSeconds: wait,
		VisibilityTimeout:           int32(w.visibility() / time.Second),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// handle works on one message, keeping it hidden meanwhile, then deletes it
// or sets when it comes back.
func (w *Worker) handle(ctx context.Context, m sqstypes.Message) {
	stop := w.keepHidden(ctx, m)
	out := w.Handler.Handle(ctx, []byte(aws.ToString(m.Body)))
	stop()
	w.mu.Lock()
	w.stats[out.Verdict]++
	w.mu.Unlock()
	var err error
	switch {
	case out.Ack():
		_, err = w.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(w.Queue), ReceiptHandle: m.ReceiptHandle})
	case out.Verdict == Busy:
		err = w.setVisibility(ctx, m, w.busyRetry())
	default:
		err = w.setVisibility(ctx, m, w.retry())
	}
	if err != nil {
		w.logger().Warn("answering the queue", "message", aws.ToString(m.MessageId), "verdict", out.Verdict, "error", err)
	}
}

// keepHidden renews m's visibility every third of it until stop is called.
func (w *Worker) keepHidden(ctx context.Context, m sqstypes.Message) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(w.visibility() / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := w.setVisibility(ctx, m, w.visibility()); err != nil && ctx.Err() == nil {
					w.logger().Warn("keeping a message hidden while it is worked on", "message", aws.ToString(m.MessageId), "error", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

func (w *Worker) setVisibility(ctx context.Context, m sqstypes.Message, d time.Duration) error {
	_, err := w.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(w.Queue),
		ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(d / time.Second)})
	return err
}

func (w *Worker) inFlight() int { return max(1, orDefault(w.InFlight, 4)) }

func (w *Worker) visibility() time.Duration {
	return max(3*time.Second, orDefault(w.Visibility, 60*time.Second)).Truncate(time.Second)
}

func (w *Worker) retry() time.Duration     { return orDefault(w.Retry, w.visibility()) }
func (w *Worker) busyRetry() time.Duration { return orDefault(w.BusyRetry, 5*time.Second) }

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
