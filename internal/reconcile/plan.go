// Package reconcile makes a spec the desired state of the people gatehouse
// manages (gatehouse plan / apply). It adds nothing to the directories: it
// composes the lifecycles. Onboarding, with Deps.Reconcile, creates and
// updates — and takes back what a managed user has that the spec does not
// list; offboarding suspends, reinstates, and removes the managed users the
// spec no longer lists, archive first. Users gatehouse does not manage are
// reported, never changed.
package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/offboard"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Actions a plan takes for one person in one scope.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionSuspend   = "suspend"
	ActionReinstate = "reinstate"
	ActionRemove    = "remove"
)

// Journal is what a reconcile reads besides what the lifecycles do.
type Journal interface {
	offboard.Journal
	People(ctx context.Context, account string) ([]journal.Person, error)
}

var _ Journal = (*journal.Journal)(nil)

// Deps are the two lifecycles' dependencies; they share the directory and
// the journal.
type Deps struct {
	Onboard  onboard.Deps
	Offboard offboard.Deps
	Journal  Journal
}

// Plan is what apply will do, as data.
type Plan struct {
	Input     *spec.Input
	Directory string // engine.DirectoryIAM, engine.DirectoryIdentityCenter
	// Onboarding creates and updates the spec's people (drift included);
	// its placements for suspended people carry no credential step.
	Onboarding *onboard.Plan
	// Suspension, Reinstatement and Removal are offboarding's plans for the
	// people to suspend, to reinstate, and the managed users the spec no
	// longer lists; nil when there is nobody.
	Suspension, Reinstatement, Removal *offboard.Plan
	// Unmanaged are the users gatehouse does not manage: reported only.
	Unmanaged []Unmanaged

	reinstated *spec.Input       // the reinstatement's people, for their new passwords
	dir        engine.Onboarding // says why a step is in the plan
	notices    []Notice          // the suspended people who have no user
}

// Unmanaged is a user gatehouse does not manage, found in a scope.
type Unmanaged struct {
	Scope  string `json:"scope"`
	User   string `json:"user"`
	Email  string `json:"email,omitempty"`
	InSpec bool   `json:"in_spec"`
	Reason string `json:"reason"`
}

// MakePlan reads every selected scope and works out what apply would do. It
// changes nothing.
func MakePlan(ctx context.Context, deps Deps, in *spec.Input) (*Plan, error) {
	odeps := deps.Onboard
	odeps.Reconcile, odeps.Adopt, odeps.Resend = true, false, false
	ob, err := onboard.MakePlan(ctx, odeps, in)
	if err != nil {
		return nil, err
	}
	p := &Plan{Input: in, Directory: odeps.Directory.Kind(), Onboarding: ob, dir: odeps.Directory}
	suspend, reinstate, err := p.suspensions(ctx, deps)
	if err != nil {
		return nil, err
	}
	remove, err := p.survey(ctx, deps)
	if err != nil {
		return nil, err
	}
	for _, part := range []struct {
		plan   **offboard.Plan
		action offboard.Action
		people []spec.Person
	}{{&p.Suspension, offboard.ActionSuspend, suspend}, {&p.Reinstatement, offboard.ActionReinstate, reinstate},
		{&p.Removal, offboard.ActionRemove, remove}} {
		if len(part.people) == 0 {
			continue
		}
		sub := *in
		sub.People = part.people
		*part.plan, err = offboard.MakePlan(ctx, deps.Offboard, offboard.Request{Action: part.action, Input: &sub})
		if err != nil {
			return nil, fmt.Errorf("planning to %s: %w", part.action, err)
		}
	}
	return p, nil
}

