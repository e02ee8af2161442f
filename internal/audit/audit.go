// Package audit reads what is already out there, in any directory that can be
// audited (engine.Auditing), and reports per user what needs a person's
// attention: console passwords without MFA, passwords and access keys unused
// for weeks or never used, keys overdue for rotation, two active keys,
// policies attached to the user itself, users the spec does not list and
// users gatehouse did not create. It changes nothing. The users whose
// findings make them offboarding candidates can be written as an input
// `gatehouse offboard -f` reads (WriteOffboardFile).
package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Journal is what an audit reads: the users gatehouse created or adopted.
type Journal interface {
	People(ctx context.Context, account string) ([]journal.Person, error)
}

var _ Journal = (*journal.Journal)(nil)

// Deps are what an audit reads with; the runtime builds them.
type Deps struct {
	Directory engine.Auditing
	Journal   Journal
	// Protect names the users never offered for offboarding (their findings
	// are still reported).
	Protect     config.Protect
	Concurrency int // scopes read at once; 0: the default
}

// Request is what to audit and how.
type Request struct {
	// Input selects the scopes and how to enter them; with Spec, its people
	// are the ones who should exist.
	Input *spec.Input
	Spec  bool
	Thresholds
	// Candidates are the kinds of finding that make a user an offboarding
	// candidate (DefaultCandidates when nil).
	Candidates []string
}

// Report is what an audit found.
type Report struct {
	Directory  string
	Caller     string // who gatehouse ran as (an ARN)
	Thresholds Thresholds
	Candidates []string
	Scopes     []Scope
	// Users are the users with findings, per scope in the scopes' order, by
	// name within one.
	Users []User
}

// Scope is one account (or identity store) as audited.
type Scope struct {
	ID    string
	Noun  string `json:"-"`
	Name  string `json:",omitempty"`
	AsOf  time.Time
	Users int // how many users it has
	// NotInReport names users created after the credential report was made:
	// their credentials were not checked (AWS makes a new report at most
	// every four hours).
	NotInReport []string `json:",omitempty"`
	Error       string   `json:",omitempty"`
}

// User is one user with findings in one scope.
type User struct {
	Scope    string // the scope's ID
	UserName string
	Email    string `json:",omitempty"`
	// GivenName and FamilyName are an Identity Center user's names.
	GivenName  string `json:",omitempty"`
	FamilyName string `json:",omitempty"`
	Managed    bool   // gatehouse created or adopted it (its tag, or the journal's word)
	// Guard says why the user is never offered for offboarding (protected by
	// the configuration, or the identity gatehouse runs as).
	Guard     string `json:",omitempty"`
	Candidate bool   // listed in the offboarding file
	Findings  []Finding
}

// Failed counts the scopes that could not be audited.
func (r *Report) Failed() int {
	n := 0
	for _, s := range r.Scopes {
		if s.Error != "" {
			n++
		}
	}
	return n
}

// Findings counts the findings.
func (r *Report) Findings() int {
	n := 0
	for _, u := range r.Users {
		n += len(u.Findings)
	}
	return n
}

// Run audits every scope the input selects, in parallel. A scope that cannot
// be read is reported (Scope.Error) and the others are audited; only the
// journal failing, or selecting the scopes, stops the audit.
func Run(ctx context.Context, deps Deps, req Request) (*Report, error) {
	if req.Candidates == nil {
		req.Candidates = DefaultCandidates
	}
	caller, err := deps.Directory.Caller(ctx)
	if err != nil {
		return nil, err
	}
	scopes, err := deps.Directory.Scopes(ctx, req.Input)
	if err != nil {
		return nil, err
	}
	rep := &Report{Directory: deps.Directory.Kind(), Caller: caller, Thresholds: req.Thresholds,
		Candidates: req.Candidates, Scopes: make([]Scope, len(scopes))}
	users := make([][]User, len(scopes))
	err = engine.Each(ctx, engine.Concurrency(deps.Concurrency, len(scopes)), engine.InOrder(len(scopes)), func(ctx context.Context, i int) error {
		var err error
		rep.Scopes[i], users[i], err = auditScope(ctx, deps, req, scopes[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		rep.Users = append(rep.Users, u...)
	}
	return rep, nil
}

// auditScope reads one scope and judges its users. A directory's failure is
// the scope's; the journal's is the audit's.
func auditScope(ctx context.Context, deps Deps, req Request, s *engine.Scope) (Scope, []User, error) {
	out := Scope{ID: s.ID, Noun: s.Noun, Name: s.Name}
	inv, err := deps.Directory.Inventory(ctx, s)
	if errors.Is(err, context.Canceled) {
		return out, nil, err
	}
	if err != nil {
		out.Error = err.Error()
		return out, nil, nil
	}
	known, err := deps.Journal.People(ctx, s.ID)
	if err != nil {
		return out, nil, fmt.Errorf("reading the journal: %w", err)
	}
	managed := map[string]bool{}
	for _, p := range known {
		if p.Managed && p.UserState != journal.UserRemoved {
			managed[strings.ToLower(p.UserName)] = true
		}
	}
	out.AsOf, out.Users = inv.AsOf, len(inv.Users)
	unmanaged := "the journal does not say gatehouse made or adopted it"
	if deps.Directory.Kind() == engine.DirectoryIAM {
		unmanaged = "no " + engine.TagManagedBy + " tag, and " + unmanaged
	}
	var found []User
	for _, iu := range inv.Users {
		if iu.Credentials == nil && !inv.AsOf.IsZero() {
			out.NotInReport = append(out.NotInReport, iu.Name)
		}
		u := User{Scope: s.ID, UserName: iu.Name, Email: iu.Email, GivenName: iu.GivenName, FamilyName: iu.FamilyName,
			Managed: iu.Managed || managed[strings.ToLower(iu.Name)]}
		u.Findings = check(iu, inv.AsOf, req.Thresholds)
		if req.Spec && !inSpec(req.Input.People, s.ID, iu.Name) {
			u.Findings = append(u.Findings, Finding{Kind: KindNotInSpec, Detail: "not in " + req.Input.Source})
		}
		if !u.Managed {
			u.Findings = append(u.Findings, Finding{Kind: KindUnmanaged, Detail: unmanaged})
		}
		if len(u.Findings) > 0 {
			u.Guard, u.Candidate = offered(deps.Protect, iu, u.Findings, req.Candidates)
			found = append(found, u)
		}
	}
	return out, found, nil
}

// offered says why a user is never offered for offboarding (it is the
// identity gatehouse runs as, or protected), or else whether one of its
// findings makes it a candidate.
func offered(protect config.Protect, iu engine.InventoryUser, findings []Finding, candidates []string) (guard string, candidate bool) {
	if guard = cmp.Or(iu.Self, protect.Match(iu.Name, iu.Tags)); guard != "" {
		return guard, false
	}
	return "", slices.ContainsFunc(findings, func(f Finding) bool { return slices.Contains(candidates, f.Kind) })
}

// inSpec reports whether some person of the spec is the user called name in
// scope: by user name (IAM's names ignore case), where the person belongs.
func inSpec(people []spec.Person, scope, name string) bool {
	return slices.ContainsFunc(people, func(p spec.Person) bool {
		return strings.EqualFold(p.UserName, name) && (len(p.Accounts) == 0 || slices.Contains(p.Accounts, scope))
	})
}
