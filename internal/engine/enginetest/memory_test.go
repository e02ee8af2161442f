package enginetest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/engine/enginetest"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// A directory that lives in memory passes the suite: the seam is not shaped
// around IAM. Its scopes are two "teams"; a user has groups, a password and
// a suspended mark; removal takes the groups, then the user.
func TestMemoryDirectory(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T) *enginetest.Harness {
		m := newMemory("team-a", "team-b")
		return &enginetest.Harness{
			Directory: m,
			Input: func(t *testing.T, emails ...string) *spec.Input {
				in := &spec.Input{Source: "memory", Password: spec.Password{Length: 20, ResetRequired: true}}
				for _, e := range emails {
					in.People = append(in.People, spec.Person{Email: e, UserName: e, Groups: []string{"staff"}})
				}
				return in
			},
			SignsIn: func(t *testing.T, scope, user, secret string) bool {
				m.mu.Lock()
				defer m.mu.Unlock()
				u := m.scopes[scope][strings.ToLower(user)]
				return u != nil && u.password != "" && u.password == secret && !u.suspended
			},
			Drift: func(t *testing.T, scope, user string) {
				m.mu.Lock()
				defer m.mu.Unlock()
				u := m.scopes[scope][strings.ToLower(user)]
				u.groups = append(u.groups, "added-by-hand")
			},
		}
	})
}

// memory is a directory in memory: scope → lower-cased name → user.
type memory struct {
	mu     sync.Mutex
	ids    []string
	scopes map[string]map[string]*memUser
	serial int
}

type memUser struct {
	name, email, password string
	managed, suspended    bool
	groups                []string
}

func newMemory(ids ...string) *memory {
	m := &memory{ids: ids, scopes: map[string]map[string]*memUser{}}
	for _, id := range ids {
		m.scopes[id] = map[string]*memUser{}
	}
	return m
}

var _ engine.Directory = (*memory)(nil)

func (m *memory) Kind() string                           { return "memory" }
func (m *memory) Caller(context.Context) (string, error) { return "memory:admin", nil }

func (m *memory) Scopes(_ context.Context, in *spec.Input) ([]*engine.Scope, error) {
	var out []*engine.Scope
	for _, id := range m.ids {
		if len(in.Accounts.IDs) == 0 || slices.Contains(in.Accounts.IDs, id) {
			out = append(out, &engine.Scope{ID: id, Noun: "team", UserNoun: "member", SignInURL: "https://" + id + ".example"})
		}
	}
	return out, nil
}

func (m *memory) user(scope, name string) *memUser { return m.scopes[scope][strings.ToLower(name)] }

func (m *memory) Survey(context.Context, *engine.Scope, []spec.Person) (spec.Problems, error) {
	return nil, nil
}

func (m *memory) Read(_ context.Context, s *engine.Scope, name string, _ engine.Known) (engine.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.user(s.ID, name)
	if u == nil {
		return engine.User{Name: name, State: engine.UserAbsent}, nil
	}
	state := engine.UserForeign
	if u.managed {
		state = engine.UserManaged
	}
	return engine.User{Name: u.name, State: state, HasCredential: u.password != "", Facts: slices.Clone(u.groups)}, nil
}

func (m *memory) Diff(_ *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	groups, _ := have.Facts.([]string)
	var steps []engine.Step
	for _, g := range want.Groups {
		if !slices.Contains(groups, g) {
			steps = append(steps, engine.Step{Kind: "join", Arg: g})
		}
	}
	return steps
}

func (m *memory) Reconcile(_ *engine.Scope, want spec.Person, have engine.User) []engine.Step {
	groups, _ := have.Facts.([]string)
	var steps []engine.Step
	for _, g := range groups {
		if !slices.Contains(want.Groups, g) {
			steps = append(steps, engine.Step{Kind: "leave", Arg: g})
		}
	}
	return steps
}

func (m *memory) CredentialStep(how engine.Issue) engine.Step {
	return engine.Step{Kind: "set-password", Issues: how}
}

func (m *memory) Apply(_ context.Context, s *engine.Scope, want spec.Person, name string, step engine.Step) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.user(s.ID, name)
	switch step.Kind {
	case engine.StepCreateUser:
		if u != nil {
			return "", engine.ErrUserExists
		}
		m.scopes[s.ID][strings.ToLower(name)] = &memUser{name: name, email: want.Email, managed: true}
		return "created", nil
	case engine.StepAdoptUser:
		u.managed = true
		return "adopted", nil
	case "join":
		u.groups = append(u.groups, step.Arg)
		return "", nil
	case "leave":
		u.groups = slices.DeleteFunc(u.groups, func(g string) bool { return g == step.Arg })
		return "", nil
	}
	return "", fmt.Errorf("no step %s", step)
}

