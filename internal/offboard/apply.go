package offboard

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// applier carries one plan out.
type applier struct {
	deps Deps
	plan *Plan
	run  *engine.Run
}

// Apply carries the plan out: placements in parallel, at most
// Deps.Concurrency at once, spread over the scopes. Each user is archived (a
// file and the journal) before its first change; then the plan's action
// runs, every change journaled. When ctx is cancelled (Ctrl-C) no new
// placement is started and the ones in flight finish. A placement that fails
// does not stop the others; its row says what is left. A reinstatement then
// issues new console passwords through onboarding where the suspension
// deleted them (Reissue). The error is for the run itself (the journal
// failing).
func Apply(ctx context.Context, deps Deps, plan *Plan) (*Report, error) {
	run, err := engine.StartRun(ctx, deps.Journal, deps.logger(), journal.RunInfo{Command: Command, Source: plan.Source, Args: deps.Args})
	if err != nil {
		return nil, err
	}
	if err := removeStaleTemps(deps.ArchiveDir, deps.now()); err != nil {
		deps.logger().Warn("removing temporary archive files a killed run left", "dir", deps.ArchiveDir, "error", err)
	}
	r := &applier{deps: deps, plan: plan, run: run}
	pls := plan.Placements
	rows := make([]Row, len(pls))
	pool := engine.Pool{Concurrency: engine.Concurrency(deps.Concurrency, len(plan.Scopes)), Progress: deps.Progress}
	pool.Run(ctx, engine.RoundRobin(scopeIDs(pls)), nil,
		func(ctx context.Context, i int) { rows[i] = r.placement(ctx, pls[i]) },
		func(i int) {
			rows[i] = newRow(pls[i])
			rows[i].Status, rows[i].Error = StatusNotStarted, engine.NotStartedError
		})
	rep := &Report{RunID: run.ID, Action: plan.Action, Rows: rows, Accounts: len(plan.Scopes), noun: scopeNoun(plan.Scopes)}
	rep.Interrupted = rep.Count(StatusNotStarted) > 0
	if err := run.Finish(ctx, len(plan.Scopes), rep.Interrupted, rep.outcomes()); err != nil {
		return rep, err
	}
	if plan.Action == ActionReinstate && deps.Channel != nil {
		return rep, Reissue(ctx, deps, plan.input, rep)
	}
	return rep, nil
}

// placement applies the plan's action to one placement and reports how it ended.
func (r *applier) placement(ctx context.Context, pl *Placement) Row {
	row := newRow(pl)
	if status, why, skip := r.skip(pl); skip {
		row.Status, row.Error = status, why
		return row
	}
	tell := r.teller(ctx, pl, &row)
	var err error
	switch r.plan.Action {
	case ActionSuspend:
		err = r.suspend(ctx, pl, &row, tell)
	case ActionReinstate:
		err = r.reinstate(ctx, pl, &row, tell)
	default:
		err = r.remove(ctx, pl, &row, tell)
	}
	row.finish(err)
	return row
}

// skip says whether pl is left alone, with its status and why.
func (r *applier) skip(pl *Placement) (Status, string, bool) {
	switch {
	case pl.Err != "":
		return StatusFailed, pl.Err, true
	case pl.Self:
		return StatusRefused, pl.Guard, true
	case pl.Guard != "":
		return StatusProtected, pl.Guard, true
	case pl.Declined != "":
		return StatusDeclined, pl.Declined, true
	case pl.Record == nil: // absent, and nothing left of it
		return StatusAbsent, "", true
	}
	_, suspended := engine.TagMap(pl.Record.Tags())[engine.TagSuspended]
	switch r.plan.Action {
	case ActionSuspend:
		if login, items := r.deps.Directory.Suspension(pl.Record); suspended && !login && len(items) == 0 {
			return StatusUnchanged, "", true
		}
	case ActionReinstate:
		if pl.Suspension == nil {
			if suspended {
				return StatusFailed, fmt.Sprintf("tagged %s, but the journal has no record of what the suspension deactivated; "+
					"reactivate by hand from the suspension's archive (its Deactivates list)", engine.TagSuspended), true
			}
			return StatusUnchanged, "", true
		}
	}
	return "", "", false
}

