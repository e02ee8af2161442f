package eventbridge

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

var targetID = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// maxTargets is EventBridge's limit of targets per rule.
const maxTargets = 5

type target struct {
	ID        *string `json:"Id"`
	Arn       *string
	RoleArn   *string
	Input     *string
	InputPath *string
	// Parameters the sandbox takes and has no use for: it always delivers
	// at once, so retries and dead-letter queues never come into play.
	RetryPolicy      json.RawMessage
	DeadLetterConfig json.RawMessage
	SqsParameters    json.RawMessage
	InputTransformer json.RawMessage
}

type putTargetsInput struct {
	Rule         *string
	EventBusName *string
	Targets      []target
}

type failedTarget struct {
	TargetID     string `json:"TargetId"`
	ErrorCode    string
	ErrorMessage string
}

type targetsResult struct {
	FailedEntryCount int
	FailedEntries    []failedTarget
}

// putTargets adds or replaces targets by Id. The sandbox delivers to SQS
// queues and SNS topics; other targets are refused with a message that
// says so, as is InputTransformer, which it does not apply.
func putTargets(r *awsproto.Request) (any, error) {
	var in putTargetsInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	rule, err := findRule(r, in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	for _, t := range in.Targets {
		if err := checkTarget(t); err != nil {
			return nil, err
		}
	}
	out := targetsResult{FailedEntries: []failedTarget{}}
	for _, t := range in.Targets {
		i := indexOf(rule, *t.ID)
		if i < 0 && len(rule.Targets) >= maxTargets {
			out.FailedEntries = append(out.FailedEntries, failedTarget{*t.ID, "LimitExceededException", "The requested resource exceeds the maximum number allowed."})
			continue
		}
		nt := &eventstate.Target{ID: *t.ID, Arn: *t.Arn, Input: deref(t.Input), InputPath: deref(t.InputPath), RoleArn: deref(t.RoleArn)}
		if i < 0 {
			rule.Targets = append(rule.Targets, nt)
		} else {
			rule.Targets[i] = nt
		}
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

func checkTarget(t target) error {
	switch {
	case t.ID == nil || !targetID.MatchString(*t.ID):
		return validation("1 validation error detected: Value '%s' at 'targets.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", deref(t.ID))
	case t.Arn == nil:
		return validation("1 validation error detected: Value null at 'targets.arn' failed to satisfy constraint: Member must not be null")
	case len(t.InputTransformer) > 0:
		return validation("Target %s: the sandbox does not apply InputTransformer; use Input or InputPath.", *t.ID)
	case t.Input != nil && t.InputPath != nil:
		return validation("Target %s: Only one of Input, InputPath, or InputTransformer may be specified.", *t.ID)
	case t.Input != nil && !json.Valid([]byte(*t.Input)):
		return validation("Target %s: Input is not valid JSON text.", *t.ID)
	case t.InputPath != nil && !strings.HasPrefix(*t.InputPath, "$"):
		return validation("Target %s: InputPath is not a valid JSONPath.", *t.ID)
	}
	_, _, _, isQueue := sqsstate.ParseARN(*t.Arn)
	_, _, _, sub, isTopic := snsstate.ParseARN(*t.Arn)
	if !isQueue && (!isTopic || sub != "") {
		return validation("Target %s: the sandbox delivers to SQS queues and SNS topics only, not %s.", *t.ID, *t.Arn)
	}
	return nil
}

func indexOf(rule *eventstate.Rule, id string) int {
	for i, t := range rule.Targets {
		if t.ID == id {
			return i
		}
	}
	return -1
}

type removeTargetsInput struct {
	Rule         *string
	EventBusName *string
	Ids          []string
	Force        *bool
}

// removeTargets removes targets by Id; an Id the rule does not have is not
// a failure.
func removeTargets(r *awsproto.Request) (any, error) {
	var in removeTargetsInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	rule, err := findRule(r, in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return nil, validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	for _, id := range in.Ids {
		if i := indexOf(rule, id); i >= 0 {
			rule.Targets = append(rule.Targets[:i], rule.Targets[i+1:]...)
		}
	}
	return targetsResult{FailedEntries: []failedTarget{}}, nil
}

type listTargetsInput struct {
	Rule         *string
	EventBusName *string
	NextToken    *string
	Limit        *int
}

type targetOutput struct {
	ID        string `json:"Id"`
	Arn       string
	RoleArn   string `json:",omitempty"`
	Input     string `json:",omitempty"`
	InputPath string `json:",omitempty"`
}

func listTargetsByRule(r *awsproto.Request) (any, error) {
	var in listTargetsInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	rule, err := findRule(r, in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	byID := map[string]*eventstate.Target{}
	ids := make([]string, 0, len(rule.Targets))
	for _, t := range rule.Targets {
		byID[t.ID] = t
		ids = append(ids, t.ID)
	}
	sort.Strings(ids)
	page, next, err := pageOf(ids, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := struct {
		Targets   []targetOutput
		NextToken string `json:",omitempty"`
	}{Targets: []targetOutput{}, NextToken: next}
	for _, id := range page {
		t := byID[id]
		out.Targets = append(out.Targets, targetOutput{t.ID, t.Arn, t.RoleArn, t.Input, t.InputPath})
	}
	return out, nil
}
