// Package sqsstate is SQS's part of every account: its queues and the
// messages in them. It is a data package (it imports only sandbox/state) so
// that the services delivering into queues — SNS subscriptions, EventBridge
// targets — can do so without importing SQS's operations.
package sqsstate

import (
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Account is SQS's part of one account: region → queue name → queue. Queue
// names are case-sensitive in SQS, so they are plain map keys, not a
// state.Index.
type Account struct {
	Queues map[string]map[string]*Queue `json:"sqs_queues,omitempty"`
	// Deleted is when queues were deleted, by region and name: SQS refuses
	// a queue of the same name for 60 seconds (QueueDeletedRecently).
	Deleted map[string]map[string]time.Time `json:"sqs_deleted,omitempty"`
}

// Slot is SQS's part of every account.
var Slot = state.NewAccountSlot("sqs", func(a *Account) {
	if a.Queues == nil {
		a.Queues = map[string]map[string]*Queue{}
	}
	if a.Deleted == nil {
		a.Deleted = map[string]map[string]time.Time{}
	}
})

// Queue is one standard queue.
type Queue struct {
	Name     string    `json:"name"`
	Account  string    `json:"account"`
	Region   string    `json:"region"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
	// Attributes are the settable attributes as the queue has them, defaults
	// included (VisibilityTimeout, RedrivePolicy, …), exactly as
	// GetQueueAttributes returns them.
	Attributes map[string]string `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
	// Purged is when PurgeQueue last ran: another within 60 seconds is
	// refused (PurgeQueueInProgress).
	Purged time.Time `json:"purged,omitzero"`
	// Messages are in the order they were sent. Those in flight or delayed
	// stay in place with a VisibleAt in the future.
	Messages []*Message `json:"messages"`
}

// Message is one message in a queue. Times are absolute, so a message in
// flight when the sandbox stopped is visible again once its timeout has
// passed after a restart, as it would be in AWS.
type Message struct {
	ID        string    `json:"id"`
	Body      string    `json:"body"`
	MD5OfBody string    `json:"md5_of_body"`
	SenderID  string    `json:"sender_id"`
	Sent      time.Time `json:"sent"`
	// VisibleAt is when the message may be received: after its delay, or
	// after the visibility timeout of its last receive.
	VisibleAt    time.Time `json:"visible_at"`
	Receives     int       `json:"receives"`
	FirstReceive time.Time `json:"first_receive,omitzero"`
	// Receipt is the receipt handle of the latest receive; older handles
	// no longer delete the message, as in SQS.
	Receipt    string               `json:"receipt,omitempty"`
	Attributes map[string]Attribute `json:"attributes,omitempty"`
	// DeadLetterSource is the ARN of the queue the message was moved from.
	DeadLetterSource string `json:"dead_letter_source,omitempty"`
}

// Attribute is a message attribute (MessageAttributeValue). Its query tags
// are the Query protocol's names for the lists (StringListValue.N).
type Attribute struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty" query:"StringListValue"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty" query:"BinaryListValue"`
}

// ARN is the queue's ARN: arn:aws:sqs:REGION:ACCOUNT:NAME.
func (q *Queue) ARN() string { return ARN(q.Region, q.Account, q.Name) }

// ARN builds a queue ARN.
func ARN(region, account, name string) string {
	return "arn:aws:sqs:" + region + ":" + account + ":" + name
}

// ParseARN splits a queue ARN; ok is false when arn is not one.
func ParseARN(arn string) (region, account, name string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "sqs" || !state.IsAccountID(parts[4]) || parts[3] == "" || parts[5] == "" {
		return "", "", "", false
	}
	return parts[3], parts[4], parts[5], true
}

// Lookup finds a queue without creating its account.
func Lookup(w *state.World, region, account, name string) (*Queue, bool) {
	a, ok := w.Accounts[account]
	if !ok {
		return nil, false
	}
	q, ok := Slot.Of(a).Queues[region][name]
	return q, ok
}

// LookupARN finds a queue by its ARN.
func LookupARN(w *state.World, arn string) (*Queue, bool) {
	region, account, name, ok := ParseARN(arn)
	if !ok {
		return nil, false
	}
	return Lookup(w, region, account, name)
}

// Int reads an integer attribute of the queue (every numeric attribute has a
// default, so a missing one reads 0).
func (q *Queue) Int(name string) int {
	n := 0
	for _, c := range q.Attributes[name] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
