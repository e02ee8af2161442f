package sandbox

import (
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/iam"
	"github.com/gatehouse/gatehouse/sandbox/organizations"
	"github.com/gatehouse/gatehouse/sandbox/secretsmanager"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/ses"
	"github.com/gatehouse/gatehouse/sandbox/state"
	"github.com/gatehouse/gatehouse/sandbox/sts"
)

// Services lists every AWS service the sandbox serves; serving a new one is
// one line here (docs/sandbox.md, "Adding a service"). The order is the
// order the router tries their APIs (the first that is surest of a request
// serves it) and the order their fixture sections apply.
func Services() []service.Definition {
	return []service.Definition{
		iam.Service(),
		sts.Service(),
		secretsmanager.Service(),
		ses.Service(),
		organizations.Service(),
	}
}

// NewWorld returns an empty world with every service's state, for tests that
// decode a snapshot or GET /_sandbox/state into one.
func NewWorld() *state.World { return state.NewWorld(slots(Services())...) }

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
