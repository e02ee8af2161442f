package onboard

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Plan is what onboarding will do, as plain data: the accounts with what was
// read from them, and one Target per person per account with its steps.
type Plan struct {
	Input     *spec.Input
	Partition string
	Accounts  []*Account
	// Targets are in input order, each person's accounts in ID order.
	Targets []*Target

	caller awsx.Identity
	resend bool // Deps.Resend: only fresh passwords, for users that exist
}

// Account is an account to onboard into, with what Plan read from it.
type Account struct {
	ID        string
	Name      string // the organisation's name for it, when known
	Alias     string
	SignInURL string
	Policy    password.Policy
	// users maps lower-cased user names to the names as IAM spells them.
	users map[string]string
}

// UserState is what Plan found of a person's IAM user.
type UserState string

// User states.
const (
	UserAbsent  UserState = "absent"  // no such user: it will be created
	UserManaged UserState = "managed" // created (or adopted) by gatehouse
	UserForeign UserState = "foreign" // exists, not created by gatehouse
)

// Target is one person in one account: what exists and the steps to do.
type Target struct {
	Person   spec.Person
	Account  *Account
	UserName string // as IAM spells it when the user exists
	User     UserState
	// Skip says why the user is left alone (a foreign user without --adopt).
	Skip string
	// Steps are the steps still to do, in order; none means done.
	Steps []Step

	record journal.Person // what the journal knew of the user
}

// Done reports whether nothing is left to do for t (and it is not skipped).
func (t *Target) Done() bool { return t.Skip == "" && len(t.Steps) == 0 }

// MakePlan resolves the accounts, reads each one (password policy, alias, the
// users there, whether every referenced group and policy exists) and each
// person's user and journal record, and returns the steps still to do. It
// changes nothing. Groups, policies or boundaries that do not exist, and
// people's accounts outside the selection, come back together as
// spec.Problems before anything is created.
func MakePlan(ctx context.Context, deps Deps, in *spec.Input) (*Plan, error) {
	caller, err := deps.AWS.Caller(ctx)
	if err != nil {
		return nil, err
	}
	resolved, err := deps.AWS.ResolveAccounts(ctx, in.Accounts)
	if err != nil {
		return nil, err
	}
	p := &Plan{Input: in, Partition: caller.Partition, caller: caller, resend: deps.Resend}
	for _, a := range resolved {
		p.Accounts = append(p.Accounts, &Account{ID: a.ID, Name: a.Name})
	}
	probs := p.pairUp()
	if err := p.readAccounts(ctx, deps, &probs); err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	if err := p.readTargets(ctx, deps); err != nil {
		return nil, err
	}
	return p, nil
}

// pairUp makes the targets: every person in every selected account, or in
// their own accounts, which must be among the selected ones.
func (p *Plan) pairUp() spec.Problems {
	var probs spec.Problems
	byID := map[string]*Account{}
	for _, a := range p.Accounts {
		byID[a.ID] = a
	}
	for _, person := range p.Input.People {
		accounts := p.Accounts
		if len(person.Accounts) > 0 {
			accounts = nil
			for _, id := range person.Accounts {
				a, ok := byID[id]
				if !ok {
					probs = append(probs, spec.Problem{Pos: person.Pos, What: "account " + id + " of " + label(person),
						Fix: "it is not among the selected accounts (" + accountList(p.Accounts) + "); " +
							"select it too, or remove it from this person"})
					continue
				}
				accounts = append(accounts, a)
			}
		}
		for _, a := range accounts {
			p.Targets = append(p.Targets, &Target{Person: person, Account: a, UserName: person.UserName})
		}
	}
	return probs
}

// readAccounts reads every account in parallel and adds a problem for each
// missing group, policy or boundary.
func (p *Plan) readAccounts(ctx context.Context, deps Deps, probs *spec.Problems) error {
	var mu sync.Mutex
	return forEach(ctx, deps.concurrency(len(p.Accounts)), p.Accounts, func(ctx context.Context, a *Account) error {
		missing, err := p.readAccount(ctx, deps, a)
		mu.Lock()
		defer mu.Unlock()
		*probs = append(*probs, missing...)
		return err
	})
}

// readTargets reads each person's user and journal record and works out the steps.
func (p *Plan) readTargets(ctx context.Context, deps Deps) error {
	return forEach(ctx, deps.concurrency(len(p.Accounts)), p.Targets, func(ctx context.Context, t *Target) error {
		return p.readTarget(ctx, deps, t)
	})
}

// targetsIn returns the targets in account a.
func (p *Plan) targetsIn(a *Account) []*Target {
	var out []*Target
	for _, t := range p.Targets {
		if t.Account == a {
			out = append(out, t)
		}
	}
	return out
}

// forEach runs fn for every item with at most n at once and returns the first
// error (the others still finish); it stops starting items once ctx is done.
func forEach[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, max(1, n))
	for _, item := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return context.Cause(ctx)
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, item); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// label names a person in messages: the e-mail address, else the user name.
func label(p spec.Person) string {
	if p.Email != "" {
		return p.Email
	}
	return p.UserName
}

func accountList(accounts []*Account) string {
	if len(accounts) == 0 {
		return "none"
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return fmt.Sprint(ids)
}

// accountLabel names an account in messages: "222222222222 (example-prod)".
func accountLabel(a *Account) string {
	switch {
	case a.Alias != "":
		return a.ID + " (" + a.Alias + ")"
	case a.Name != "":
		return a.ID + " (" + a.Name + ")"
	}
	return a.ID
}

// sortProblems orders problems by where they are, then by what, so accounts
// read in parallel still give the same report every time.
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