func (m *memory) NewSecret(context.Context, *engine.Scope, string, spec.Password) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.serial++
	return fmt.Sprintf("secret-%d", m.serial), nil
}

func (m *memory) Issue(_ context.Context, s *engine.Scope, name string, _ engine.Step, secret string, _ spec.Password) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.user(s.ID, name).password = secret
	return nil
}

func (m *memory) List(_ context.Context, s *engine.Scope) ([]engine.Listed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []engine.Listed
	for _, u := range m.scopes[s.ID] {
		out = append(out, engine.Listed{Name: u.name, Email: u.email})
	}
	return out, nil
}

func (m *memory) Discover(_ context.Context, s *engine.Scope, name string, _ engine.Known) (engine.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.user(s.ID, name)
	if u == nil {
		return nil, engine.ErrUserNotFound
	}
	return &memRecord{Name: u.name, Mail: u.email, IsManaged: u.managed, Groups: slices.Clone(u.groups),
		HasPassword: u.password != "", Suspended: u.suspended}, nil
}

func (m *memory) Leftovers(context.Context, *engine.Scope, string, engine.Record, []journal.ArchiveRecord) (engine.Record, error) {
	return nil, nil
}

func (m *memory) Self(*engine.Scope, engine.Record) string { return "" }

func (m *memory) Changes(action engine.Action, rec engine.Record, susp *journal.Suspension) []engine.Change {
	r := rec.(*memRecord)
	switch action {
	case engine.ActionSuspend:
		return []engine.Change{{Action: "delete", What: "password"}, {Action: "tag", What: "user"}}
	case engine.ActionReinstate:
		return []engine.Change{{Action: "untag", What: "user"}, {Action: "issue", What: "password"}}
	}
	var out []engine.Change
	for _, g := range r.Groups {
		out = append(out, engine.Change{Action: "remove", What: "group membership", ID: g})
	}
	return append(out, engine.Change{Action: "delete", What: "user", ID: r.Name})
}

func (m *memory) Remove(_ context.Context, s *engine.Scope, rec engine.Record, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := rec.(*memRecord)
	for i, g := range r.Groups {
		tell(engine.Result{Order: i, Step: "leave:" + g, Line: "group " + g})
	}
	delete(m.scopes[s.ID], strings.ToLower(r.Name))
	tell(engine.Result{Order: engine.OrderUser, Step: "delete-user", Line: "user " + r.Name})
	return nil
}

func (m *memory) Suspension(rec engine.Record) (bool, []journal.SuspendedItem) {
	return rec.(*memRecord).HasPassword, nil
}

func (m *memory) Suspend(_ context.Context, s *engine.Scope, rec engine.Record, _ time.Time, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.user(s.ID, rec.UserName())
	u.password, u.suspended = "", true
	tell(engine.Result{Step: "suspend", Line: "password"})
	return nil
}

func (m *memory) Reinstate(_ context.Context, s *engine.Scope, rec engine.Record, _ journal.Suspension, tell engine.Tell) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.user(s.ID, rec.UserName()).suspended = false
	tell(engine.Result{Step: "reinstate", Line: "mark"})
	return nil
}

// memRecord is a memory user as discovered.
type memRecord struct {
	Name, Mail             string
	IsManaged, HasPassword bool
	Suspended              bool
	Groups                 []string
	At                     time.Time
}

func (r *memRecord) UserName() string     { return r.Name }
func (r *memRecord) UserID() string       { return "mem-" + r.Name }
func (r *memRecord) ARN() string          { return "memory:" + r.Name }
func (r *memRecord) Managed() bool        { return r.IsManaged }
func (r *memRecord) Email() string        { return r.Mail }
func (r *memRecord) Absent() bool         { return false }
func (r *memRecord) Items() int           { return len(r.Groups) }
func (r *memRecord) NotChecked() []string { return nil }
func (r *memRecord) Tags() []engine.Tag {
	tags := []engine.Tag{{Key: engine.TagEmail, Value: r.Mail}}
	if r.Suspended {
		tags = append(tags, engine.Tag{Key: engine.TagSuspended, Value: "yes"})
	}
	return tags
}
func (r *memRecord) Stamp(_ engine.Action, _ int64, at time.Time, _ []journal.SuspendedItem) {
	r.At = at
}
func (r *memRecord) ArchivedAt() time.Time { return r.At }
