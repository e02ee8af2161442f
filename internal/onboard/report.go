package onboard

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/internal/engine"
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
	Password engine.Secret
	// Steps are the steps done in this run.
	Steps []string
}

func newRow(pl *Placement) Row {
	row := Row{Account: pl.Scope.ID, UserName: pl.UserName, Email: pl.Person.Email, SignInURL: pl.Scope.SignInURL}
	if rec := pl.record; rec.CredentialState == journal.CredentialDelivered {
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
	noun    string // how the report names its scopes: "account"
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

// OK reports whether every person is ready in every account.
func (r *Report) OK() bool { return r.statuses().OK() }

// Confirm records the passwords handed over in the command's output
// (channel none) as delivered. Call it once the report has been written:
// a run that dies before then leaves them unconfirmed, and the next run
// issues fresh ones.
func (r *Report) Confirm(ctx context.Context) error {
	var errs []error
	for _, p := range r.pending {
		pl := p.placement
		errs = append(errs, r.journal.CredentialDelivered(ctx, r.RunID, pl.Scope.ID, pl.UserName, p.credentialID, spec.ChannelNone, "report"))
	}
	r.pending = nil
	return errors.Join(errs...)
}

// outcomes are the rows as the run's summary counts them: people by user
// name (IAM names are case-insensitive: a user found spelt in capitals in one
// account is the same person as elsewhere).
func (r *Report) outcomes() []engine.Outcome {
	out := make([]engine.Outcome, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = engine.Outcome{Person: strings.ToLower(row.UserName), OK: row.Status.OK(), Failed: row.Status == StatusFailed,
			Delivered: strings.Contains(row.Delivery, ": sent") || !row.Password.Empty()}
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
