package sqsstate

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Deliver puts a message into the queue with the given ARN, as SNS and
// EventBridge do for their subscriptions and targets. sender is the
// SenderId the message reports (the delivering service's principal). A
// queue that does not exist is an error the caller records or drops, as
// AWS drops a delivery it cannot make.
func Deliver(w *state.World, queueARN, body string, attrs map[string]Attribute, sender string) (*Message, error) {
	q, ok := LookupARN(w, queueARN)
	if !ok {
		return nil, fmt.Errorf("delivering to SQS queue (%s): the queue does not exist", queueARN)
	}
	return q.Add(w, body, attrs, sender, -1), nil
}

// Add appends a new message. delay is the message's DelaySeconds, or -1 for
// the queue's own. Long polls waiting on the queue are woken.
func (q *Queue) Add(w *state.World, body string, attrs map[string]Attribute, sender string, delay int) *Message {
	if delay < 0 {
		delay = q.Int("DelaySeconds")
	}
	now := time.Now().UTC()
	m := &Message{
		ID: uuid.NewString(), Body: body, MD5OfBody: MD5Hex(body), SenderID: sender,
		Sent: now, VisibleAt: now.Add(time.Duration(delay) * time.Second), Attributes: attrs,
	}
	q.Messages = append(q.Messages, m)
	Wake(w, q)
	return m
}

// Retains reports whether m is still within the queue's retention period.
func (q *Queue) Retains(m *Message, now time.Time) bool {
	return now.Sub(m.Sent) < time.Duration(q.Int("MessageRetentionPeriod"))*time.Second
}

// Expire drops the messages past the queue's retention period. Readers skip
// them with Retains; writers drop them.
func (q *Queue) Expire(now time.Time) {
	kept := q.Messages[:0]
	for _, m := range q.Messages {
		if q.Retains(m, now) {
			kept = append(kept, m)
		}
	}
	clear(q.Messages[len(kept):])
	q.Messages = kept
}

// MD5Hex is the hex MD5 digest SQS reports of a message body.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Long polls wait on a channel per queue that the next arrival closes.
//
// The registry lives outside the world on purpose: /_sandbox/reset and every
// posted fixture replace the world's contents (World.Restore), so a channel
// kept in a queue would be orphaned and a poll waiting on it would miss the
// next message for up to 20 s. The *state.World itself survives those swaps,
// so waiters are keyed by it and the queue's ARN. An entry lives only while
// someone waits: the arrival that wakes it or the last waiter to give up
// removes it, so no world is kept alive by a poll that timed out.
var arrivals = struct {
	sync.Mutex
	waiting map[arrivalKey]*arrival
}{waiting: map[arrivalKey]*arrival{}}

type arrivalKey struct {
	world *state.World
	arn   string
}

type arrival struct {
	ch      chan struct{}
	waiters int
}

// Arrival returns a channel closed when a message next arrives in (or becomes
// visible again in) the queue with the given ARN, and a function the waiter
// calls when it stops waiting.
func Arrival(w *state.World, queueARN string) (<-chan struct{}, func()) {
	arrivals.Lock()
	defer arrivals.Unlock()
	k := arrivalKey{w, queueARN}
	a, ok := arrivals.waiting[k]
	if !ok {
		a = &arrival{ch: make(chan struct{})}
		arrivals.waiting[k] = a
	}
	a.waiters++
	return a.ch, func() {
		arrivals.Lock()
		defer arrivals.Unlock()
		if a.waiters--; a.waiters == 0 && arrivals.waiting[k] == a {
			delete(arrivals.waiting, k)
		}
	}
}

// Wake wakes the long polls waiting on q.
func Wake(w *state.World, q *Queue) {
	arrivals.Lock()
	defer arrivals.Unlock()
	k := arrivalKey{w, q.ARN()}
	if a, ok := arrivals.waiting[k]; ok {
		close(a.ch)
		delete(arrivals.waiting, k)
	}
}
