package engine

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Directory is a kind of identity store: IAM users in accounts (package
// iamuser), Identity Center users in an identity store. Onboarding and
// offboarding are written once over it; a new kind is done when it passes
// the directory suite (package enginetest), not when it compiles.
type Directory interface {
	Onboarding
	Offboarding
}

// Scopes is what every lifecycle asks of a directory first.
type Scopes interface {
	// Kind names the directory: DirectoryIAM, DirectoryIdentityCenter.
	Kind() string
	// Caller names who gatehouse acts as (an ARN), for plans and guards.
	Caller(ctx context.Context) (string, error)
	// Scopes resolves the input's selection into the scopes to work in, in
	// ID order: the accounts it names, or the identity store.
	Scopes(ctx context.Context, in *spec.Input) ([]*Scope, error)
}

// Onboarding is what onboarding asks of a directory. The lifecycle adds,
// around the steps Diff lists, creating or adopting the user and issuing and
// delivering its credential, exactly once, crash-safely.
type Onboarding interface {
	Scopes
	// Survey reads a scope once, before anyone is planned there: what every
	// person needs (a password policy, the sign-in URL, who exists) into the
	// scope, and a problem for each thing the people refer to that does not
	// exist there (a group, a policy) or for a scope it cannot enter.
	Survey(ctx context.Context, s *Scope, people []spec.Person) (spec.Problems, error)
	// Read reads the user called name in s. What the journal knows of it
	// may spare reading what the journal vouches for.
	Read(ctx context.Context, s *Scope, name string, known Known) (User, error)
	// Diff lists the steps that give have what want should have, besides
	// creating or adopting the user and its credential. It is pure: the
	// plan, the dry run and a reconcile are the same diff.
	Diff(s *Scope, want spec.Person, have User) []Step
	// Reconcile lists the steps that take back what a managed user has and
	// want should not — a group added, a policy attached, a tag set outside
	// gatehouse: the diff's other direction, for gatehouse apply. Pure.
	Reconcile(s *Scope, want spec.Person, have User) []Step
	// CredentialStep is the step that issues the user a credential.
	CredentialStep(how Issue) Step
	// Apply runs one step: one of Diff's, or StepCreateUser (ErrUserExists
	// when the user is there already) or StepAdoptUser.
	Apply(ctx context.Context, s *Scope, want spec.Person, user string, step Step) (detail string, err error)
	// NewSecret makes the secret a credential step sets (a password that
	// meets the scope's policy), or "" for a directory without passwords,
	// whose message carries only where to sign in. It changes nothing.
	NewSecret(ctx context.Context, s *Scope, user string, conf spec.Password) (string, error)
	// Issue runs a credential step: it sets secret as the user's credential.
	Issue(ctx context.Context, s *Scope, user string, step Step, secret string, conf spec.Password) error
}

// Known is what the journal knows of a user, which a directory may trust
// instead of asking again — never against what it reads to the contrary.
type Known struct {
	// Delivered is when a credential gatehouse issued the user was confirmed
	// delivered (zero: never, or the last one was not).
	Delivered time.Time
	// Managed says gatehouse created (or adopted) the user: a directory that
	// cannot mark its users (Identity Center lets no client set an
	// ExternalId) takes the journal's word for it.
	Managed bool
	// Creating is when gatehouse journaled that it was about to create the
	// user, in a run that never confirmed it had (killed between the create
	// call and the journal): zero otherwise. A directory that cannot mark
	// its users recognises the user as gatehouse's when the directory says
	// it was created since then.
	Creating time.Time
}

// KnownFrom is what the journal's record of a user vouches for.
func KnownFrom(p journal.Person) Known {
	k := Known{Managed: p.Managed && p.UserState != journal.UserRemoved}
	if p.UserState == journal.UserCreating {
		k.Creating = p.UpdatedAt
	}
	if p.CredentialState == journal.CredentialDelivered {
		k.Delivered = p.UpdatedAt
	}
	return k
}

// User is what a directory read of a person's user in a scope.
type User struct {
	Name  string // as the directory spells it; the asked name when absent
	State UserState
	// HasCredential says the user has what a credential step would give
	// (a console password): without it, onboarding issues one.
	HasCredential bool
	// Facts is what the directory read for its own Diff (groups, policies).
	Facts any
}

// Completer is a directory whose survey reads only what the spec's people
// need: ReadAll reads the rest a reconcile compares (Identity Center: every
// assignment of the instance, not only the pairs the spec names).
type Completer interface {
	ReadAll(ctx context.Context, s *Scope) error
}

// Prefetcher is a directory that can read many users of a scope at once
// for fewer requests than one by one (Identity Center: its users and each
// group's members in pages). Offboarding hands it the names it is about to
// Discover there; a failure is not the plan's — Discover reads each user.
type Prefetcher interface {
	Prefetch(ctx context.Context, s *Scope, names []string)
}

// Offboarding is what offboarding (remove, suspend, reinstate) asks of a
// directory.
type Offboarding interface {
	Scopes
	// List lists every user of s with what selecting people needs.
	List(ctx context.Context, s *Scope) ([]Listed, error)
	// Discover reads everything attached to the user called name: the
	// plan's data and the archive. ErrUserNotFound when there is no user.
	Discover(ctx context.Context, s *Scope, name string, known Known) (Record, error)
	// Leftovers adds to rec (nil when the user is gone) what an earlier,
	// interrupted removal left of the user that still exists, found from
	// that removal's archives; it returns nil when there is nothing.
	Leftovers(ctx context.Context, s *Scope, name string, rec Record, archives []journal.ArchiveRecord) (Record, error)
	// Self says why the user must never be touched because it is the
	// identity gatehouse runs as ("" when it is not).
	Self(s *Scope, rec Record) string
	// Changes lists what action will do to rec's user, for the plan.
	Changes(action Action, rec Record, susp *journal.Suspension) []Change
	// Remove removes everything attached, then the user, and verifies it
	// is gone; when the user is gone already, only rec's leftovers.
	Remove(ctx context.Context, s *Scope, rec Record, tell Tell) error
	// Suspension is what suspending rec's user changes: whether its
	// console password goes, and the credentials it deactivates.
	Suspension(rec Record) (loginRemoved bool, deactivates []journal.SuspendedItem)
	// Suspend deletes the console password, deactivates what Suspension
	// lists and marks the user suspended at now.
	Suspend(ctx context.Context, s *Scope, rec Record, now time.Time, tell Tell) error
	// Reinstate reactivates exactly what the suspension deactivated and
	// removes the mark.
	Reinstate(ctx context.Context, s *Scope, rec Record, susp journal.Suspension, tell Tell) error
}

// Listed is a user of a scope as a listing shows it.
type Listed struct {
	Name string
	Tags map[string]string
	// Email is the person's address as the directory records it (the
	// gatehouse:email tag, an Identity Center e-mail); "" when none.
	Email string
}

// Record is everything attached to one user in one scope, as discovered: the
// plan's data and, written before the first change, the archive. It holds no
// secret. It marshals to JSON as the archive file and the journal keep it.
type Record interface {
	UserName() string
	UserID() string
	ARN() string
	Managed() bool
	Email() string
	Tags() []Tag // in the directory's order
	// Absent says the user itself is gone: the record holds only leftovers.
	Absent() bool
	// Items counts what removal acts on.
	Items() int
	// NotChecked names the kinds of dependency that were not listed because
	// the backend lacks them (--unchecked): the plan and report say so.
	NotChecked() []string
	// Stamp marks the record for the archive: the action, run and time.
	Stamp(action Action, runID int64, at time.Time, deactivates []journal.SuspendedItem)
	// ArchivedAt is when Stamp was called.
	ArchivedAt() time.Time
}

// Tag is a key and value on a user.
type Tag struct {
	Key   string
	Value string
}

// TagMap is tags as a map.
func TagMap(tags []Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// Action is what offboarding does to the selected users.
type Action string

// Actions.
const (
	ActionRemove    Action = "remove"    // delete everything attached, then the user
	ActionSuspend   Action = "suspend"   // delete the console password, deactivate credentials, mark
	ActionReinstate Action = "reinstate" // reactivate what the suspension deactivated, unmark
)

// Change is one thing a plan will do to a user, for printing.
type Change struct {
	Action string // delete, deactivate, remove, detach, reactivate, tag, untag, issue
	What   string // "access key", "user", "tag"
	ID     string `json:",omitempty"`
	Detail string `json:",omitempty"`
}

// Result is one thing done, or tried, to a user, told as it happens.
type Result struct {
	Order  int    // where the report lists it: removal table order, the user last
	Step   string // for the journal: "delete-access-key:AKIA…"
	Line   string // for the report: "access key AKIA…"
	Err    error
	Detail string // for the journal when it went well
}

// OrderUser lists results about the user itself after those about what is
// attached to it.
const OrderUser = 1 << 20

// Tell is told of every result as it happens; the lifecycle journals and
// logs it and adds it to the report.
type Tell func(Result)

// Errors directories return.
var (
	// ErrUserExists: creating a user that is there already.
	ErrUserExists = errors.New("the user exists already")
	// ErrUserNotFound: the user does not exist (any more).
	ErrUserNotFound = errors.New("no such user")
)
