// Package service is what a service package hands the sandbox's server: the
// APIs it serves, the state it owns, the fixture sections it loads and the
// inspection endpoints it adds.
// sandbox/services.go lists one Definition per service, and that line is all
// the server needs to serve a new one.
package service

import (
	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Definition is everything one service package adds to the sandbox.
type Definition struct {
	// APIs are the endpoints the service serves (SES serves v1 and v2), in the
	// order the router tries them.
	APIs []*awsproto.API
	// State is the service's parts of the world and of every account.
	State []state.Slot
	// Fixture is the sections of fixture files the service loads, in the
	// order they apply.
	Fixture []fixture.Section
	// Hooks are the service's endpoints in the /_sandbox/ inspection API.
	Hooks []Hook
}
