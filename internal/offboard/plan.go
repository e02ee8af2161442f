package offboard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Request is what to do and to whom.
type Request struct {
	Action Action
	// Input names the people (by user name or e-mail address) and the
	// accounts; with no people, Tags selects alone.
	Input *spec.Input
	// Tags narrows the selection to users carrying every one of these tags.
	Tags map[string]string
}

// State is what the plan found of a target's user.
type State string

// States.
const (
	StateAbsent  State = "absent"  // no such user: nothing to remove
	StateManaged State = "managed" // created (or adopted) by gatehouse
	StateForeign State = "foreign" // not created by gatehouse: removal needs confirmation
)

// Plan is what offboarding will do, as plain data.
type Plan struct {
	Action   Action
	Source   string
	Caller   awsx.Identity
	Accounts []awsx.Account
	// Targets are per account (in ID order), in input order within one.
	Targets []*Target
}

// Target is one user in one account.
type Target struct {
	Person   string // how the input named them: "alice@example.com", "tag team=legacy"
	Account  awsx.Account
	UserName string // as IAM spells it once discovered
	State    State
	Note     string // why there is no user: "no such user"
	// Guard says why the user is never touched (protected by configuration,
	// or the identity gatehouse runs as); "" when it is not.
	Guard string
	Self  bool // the guard is that this is the identity gatehouse runs as
	// Declined says why Apply leaves the user alone although it could act
	// (a user gatehouse did not create, whose removal was not confirmed).
	Declined string
	// Record is everything discovered (nil when the user is absent or
	// discovery failed).
	Record *Record
	// Suspension is the journal's record of the user's suspension (reinstate).
	Suspension *journal.Suspension
	// Err is why the user could not be read; nothing is done to it.
	Err string
}

