package snsstate

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Message is one publication.
type Message struct {
	ID      string
	Subject string
	Body    string
	// Bodies are per-protocol messages (MessageStructure json): an "sqs"
	// entry is what SQS subscriptions get instead of Body.
	Bodies     map[string]string
	Attributes map[string]Attribute
}

// Attribute is a message attribute as SNS takes it.
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Deliver puts one message into an SQS queue (sqsstate.Deliver, through the
// caller: this package may not import SQS's).
type Deliver func(queueARN, body string, attrs map[string]Attribute) error

// SenderID is the SenderId SQS reports for messages SNS delivers: the ID of
// the principal AWS's SNS delivers as.
const SenderID = "AIDAIT2UOQQY3AUEKVGXU"

// Publish delivers m to every subscription of t and returns the number that
// failed (a queue deleted since it subscribed): SNS drops those deliveries
// and the publisher is not told.
func Publish(t *Topic, m Message, deliver Deliver) (failed int) {
	now := time.Now().UTC()
	for _, s := range t.Subscriptions {
		if s.Protocol != "sqs" {
			continue
		}
		body := m.Body
		if b, ok := m.Bodies["sqs"]; ok {
			body = b
		}
		var attrs map[string]Attribute
		if s.Raw {
			attrs = m.Attributes
		} else {
			body = Envelope(t, s, m, body, now)
		}
		if deliver(s.Endpoint, body, attrs) != nil {
			failed++
		}
	}
	return failed
}

// envelope is SNS's JSON notification, its fields in SNS's order.
type envelope struct {
	Type              string                       `json:"Type"`
	MessageID         string                       `json:"MessageId"`
	TopicArn          string                       `json:"TopicArn"`
	Subject           string                       `json:"Subject,omitempty"`
	Message           string                       `json:"Message"`
	Timestamp         string                       `json:"Timestamp"`
	SignatureVersion  string                       `json:"SignatureVersion"`
	Signature         string                       `json:"Signature"`
	SigningCertURL    string                       `json:"SigningCertURL"`
	UnsubscribeURL    string                       `json:"UnsubscribeURL"`
	MessageAttributes map[string]envelopeAttribute `json:"MessageAttributes,omitempty"`
}

type envelopeAttribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// Envelope is the notification an SQS subscription without raw delivery
// receives. The signature cannot be AWS's (the sandbox has no SNS signing
// key): it has a real one's shape, and a verifier must not trust it.
func Envelope(t *Topic, s *Subscription, m Message, body string, now time.Time) string {
	var sig [256]byte
	_, _ = rand.Read(sig[:])
	e := envelope{
		Type: "Notification", MessageID: m.ID, TopicArn: t.ARN(), Subject: m.Subject, Message: body,
		Timestamp:        now.Format("2006-01-02T15:04:05.000Z"),
		SignatureVersion: "1", Signature: base64.StdEncoding.EncodeToString(sig[:]),
		SigningCertURL: "https://sns." + t.Region + ".amazonaws.com/SimpleNotificationService-" + certID + ".pem",
		UnsubscribeURL: "https://sns." + t.Region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + s.ARN,
	}
	if len(m.Attributes) > 0 {
		e.MessageAttributes = map[string]envelopeAttribute{}
		for k, a := range m.Attributes {
			v := a.StringValue
			if a.BinaryValue != nil {
				v = base64.StdEncoding.EncodeToString(a.BinaryValue)
			}
			e.MessageAttributes[k] = envelopeAttribute{Type: a.DataType, Value: v}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // SNS leaves <, > and & as they are
	_ = enc.Encode(e)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// certID is the shape of the hash in SNS's certificate file names.
const certID = "9c6465fa7f48f5cacd23014631ec1136"