func (r *applier) remove(ctx context.Context, pl *Placement, row *Row, tell engine.Tell) error {
	if err := r.archive(ctx, pl, row, nil); err != nil {
		return err
	}
	if err := r.deps.Directory.Remove(ctx, pl.Scope, pl.Record, tell); err != nil {
		return err
	}
	if pl.State != StateAbsent {
		if err := r.deps.Journal.MarkRemoved(ctx, r.run.ID, pl.Scope.ID, pl.UserName); err != nil {
			return fmt.Errorf("journaling: %w", err)
		}
	}
	row.Status = StatusRemoved
	return nil
}

func (r *applier) suspend(ctx context.Context, pl *Placement, row *Row, tell engine.Tell) error {
	login, items := r.deps.Directory.Suspension(pl.Record)
	if err := r.archive(ctx, pl, row, items); err != nil {
		return err
	}
	if err := r.deps.Journal.RecordSuspension(ctx, r.run.ID, pl.Scope.ID, pl.UserName, login, items); err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	if err := r.deps.Directory.Suspend(ctx, pl.Scope, pl.Record, r.deps.now(), tell); err != nil {
		return err
	}
	row.Status = StatusSuspended
	return nil
}

func (r *applier) reinstate(ctx context.Context, pl *Placement, row *Row, tell engine.Tell) error {
	if err := r.archive(ctx, pl, row, nil); err != nil {
		return err
	}
	if err := r.deps.Directory.Reinstate(ctx, pl.Scope, pl.Record, *pl.Suspension, tell); err != nil {
		return err
	}
	if err := r.deps.Journal.MarkReinstated(ctx, r.run.ID, pl.Scope.ID, pl.UserName); err != nil && !errors.Is(err, journal.ErrNotSuspended) {
		return fmt.Errorf("journaling: %w", err)
	}
	row.Status, row.PasswordNeeded = StatusReinstated, pl.Suspension.LoginRemoved
	return nil
}

// archive writes pl's record to the archive folder and the journal, before
// anything is changed; a failure stops pl there.
func (r *applier) archive(ctx context.Context, pl *Placement, row *Row, deactivates []journal.SuspendedItem) error {
	pl.Record.Stamp(r.plan.Action, r.run.ID, r.deps.now(), deactivates)
	path, data, err := writeArchive(r.deps.ArchiveDir, pl.Scope.ID, pl.Record, r.run.ID, r.plan.Action)
	if err == nil {
		err = r.deps.Journal.RecordArchive(ctx, journal.ArchiveRecord{RunID: r.run.ID, Account: pl.Scope.ID,
			UserName: pl.UserName, UserID: pl.Record.UserID(), Email: emailOf(pl), Action: string(r.plan.Action), Record: data, File: path})
	}
	if err == nil {
		err = r.run.Step(ctx, pl.Scope.ID, pl.UserName, emailOf(pl), "archive", journal.StepDone, path)
	}
	if err != nil {
		return fmt.Errorf("archiving %s (%s): %w", pl.Scope.UserNoun, pl.UserName, err)
	}
	row.Archive = path
	return nil
}

// teller journals and logs every change of pl as it happens and adds it to
// the row. A change that cannot be journaled is reported on the row.
func (r *applier) teller(ctx context.Context, pl *Placement, row *Row) engine.Tell {
	var mu sync.Mutex
	return func(res engine.Result) {
		status, detail := journal.StepDone, res.Detail
		if res.Err != nil {
			status, detail = journal.StepFailed, res.Err.Error()
		}
		jerr := r.run.Step(ctx, pl.Scope.ID, pl.UserName, emailOf(pl), res.Step, status, detail)
		mu.Lock()
		defer mu.Unlock()
		row.record(res)
		if jerr != nil {
			row.journalErr = errors.Join(row.journalErr, jerr)
		}
	}
}

func emailOf(pl *Placement) string {
	if pl.Record == nil {
		return ""
	}
	return pl.Record.Email()
}