// MakePlan resolves the accounts, finds the selected users in each and
// discovers everything attached to every one of them, users and accounts in
// parallel. It makes no change: only reading calls.
func MakePlan(ctx context.Context, deps Deps, req Request) (*Plan, error) {
	if req.Input == nil {
		return nil, errors.New("planning offboarding: no input")
	}
	caller, err := deps.AWS.Caller(ctx)
	if err != nil {
		return nil, err
	}
	accounts, err := deps.AWS.ResolveAccounts(ctx, req.Input.Accounts)
	if err != nil {
		return nil, err
	}
	p := &Plan{Action: req.Action, Source: req.Input.Source, Caller: caller, Accounts: accounts}
	sel := selection{selectors: selectorsOf(req.Input), tags: req.Tags}
	perAccount := make([][]*Target, len(accounts))
	err = forEach(ctx, deps.concurrency(len(accounts)), indexes(len(accounts)), func(ctx context.Context, i int) error {
		perAccount[i] = findTargets(ctx, deps, sel, accounts[i])
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, ts := range perAccount {
		p.Targets = append(p.Targets, ts...)
	}
	spread := make([]*Target, 0, len(p.Targets))
	for _, i := range roundRobin(p.Targets) {
		spread = append(spread, p.Targets[i])
	}
	err = forEach(ctx, deps.concurrency(len(accounts)), spread, func(ctx context.Context, t *Target) error {
		return p.readTarget(ctx, deps, t)
	})
	return p, err
}

// findTargets lists the account's users when the selection needs it and
// returns its targets; when the listing fails, every person there gets a
// target carrying the error.
func findTargets(ctx context.Context, deps Deps, sel selection, account awsx.Account) []*Target {
	if !sel.needsDirectory() {
		return sel.targets(account, nil)
	}
	cfg, err := deps.AWS.Config(ctx, account.ID)
	var users []listedUser
	if err == nil {
		users, err = listDirectory(ctx, iam.NewFromConfig(cfg))
	}
	if err == nil {
		return sel.targets(account, users)
	}
	var out []*Target
	for _, s := range sel.selectors {
		if s.in(account.ID) {
			out = append(out, &Target{Person: s.label, Account: account, UserName: s.userName, Err: err.Error()})
		}
	}
	if len(sel.selectors) == 0 {
		out = append(out, &Target{Person: sel.tagLabel(), Account: account, Err: err.Error()})
	}
	return out
}

// readTarget discovers t's user and decides whether it may be touched. A
// failure to read is the target's (Err), not the plan's; only the journal
// failing stops planning.
func (p *Plan) readTarget(ctx context.Context, deps Deps, t *Target) error {
	if t.Err != "" {
		return nil
	}
	if t.State != StateAbsent {
		rec, err := discoverTarget(ctx, deps, t)
		switch {
		case errors.Is(err, ErrUserNotFound):
			t.State, t.Note = StateAbsent, "no such user"
		case err != nil:
			t.Err = err.Error()
			return nil
		default:
			t.Record, t.UserName, t.State = rec, rec.User.UserName, StateForeign
			if rec.Managed() {
				t.State = StateManaged
			}
			t.Guard, t.Self = guard(deps.Protect, p.Caller, t)
		}
	}
	if t.Guard != "" {
		return nil
	}
	if err := p.readJournal(ctx, deps, t); err != nil {
		return err
	}
	if t.State == StateAbsent && t.Record != nil { // an earlier run's leftovers: protected names keep them too
		t.Guard = deps.Protect.ByName(t.UserName)
	}
	return nil
}

func discoverTarget(ctx context.Context, deps Deps, t *Target) (*Record, error) {
	cfg, err := deps.AWS.Config(ctx, t.Account.ID)
	if err != nil {
		return nil, fmt.Errorf("entering account %s: %w", t.Account.ID, err)
	}
	s := &session{api: iam.NewFromConfig(cfg), user: t.UserName, backoff: deps.backoff()}
	return discover(ctx, s, t.Account.ID)
}

// readJournal adds what the journal knows: for a removal, the virtual MFA
// devices an earlier, interrupted removal deactivated but did not delete
// (IAM no longer lists them under the user); for a reinstatement, what the
// suspension deactivated.
func (p *Plan) readJournal(ctx context.Context, deps Deps, t *Target) error {
	if t.State == StateAbsent && p.Action == ActionRemove && strings.Contains(t.Person, "@") {
		// Named by address and gone from IAM: an earlier run may have removed the
		// user (whose name need not be the address) but not yet its deactivated
		// virtual MFA devices.
		name, ok, err := deps.Journal.ArchivedUserName(ctx, t.Account.ID, t.Person)
		if err != nil {
			return err
		}
		if ok {
			t.UserName = name
		}
	}
	if t.UserName == "" {
		return nil
	}
	switch p.Action {
	case ActionRemove:
		archives, err := deps.Journal.Archives(ctx, t.Account.ID, t.UserName)
		if err != nil {
			return err
		}
		leftovers, err := leftoverVirtualMFA(ctx, deps, t, archives)
		if err != nil {
			t.Err = err.Error()
			return nil
		}
		if len(leftovers) == 0 {
			return nil
		}
		if t.Record == nil {
			t.Record = newRecord(t.Account.ID, t.UserName)
			t.Record.normalise()
		}
		t.Record.MFADevices = append(t.Record.MFADevices, leftovers...)
	case ActionReinstate:
		s, ok, err := deps.Journal.Suspension(ctx, t.Account.ID, t.UserName)
		if err != nil {
			return err
		}
		if ok && s.State == journal.Suspended {
			t.Suspension = &s
		}
	}
	return nil
}

// leftoverVirtualMFA returns the virtual devices earlier archives of t's user
// list that are no longer the user's and still exist, unassigned.
func leftoverVirtualMFA(ctx context.Context, deps Deps, t *Target, archives []journal.ArchiveRecord) ([]MFADevice, error) {
	current := map[string]bool{}
	if t.Record != nil {
		for _, d := range t.Record.MFADevices {
			current[d.SerialNumber] = true
		}
	}
	var candidates []string
	for _, a := range archives {
		old, err := decodeRecord(a.Record)
		if err != nil {
			return nil, fmt.Errorf("reading archive %d of IAM user (%s) in account %s: %w", a.ID, t.UserName, t.Account.ID, err)
		}
		for _, d := range old.MFADevices {
			if d.Type == MFAVirtual && !current[d.SerialNumber] {
				current[d.SerialNumber] = true
				candidates = append(candidates, d.SerialNumber)
			}
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	cfg, err := deps.AWS.Config(ctx, t.Account.ID)
	if err != nil {
		return nil, err
	}
	unassigned, err := unassignedVirtualMFA(ctx, iam.NewFromConfig(cfg))
	if err != nil {
		return nil, err
	}
	var out []MFADevice
	for _, serial := range candidates {
		if unassigned[serial] {
			out = append(out, MFADevice{SerialNumber: serial, Type: MFAVirtual})
		}
	}
	return out, nil
}

// Foreign lists the targets Apply would remove although gatehouse did not
// create them; the CLI asks for confirmation of these on a terminal.
func (p *Plan) Foreign() []*Target {
	var out []*Target
	for _, t := range p.Targets {
		if t.State == StateForeign && t.Guard == "" && t.Err == "" && t.Declined == "" {
			out = append(out, t)
		}
	}
	return out
}

// forEach runs fn for every item with at most n at once and returns the
// first error (the others still finish).
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
				first = cmpErr(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
