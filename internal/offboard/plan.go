package offboard

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Request is what to do and to whom.
type Request struct {
	Action Action
	// Input names the people (by user name or e-mail address) and the
	// scopes; with no people, Tags selects alone. A reinstatement delivers
	// new passwords as its Delivery says.
	Input *spec.Input
	// Tags narrows the selection to users carrying every one of these tags.
	Tags map[string]string
}

// State is what the plan found of a placement's user.
type State = engine.UserState

// States.
const (
	StateAbsent  = engine.UserAbsent  // no such user: nothing to remove
	StateManaged = engine.UserManaged // created (or adopted) by gatehouse
	StateForeign = engine.UserForeign // not created by gatehouse: removal needs confirmation
)

// Plan is what offboarding will do, as plain data.
type Plan struct {
	Action Action
	Source string
	Caller string // who gatehouse acts as (an ARN)
	Scopes []*engine.Scope
	// Placements are per scope (in ID order), in input order within one.
	Placements []*Placement

	input *spec.Input        // for a reinstatement's new passwords
	dir   engine.Offboarding // for Changes
}

// Placement is one user in one scope.
type Placement struct {
	Person   string // how the input named them: "alice@example.com", "tag team=legacy"
	Scope    *engine.Scope
	UserName string // as the directory spells it once discovered
	State    State
	Note     string // why there is no user: "no such user"
	// Guard says why the user is never touched (protected by configuration,
	// or the identity gatehouse runs as); "" when it is not.
	Guard string
	Self  bool // the guard is that this is the identity gatehouse runs as
	// Declined says why Apply leaves the user alone although it could act
	// (a user gatehouse did not create, whose removal was not confirmed).
	Declined string
	// Record is everything discovered (nil when the user is absent and
	// nothing is left of it, or discovery failed).
	Record engine.Record
	// Suspension is the journal's record of the user's suspension (reinstate).
	Suspension *journal.Suspension
	// Err is why the user could not be read; nothing is done to it.
	Err string
}

