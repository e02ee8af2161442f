package onboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Status is how onboarding one person into one account ended.
type Status string

// Statuses.
const (
	StatusCreated    Status = "created"     // the user was created and is ready
	StatusUpdated    Status = "updated"     // gatehouse's user existed and got the missing steps
	StatusAdopted    Status = "adopted"     // a foreign user was taken over (--adopt)
	StatusUnchanged  Status = "unchanged"   // everything was done already
	StatusSkipped    Status = "skipped"     // a foreign user left alone
	StatusFailed     Status = "failed"      // a step failed; Error says which
	StatusNotStarted Status = "not-started" // interrupted before it started
)

// OK reports whether the person is ready in that account.
func (s Status) OK() bool {
	return s == StatusCreated || s == StatusUpdated || s == StatusAdopted || s == StatusUnchanged
}

// Secret holds a password on its way to the report. It prints, logs and
// marshals as "[redacted]"; only Reveal gives the password, and only the
// report writers call it.
type Secret struct{ s string }

const redacted = "[redacted]"

// Reveal returns the password.
func (s Secret) Reveal() string { return s.s }

// Empty reports whether there is no password.
func (s Secret) Empty() bool { return s.s == "" }

func (s Secret) String() string                { return redactedOrEmpty(s) }
func (s Secret) GoString() string              { return redactedOrEmpty(s) }
func (s Secret) LogValue() slog.Value          { return slog.StringValue(redactedOrEmpty(s)) }
func (s Secret) MarshalText() ([]byte, error)  { return []byte(redactedOrEmpty(s)), nil }
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redactedOrEmpty(s))) }

func redactedOrEmpty(s Secret) string {
	if s.s == "" {
		return ""
	}
	return redacted
}

// Row is one person in one account.
type Row struct {
	Account   string
	UserName  string
	Email     string
	Status    Status
	SignInURL string
	Delivery  string // "ses: sent", "none: in this output", "ses: delivered earlier", …
	Error     string
	// Password is set only when the channel is none and a password was
	// issued in this run: the report is then the only place it appears.
	Password Secret
	// Steps are the steps done in this run.
	Steps []string
}

func newRow(t *Target) Row {
	row := Row{Account: t.Account.ID, UserName: t.UserName, Email: t.Person.Email, SignInURL: t.Account.SignInURL}
	if rec := t.record; rec.CredentialState == journal.CredentialDelivered {
		row.Delivery = rec.Channel + ": delivered earlier"
	}
	return row
}

// Report is what Apply did: a row per person per account, in plan order.
type Report struct {
	RunID       int64
	Rows        []Row
	Interrupted bool

	journal Journal
	pending []pendingConfirmation
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

// OK reports whether every person is ready in every account.
func (r *Report) OK() bool {
	for _, row := range r.Rows {
		if !row.Status.OK() {
			return false
		}
	}
	return true
}

// Confirm records the passwords handed over in the command's output
// (channel none) as delivered. Call it once the report has been written:
// a run that dies before then leaves them unconfirmed, and the next run
// issues fresh ones.
func (r *Report) Confirm(ctx context.Context) error {
	var errs []error
	for _, p := range r.pending {
		t := p.target
		errs = append(errs, r.journal.CredentialDelivered(ctx, r.RunID, t.Account.ID, t.UserName, p.credentialID, spec.ChannelNone, "report"))
	}
	r.pending = nil
	return errors.Join(errs...)
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

func (r *Report) summary(p *Plan) journal.Summary {
	people := map[string]bool{}
	s := journal.Summary{Accounts: len(p.Accounts)}
	for _, row := range r.Rows {
		// IAM names are case-insensitive: a user found spelt in capitals in one
		// account is the same person as elsewhere.
		people[strings.ToLower(row.UserName)] = true
		switch {
		case row.Status.OK():
			s.Succeeded++
		case row.Status == StatusFailed:
			s.Failed++
		default:
			s.Skipped++
		}
		if strings.HasSuffix(row.Delivery, ": sent") || !row.Password.Empty() {
			s.Delivered++
		}
	}
	s.People = len(people)
	return s
}
