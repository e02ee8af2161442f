package sns

import (
	"sort"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

type subscribeResult struct {
	SubscriptionArn string
}

// subscribe adds an SQS subscription, confirmed at once as SNS confirms
// them; the same endpoint again returns the existing subscription. A queue
// that does not exist yet is accepted, as SNS accepts it: deliveries to it
// are dropped until it does.
func subscribe(r *awsproto.Request) (any, error) {
	t, err := findTopic(r, r.Params.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	protocol, endpoint := r.Params.Get("Protocol"), r.Params.Get("Endpoint")
	if protocol != "sqs" {
		return nil, invalidParameter("Protocol Reason: the sandbox delivers to sqs subscriptions only, not %q", protocol)
	}
	if _, _, _, ok := sqsstate.ParseARN(endpoint); !ok {
		return nil, invalidParameter("SQS endpoint ARN")
	}
	raw, err := subscriptionAttributes(entries(r.Params, "Attributes"))
	if err != nil {
		return nil, err
	}
	for _, s := range t.Subscriptions {
		if s.Protocol == protocol && s.Endpoint == endpoint {
			if raw != nil && *raw != s.Raw {
				return nil, invalidParameter("Attributes Reason: Subscription already exists with different attributes")
			}
			return subscribeResult{s.ARN}, nil
		}
	}
	s := &snsstate.Subscription{ARN: t.ARN() + ":" + newID(), Protocol: protocol, Endpoint: endpoint, Owner: r.Caller.Account}
	if raw != nil {
		s.Raw = *raw
	}
	t.Subscriptions = append(t.Subscriptions, s)
	return subscribeResult{s.ARN}, nil
}

// subscriptionAttributes reads Subscribe's attributes: RawMessageDelivery is
// the one the sandbox applies, and it refuses the others (a filter policy
// it ignored would deliver what AWS would not).
func subscriptionAttributes(attrs map[string]string) (raw *bool, err error) {
	for k, v := range attrs {
		if k != "RawMessageDelivery" {
			return nil, invalidParameter("Attributes Reason: the sandbox does not apply the subscription attribute %s", k)
		}
		b, err := parseBool(v)
		if err != nil {
			return nil, err
		}
		raw = &b
	}
	return raw, nil
}

func parseBool(v string) (bool, error) {
	switch v {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, invalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", v)
}

func unsubscribe(r *awsproto.Request) (any, error) {
	t, s, err := findSubscription(r, r.Params.Get("SubscriptionArn"))
	if err != nil {
		return nil, err
	}
	for i, other := range t.Subscriptions {
		if other == s {
			t.Subscriptions = append(t.Subscriptions[:i], t.Subscriptions[i+1:]...)
			break
		}
	}
	return nil, nil
}

type subscriptionMember struct {
	SubscriptionArn string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicArn        string
}

type listSubscriptionsResult struct {
	Subscriptions []subscriptionMember `xml:"Subscriptions>member"`
	NextToken     string               `xml:",omitempty"`
}

func listSubscriptionsByTopic(r *awsproto.Request) (any, error) {
	t, err := findTopic(r, r.Params.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	byARN := map[string]*snsstate.Subscription{}
	arns := make([]string, 0, len(t.Subscriptions))
	for _, s := range t.Subscriptions {
		byARN[s.ARN] = s
		arns = append(arns, s.ARN)
	}
	sort.Strings(arns)
	page, next, err := pageOf(arns, r.Params.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	out := listSubscriptionsResult{Subscriptions: []subscriptionMember{}, NextToken: next}
	for _, arn := range page {
		s := byARN[arn]
		out.Subscriptions = append(out.Subscriptions, subscriptionMember{s.ARN, s.Owner, s.Protocol, s.Endpoint, t.ARN()})
	}
	return out, nil
}

type entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type attributesResult struct {
	Attributes []entry `xml:"Attributes>entry"`
}

func getSubscriptionAttributes(r *awsproto.Request) (any, error) {
	t, s, err := findSubscription(r, r.Params.Get("SubscriptionArn"))
	if err != nil {
		return nil, err
	}
	raw := "false"
	if s.Raw {
		raw = "true"
	}
	attrs := map[string]string{
		"SubscriptionArn": s.ARN, "TopicArn": t.ARN(), "Owner": s.Owner, "Protocol": s.Protocol, "Endpoint": s.Endpoint,
		"ConfirmationWasAuthenticated": "true", "PendingConfirmation": "false", "RawMessageDelivery": raw,
		"SubscriptionPrincipal": "arn:aws:iam::" + s.Owner + ":root",
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := attributesResult{}
	for _, k := range keys {
		out.Attributes = append(out.Attributes, entry{k, attrs[k]})
	}
	return out, nil
}

func setSubscriptionAttributes(r *awsproto.Request) (any, error) {
	_, s, err := findSubscription(r, r.Params.Get("SubscriptionArn"))
	if err != nil {
		return nil, err
	}
	raw, err := subscriptionAttributes(map[string]string{r.Params.Get("AttributeName"): r.Params.Get("AttributeValue")})
	if err != nil {
		return nil, err
	}
	s.Raw = *raw
	return nil, nil
}
