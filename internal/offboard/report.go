package offboard

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/onboard"
)

// Status is how one user in one account ended.
type Status string

// Statuses. OK reports which mean "nothing left to do".
const (
	StatusRemoved    Status = "removed"     // everything and the user deleted, and verified gone
	StatusSuspended  Status = "suspended"   // login profile deleted, credentials deactivated, tagged
	StatusReinstated Status = "reinstated"  // what the suspension deactivated is active again
	StatusUnchanged  Status = "unchanged"   // already suspended, or not suspended: nothing to do
	StatusAbsent     Status = "absent"      // no such user: nothing to remove
	StatusProtected  Status = "protected"   // the configuration protects it: left alone
	StatusRefused    Status = "refused"     // the identity gatehouse runs as: left alone
	StatusDeclined   Status = "declined"    // not created by gatehouse, and removal not confirmed
	StatusFailed     Status = "failed"      // something is left; Left and Error say what
	StatusNotStarted Status = "not-started" // interrupted before it started
)

// OK reports whether nothing is left to do for the user.
func (s Status) OK() bool {
	switch s {
	case StatusRemoved, StatusSuspended, StatusReinstated, StatusUnchanged, StatusAbsent:
		return true
	}
	return false
}

// Left is something that could not be done, and why.
type Left struct {
	What  string
	Error string
}

// Row is one user in one account.
type Row struct {
	Person   string
	Account  string
	UserName string
	Email    string `json:",omitempty"`
	Managed  bool
	Status   Status
	Found    int // items discovered
	// NotChecked are kinds that were not listed: the backend lacks them.
	NotChecked []string `json:",omitempty"`
	Archive    string   `json:",omitempty"`
	Done       []string
	Left       []Left
	Error      string `json:",omitempty"`
	// PasswordNeeded is set when a reinstated user had a console password
	// that the suspension deleted: a new one must be issued and delivered.
	PasswordNeeded bool `json:",omitempty"`
	// Delivery and Password say how the new password went (set by the CLI,
	// which issues it through onboarding); Password only for channel none.
	Delivery string        `json:",omitempty"`
	Password engine.Secret `json:"-"`

	results    []result // every step's latest outcome, in first-seen order
	journalErr error
}

type result struct {
	order      int
	step, line string
	err        error
}

func newRow(pl *Placement) Row {
	row := Row{Person: pl.Person, Account: pl.Scope.ID, UserName: pl.UserName, Done: []string{}, Left: []Left{}}
	if pl.Record != nil {
		row.Email, row.Managed = pl.Record.Email(), pl.Record.Managed()
		row.Found = pl.Record.Items()
		row.NotChecked = pl.Record.NotChecked()
	}
	return row
}

// record keeps a change's outcome; a step done again (a second pass) keeps
// its latest outcome.
func (r *Row) record(c engine.Result) {
	for i := range r.results {
		if r.results[i].step == c.Step {
			r.results[i].err = c.Err
			return
		}
	}
	r.results = append(r.results, result{order: c.Order, step: c.Step, line: c.Line, err: c.Err})
}

// finish sums the row up: what was done, what is left, and the status.
func (r *Row) finish(err error) {
	slices.SortStableFunc(r.results, func(a, b result) int { return cmp.Compare(a.order, b.order) })
	for _, res := range r.results {
		if res.err != nil {
			r.Left = append(r.Left, Left{What: res.line, Error: res.err.Error()})
		} else {
			r.Done = append(r.Done, res.line)
		}
	}
	if r.journalErr != nil {
		err = errors.Join(err, fmt.Errorf("journaling: %w", r.journalErr))
	}
	if err != nil || len(r.Left) > 0 {
		r.Status = StatusFailed
		if err != nil {
			r.Error = err.Error()
		}
	}
}

// Report is what Apply did: a row per user per account, in plan order.
type Report struct {
	RunID       int64
	Action      Action
	Accounts    int
	Interrupted bool `json:",omitempty"`
	Rows        []Row

	noun   string          // how the report names its scopes: "account"
	issued *onboard.Report // the onboarding run that issued reinstated users' passwords
}

// Count returns how many rows have status s.
func (r *Report) Count(s Status) int { return r.statuses().Count(s) }

// statuses are the rows' statuses.
func (r *Report) statuses() engine.Statuses[Status] {
	out := make(engine.Statuses[Status], len(r.Rows))
	for i, row := range r.Rows {
		out[i] = row.Status
	}
	return out
}

// OK reports whether nothing is left anywhere.
func (r *Report) OK() bool { return r.statuses().OK() }

// outcomes are the rows as the run's summary counts them.
func (r *Report) outcomes() []engine.Outcome {
	out := make([]engine.Outcome, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = engine.Outcome{Person: row.Person, OK: row.Status.OK(), Failed: row.Status == StatusFailed}
	}
	return out
}

// scopeNoun is how the report names the plan's scopes ("account").
func scopeNoun(scopes []*engine.Scope) string {
	if len(scopes) > 0 && scopes[0].Noun != "" {
		return scopes[0].Noun
	}
	return "account"
}
