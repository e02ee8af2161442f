package onboard

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// runner applies one plan.
type runner struct {
	deps Deps
	plan *Plan
	run  *engine.Run

	mu      sync.Mutex
	pending []pendingConfirmation // none-channel credentials, confirmed once the report is out
	mail    *mailroom             // each person's credentials, handed over together
}

// Apply runs the plan's steps: placements in parallel, at most
// Deps.Concurrency at once, each placement's steps in order, every step
// journaled. When ctx is cancelled (Ctrl-C) no new placement is started;
// those in flight finish, and the run is journaled as interrupted. A
// placement that fails does not stop the others: its row in the report says
// what failed. The error is for the run itself (the journal failing), not
// for people.
func Apply(ctx context.Context, deps Deps, plan *Plan) (*Report, error) {
	run, err := engine.StartRun(ctx, deps.Journal, deps.Logger, journal.RunInfo{Command: Command, Source: plan.Input.Source, Args: deps.Args})
	if err != nil {
		return nil, err
	}
	r := &runner{deps: deps, plan: plan, run: run}
	r.mail = newMailroom(r)
	rows := make([]Row, len(plan.Placements))
	pool := engine.Pool{Concurrency: engine.Concurrency(deps.Concurrency, len(plan.Scopes)), Progress: deps.Progress}
	bg := context.WithoutCancel(ctx)
	pool.Run(ctx, engine.InOrder(len(rows)),
		func(i int) bool { pl := plan.Placements[i]; return pl.Skip != "" || pl.Done() }, // no call: report it whatever happens
		func(ctx context.Context, i int) {
			rows[i] = r.onboard(ctx, plan.Placements[i])
			r.mail.done(ctx, plan.Placements[i])
		},
		func(i int) {
			rows[i] = notStarted(plan.Placements[i])
			r.mail.done(bg, plan.Placements[i])
		})
	for i, pl := range plan.Placements {
		r.mail.deliver(pl, &rows[i])
	}
	rep := &Report{RunID: run.ID, Rows: rows, journal: deps.Journal, noun: scopeNoun(plan.Scopes)}
	rep.Interrupted = rep.Count(StatusNotStarted) > 0
	rep.pending = r.pending
	if err := run.Finish(ctx, len(plan.Scopes), rep.Interrupted, rep.outcomes()); err != nil {
		return rep, err
	}
	return rep, nil
}

func notStarted(pl *Placement) Row {
	row := newRow(pl)
	row.Status = StatusNotStarted
	row.Error = engine.NotStartedError
	return row
}

// onboard runs pl's steps in order and reports the outcome; the first step
// that fails ends pl's run (later steps depend on it).
func (r *runner) onboard(ctx context.Context, pl *Placement) Row {
	row := newRow(pl)
	switch {
	case pl.Skip != "":
		row.Status = StatusSkipped
		row.Error = pl.Skip
		if err := r.record(ctx, pl, engine.StepCreateUser, journal.StepSkipped, pl.Skip); err != nil {
			row.Status, row.Error = StatusFailed, err.Error()
		}
		return row
	case pl.Done():
		row.Status = StatusUnchanged
		return row
	}
	row.Status = statusOf[pl.User]
	if err := r.runSteps(ctx, pl, &row); err != nil {
		row.Status, row.Error = StatusFailed, err.Error()
	}
	return row
}

// statusOf is how onboarding a user in each state ends when it goes well.
var statusOf = map[engine.UserState]Status{engine.UserAbsent: StatusCreated, engine.UserManaged: StatusUpdated, engine.UserForeign: StatusAdopted}

// runSteps runs pl's steps, planning pl again when creating the user finds
// it there.
func (r *runner) runSteps(ctx context.Context, pl *Placement, row *Row) error {
	steps, replanned := pl.Steps, false
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		if s.Issues != engine.IssueNone {
			var handOver engine.Step
			if i+1 < len(steps) && steps[i+1].Kind == engine.StepDeliver {
				handOver, i = steps[i+1], i+1
			}
			if err := r.issue(ctx, pl, s, handOver, row); err != nil {
				return err
			}
			continue
		}
		detail, err := r.apply(ctx, pl, s)
		if errors.Is(err, engine.ErrUserExists) {
			// Someone created it since the plan read the scope: plan again.
			if replanned {
				return fmt.Errorf("creating %s (%s): %s %s says it exists, yet it cannot be read", pl.Scope.UserNoun, pl.UserName, pl.Scope.Noun, pl.Scope.ID)
			}
			if err := r.replan(ctx, pl, row); err != nil || pl.Skip != "" {
				return err
			}
			steps, i, replanned = pl.Steps, -1, true
			continue
		}
		if err == nil && (s.Kind == engine.StepCreateUser || s.Kind == engine.StepAdoptUser || s.Kind == engine.StepRecordUser) {
			err = r.deps.Journal.MarkUser(ctx, r.run.ID, pl.Scope.ID, pl.UserName, pl.Person.Email, true)
		}
		if err := r.outcome(ctx, pl, s, err, detail); err != nil {
			return err
		}
		row.Steps = append(row.Steps, s.String())
	}
	return nil
}

// apply runs one of pl's steps. Creating a user is journaled as intended
// first: a run killed after the directory made the user but before
// MarkUser leaves the intent, by which the next run recognises the user as
// gatehouse's where the directory cannot mark it. Recording a user so
// recognised calls nothing.
func (r *runner) apply(ctx context.Context, pl *Placement, s engine.Step) (string, error) {
	switch s.Kind {
	case engine.StepRecordUser:
		return "created by gatehouse in a run that ended before journaling it", nil
	case engine.StepCreateUser:
		if err := r.deps.Journal.MarkCreating(ctx, r.run.ID, pl.Scope.ID, pl.UserName, pl.Person.Email); err != nil {
			return "", err
		}
	}
	return r.deps.Directory.Apply(ctx, pl.Scope, pl.Person, pl.UserName, s)
}

// replan reads a user that creating found already there and sets pl's
// state and steps afresh: left alone if it is not gatehouse's (unless
// adopting).
func (r *runner) replan(ctx context.Context, pl *Placement, row *Row) error {
	rec, _, err := r.deps.Journal.Person(ctx, pl.Scope.ID, pl.UserName)
	if err != nil {
		return err
	}
	pl.record = rec
	have, err := r.deps.Directory.Read(ctx, pl.Scope, pl.UserName, known(rec))
	if err != nil {
		return err
	}
	r.plan.settle(r.deps, pl, have)
	if pl.Skip != "" {
		row.Status, row.Error = StatusSkipped, pl.Skip
		return r.record(ctx, pl, engine.StepCreateUser, journal.StepSkipped, pl.Skip)
	}
	row.Status = statusOf[pl.User]
	return nil
}

// record journals one step of pl and logs it.
func (r *runner) record(ctx context.Context, pl *Placement, step, status, detail string) error {
	return r.run.Step(ctx, pl.Scope.ID, pl.UserName, pl.Person.Email, step, status, detail)
}

// outcome journals a step's result: done with detail, or failed with err.
// It returns err, or the journal's error when recording fails.
func (r *runner) outcome(ctx context.Context, pl *Placement, step engine.Step, err error, detail string) error {
	if err != nil {
		if jerr := r.record(ctx, pl, step.String(), journal.StepFailed, err.Error()); jerr != nil {
			return errors.Join(err, jerr)
		}
		return err
	}
	return r.record(ctx, pl, step.String(), journal.StepDone, detail)
}
