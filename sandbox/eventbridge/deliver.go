package eventbridge

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// SenderID is the SenderId SQS reports for messages EventBridge delivers.
const SenderID = "AIDAEVENTBRIDGESANDBOX"

// PutEvent puts an event on its account's default bus in its region: every
// enabled rule whose pattern matches sends it to each of its targets, at
// once and under the caller's lock, so a receive that follows the call that
// caused the event finds it. It is how events that AWS services emit
// (CloudTrail's records of IAM calls, package cloudtrail) reach the bus;
// call it with the world's write lock held.
func PutEvent(w *state.World, e *eventstate.Event) {
	a := eventstate.Slot.Of(w.Account(e.Account))
	body, _ := json.Marshal(e)
	decoded, _ := decodeJSON(body)
	put := &eventstate.Put{Event: e, Bus: "default", Rules: []string{}}
	names := make([]string, 0, len(a.Rules[e.Region]))
	for name := range a.Rules[e.Region] {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rule := a.Rules[e.Region][name]
		if rule.State == "DISABLED" || rule.EventPattern == "" {
			continue
		}
		p, err := parsePattern(rule.EventPattern)
		if err != nil || !matches(p, decoded) {
			continue
		}
		put.Rules = append(put.Rules, rule.Name)
		for _, t := range rule.Targets {
			if !deliver(w, t, body, decoded) {
				put.Failed = append(put.Failed, rule.Name+"/"+t.ID)
			}
		}
	}
	a.Remember(put)
}

// deliver sends the event, or the part of it the target asks for, to one
// target; false when the target's queue or topic does not exist (AWS counts
// a failed invocation and the sender is not told).
func deliver(w *state.World, t *eventstate.Target, event []byte, decoded any) bool {
	body := string(event)
	switch {
	case t.Input != "":
		body = t.Input
	case t.InputPath != "":
		body = inputPath(decoded, t.InputPath)
	}
	if _, _, _, ok := sqsstate.ParseARN(t.Arn); ok {
		_, err := sqsstate.Deliver(w, t.Arn, body, nil, SenderID)
		return err == nil
	}
	topic, ok := snsstate.LookupTopic(w, t.Arn)
	if !ok {
		return false
	}
	snsstate.Publish(topic, snsstate.Message{ID: uuid.NewString(), Body: body}, func(queueARN, body string, _ map[string]snsstate.Attribute) error {
		_, err := sqsstate.Deliver(w, queueARN, body, nil, snsstate.SenderID)
		return err
	})
	return true
}

// inputPath selects a part of the event with a JSONPath of dotted names
// ($.detail.requestParameters); what it selects is sent as JSON, and a path
// that selects nothing sends nothing, as EventBridge does.
func inputPath(event any, path string) string {
	v := event
	for _, name := range strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "$"), "."), ".") {
		if name == "" {
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[name]
	}
	out, _ := json.Marshal(v)
	return string(out)
}
