// Package events completes IAM users created elsewhere — by Terraform,
// CloudFormation or the console — from the CloudTrail records EventBridge
// delivers: to an SQS queue a worker long-polls (gatehouse watch), or to a
// Lambda function. A record is read whichever way it arrived (EventBridge's
// event as it is, wrapped in SNS's envelope, or as SNS raw delivery),
// matched against the configuration's rules, and the user is completed by
// the onboarding engine with the same journal and channels as gatehouse
// onboard — at-least-once safe: a redelivered event never issues a second
// password.
package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DetailType is EventBridge's detail-type of a CloudTrail record of an API call.
const DetailType = "AWS API Call via CloudTrail"

// Event is one CloudTrail record of an IAM call, as gatehouse reads it.
type Event struct {
	ID       string // detail.eventID: what deduplicates redeliveries
	Name     string // detail.eventName: CreateUser, TagUser, …
	Source   string // detail.eventSource: iam.amazonaws.com
	Account  string // detail.recipientAccountId, else the event's account
	Region   string
	Time     time.Time
	Error    string // detail.errorCode: the call failed, nothing to complete
	ReadOnly bool
	Caller   string // detail.userIdentity.arn: who made the call
	UserName string // requestParameters.userName
	Path     string // requestParameters.path
	Tags     map[string]string
}

// ErrNotAnEvent means the message is not a CloudTrail record of an AWS API
// call (a test message, a subscription confirmation, something else the
// queue receives): it is acknowledged and reported, never retried.
var ErrNotAnEvent = errors.New("not a CloudTrail record of an API call")

// ErrUnreadable means the message says it is a CloudTrail record of an API
// call but cannot be read (its detail is not an object, or it has no eventID
// or eventName). It may name a user to complete, so it is never
// acknowledged: it fails, comes back, and ends in the dead-letter queue,
// where a person can look at it.
var ErrUnreadable = errors.New("a CloudTrail record that cannot be read")

// envelope is EventBridge's event, or SNS's notification wrapping one.
type envelope struct {
	// EventBridge
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       json.RawMessage `json:"time"` // read leniently: a record is not lost to its time's format
	Region     string          `json:"region"`
	Detail     json.RawMessage `json:"detail"`
	// SNS
	Type     string `json:"Type"`
	Message  string `json:"Message"`
	TopicArn string `json:"TopicArn"`
}

// detail is the CloudTrail record.
type detail struct {
	EventID            string `json:"eventID"`
	EventName          string `json:"eventName"`
	EventSource        string `json:"eventSource"`
	EventTime          string `json:"eventTime"`
	AWSRegion          string `json:"awsRegion"`
	ErrorCode          string `json:"errorCode"`
	ReadOnly           bool   `json:"readOnly"`
	RecipientAccountID string `json:"recipientAccountId"`
	UserIdentity       struct {
		ARN string `json:"arn"`
	} `json:"userIdentity"`
	RequestParameters json.RawMessage `json:"requestParameters"`
}

// userParameters are CreateUser's and TagUser's request parameters as
// CloudTrail records them.
type userParameters struct {
	UserName string `json:"userName"`
	Path     string `json:"path"`
	Tags     []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"tags"`
}

// Parse reads a message body: an EventBridge event, the same wrapped in an
// SNS notification's JSON envelope, or delivered raw by SNS (which is the
// event itself).
func Parse(body []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Event{}, fmt.Errorf("reading the message: %w: %w", ErrNotAnEvent, err)
	}
	if env.Type == "Notification" && env.Message != "" {
		return Parse([]byte(env.Message))
	}
	if env.Type != "" {
		return Event{}, fmt.Errorf("an SNS %s message: %w", env.Type, ErrNotAnEvent)
	}
	if env.DetailType != DetailType {
		return Event{}, fmt.Errorf("detail-type %q: %w", env.DetailType, ErrNotAnEvent)
	}
	if len(env.Detail) == 0 {
		return Event{}, fmt.Errorf("a record without detail: %w", ErrUnreadable)
	}
	var d detail
	if err := json.Unmarshal(env.Detail, &d); err != nil {
		return Event{}, fmt.Errorf("reading the CloudTrail record: %w: %w", ErrUnreadable, err)
	}
	ev := Event{ID: d.EventID, Name: d.EventName, Source: d.EventSource, Account: cmpOr(d.RecipientAccountID, env.Account),
		Region: cmpOr(d.AWSRegion, env.Region), Error: d.ErrorCode, ReadOnly: d.ReadOnly, Caller: d.UserIdentity.ARN,
		Tags: map[string]string{}}
	var envTime string
	_ = json.Unmarshal(env.Time, &envTime)
	for _, at := range []string{d.EventTime, envTime} {
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			ev.Time = t
			break
		}
	}
	if ev.ID == "" {
		ev.ID = env.ID // EventBridge's own ID, when CloudTrail's is missing
	}
	if len(d.RequestParameters) > 0 && string(d.RequestParameters) != "null" {
		var p userParameters
		if err := json.Unmarshal(d.RequestParameters, &p); err == nil {
			ev.UserName, ev.Path = p.UserName, p.Path
			for _, t := range p.Tags {
				ev.Tags[t.Key] = t.Value
			}
		}
	}
	if ev.ID == "" || ev.Name == "" {
		return Event{}, fmt.Errorf("a record without eventID or eventName: %w", ErrUnreadable)
	}
	return ev, nil
}

// IAM reports whether the record is of an IAM call.
func (e Event) IAM() bool { return strings.EqualFold(e.Source, "iam.amazonaws.com") }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
