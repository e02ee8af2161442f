package sqs

import (
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

type receiveInput struct {
	QueueRef
	AttributeNames              []string `query:"AttributeName"`
	MessageSystemAttributeNames []string `query:"MessageSystemAttributeName"`
	MessageAttributeNames       []string `query:"MessageAttributeName"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	ReceiveRequestAttemptID     *string `json:"ReceiveRequestAttemptId"`
}

type receivedMessage struct {
	MessageID              string              `json:"MessageId" xml:"MessageId"`
	ReceiptHandle          string              `json:"ReceiptHandle"`
	MD5OfBody              string              `json:"MD5OfBody"`
	Body                   string              `json:"Body"`
	Attributes             attributeMap        `json:",omitempty" xml:"Attribute,omitempty"`
	MD5OfMessageAttributes string              `json:",omitempty" xml:",omitempty"`
	MessageAttributes      messageAttributeMap `json:",omitempty" xml:"MessageAttribute,omitempty"`
}

type receiveResult struct {
	Messages []receivedMessage `json:",omitempty" xml:"Message"`
}

// limits checks ReceiveMessage's numbers, with SQS's messages.
func (in *receiveInput) limits(q *sqsstate.Queue) (max, visibility, wait int, err error) {
	max, visibility, wait = 1, q.Int("VisibilityTimeout"), q.Int("ReceiveMessageWaitTimeSeconds")
	for _, c := range []struct {
		name     string
		v        *int
		to       *int
		low, top int
		reason   string
	}{
		{"MaxNumberOfMessages", in.MaxNumberOfMessages, &max, 1, 10, "Must be between 1 and 10, if provided."},
		{"VisibilityTimeout", in.VisibilityTimeout, &visibility, 0, 43200, "Must be between 0 and 43200, if provided."},
		{"WaitTimeSeconds", in.WaitTimeSeconds, &wait, 0, 20, "Must be >= 0 and <= 20, if provided."},
	} {
		if c.v == nil {
			continue
		}
		if *c.v < c.low || *c.v > c.top {
			return 0, 0, 0, invalidParameterValue("Value %d for parameter %s is invalid. Reason: %s", *c.v, c.name, c.reason)
		}
		*c.to = *c.v
	}
	return max, visibility, wait, nil
}

// receiveMessage takes up to MaxNumberOfMessages visible messages. With a
// wait (WaitTimeSeconds, else the queue's ReceiveMessageWaitTimeSeconds) and
// nothing to take, it waits for the next arrival, or for the next message in
// flight or delayed to become visible, whichever comes first, and returns
// as soon as it has something.
//
// The router holds the world's write lock for the call; the long poll lets
// go of it while it waits, or no one could send the message it waits for.
// It finds the queue again after every wait: the world may have been reset
// or the queue deleted meanwhile.
func receiveMessage(r *awsproto.Request) (any, error) {
	var in receiveInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var deadline time.Time
	for {
		q, err := findQueue(r, in.QueueURL)
		if err != nil {
			return nil, err
		}
		max, visibility, wait, err := in.limits(q)
		if err != nil {
			return nil, err
		}
		now := time.Now().UTC()
		if deadline.IsZero() {
			deadline = now.Add(time.Duration(wait) * time.Second)
		}
		taken, next := take(r, q, max, visibility, now)
		if len(taken) > 0 || !now.Before(deadline) || r.Ctx.Err() != nil {
			return receiveResult{Messages: in.present(taken)}, nil
		}
		if next.IsZero() || next.After(deadline) {
			next = deadline
		}
		arrived, release := sqsstate.Arrival(r.World, q.ARN())
		r.World.Unlock()
		timer := time.NewTimer(time.Until(next))
		select {
		case <-arrived:
		case <-timer.C:
		case <-r.Ctx.Done():
		}
		timer.Stop()
		release()
		r.World.Lock()
	}
}

// take receives up to max visible messages, moving to the dead-letter queue
// those whose receive count would pass maxReceiveCount. next is when the
// earliest message not yet visible becomes so (zero when none is waiting).
func take(r *awsproto.Request, q *sqsstate.Queue, max, visibility int, now time.Time) (taken []*sqsstate.Message, next time.Time) {
	q.Expire(now)
	dlqARN, maxReceives, _ := parseRedrive(q.Attributes["RedrivePolicy"])
	for i := 0; i < len(q.Messages) && len(taken) < max; i++ {
		m := q.Messages[i]
		if m.VisibleAt.After(now) {
			if next.IsZero() || m.VisibleAt.Before(next) {
				next = m.VisibleAt
			}
			continue
		}
		if maxReceives > 0 && m.Receives >= maxReceives {
			// A dead-letter queue deleted since keeps the message here, as in SQS.
			if dlq, ok := sqsstate.LookupARN(r.World, dlqARN); ok {
				q.Messages = append(q.Messages[:i], q.Messages[i+1:]...)
				i--
				m.DeadLetterSource, m.Receipt, m.VisibleAt = q.ARN(), "", now
				dlq.Messages = append(dlq.Messages, m)
				sqsstate.Wake(r.World, dlq)
				continue
			}
		}
		m.Receives++
		if m.FirstReceive.IsZero() {
			m.FirstReceive = now
		}
		m.Receipt = newReceipt(q, m)
		m.VisibleAt = now.Add(time.Duration(visibility) * time.Second)
		taken = append(taken, m)
	}
	return taken, next
}

// present writes the received messages with the attributes asked for.
func (in *receiveInput) present(taken []*sqsstate.Message) []receivedMessage {
	system := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
	out := make([]receivedMessage, 0, len(taken))
	for _, m := range taken {
		rm := receivedMessage{MessageID: m.ID, ReceiptHandle: m.Receipt, MD5OfBody: m.MD5OfBody, Body: m.Body}
		if len(system) > 0 {
			rm.Attributes = systemAttributes(m, system)
		}
		rm.MessageAttributes = selectAttributes(m.Attributes, in.MessageAttributeNames)
		if len(rm.MessageAttributes) > 0 {
			rm.MD5OfMessageAttributes = attributesMD5(rm.MessageAttributes)
		} else {
			rm.MD5OfMessageAttributes = attributesMD5(m.Attributes)
		}
		out = append(out, rm)
	}
	return out
}

func systemAttributes(m *sqsstate.Message, names []string) attributeMap {
	all := attributeMap{
		"SenderId":                m.SenderID,
		"SentTimestamp":           millis(m.Sent),
		"ApproximateReceiveCount": strconv.Itoa(m.Receives),
	}
	if !m.FirstReceive.IsZero() {
		all["ApproximateFirstReceiveTimestamp"] = millis(m.FirstReceive)
	}
	if m.DeadLetterSource != "" {
		all["DeadLetterQueueSourceArn"] = m.DeadLetterSource
	}
	out := attributeMap{}
	for _, n := range names {
		if n == "All" {
			return all
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out
}

// selectAttributes picks message attributes by name, "All" or ".*", or a
// prefix ending in ".*".
func selectAttributes(attrs map[string]sqsstate.Attribute, names []string) messageAttributeMap {
	out := messageAttributeMap{}
	for _, n := range names {
		for k, v := range attrs {
			prefix, wild := strings.CutSuffix(n, ".*")
			if n == "All" || n == ".*" || k == n || (wild && strings.HasPrefix(k, prefix+".")) {
				out[k] = v
			}
		}
	}
	return out
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
