package onboard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// Command is the command name runs are journaled under.
const Command = "onboard"

// runner applies one plan.
type runner struct {
	deps  Deps
	plan  *Plan
	runID int64

	mu      sync.Mutex
	pending []pendingConfirmation // none-channel credentials, confirmed once the report is out
}

// Apply runs the plan's steps: (person, account) pairs in parallel, at most
// Deps.Concurrency at once, each pair's steps in order, every step journaled.
// When ctx is cancelled (Ctrl-C) no new pair is started; pairs in flight
// finish, their calls made with a context that is not cancelled, and the run
// is journaled as interrupted. A pair that fails does not stop the others:
// its row in the report says what failed. The error is for the run itself
// (the journal failing), not for people.
func Apply(ctx context.Context, deps Deps, plan *Plan) (*Report, error) {
	bg := context.WithoutCancel(ctx)
	runID, err := deps.Journal.StartRun(bg, journal.RunInfo{Command: Command, Source: plan.Input.Source, Args: deps.Args})
	if err != nil {
		return nil, err
	}
	r := &runner{deps: deps, plan: plan, runID: runID}
	rows := r.run(ctx)
	rep := &Report{RunID: runID, Rows: rows, journal: deps.Journal}
	rep.Interrupted = rep.Count(StatusNotStarted) > 0
	rep.pending = r.pending
	if err := deps.Journal.FinishRun(bg, runID, rep.runStatus(), rep.summary(plan)); err != nil {
		return rep, err
	}
	return rep, nil
}

// run works through the targets and returns one row per target, in order.
func (r *runner) run(ctx context.Context) []Row {
	targets := r.plan.Targets
	rows := make([]Row, len(targets))
	var (
		wg   sync.WaitGroup
		done atomic.Int64
	)
	finished := func() {
		if r.deps.Progress != nil {
			r.deps.Progress(int(done.Add(1)), len(targets))
		}
	}
	sem := make(chan struct{}, r.deps.concurrency(len(r.plan.Accounts)))
	for i, t := range targets {
		if t.Skip != "" || t.Done() { // no AWS call: report it whatever happens
			rows[i] = r.onboard(context.WithoutCancel(ctx), t)
			finished()
			continue
		}
		if !acquire(ctx, sem) {
			rows[i] = notStarted(t)
			finished()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			// In flight: finish this person even after Ctrl-C.
			rows[i] = r.onboard(context.WithoutCancel(ctx), t)
			finished()
		})
	}
	wg.Wait()
	return rows
}

// acquire takes a worker slot, or reports false when ctx is done first.
func acquire(ctx context.Context, sem chan struct{}) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case sem <- struct{}{}:
		if ctx.Err() != nil {
			<-sem
			return false
		}
		return true
	case <-ctx.Done():
		return false
	}
}

func notStarted(t *Target) Row {
	row := newRow(t)
	row.Status = StatusNotStarted
	row.Error = "interrupted before it started; run the same command again to resume"
	return row
}

// record journals one step of t and logs it. A step that failed is
// recorded with its error (never a secret) as the detail. A journal failure
// is returned: a step the journal does not know about breaks the rerun
// guarantees.
func (r *runner) record(ctx context.Context, t *Target, step, status, detail string) error {
	log := r.deps.logger().With("account", t.Account.ID, "user", t.UserName, "step", step)
	switch status {
	case journal.StepFailed:
		log.Warn("step failed", "error", detail)
	case journal.StepSkipped:
		log.Info("step skipped", "reason", detail)
	default:
		log.Debug("step done", "detail", detail)
	}
	err := r.deps.Journal.RecordStep(ctx, journal.StepRecord{
		RunID: r.runID, Account: t.Account.ID, UserName: t.UserName, Email: t.Person.Email,
		Step: step, Status: status, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	return nil
}

// outcome journals a step's result: done with detail, or failed with err.
// It returns err, or the journal's error when recording fails.
func (r *runner) outcome(ctx context.Context, t *Target, step Step, err error, detail string) error {
	if err != nil {
		if jerr := r.record(ctx, t, step.String(), journal.StepFailed, err.Error()); jerr != nil {
			return errors.Join(err, jerr)
		}
		return err
	}
	return r.record(ctx, t, step.String(), journal.StepDone, detail)
}
