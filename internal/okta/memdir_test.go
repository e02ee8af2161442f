package okta_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// memory is an Identity Center in memory, as the hook sees one: an identity
// store with groups, permission sets and accounts, whose users have names,
// an address, memberships and assignments ("PermissionSet@account"). Like
// Identity Center it cannot mark a user: whether gatehouse manages one is
// the journal's word. fail, when set, is asked before every call and may
// make it fail.
type memory struct {
	mu       sync.Mutex
	groups   []string // that exist
	sets     []string // permission sets that exist
	accounts []string // every account ("all")
	users    map[string]*memUser
	fail     func(op string) error
	calls    map[string]int
}

type memUser struct {
	Name, Email, Given, Family, Display string
	Groups                              map[string]bool // lower-cased
	Assigned                            map[string]bool // "ReadOnly@111111111111"
}

const storeID = "d-9067000001"

func newMemory() *memory {
	return &memory{groups: []string{"everyone", "engineers", "admins", "auditors", "workflow-users"},
		sets: []string{"ReadOnly", "AdministratorAccess", "Billing"}, accounts: []string{"111111111111", "222222222222"},
		users: map[string]*memUser{}, calls: map[string]int{}}
}

var (
	_ engine.Directory = (*memory)(nil)
	_ okta.Revoker     = (*memory)(nil)
)

// call counts op and asks fail; callers hold mu.
func (m *memory) call(op string) error {
	m.calls[op]++
	if m.fail != nil {
		return m.fail(op)
	}
	return nil
}

// user returns a copy of the user called name, or nil.
func (m *memory) user(name string) *memUser {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.users[strings.ToLower(name)]
	if u == nil {
		return nil
	}
	c := *u
	c.Groups, c.Assigned = maps.Clone(u.Groups), maps.Clone(u.Assigned)
	return &c
}

func (m *memory) Kind() string { return engine.DirectoryIdentityCenter }
func (m *memory) Caller(context.Context) (string, error) {
	return "arn:aws:iam::111111111111:role/gatehouse", nil
}

func (m *memory) Scopes(context.Context, *spec.Input) ([]*engine.Scope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("scopes"); err != nil {
		return nil, err
	}
	return []*engine.Scope{{ID: storeID, Noun: "identity store", UserNoun: "Identity Center user",
		SignInURL: "https://" + storeID + ".awsapps.com/start"}}, nil
}

func (m *memory) Survey(_ context.Context, _ *engine.Scope, people []spec.Person) (spec.Problems, error) {
	var probs spec.Problems
	for _, p := range people {
		for _, g := range p.Groups {
			if !slices.Contains(m.groups, strings.ToLower(g)) {
				probs = append(probs, spec.Problem{Pos: p.Pos, What: "group " + g, Fix: "no such group"})
			}
		}
		for _, a := range p.Assignments {
			if !slices.Contains(m.sets, a.PermissionSet) {
				probs = append(probs, spec.Problem{Pos: p.Pos, What: "permission set " + a.PermissionSet, Fix: "no such permission set"})
			}
		}
	}
	return probs, nil
}

// pairs resolves a person's assignments into "PermissionSet@account".
func (m *memory) pairs(p spec.Person) []string {
	var out []string
	for _, a := range p.Assignments {
		accounts := a.Accounts.IDs
		if a.Accounts.All {
			accounts = m.accounts
		}
		for _, acc := range accounts {
			if pr := a.PermissionSet + "@" + acc; !slices.Contains(out, pr) {
				out = append(out, pr)
			}
		}
	}
	return out
}

func (m *memory) Read(_ context.Context, _ *engine.Scope, name string, known engine.Known) (engine.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("read"); err != nil {
		return engine.User{}, err
	}
	u := m.users[strings.ToLower(name)]
	if u == nil {
		return engine.User{Name: name, State: engine.UserAbsent, Facts: &memUser{}}, nil
	}
	state := engine.UserForeign
	if known.Managed {
		state = engine.UserManaged
	}
	c := *u
	c.Groups, c.Assigned = maps.Clone(u.Groups), maps.Clone(u.Assigned)
	return engine.User{Name: u.Name, State: state, HasCredential: true, Facts: &c}, nil
}

func (m *memory) Diff(_ *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	cur := have.Facts.(*memUser)
	var steps []engine.Step
	if have.State != engine.UserAbsent && (cur.Email != want.Email || cur.Given != want.GivenName || cur.Family != want.FamilyName) {
		steps = append(steps, engine.Step{Kind: "update-user"})
	}
	for _, g := range want.Groups {
		if !cur.Groups[strings.ToLower(g)] {
			steps = append(steps, engine.Step{Kind: "add-to-group", Arg: g})
		}
	}
	for _, pr := range m.pairs(want) {
		if !cur.Assigned[pr] {
			steps = append(steps, engine.Step{Kind: "assign", Arg: pr})
		}
	}
	return steps
}

// Reconcile: the hook takes back only what Revoke names.
func (m *memory) Reconcile(*engine.Scope, spec.Person, engine.User) []engine.Step { return nil }

func (m *memory) CredentialStep(how engine.Issue) engine.Step {
	return engine.Step{Kind: "welcome", Issues: how}
}