// MakePlan resolves the scopes, finds the selected users in each and
// discovers everything attached to every one of them, users and scopes in
// parallel. It makes no change: only reading calls.
func MakePlan(ctx context.Context, deps Deps, req Request) (*Plan, error) {
	if req.Input == nil {
		return nil, errors.New("planning offboarding: no input")
	}
	caller, err := deps.Directory.Caller(ctx)
	if err != nil {
		return nil, err
	}
	scopes, err := deps.Directory.Scopes(ctx, req.Input)
	if err != nil {
		return nil, err
	}
	p := &Plan{Action: req.Action, Source: req.Input.Source, Caller: caller, Scopes: scopes, input: req.Input, dir: deps.Directory}
	sel := selection{selectors: selectorsOf(req.Input), tags: req.Tags}
	n := engine.Concurrency(deps.Concurrency, len(scopes))
	perScope := make([][]*Placement, len(scopes))
	err = engine.Each(ctx, n, engine.InOrder(len(scopes)), func(ctx context.Context, i int) error {
		perScope[i] = findPlacements(ctx, deps, sel, scopes[i])
		prefetch(ctx, deps, scopes[i], perScope[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, ps := range perScope {
		p.Placements = append(p.Placements, ps...)
	}
	spread := make([]*Placement, 0, len(p.Placements))
	for _, i := range engine.RoundRobin(scopeIDs(p.Placements)) {
		spread = append(spread, p.Placements[i])
	}
	err = engine.Each(ctx, n, spread, func(ctx context.Context, pl *Placement) error {
		return p.read(ctx, deps, pl)
	})
	return p, err
}

// findPlacements lists the scope's users when the selection needs it and
// returns its placements; when the listing fails, every person there gets a
// placement carrying the error.
func findPlacements(ctx context.Context, deps Deps, sel selection, s *engine.Scope) []*Placement {
	if !sel.needsListing() {
		return sel.placements(s, nil)
	}
	users, err := deps.Directory.List(ctx, s)
	if err == nil {
		return sel.placements(s, users)
	}
	var out []*Placement
	for _, sr := range sel.selectors {
		if sr.in(s.ID) {
			out = append(out, &Placement{Person: sr.label, Scope: s, UserName: sr.userName, Err: err.Error()})
		}
	}
	if len(sel.selectors) == 0 {
		out = append(out, &Placement{Person: sel.tagLabel(), Scope: s, Err: err.Error()})
	}
	return out
}

// prefetch lets a directory that can read the scope's users in bulk
// (engine.Prefetcher) do so before each is discovered.
func prefetch(ctx context.Context, deps Deps, s *engine.Scope, pls []*Placement) {
	pf, ok := deps.Directory.(engine.Prefetcher)
	if !ok {
		return
	}
	var names []string
	for _, pl := range pls {
		if pl.Err == "" && pl.State != StateAbsent {
			names = append(names, pl.UserName)
		}
	}
	pf.Prefetch(ctx, s, names)
}

// read discovers pl's user and decides whether it may be touched. A failure
// to read is the placement's (Err), not the plan's; only the journal failing
// stops planning.
func (p *Plan) read(ctx context.Context, deps Deps, pl *Placement) error {
	if pl.Err != "" {
		return nil
	}
	if pl.State != StateAbsent {
		person, _, err := deps.Journal.Person(ctx, pl.Scope.ID, pl.UserName)
		if err != nil {
			return err
		}
		known := engine.KnownFrom(person)
		rec, err := deps.Directory.Discover(ctx, pl.Scope, pl.UserName, known)
		switch {
		case errors.Is(err, engine.ErrUserNotFound):
			pl.State, pl.Note = StateAbsent, "no such user"
		case err != nil:
			pl.Err = err.Error()
			return nil
		default:
			pl.Record, pl.UserName, pl.State = rec, rec.UserName(), StateForeign
			if rec.Managed() {
				pl.State = StateManaged
			}
			pl.Guard, pl.Self = guard(deps, pl)
		}
	}
	if pl.Guard != "" {
		return nil
	}
	if err := p.readJournal(ctx, deps, pl); err != nil {
		return err
	}
	if pl.State == StateAbsent && pl.Record != nil { // an earlier run's leftovers: protected names keep them too
		pl.Guard = deps.Protect.ByName(pl.UserName)
	}
	return nil
}

// readJournal adds what the journal knows: for a removal, what an earlier,
// interrupted removal left (the directory finds it from the archives); for
// a reinstatement, what the suspension deactivated.
func (p *Plan) readJournal(ctx context.Context, deps Deps, pl *Placement) error {
	if pl.State == StateAbsent && p.Action == ActionRemove && strings.Contains(pl.Person, "@") {
		// Named by address and gone: an earlier run may have removed the user
		// (whose name need not be the address) but not what it left.
		name, ok, err := deps.Journal.ArchivedUserName(ctx, pl.Scope.ID, pl.Person)
		if err != nil {
			return err
		}
		if ok {
			pl.UserName = name
		}
	}
	if pl.UserName == "" {
		return nil
	}
	switch p.Action {
	case ActionRemove:
		archives, err := deps.Journal.Archives(ctx, pl.Scope.ID, pl.UserName)
		if err != nil || len(archives) == 0 {
			return err
		}
		rec, err := deps.Directory.Leftovers(ctx, pl.Scope, pl.UserName, pl.Record, archives)
		switch {
		case err != nil:
			pl.Err = err.Error()
		case rec != nil:
			pl.Record = rec
		}
	case ActionReinstate:
		s, ok, err := deps.Journal.Suspension(ctx, pl.Scope.ID, pl.UserName)
		if err != nil {
			return err
		}
		if ok && s.State == journal.Suspended {
			pl.Suspension = &s
		}
	}
	return nil
}

// guard says why pl's user must never be touched, or "": the identity
// gatehouse runs as is refused (self), and users the configuration protects
// (by name, pattern or tag) are left alone, whatever the command.
func guard(deps Deps, pl *Placement) (why string, self bool) {
	if why := deps.Directory.Self(pl.Scope, pl.Record); why != "" {
		return why, true
	}
	return deps.Protect.Match(pl.UserName, engine.TagMap(pl.Record.Tags())), false
}

// Directory is the kind of directory the plan is for (engine.DirectoryIAM…).
func (p *Plan) Directory() string {
	if p.dir == nil {
		return ""
	}
	return p.dir.Kind()
}

// Foreign lists the placements Apply would remove although gatehouse did not
// create them; the CLI asks for confirmation of these on a terminal.
func (p *Plan) Foreign() []*Placement {
	var out []*Placement
	for _, pl := range p.Placements {
		if pl.State == StateForeign && pl.Guard == "" && pl.Err == "" && pl.Declined == "" {
			out = append(out, pl)
		}
	}
	return out
}

func scopeIDs(pls []*Placement) []string {
	out := make([]string, len(pls))
	for i, pl := range pls {
		out[i] = pl.Scope.ID
	}
	return out
}
