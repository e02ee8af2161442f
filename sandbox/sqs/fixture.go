package sqs

import (
	"regexp"
	"strconv"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// queuesFixture is SQS's key of an account's mapping.
type queuesFixture struct {
	Queues []queueFixture `yaml:"sqs_queues"`
}

type queueFixture struct {
	Line                   int             `yaml:"-"`
	Name                   string          `yaml:"name"`
	Region                 string          `yaml:"region"`
	VisibilityTimeout      *int            `yaml:"visibility_timeout"`
	MessageRetentionPeriod *int            `yaml:"message_retention_period"`
	DelaySeconds           *int            `yaml:"delay_seconds"`
	ReceiveWaitTimeSeconds *int            `yaml:"receive_wait_time_seconds"`
	MaximumMessageSize     *int            `yaml:"maximum_message_size"`
	Redrive                *redriveFixture `yaml:"redrive"`
	Tags                   fixture.Tags    `yaml:"tags"`
}

// redriveFixture is a RedrivePolicy: the dead-letter queue by name (in the
// same account and region) or ARN.
type redriveFixture struct {
	Line            int    `yaml:"-"`
	DeadLetterQueue string `yaml:"dead_letter_queue"`
	MaxReceiveCount int    `yaml:"max_receive_count"`
}

// fixtureRegion is the region of a fixture's queue: us-east-1 when
// left out (where IAM's CloudTrail events arrive).
func fixtureRegion(l *fixture.Load, line int, region string) (string, bool) {
	if region == "" {
		return "us-east-1", true
	}
	if !regionName.MatchString(region) {
		l.Errorf(line, "region %q is not an AWS region name (e.g. eu-west-1)", region)
		return "", false
	}
	return region, true
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

// fixtureSection creates the queues first and sets redrive policies after,
// so a queue may name a dead-letter queue listed below it.
func fixtureSection() fixture.Section {
	return fixture.PerAccount(func(l *fixture.Load, a *state.Account, f *queuesFixture) {
		type pending struct {
			q   *sqsstate.Queue
			def *queueFixture
		}
		var created []pending
		for i := range f.Queues {
			if q := loadQueue(l, a, &f.Queues[i]); q != nil {
				created = append(created, pending{q, &f.Queues[i]})
			}
		}
		for _, p := range created {
			loadRedrive(l, p.q, p.def)
		}
	})
}

func loadQueue(l *fixture.Load, a *state.Account, f *queueFixture) *sqsstate.Queue {
	region, ok := fixtureRegion(l, f.Line, f.Region)
	if !ok {
		return nil
	}
	if !queueName.MatchString(f.Name) {
		l.Errorf(f.Line, "queue %q: names are 1 to 80 letters, digits, hyphens or underscores", f.Name)
		return nil
	}
	attrs := map[string]string{}
	for name, v := range map[string]*int{"VisibilityTimeout": f.VisibilityTimeout, "MessageRetentionPeriod": f.MessageRetentionPeriod,
		"DelaySeconds": f.DelaySeconds, "ReceiveMessageWaitTimeSeconds": f.ReceiveWaitTimeSeconds, "MaximumMessageSize": f.MaximumMessageSize} {
		if v != nil {
			attrs[name] = strconv.Itoa(*v)
		}
	}
	if _, err := checkAttributes(l.World, region, a.ID, attrs, true); err != nil {
		l.Errorf(f.Line, "queue %s: %s", f.Name, awsproto.AsError(err).Message)
		return nil
	}
	sa := sqsstate.Slot.Of(a)
	if _, exists := sa.Queues[region][f.Name]; exists {
		l.Errorf(f.Line, "queue %s is defined twice in %s (or already exists)", f.Name, region)
		return nil
	}
	var tags map[string]string
	for _, t := range f.Tags {
		if tags == nil {
			tags = map[string]string{}
		}
		tags[t.Key] = t.Value
	}
	q := addQueue(sa, a.ID, region, f.Name, tags)
	for k, v := range attrs {
		setAttribute(q, k, v)
	}
	return q
}

func loadRedrive(l *fixture.Load, q *sqsstate.Queue, f *queueFixture) {
	if f.Redrive == nil {
		return
	}
	target := f.Redrive.DeadLetterQueue
	if _, _, _, isARN := sqsstate.ParseARN(target); !isARN {
		target = sqsstate.ARN(q.Region, q.Account, target)
	}
	policy := `{"deadLetterTargetArn":"` + target + `","maxReceiveCount":` + strconv.Itoa(f.Redrive.MaxReceiveCount) + `}`
	if err := checkRedrive(l.World, q.Region, q.Account, policy); err != nil {
		l.Errorf(f.Redrive.Line, "queue %s: redrive to %s: %s", q.Name, f.Redrive.DeadLetterQueue, awsproto.AsError(err).Message)
		return
	}
	setAttribute(q, "RedrivePolicy", policy)
}