func (m *memory) Apply(_ context.Context, _ *engine.Scope, want spec.Person, name string, step engine.Step) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call(step.Kind); err != nil {
		return "", err
	}
	key := strings.ToLower(name)
	u := m.users[key]
	if step.Kind == engine.StepCreateUser {
		if u != nil {
			return "", engine.ErrUserExists
		}
		m.users[key] = &memUser{Name: name, Email: want.Email, Given: want.GivenName, Family: want.FamilyName, Display: want.DisplayName,
			Groups: map[string]bool{}, Assigned: map[string]bool{}}
		return "created", nil
	}
	if u == nil {
		return "", fmt.Errorf("%s: %w", step, engine.ErrUserNotFound)
	}
	switch step.Kind {
	case engine.StepAdoptUser:
	case "update-user":
		u.Email, u.Given, u.Family, u.Display = want.Email, want.GivenName, want.FamilyName, want.DisplayName
	case "add-to-group":
		u.Groups[strings.ToLower(step.Arg)] = true
	case "assign":
		u.Assigned[step.Arg] = true
	default:
		return "", fmt.Errorf("no step %s", step)
	}
	return "", nil
}

func (m *memory) NewSecret(context.Context, *engine.Scope, string, spec.Password) (string, error) {
	return "", nil
}

func (m *memory) Issue(context.Context, *engine.Scope, string, engine.Step, string, spec.Password) error {
	return nil
}

func (m *memory) List(context.Context, *engine.Scope) ([]engine.Listed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []engine.Listed
	for _, u := range m.users {
		out = append(out, engine.Listed{Name: u.Name, Email: u.Email})
	}
	return out, nil
}

func (m *memory) Discover(_ context.Context, _ *engine.Scope, name string, known engine.Known) (engine.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("discover"); err != nil {
		return nil, err
	}
	u := m.users[strings.ToLower(name)]
	if u == nil {
		return nil, engine.ErrUserNotFound
	}
	return &memRecord{Name: u.Name, Mail: u.Email, IsManaged: known.Managed,
		Groups: slices.Sorted(maps.Keys(u.Groups)), Assignments: slices.Sorted(maps.Keys(u.Assigned))}, nil
}

func (m *memory) Leftovers(context.Context, *engine.Scope, string, engine.Record, []journal.ArchiveRecord) (engine.Record, error) {
	return nil, nil
}

func (m *memory) Self(*engine.Scope, engine.Record) string { return "" }

func (m *memory) Changes(engine.Action, engine.Record, *journal.Suspension) []engine.Change {
	return nil
}

func (m *memory) Remove(_ context.Context, _ *engine.Scope, rec engine.Record, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("remove"); err != nil {
		return err
	}
	delete(m.users, strings.ToLower(rec.UserName()))
	tell(engine.Result{Order: engine.OrderUser, Step: "delete-user", Line: "user " + rec.UserName()})
	return nil
}

func (m *memory) Suspension(rec engine.Record) (bool, []journal.SuspendedItem) {
	var items []journal.SuspendedItem
	for _, a := range rec.(*memRecord).Assignments {
		items = append(items, journal.SuspendedItem{Kind: "account assignment", ID: a})
	}
	return false, items
}

func (m *memory) Suspend(_ context.Context, _ *engine.Scope, rec engine.Record, _ time.Time, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("suspend"); err != nil {
		return err
	}
	u := m.users[strings.ToLower(rec.UserName())]
	for a := range u.Assigned {
		delete(u.Assigned, a)
		tell(engine.Result{Step: "remove-account-assignment:" + a, Line: a})
	}
	return nil
}

func (m *memory) Reinstate(_ context.Context, _ *engine.Scope, rec engine.Record, susp journal.Suspension, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("reinstate"); err != nil {
		return err
	}
	u := m.users[strings.ToLower(rec.UserName())]
	for _, it := range susp.Items {
		u.Assigned[it.ID] = true
		tell(engine.Result{Step: "assign:" + it.ID, Line: it.ID})
	}
	return nil
}

// Revoke takes what take grants and keep does not, as identitycenter does.
func (m *memory) Revoke(_ context.Context, _ *engine.Scope, name string, keep, take spec.Person, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.call("revoke"); err != nil {
		return err
	}
	u := m.users[strings.ToLower(name)]
	if u == nil {
		return nil
	}
	for _, g := range take.Groups {
		if g = strings.ToLower(g); u.Groups[g] && !slices.ContainsFunc(keep.Groups, func(k string) bool { return strings.EqualFold(k, g) }) {
			delete(u.Groups, g)
			tell(engine.Result{Step: "remove-group-membership:" + g})
		}
	}
	kept := m.pairs(keep)
	for _, pr := range m.pairs(take) {
		if u.Assigned[pr] && !slices.Contains(kept, pr) {
			delete(u.Assigned, pr)
			tell(engine.Result{Step: "remove-account-assignment:" + pr})
		}
	}
	return nil
}

// memRecord is a memory user as discovered; it marshals as its archive.
type memRecord struct {
	Name, Mail  string
	IsManaged   bool
	Groups      []string
	Assignments []string
	At          time.Time
}

func (r *memRecord) UserName() string     { return r.Name }
func (r *memRecord) UserID() string       { return "mem-" + r.Name }
func (r *memRecord) ARN() string          { return "identitystore:" + storeID + ":user/" + r.Name }
func (r *memRecord) Managed() bool        { return r.IsManaged }
func (r *memRecord) Email() string        { return r.Mail }
func (r *memRecord) Tags() []engine.Tag   { return nil }
func (r *memRecord) Absent() bool         { return false }
func (r *memRecord) Items() int           { return len(r.Groups) + len(r.Assignments) }
func (r *memRecord) NotChecked() []string { return nil }
func (r *memRecord) Stamp(_ engine.Action, _ int64, at time.Time, _ []journal.SuspendedItem) {
	r.At = at
}
func (r *memRecord) ArchivedAt() time.Time { return r.At }

// errFlaky is what an injected failure says.
var errFlaky = errors.New("injected failure: ThrottlingException")
