package eventbridge

import (
	"regexp"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// rulesFixture is EventBridge's key of an account's mapping: rules on the
// default bus.
type rulesFixture struct {
	Rules []ruleFixture `yaml:"event_rules"`
}

type ruleFixture struct {
	Line         int               `yaml:"-"`
	Name         string            `yaml:"name"`
	Region       string            `yaml:"region"`
	Description  string            `yaml:"description"`
	State        string            `yaml:"state"`
	EventPattern fixture.PolicyDoc `yaml:"event_pattern"`
	Targets      []targetFixture   `yaml:"targets"`
}

// targetFixture is one target: a queue or a topic of the rule's account
// and region by name (SQS's and SNS's keys apply first), or any queue or
// topic by ARN. Id defaults to the queue's or topic's name.
type targetFixture struct {
	Line      int               `yaml:"-"`
	ID        string            `yaml:"id"`
	Queue     string            `yaml:"queue"`
	Topic     string            `yaml:"topic"`
	ARN       string            `yaml:"arn"`
	Input     fixture.PolicyDoc `yaml:"input"`
	InputPath string            `yaml:"input_path"`
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

func fixtureSection() fixture.Section {
	return fixture.PerAccount(func(l *fixture.Load, a *state.Account, f *rulesFixture) {
		for i := range f.Rules {
			loadRule(l, a, &f.Rules[i])
		}
	})
}

func loadRule(l *fixture.Load, a *state.Account, f *ruleFixture) {
	region, st := f.Region, f.State
	if region == "" {
		region = "us-east-1"
	}
	if st == "" {
		st = "ENABLED"
	}
	ea := eventstate.Slot.Of(a)
	switch _, err := parsePattern(f.EventPattern.JSON); {
	case !regionName.MatchString(region):
		l.Errorf(f.Line, "rule %s: region %q is not an AWS region name (e.g. eu-west-1)", f.Name, region)
	case !ruleName.MatchString(f.Name):
		l.Errorf(f.Line, "rule %q: names are 1 to 64 letters, digits, dots, hyphens or underscores", f.Name)
	case ea.Rules[region][f.Name] != nil:
		l.Errorf(f.Line, "rule %s is defined twice in %s (or already exists)", f.Name, region)
	case st != "ENABLED" && st != "DISABLED":
		l.Errorf(f.Line, "rule %s: state is ENABLED or DISABLED, not %q", f.Name, st)
	case err != nil:
		l.Errorf(f.EventPattern.Line, "rule %s: %s", f.Name, awsproto.AsError(err).Message)
	default:
		if ea.Rules[region] == nil {
			ea.Rules[region] = map[string]*eventstate.Rule{}
		}
		rule := &eventstate.Rule{Name: f.Name, Account: a.ID, Region: region, EventPattern: f.EventPattern.JSON,
			State: st, Description: f.Description, Targets: []*eventstate.Target{}}
		ea.Rules[region][f.Name] = rule
		for _, t := range f.Targets {
			loadTarget(l, rule, t)
		}
	}
}

func loadTarget(l *fixture.Load, rule *eventstate.Rule, f targetFixture) {
	arn, id, exists := f.ARN, f.ID, true
	named := 0
	for _, s := range []string{f.Queue, f.Topic, f.ARN} {
		if s != "" {
			named++
		}
	}
	switch {
	case named != 1:
		l.Errorf(f.Line, "rule %s: a target names one of queue, topic or arn", rule.Name)
		return
	case f.Queue != "":
		arn = sqsstate.ARN(rule.Region, rule.Account, f.Queue)
		_, exists = sqsstate.LookupARN(l.World, arn)
	case f.Topic != "":
		arn = snsstate.ARN(rule.Region, rule.Account, f.Topic)
		_, exists = snsstate.LookupTopic(l.World, arn)
	}
	if id == "" {
		id = f.Queue + f.Topic
	}
	t := target{ID: &id, Arn: &arn}
	if f.Input.JSON != "" {
		t.Input = &f.Input.JSON
	}
	if f.InputPath != "" {
		t.InputPath = &f.InputPath
	}
	switch err := checkTarget(t); {
	case !exists:
		l.Errorf(f.Line, "rule %s: %s%s does not exist in account %s, %s (define it, or give its arn)", rule.Name, f.Queue, f.Topic, rule.Account, rule.Region)
	case err != nil:
		l.Errorf(f.Line, "rule %s: %s", rule.Name, awsproto.AsError(err).Message)
	case indexOf(rule, id) >= 0:
		l.Errorf(f.Line, "rule %s: two targets have the id %s", rule.Name, id)
	case len(rule.Targets) >= maxTargets:
		l.Errorf(f.Line, "rule %s: at most %d targets", rule.Name, maxTargets)
	default:
		rule.Targets = append(rule.Targets, &eventstate.Target{ID: id, Arn: arn, Input: f.Input.JSON, InputPath: f.InputPath})
	}
}
