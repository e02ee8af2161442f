package sqs

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

// newReceipt is a receipt handle for one receive of m: opaque to clients,
// naming the queue and message so a handle for another queue is refused,
// and random so every receive gets a new one.
func newReceipt(q *sqsstate.Queue, m *sqsstate.Message) string {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(q.ARN() + "\n" + m.ID + "\n" + hex.EncodeToString(nonce[:])))
}

// receiptMessage finds the message a receipt handle was issued for: ok is
// false when the handle is not one of this queue's; m is nil when the
// message is gone (deleted, purged, moved or expired).
func receiptMessage(q *sqsstate.Queue, handle string) (m *sqsstate.Message, index int, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	parts := strings.Split(string(raw), "\n")
	if err != nil || len(parts) != 3 || parts[0] != q.ARN() {
		return nil, -1, false
	}
	for i, m := range q.Messages {
		if m.ID == parts[1] {
			return m, i, true
		}
	}
	return nil, -1, true
}

// deleteByReceipt deletes the message when handle is its latest receipt
// handle. An older handle, or one whose message is already gone, succeeds
// and deletes nothing, as SQS documents: "you must provide the most
// recently received ReceiptHandle … otherwise, the request succeeds, but
// the message will not be deleted".
func deleteByReceipt(q *sqsstate.Queue, handle *string) error {
	if handle == nil {
		return missingParameter("ReceiptHandle")
	}
	m, i, ok := receiptMessage(q, *handle)
	if !ok {
		return receiptHandleIsInvalid(*handle)
	}
	if m != nil && m.Receipt == *handle {
		q.Messages = append(q.Messages[:i], q.Messages[i+1:]...)
	}
	return nil
}

type deleteMessageInput struct {
	QueueRef
	ReceiptHandle *string
}

func deleteMessage(r *awsproto.Request) (any, error) {
	var in deleteMessageInput
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	return nil, deleteByReceipt(q, in.ReceiptHandle)
}

type changeVisibilityInput struct {
	QueueRef
	ReceiptHandle     *string
	VisibilityTimeout *int
}

// changeMessageVisibility restarts a received message's timeout from now; 0
// makes it visible at once (and wakes long polls). Only the latest receipt
// of a message still in flight may change it.
func changeMessageVisibility(r *awsproto.Request) (any, error) {
	var in changeVisibilityInput
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	switch {
	case in.ReceiptHandle == nil:
		return nil, missingParameter("ReceiptHandle")
	case in.VisibilityTimeout == nil:
		return nil, missingParameter("VisibilityTimeout")
	case *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200:
		return nil, invalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *in.VisibilityTimeout)
	}
	m, _, ok := receiptMessage(q, *in.ReceiptHandle)
	if !ok {
		return nil, receiptHandleIsInvalid(*in.ReceiptHandle)
	}
	now := time.Now().UTC()
	if m == nil || m.Receipt != *in.ReceiptHandle || !m.VisibleAt.After(now) {
		return nil, sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
	}
	m.VisibleAt = now.Add(time.Duration(*in.VisibilityTimeout) * time.Second)
	if *in.VisibilityTimeout == 0 {
		sqsstate.Wake(r.World, q)
	}
	return nil, nil
}
