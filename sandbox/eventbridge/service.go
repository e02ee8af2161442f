// Package eventbridge is the sandbox's Amazon EventBridge (JSON 1.1): rules
// on each account's default event bus, with event patterns matched as
// EventBridge documents them, and targets that are SQS queues or SNS
// topics. Events reach it through PutEvents and, for IAM's mutating calls,
// through the CloudTrail records package cloudtrail makes (see PutEvent).
//
// Schedule expressions are accepted and kept; the sandbox has no clock that
// fires them.
package eventbridge

import (
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

var read, write = awsproto.Read, awsproto.Write

// Service is EventBridge: its API, its part of every account, its fixture
// keys and GET /_sandbox/events.
func Service() service.Definition {
	return service.Definition{
		APIs: []*awsproto.API{{
			Name: "events", ID: "events",
			Codec: awsproto.JSON{Version: "1.1", TargetPrefix: "AWSEvents"},
			Operations: map[string]awsproto.Operation{
				"PutRule":           write(putRule),
				"DescribeRule":      read(describeRule),
				"ListRules":         read(listRules),
				"DeleteRule":        write(deleteRule),
				"PutTargets":        write(putTargets),
				"RemoveTargets":     write(removeTargets),
				"ListTargetsByRule": read(listTargetsByRule),
				"PutEvents":         write(putEvents),
			},
		}},
		State:   []state.Slot{eventstate.Slot},
		Fixture: []fixture.Section{fixtureSection()},
		Hooks:   hooks(),
	}
}

func validation(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

func invalidPattern(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidEventPatternException", "Event pattern is not valid. Reason: "+format, args...)
}

func ruleNotFound(name string) error {
	return awsproto.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "Rule %s does not exist on EventBus default.", name)
}

// checkBus accepts the default bus, by name or ARN: the only bus the
// sandbox has.
func checkBus(r *awsproto.Request, bus *string) error {
	if bus == nil || *bus == "default" || *bus == "arn:aws:events:"+r.Region+":"+r.Caller.Account+":event-bus/default" {
		return nil
	}
	return awsproto.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "Event bus %s does not exist.", *bus)
}

// rules is the caller's default bus in the request's region, for writing.
func rules(r *awsproto.Request) map[string]*eventstate.Rule {
	a := eventstate.Slot.Of(r.Account())
	if a.Rules[r.Region] == nil {
		a.Rules[r.Region] = map[string]*eventstate.Rule{}
	}
	return a.Rules[r.Region]
}

// findRule finds a rule of the caller's default bus without creating anything.
func findRule(r *awsproto.Request, name *string, bus *string) (*eventstate.Rule, error) {
	if err := checkBus(r, bus); err != nil {
		return nil, err
	}
	if name == nil {
		return nil, validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	rule, ok := eventstate.Slot.Of(r.World.LookupAccount(r.Caller.Account)).Rules[r.Region][*name]
	if !ok {
		return nil, ruleNotFound(*name)
	}
	return rule, nil
}
