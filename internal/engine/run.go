package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// Journal is what every lifecycle records its runs and steps in.
type Journal interface {
	StartRun(ctx context.Context, info journal.RunInfo) (int64, error)
	FinishRun(ctx context.Context, runID int64, status string, summary journal.Summary) error
	RecordStep(ctx context.Context, s journal.StepRecord) error
}

var _ Journal = (*journal.Journal)(nil)

// Run is one run of a lifecycle as the journal and the log know it.
type Run struct {
	ID      int64
	journal Journal
	log     *slog.Logger
}

// StartRun records the start of a run. The journal is written with a context
// that is not cancelled: an interrupted run must still be recorded.
func StartRun(ctx context.Context, j Journal, log *slog.Logger, info journal.RunInfo) (*Run, error) {
	id, err := j.StartRun(context.WithoutCancel(ctx), info)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Run{ID: id, journal: j, log: log}, nil
}

// Logger is the run's logger.
func (r *Run) Logger() *slog.Logger { return r.log }

// Step journals and logs one step of a user: done, skipped, or failed with
// its error (never a secret) as the detail. A journal failure is returned:
// a step the journal does not know about breaks the rerun guarantees.
func (r *Run) Step(ctx context.Context, scope, user, email, step, status, detail string) error {
	log := r.log.With("account", scope, "user", user, "step", step)
	switch status {
	case journal.StepFailed:
		log.Warn("step failed", "error", detail)
	case journal.StepSkipped:
		log.Info("step skipped", "reason", detail)
	default:
		log.Debug("step done", "detail", detail)
	}
	err := r.journal.RecordStep(ctx, journal.StepRecord{RunID: r.ID, Account: scope, UserName: user, Email: email,
		Step: step, Status: status, Detail: detail})
	if err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	return nil
}

// Outcome is one row of a report as the run's summary counts it.
type Outcome struct {
	Person    string // who, as the summary counts people (distinct values)
	OK        bool   // nothing left to do
	Failed    bool   // something failed (else, when not OK, skipped or not started)
	Delivered bool   // a credential was handed over in this run
}

// Finish records how the run ended: interrupted, failed when any outcome is
// not OK, else succeeded; with the counts of people and outcomes.
func (r *Run) Finish(ctx context.Context, scopes int, interrupted bool, outcomes []Outcome) error {
	people := map[string]bool{}
	s := journal.Summary{Accounts: scopes}
	ok := true
	for _, o := range outcomes {
		people[o.Person] = true
		switch {
		case o.OK:
			s.Succeeded++
		case o.Failed:
			s.Failed++
		default:
			s.Skipped++
		}
		ok = ok && o.OK
		if o.Delivered {
			s.Delivered++
		}
	}
	s.People = len(people)
	status := journal.RunSucceeded
	switch {
	case interrupted:
		status = journal.RunInterrupted
	case !ok:
		status = journal.RunFailed
	}
	return r.journal.FinishRun(context.WithoutCancel(ctx), r.ID, status, s)
}
