// Package snsstate is SNS's part of every account: topics and their
// subscriptions, and what a publication delivers to each subscription. It
// is a data package (it imports only sandbox/state) so that EventBridge can
// publish to a topic without importing SNS's operations.
package snsstate

import (
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Account is SNS's part of one account: region → topic name → topic.
type Account struct {
	Topics map[string]map[string]*Topic `json:"sns_topics,omitempty"`
}

// Slot is SNS's part of every account.
var Slot = state.NewAccountSlot("sns", func(a *Account) {
	if a.Topics == nil {
		a.Topics = map[string]map[string]*Topic{}
	}
})

// Topic is a standard topic.
type Topic struct {
	Name          string            `json:"name"`
	Account       string            `json:"account"`
	Region        string            `json:"region"`
	Created       time.Time         `json:"created"`
	Attributes    map[string]string `json:"attributes,omitempty"`
	Tags          []state.Tag       `json:"tags,omitempty"`
	Subscriptions []*Subscription   `json:"subscriptions"`
}

// Subscription is one endpoint of a topic. The sandbox delivers to SQS
// queues, which are confirmed at once, as SNS confirms them.
type Subscription struct {
	ARN      string `json:"arn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	Owner    string `json:"owner"`
	// Raw is RawMessageDelivery: the message itself rather than SNS's JSON
	// envelope.
	Raw bool `json:"raw,omitempty"`
}

// ARN is the topic's ARN.
func (t *Topic) ARN() string { return ARN(t.Region, t.Account, t.Name) }

// ARN builds a topic ARN: arn:aws:sns:REGION:ACCOUNT:NAME.
func ARN(region, account, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

// ParseARN splits a topic ARN, or a subscription ARN (the topic's ARN and a
// subscription ID); ok is false for anything else.
func ParseARN(arn string) (region, account, name, sub string, ok bool) {
	parts := strings.Split(arn, ":")
	if (len(parts) != 6 && len(parts) != 7) || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "sns" || parts[3] == "" || !state.IsAccountID(parts[4]) || parts[5] == "" {
		return "", "", "", "", false
	}
	if len(parts) == 7 {
		sub = parts[6]
	}
	return parts[3], parts[4], parts[5], sub, true
}

// LookupTopic finds a topic by ARN without creating its account.
func LookupTopic(w *state.World, arn string) (*Topic, bool) {
	region, account, name, sub, ok := ParseARN(arn)
	if !ok || sub != "" {
		return nil, false
	}
	a, ok := w.Accounts[account]
	if !ok {
		return nil, false
	}
	t, ok := Slot.Of(a).Topics[region][name]
	return t, ok
}

// LookupSubscription finds a subscription and its topic by the
// subscription's ARN.
func LookupSubscription(w *state.World, arn string) (*Topic, *Subscription, bool) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return nil, nil, false
	}
	t, ok := LookupTopic(w, arn[:i])
	if !ok {
		return nil, nil, false
	}
	for _, s := range t.Subscriptions {
		if s.ARN == arn {
			return t, s, true
		}
	}
	return nil, nil, false
}
