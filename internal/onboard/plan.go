package onboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Plan is what onboarding will do, as plain data: the scopes with what was
// read from them, and one Placement per person per scope with its steps.
type Plan struct {
	Input  *spec.Input
	Scopes []*engine.Scope
	// Placements are in input order, each person's scopes in ID order.
	Placements []*Placement

	resend    bool // Deps.Resend: only fresh credentials, for users that exist
	reconcile bool // Deps.Reconcile: take drift back too
}

// Placement is one person in one scope: what exists and the steps to do.
type Placement struct {
	Person   spec.Person
	Scope    *engine.Scope
	UserName string // as the directory spells it when the user exists
	User     engine.UserState
	// Skip says why the user is left alone (a foreign user without --adopt).
	Skip string
	// Steps are the steps still to do, in order; none means done.
	Steps []engine.Step
	// Note is what a reconcile noticed and leaves to a person (a delivered
	// password gone missing); "" when nothing.
	Note string

	have   engine.User    // what the directory read of the user
	record journal.Person // what the journal knew of the user
}

// Done reports whether nothing is left to do for pl (and it is not skipped).
func (pl *Placement) Done() bool { return pl.Skip == "" && len(pl.Steps) == 0 }

// MakePlan resolves the scopes, surveys each one (a password policy, the
// sign-in URL, who exists there, whether every referenced group and policy
// exists), reads each person's user and journal record, and returns the
// steps still to do. It changes nothing. Missing references, and people's
// scopes outside the selection, come back together as spec.Problems before
// anything is created.
func MakePlan(ctx context.Context, deps Deps, in *spec.Input) (*Plan, error) {
	scopes, err := deps.Directory.Scopes(ctx, in)
	if err != nil {
		return nil, err
	}
	p := &Plan{Input: in, Scopes: scopes, resend: deps.Resend, reconcile: deps.Reconcile}
	probs := p.pairUp()
	if err := p.survey(ctx, deps, &probs); err != nil {
		return nil, err
	}
	if err := p.readAll(ctx, deps); err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	err = engine.Each(ctx, engine.Concurrency(deps.Concurrency, len(p.Scopes)), p.Placements, func(ctx context.Context, pl *Placement) error {
		return p.read(ctx, deps, pl)
	})
	if err != nil {
		return nil, err
	}
	if p.resend {
		probs, err := p.sharedLinks(ctx, deps)
		if err != nil {
			return nil, err
		}
		if len(probs) > 0 {
			return nil, probs
		}
	}
	return p, nil
}

// sharedLinks finds the resends that would withdraw a claim link which also
// carries an account the resend leaves out: one link reveals all of a
// person's accounts, and withdrawing it loses the passwords of the others.
func (p *Plan) sharedLinks(ctx context.Context, deps Deps) (spec.Problems, error) {
	resent := map[string]bool{}
	for _, pl := range p.Placements {
		if pl.Skip == "" {
			resent[pl.Scope.ID+"\x00"+strings.ToLower(pl.UserName)] = true
		}
	}
	var probs spec.Problems
	for _, pl := range p.Placements {
		if pl.Skip != "" {
			continue
		}
		links, err := deps.Journal.OpenLinks(ctx, pl.Scope.ID, pl.UserName)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			rows, err := deps.Journal.LinkedWith(ctx, l.ID)
			if err != nil {
				return nil, err
			}
			var left []string
			for _, r := range rows {
				if !resent[r.Account+"\x00"+strings.ToLower(r.UserName)] {
					left = append(left, r.Account)
				}
			}
			if len(left) > 0 {
				probs = append(probs, spec.Problem{Pos: pl.Person.Pos, What: label(pl.Person) + " in account " + pl.Scope.ID,
					Fix: "the open claim link " + l.ID + " also carries account(s) " + strings.Join(left, ", ") +
						"; a resend withdraws it, which would lose those passwords too: resend them together (select those accounts as well)"})
			}
		}
	}
	return probs, nil
}

// pairUp places every person in every selected scope, or in their own
// accounts, which must be among the selected ones.
func (p *Plan) pairUp() spec.Problems {
	var probs spec.Problems
	byID := map[string]*engine.Scope{}
	for _, s := range p.Scopes {
		byID[s.ID] = s
	}
	for _, person := range p.Input.People {
		scopes := p.Scopes
		if len(person.Accounts) > 0 {
			scopes = nil
			for _, id := range person.Accounts {
				s, ok := byID[id]
				if !ok {
					probs = append(probs, spec.Problem{Pos: person.Pos, What: "account " + id + " of " + label(person),
						Fix: "it is not among the selected accounts (" + scopeList(p.Scopes) + "); " +
							"select it too, or remove it from this person"})
					continue
				}
				scopes = append(scopes, s)
			}
		}
		for _, s := range scopes {
			p.Placements = append(p.Placements, &Placement{Person: person, Scope: s, UserName: person.UserName})
		}
	}
	return probs
}

// survey surveys every scope in parallel and adds the problems each finds.
func (p *Plan) survey(ctx context.Context, deps Deps, probs *spec.Problems) error {
	var mu sync.Mutex
	return engine.Each(ctx, engine.Concurrency(deps.Concurrency, len(p.Scopes)), p.Scopes, func(ctx context.Context, s *engine.Scope) error {
		var people []spec.Person
		for _, pl := range p.In(s) {
			people = append(people, pl.Person)
		}
		found, err := deps.Directory.Survey(ctx, s, people)
		mu.Lock()
		defer mu.Unlock()
		*probs = append(*probs, found...)
		return err
	})
}

// readAll reads, for a reconcile, what a directory's survey leaves unread
// because no person needs it (engine.Completer).
func (p *Plan) readAll(ctx context.Context, deps Deps) error {
	c, ok := deps.Directory.(engine.Completer)
	if !ok || !p.reconcile {
		return nil
	}
	return engine.Each(ctx, engine.Concurrency(deps.Concurrency, len(p.Scopes)), p.Scopes, func(ctx context.Context, s *engine.Scope) error {
		return c.ReadAll(ctx, s)
	})
}

// In returns the placements in scope s.
func (p *Plan) In(s *engine.Scope) []*Placement {
	var out []*Placement
	for _, pl := range p.Placements {
		if pl.Scope == s {
			out = append(out, pl)
		}
	}
	return out
}

// label names a person in messages: the e-mail address, else the user name.
func label(p spec.Person) string {
	if p.Email != "" {
		return p.Email
	}
	return p.UserName
}

func scopeList(scopes []*engine.Scope) string {
	if len(scopes) == 0 {
		return "none"
	}
	ids := make([]string, len(scopes))
	for i, s := range scopes {
		ids[i] = s.ID
	}
	return fmt.Sprint(ids)
}

// sortProblems orders problems by where they are, then by what, so scopes
// surveyed in parallel still give the same report every time.
func sortProblems(probs spec.Problems) {
	slices.SortStableFunc(probs, func(a, b spec.Problem) int {
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Pos.Arg, b.Pos.Arg); c != 0 {
			return c
		}
		return cmp.Compare(a.What+a.Fix, b.What+b.Fix)
	})
}
