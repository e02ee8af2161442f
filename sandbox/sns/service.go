// Package sns is the sandbox's Amazon SNS (Query protocol): standard topics
// whose SQS subscriptions receive what is published, raw or in SNS's JSON
// envelope. Subscriptions to other protocols are refused with a message that
// says so, rather than accepted and never delivered.
package sns

import (
	"net/http"
	"strconv"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

const (
	namespace = "http://sns.amazonaws.com/doc/2010-03-31/"
	version   = "2010-03-31"
)

var read, write = awsproto.Read, awsproto.Write

// Service is SNS: its API, its part of every account and its fixture keys.
func Service() service.Definition {
	return service.Definition{
		APIs: []*awsproto.API{{
			Name: "sns", ID: "sns",
			Codec: awsproto.Query{Namespace: namespace, Version: version},
			Operations: map[string]awsproto.Operation{
				"CreateTopic":               write(createTopic),
				"DeleteTopic":               write(deleteTopic),
				"ListTopics":                read(listTopics),
				"Subscribe":                 write(subscribe),
				"Unsubscribe":               write(unsubscribe),
				"ListSubscriptionsByTopic":  read(listSubscriptionsByTopic),
				"GetSubscriptionAttributes": read(getSubscriptionAttributes),
				"SetSubscriptionAttributes": write(setSubscriptionAttributes),
				"Publish":                   write(publish),
			},
		}},
		State:   []state.Slot{snsstate.Slot},
		Fixture: []fixture.Section{fixtureSection()},
	}
}

// ToSQS is how a publication reaches an SQS subscription: SNS's message
// attributes become the SQS message's (raw delivery passes them on).
func ToSQS(w *state.World) snsstate.Deliver {
	return func(queueARN, body string, attrs map[string]snsstate.Attribute) error {
		var out map[string]sqsstate.Attribute
		for k, a := range attrs {
			if out == nil {
				out = map[string]sqsstate.Attribute{}
			}
			qa := sqsstate.Attribute{DataType: a.DataType, BinaryValue: a.BinaryValue}
			if a.BinaryValue == nil {
				v := a.StringValue
				qa.StringValue = &v
			}
			out[k] = qa
		}
		_, err := sqsstate.Deliver(w, queueARN, body, out, snsstate.SenderID)
		return err
	}
}

func invalidParameter(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: "+format, args...)
}

func notFound(what string) error {
	return awsproto.Errorf(http.StatusNotFound, "NotFound", "%s does not exist", what)
}

// findTopic resolves a TopicArn the caller may use: its own account's, in
// the region it signed for.
func findTopic(r *awsproto.Request, arn string) (*snsstate.Topic, error) {
	region, account, _, sub, ok := snsstate.ParseARN(arn)
	if !ok || sub != "" {
		return nil, invalidParameter("TopicArn")
	}
	t, found := snsstate.LookupTopic(r.World, arn)
	switch {
	case !found || region != r.Region:
		return nil, notFound("Topic")
	case account != r.Caller.Account:
		return nil, awsproto.Errorf(http.StatusForbidden, "AuthorizationError", "User: %s is not authorized to perform: SNS:%s on resource: %s", r.Caller.ARN, r.Action, arn)
	}
	return t, nil
}

// findSubscription resolves a SubscriptionArn of the caller's.
func findSubscription(r *awsproto.Request, arn string) (*snsstate.Topic, *snsstate.Subscription, error) {
	_, _, _, sub, ok := snsstate.ParseARN(arn)
	if !ok || sub == "" {
		return nil, nil, invalidParameter("SubscriptionArn")
	}
	t, s, found := snsstate.LookupSubscription(r.World, arn)
	if !found {
		return nil, nil, notFound("Subscription")
	}
	if _, err := findTopic(r, t.ARN()); err != nil {
		return nil, nil, err
	}
	return t, s, nil
}

// entries reads a Query map parameter: NAME.entry.N.key / NAME.entry.N.value.
func entries(p awsproto.Params, name string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		prefix := name + ".entry." + strconv.Itoa(i) + "."
		if !p.Has(prefix + "key") {
			return out
		}
		out[p.Get(prefix+"key")] = p.Get(prefix + "value")
	}
}