// suspensions settles the people the spec marks suspended and those it no
// longer does: onboarding gives neither a credential (a suspension has just
// taken it; a reinstatement issues a new one), offboarding suspends or
// reinstates them. Someone suspended who has no user gets none.
func (p *Plan) suspensions(ctx context.Context, deps Deps) (suspend, reinstate []spec.Person, err error) {
	kept := p.Onboarding.Placements[:0:0]
	defer func() { p.Onboarding.Placements = kept }()
	for _, pl := range p.Onboarding.Placements {
		if pl.Person.Suspended && pl.User == engine.UserAbsent {
			// The desired state already: no user, so nobody can sign in.
			p.notices = append(p.notices, Notice{Scope: pl.Scope.ID, Person: label(pl.Person), User: pl.UserName,
				Note: "suspended in the spec, and there is no user: nothing to create"})
			continue
		}
		kept = append(kept, pl)
		if pl.Skip != "" {
			continue
		}
		if pl.User != engine.UserManaged {
			continue
		}
		s, ok, err := deps.Journal.Suspension(ctx, pl.Scope.ID, pl.UserName)
		if err != nil {
			return nil, nil, err
		}
		suspended := ok && s.State == journal.Suspended
		if pl.Person.Suspended || suspended {
			pl.Steps, pl.Note = withoutCredential(pl.Steps), ""
		}
		one := pl.Person
		one.UserName, one.Accounts = pl.UserName, []string{pl.Scope.ID}
		switch {
		case pl.Person.Suspended && !suspended:
			suspend = append(suspend, one)
		case !pl.Person.Suspended && suspended:
			reinstate = append(reinstate, one)
		}
	}
	return suspend, reinstate, nil
}

// withoutCredential drops the steps that issue or hand over a credential.
func withoutCredential(steps []engine.Step) []engine.Step {
	return slices.DeleteFunc(slices.Clone(steps), func(s engine.Step) bool {
		return s.Issues != engine.IssueNone || s.Kind == engine.StepDeliver
	})
}

// survey lists every scope's users: the managed ones the spec does not list
// are to be removed; the unmanaged ones are reported.
func (p *Plan) survey(ctx context.Context, deps Deps) ([]spec.Person, error) {
	dir := deps.Offboard.Directory
	per := make([][]spec.Person, len(p.Onboarding.Scopes))
	unmanaged := make([][]Unmanaged, len(p.Onboarding.Scopes))
	err := engine.Each(ctx, engine.Concurrency(deps.Onboard.Concurrency, len(per)), engine.InOrder(len(per)), func(ctx context.Context, i int) error {
		s := p.Onboarding.Scopes[i]
		users, err := dir.List(ctx, s)
		if err != nil {
			return fmt.Errorf("listing the users of %s: %w", s.ID, err)
		}
		people, err := deps.Journal.People(ctx, s.ID)
		if err != nil {
			return err
		}
		per[i], unmanaged[i] = p.sort(s, users, managedByJournal(people))
		return nil
	})
	if err != nil {
		return nil, err
	}
	var remove []spec.Person
	for i := range per {
		remove = append(remove, per[i]...)
		p.Unmanaged = append(p.Unmanaged, unmanaged[i]...)
	}
	return remove, nil
}

// sort splits scope s's users into the managed ones the spec no longer
// lists (to remove) and the ones gatehouse does not manage.
func (p *Plan) sort(s *engine.Scope, users []engine.Listed, journaled map[string]bool) ([]spec.Person, []Unmanaged) {
	inSpec := map[string]*onboard.Placement{}
	for _, pl := range p.Onboarding.In(s) {
		inSpec[strings.ToLower(pl.UserName)] = pl
	}
	var remove []spec.Person
	var unmanaged []Unmanaged
	for _, u := range users {
		key := strings.ToLower(u.Name)
		managed := u.Tags[engine.TagManagedBy] == engine.ManagedByValue || journaled[key]
		pl, listed := inSpec[key]
		switch {
		case managed && !listed:
			// By name alone: offboarding reads the user directly, no listing.
			remove = append(remove, spec.Person{UserName: u.Name, Accounts: []string{s.ID}})
		case !managed && listed:
			unmanaged = append(unmanaged, Unmanaged{Scope: s.ID, User: u.Name, Email: u.Email, InSpec: true,
				Reason: "in the spec (" + label(pl.Person) + ") but not created by gatehouse: left alone; gatehouse onboard --adopt takes it over"})
		case !managed:
			unmanaged = append(unmanaged, Unmanaged{Scope: s.ID, User: u.Name, Email: u.Email,
				Reason: "not in the spec, not created by gatehouse: left alone"})
		}
	}
	return remove, unmanaged
}

// managedByJournal are the users the journal says gatehouse manages (the
// word for a directory that cannot mark its users), by lower-cased name.
func managedByJournal(people []journal.Person) map[string]bool {
	out := map[string]bool{}
	for _, p := range people {
		if p.Managed && p.UserState != journal.UserRemoved {
			out[strings.ToLower(p.UserName)] = true
		}
	}
	return out
}

// label names a person: the e-mail address, else the user name.
func label(p spec.Person) string {
	if p.Email != "" {
		return p.Email
	}
	return p.UserName
}
