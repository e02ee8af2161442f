package offboard

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gatehouse/gatehouse/internal/journal"
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
	Found    int    // items discovered
	Archive  string `json:",omitempty"`
	Done     []string
	Left     []Left
	Error    string `json:",omitempty"`
	// PasswordNeeded is set when a reinstated user had a console password
	// that the suspension deleted: a new one must be issued and delivered.
	PasswordNeeded bool `json:",omitempty"`
	// Delivery and Password say how the new password went (set by the CLI,
	// which issues it through onboarding); Password only for channel none.
	Delivery string         `json:",omitempty"`
	Password onboard.Secret `json:"-"`

	results    []result // every step's latest outcome, in first-seen order
	journalErr error
}

type result struct {
	order      int
	step, line string
	err        error
}

func newRow(t *Target) Row {
	row := Row{Person: t.Person, Account: t.Account.ID, UserName: t.UserName, Done: []string{}, Left: []Left{}}
	if t.Record != nil {
		row.Email, row.Managed = t.Record.Email(), t.Record.Managed()
		row.Found = countItems(t.Record)
	}
	return row
}

// countItems counts what the record holds that the table acts on.
func countItems(rec *Record) int {
	n := 0
	for _, d := range removalTable {
		if d == virtualMFADevices {
			continue // the same devices as the MFA device entry
		}
		n += len(d.items(rec))
	}
	return n
}

// record keeps a change's outcome; a step done again (a second pass) keeps
// its latest outcome.
func (r *Row) record(c change) {
	for i := range r.results {
		if r.results[i].step == c.step {
			r.results[i].err = c.err
			return
		}
	}
	r.results = append(r.results, result{order: c.order, step: c.step, line: c.line, err: c.err})
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
}

// Count returns how many rows have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, row := range r.Rows {
		if row.Status == s {
			n++
		}
	}
	return n
}

// OK reports whether nothing is left anywhere.
func (r *Report) OK() bool {
	for _, row := range r.Rows {
		if !row.Status.OK() {
			return false
		}
	}
	return true
}

func (r *Report) runStatus() string {
	switch {
	case r.Interrupted:
		return journal.RunInterrupted
	case !r.OK():
		return journal.RunFailed
	}
	return journal.RunSucceeded
}

func (r *Report) summary() journal.Summary {
	people := map[string]bool{}
	s := journal.Summary{Accounts: r.Accounts}
	for _, row := range r.Rows {
		people[row.Person] = true
		switch {
		case row.Status.OK():
			s.Succeeded++
		case row.Status == StatusFailed:
			s.Failed++
		default:
			s.Skipped++
		}
	}
	s.People = len(people)
	return s
}

// encodeRecord is the record as the journal keeps it.
func encodeRecord(rec *Record) ([]byte, error) {
	return json.Marshal(rec)
}
