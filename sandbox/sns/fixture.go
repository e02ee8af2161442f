package sns

import (
	"regexp"

	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// topicsFixture is SNS's key of an account's mapping.
type topicsFixture struct {
	Topics []topicFixture `yaml:"sns_topics"`
}

type topicFixture struct {
	Line          int                   `yaml:"-"`
	Name          string                `yaml:"name"`
	Region        string                `yaml:"region"`
	DisplayName   string                `yaml:"display_name"`
	Tags          fixture.Tags          `yaml:"tags"`
	Subscriptions []subscriptionFixture `yaml:"subscriptions"`
}

// subscriptionFixture subscribes a queue: by name (of the same account and
// region, defined before the topic's account section ends: SQS's keys
// apply first) or by ARN.
type subscriptionFixture struct {
	Line               int    `yaml:"-"`
	Queue              string `yaml:"queue"`
	RawMessageDelivery bool   `yaml:"raw_message_delivery"`
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

func fixtureSection() fixture.Section {
	return fixture.PerAccount(func(l *fixture.Load, a *state.Account, f *topicsFixture) {
		for i := range f.Topics {
			loadTopic(l, a, &f.Topics[i])
		}
	})
}

func loadTopic(l *fixture.Load, a *state.Account, f *topicFixture) {
	region := f.Region
	if region == "" {
		region = "us-east-1"
	}
	switch sa := snsstate.Slot.Of(a); {
	case !regionName.MatchString(region):
		l.Errorf(f.Line, "topic %s: region %q is not an AWS region name (e.g. eu-west-1)", f.Name, region)
	case !topicName.MatchString(f.Name):
		l.Errorf(f.Line, "topic %q: names are 1 to 256 letters, digits, hyphens or underscores", f.Name)
	case sa.Topics[region][f.Name] != nil:
		l.Errorf(f.Line, "topic %s is defined twice in %s (or already exists)", f.Name, region)
	default:
		var attrs map[string]string
		if f.DisplayName != "" {
			attrs = map[string]string{"DisplayName": f.DisplayName}
		}
		t := addTopic(sa, a.ID, region, f.Name, attrs, f.Tags)
		for _, s := range f.Subscriptions {
			loadSubscription(l, t, s)
		}
	}
}

func loadSubscription(l *fixture.Load, t *snsstate.Topic, f subscriptionFixture) {
	arn := f.Queue
	if _, _, _, isARN := sqsstate.ParseARN(arn); !isARN {
		arn = sqsstate.ARN(t.Region, t.Account, f.Queue)
		if _, ok := sqsstate.LookupARN(l.World, arn); !ok {
			l.Errorf(f.Line, "topic %s: queue %q does not exist in account %s, %s (define it under sqs_queues, or give its ARN)", t.Name, f.Queue, t.Account, t.Region)
			return
		}
	}
	for _, s := range t.Subscriptions {
		if s.Endpoint == arn {
			l.Errorf(f.Line, "topic %s: queue %s is subscribed twice", t.Name, f.Queue)
			return
		}
	}
	t.Subscriptions = append(t.Subscriptions, &snsstate.Subscription{ARN: t.ARN() + ":" + newID(), Protocol: "sqs",
		Endpoint: arn, Owner: t.Account, Raw: f.RawMessageDelivery})
}
