package sns

import (
	"encoding/base64"
	"regexp"
	"sort"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

var topicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// topicAttributes are the attributes CreateTopic takes that the sandbox keeps.
var topicAttributes = map[string]bool{"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true, "TracingConfig": true, "SignatureVersion": true}

type topicResult struct {
	TopicArn string
}

// createTopic is idempotent: the same name returns the same ARN unless the
// attributes or tags differ.
func createTopic(r *awsproto.Request) (any, error) {
	name := r.Params.Get("Name")
	if !topicName.MatchString(name) {
		if len(name) > 5 && name[len(name)-5:] == ".fifo" {
			return nil, invalidParameter("The sandbox serves standard topics only; FIFO topics are not supported")
		}
		return nil, invalidParameter("Topic Name")
	}
	attrs := entries(r.Params, "Attributes")
	for k := range attrs {
		if !topicAttributes[k] {
			return nil, invalidParameter("Attributes Reason: Unknown attribute %s", k)
		}
	}
	var tags []state.Tag
	for _, m := range r.Params.Structs("Tags") {
		tags = append(tags, state.Tag{Key: m["Key"], Value: m["Value"]})
	}
	a := snsstate.Slot.Of(r.Account())
	if t, ok := a.Topics[r.Region][name]; ok {
		if !sameMap(t.Attributes, attrs) {
			return nil, invalidParameter("Attributes Reason: Topic already exists with different attributes")
		}
		return topicResult{t.ARN()}, nil
	}
	t := addTopic(a, r.Caller.Account, r.Region, name, attrs, tags)
	return topicResult{t.ARN()}, nil
}

func addTopic(a *snsstate.Account, account, region, name string, attrs map[string]string, tags []state.Tag) *snsstate.Topic {
	if a.Topics[region] == nil {
		a.Topics[region] = map[string]*snsstate.Topic{}
	}
	t := &snsstate.Topic{Name: name, Account: account, Region: region, Created: state.Now(),
		Attributes: attrs, Tags: tags, Subscriptions: []*snsstate.Subscription{}}
	a.Topics[region][name] = t
	return t
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// deleteTopic removes the topic and its subscriptions; deleting a topic that
// does not exist succeeds, as SNS documents.
func deleteTopic(r *awsproto.Request) (any, error) {
	arn := r.Params.Get("TopicArn")
	t, err := findTopic(r, arn)
	if awsproto.AsError(err).Code == "NotFound" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	delete(snsstate.Slot.Of(r.Account()).Topics[r.Region], t.Name)
	return nil, nil
}

type listTopicsResult struct {
	Topics    []topicResult `xml:"Topics>member"`
	NextToken string        `xml:",omitempty"`
}

// listTopics pages by 100, as SNS does, in name order.
func listTopics(r *awsproto.Request) (any, error) {
	var names []string
	topics := snsstate.Slot.Of(r.World.LookupAccount(r.Caller.Account)).Topics[r.Region]
	for name := range topics {
		names = append(names, name)
	}
	sort.Strings(names)
	page, next, err := pageOf(names, r.Params.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	out := listTopicsResult{Topics: []topicResult{}, NextToken: next}
	for _, name := range page {
		out.Topics = append(out.Topics, topicResult{topics[name].ARN()})
	}
	return out, nil
}

// pageOf returns the 100 keys after the token's and the token for the next
// page. Tokens are opaque: the base64 of the last key given.
func pageOf(keys []string, token string) (page []string, next string, err error) {
	after := ""
	if token != "" {
		b, derr := base64.RawURLEncoding.DecodeString(token)
		if derr != nil {
			return nil, "", invalidParameter("NextToken")
		}
		after = string(b)
	}
	i := sort.SearchStrings(keys, after)
	if i < len(keys) && keys[i] == after {
		i++
	}
	page = keys[i:]
	if len(page) > 100 {
		page = page[:100]
		next = base64.RawURLEncoding.EncodeToString([]byte(page[99]))
	}
	return page, next, nil
}
