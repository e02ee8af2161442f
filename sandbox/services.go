package sandbox

import (
	"fmt"

	"github.com/gatehouse/gatehouse/sandbox/cloudtrail"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/iam"
	"github.com/gatehouse/gatehouse/sandbox/identitystore"
	"github.com/gatehouse/gatehouse/sandbox/organizations"
	"github.com/gatehouse/gatehouse/sandbox/secretsmanager"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/ses"
	"github.com/gatehouse/gatehouse/sandbox/sns"
	"github.com/gatehouse/gatehouse/sandbox/sqs"
	"github.com/gatehouse/gatehouse/sandbox/ssoadmin"
	"github.com/gatehouse/gatehouse/sandbox/state"
	"github.com/gatehouse/gatehouse/sandbox/sts"
)

// Services lists every AWS service the sandbox serves; serving a new one is
// one line here (docs/sandbox.md, "Adding a service"). The order is the
// order the router tries their APIs (the first that is surest of a request
// serves it) and the order their fixture sections apply.
func Services() []service.Definition {
	return []service.Definition{
		cloudtrail.Trail(iam.Service(), eventbridge.PutEvent), // IAM's calls reach event buses as CloudTrail events
		sts.Service(),
		secretsmanager.Service(),
		ses.Service(),
		organizations.Service(),
		ssoadmin.Service(), // after organizations: its fixture's instance belongs to the management account
		identitystore.Service(),
		sqs.Service(),
		sns.Service(),
		eventbridge.Service(),
	}
}

// NewWorld returns an empty world with every service's state, for tests that
// decode a snapshot or GET /_sandbox/state into one.
func NewWorld() *state.World { return state.NewWorld(slots(Services())...) }

// register takes in what every service adds: APIs, state, fixture sections
// and inspection endpoints.
func (s *Server) register(defs []service.Definition) error {
	s.hooks = map[string][]service.Hook{}
	for _, d := range defs {
		s.apis = append(s.apis, d.APIs...)
		for _, h := range d.Hooks {
			for _, other := range s.hooks[h.Path] {
				if other.Method == h.Method {
					return fmt.Errorf("registering services: two add the inspection endpoint %s /_sandbox/%s", h.Method, h.Path)
				}
			}
			s.hooks[h.Path] = append(s.hooks[h.Path], h)
		}
	}
	s.world = state.NewWorld(slots(defs)...)
	s.fixtures = fixtureLoader(defs)
	return nil
}

func slots(defs []service.Definition) []state.Slot {
	var out []state.Slot
	for _, d := range defs {
		out = append(out, d.State...)
	}
	return out
}

func fixtureLoader(defs []service.Definition) *fixture.Loader {
	var sections []fixture.Section
	for _, d := range defs {
		sections = append(sections, d.Fixture...)
	}
	return fixture.NewLoader(sections...)
}
