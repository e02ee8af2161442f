package eventbridge

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

var ruleName = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

type tag struct {
	Key   string
	Value string
}

type putRuleInput struct {
	Name               *string
	ScheduleExpression *string
	EventPattern       *string
	State              *string
	Description        *string
	RoleArn            *string
	Tags               []tag
	EventBusName       *string
}

// putRule creates or updates a rule; an update keeps its targets.
func putRule(r *awsproto.Request) (any, error) {
	var in putRuleInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if err := checkBus(r, in.EventBusName); err != nil {
		return nil, err
	}
	if in.Name == nil || !ruleName.MatchString(*in.Name) {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", deref(in.Name))
	}
	if in.EventPattern == nil && in.ScheduleExpression == nil {
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.EventPattern != nil {
		if _, err := parsePattern(*in.EventPattern); err != nil {
			return nil, err
		}
	}
	st := "ENABLED"
	if in.State != nil {
		if st = *in.State; st != "ENABLED" && st != "DISABLED" && st != "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
			return nil, validation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, DISABLED]", st)
		}
	}
	bus := rules(r)
	rule, ok := bus[*in.Name]
	if !ok {
		rule = &eventstate.Rule{Name: *in.Name, Account: r.Caller.Account, Region: r.Region, Targets: []*eventstate.Target{}}
		bus[rule.Name] = rule
	}
	rule.EventPattern, rule.ScheduleExpression = deref(in.EventPattern), deref(in.ScheduleExpression)
	rule.State, rule.Description, rule.RoleArn = st, deref(in.Description), deref(in.RoleArn)
	for _, t := range in.Tags {
		rule.Tags = append(rule.Tags, state.Tag{Key: t.Key, Value: t.Value})
	}
	return struct{ RuleArn string }{rule.ARN()}, nil
}

type ruleInput struct {
	Name         *string
	EventBusName *string
}

// ruleOutput is a rule as DescribeRule and ListRules give it.
type ruleOutput struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	EventBusName       string
	CreatedBy          string `json:",omitempty"`
}

func ruleOf(rule *eventstate.Rule) ruleOutput {
	return ruleOutput{Name: rule.Name, Arn: rule.ARN(), EventPattern: rule.EventPattern, ScheduleExpression: rule.ScheduleExpression,
		State: rule.State, Description: rule.Description, RoleArn: rule.RoleArn, EventBusName: "default", CreatedBy: rule.Account}
}

func describeRule(r *awsproto.Request) (any, error) {
	var in ruleInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	rule, err := findRule(r, in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	return ruleOf(rule), nil
}

type listRulesInput struct {
	NamePrefix   *string
	EventBusName *string
	NextToken    *string
	Limit        *int
}

type listRulesResult struct {
	Rules     []ruleOutput
	NextToken string `json:",omitempty"`
}

func listRules(r *awsproto.Request) (any, error) {
	var in listRulesInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if err := checkBus(r, in.EventBusName); err != nil {
		return nil, err
	}
	bus := eventstate.Slot.Of(r.World.LookupAccount(r.Caller.Account)).Rules[r.Region]
	var names []string
	for name := range bus {
		if strings.HasPrefix(name, deref(in.NamePrefix)) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	page, next, err := pageOf(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := listRulesResult{Rules: []ruleOutput{}, NextToken: next}
	for _, name := range page {
		out.Rules = append(out.Rules, ruleOf(bus[name]))
	}
	return out, nil
}

// pageOf returns up to limit (default and most 100) keys after the token's,
// and the token of the next page: the base64 of the last key given.
func pageOf(keys []string, token *string, limit *int) (page []string, next string, err error) {
	n := 100
	if limit != nil {
		if n = *limit; n < 1 || n > 100 {
			return nil, "", validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", n)
		}
	}
	i := 0
	if token != nil {
		b, derr := base64.RawURLEncoding.DecodeString(*token)
		if derr != nil {
			return nil, "", validation("The NextToken is not valid.")
		}
		i = sort.SearchStrings(keys, string(b)+"\x00")
	}
	page = keys[i:]
	if len(page) > n {
		page = page[:n]
		next = base64.RawURLEncoding.EncodeToString([]byte(page[n-1]))
	}
	return page, next, nil
}

type deleteRuleInput struct {
	Name         *string
	EventBusName *string
	Force        *bool
}

// deleteRule refuses while the rule has targets, as EventBridge does;
// deleting a rule that does not exist succeeds.
func deleteRule(r *awsproto.Request) (any, error) {
	var in deleteRuleInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	rule, err := findRule(r, in.Name, in.EventBusName)
	if awsproto.AsError(err).Code == "ResourceNotFoundException" && in.Name != nil && checkBus(r, in.EventBusName) == nil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(rule.Targets) > 0 {
		return nil, validation("Rule can't be deleted since it has targets.")
	}
	delete(rules(r), rule.Name)
	return nil, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
