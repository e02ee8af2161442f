package offboard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// runner applies one plan.
type runner struct {
	deps  Deps
	plan  *Plan
	runID int64
}

// Apply carries the plan out: (user, account) pairs in parallel, at most
// Deps.Concurrency at once. Each user is archived (a file and the journal)
// before its first change; then the plan's action runs, every change
// journaled. When ctx is cancelled (Ctrl-C) no new pair is started and the
// pairs in flight finish, their calls made with a context that is not
// cancelled. A pair that fails does not stop the others; its row says what
// is left. The error is for the run itself (the journal failing).
func Apply(ctx context.Context, deps Deps, plan *Plan) (*Report, error) {
	bg := context.WithoutCancel(ctx)
	runID, err := deps.Journal.StartRun(bg, journal.RunInfo{Command: Command, Source: plan.Source, Args: deps.Args})
	if err != nil {
		return nil, err
	}
	if err := removeStaleTemps(deps.ArchiveDir, deps.now()); err != nil {
		deps.logger().Warn("removing temporary archive files a killed run left", "dir", deps.ArchiveDir, "error", err)
	}
	r := &runner{deps: deps, plan: plan, runID: runID}
	rep := &Report{RunID: runID, Action: plan.Action, Rows: r.run(ctx), Accounts: len(plan.Accounts)}
	rep.Interrupted = rep.Count(StatusNotStarted) > 0
	if err := deps.Journal.FinishRun(bg, runID, rep.runStatus(), rep.summary()); err != nil {
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
	for _, i := range roundRobin(targets) {
		t := targets[i]
		if !acquire(ctx, sem) {
			rows[i] = newRow(t)
			rows[i].Status, rows[i].Error = StatusNotStarted, "interrupted before it started; run the same command again to resume"
			finished()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			rows[i] = r.target(context.WithoutCancel(ctx), t) // in flight: finish it even after Ctrl-C
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

// target applies the plan's action to one target and reports how it ended.
func (r *runner) target(ctx context.Context, t *Target) Row {
	row := newRow(t)
	if status, why, skip := r.skip(t); skip {
		row.Status, row.Error = status, why
		return row
	}
	cfg, err := r.deps.AWS.Config(ctx, t.Account.ID)
	if err != nil {
		row.Status, row.Error = StatusFailed, err.Error()
		return row
	}
	s := &session{api: iam.NewFromConfig(cfg), user: t.UserName, backoff: r.deps.backoff()}
	tell := r.teller(ctx, t, &row)
	switch r.plan.Action {
	case ActionSuspend:
		err = r.suspend(ctx, s, t, &row, tell)
	case ActionReinstate:
		err = r.reinstate(ctx, s, t, &row, tell)
	default:
		err = r.remove(ctx, s, t, &row, tell)
	}
	row.finish(err)
	return row
}

// skip says whether t is left alone, with its status and why.
func (r *runner) skip(t *Target) (Status, string, bool) {
	switch {
	case t.Err != "":
		return StatusFailed, t.Err, true
	case t.Self:
		return StatusRefused, t.Guard, true
	case t.Guard != "":
		return StatusProtected, t.Guard, true
	case t.Declined != "":
		return StatusDeclined, t.Declined, true
	case t.Record == nil: // absent, and nothing left of it
		return StatusAbsent, "", true
	}
	switch r.plan.Action {
	case ActionSuspend:
		if _, tagged := t.Record.tag(TagSuspended); tagged && len(suspensionOf(t.Record).jobs) == 0 {
			return StatusUnchanged, "", true
		}
	case ActionReinstate:
		if t.Suspension == nil {
			if _, tagged := t.Record.tag(TagSuspended); tagged {
				return StatusFailed, fmt.Sprintf("tagged %s, but the journal has no record of what the suspension deactivated; "+
					"reactivate by hand from the suspension's archive (its Deactivates list)", TagSuspended), true
			}
			return StatusUnchanged, "", true
		}
	}
	return "", "", false
}

func (r *runner) remove(ctx context.Context, s *session, t *Target, row *Row, tell note) error {
	if err := r.archive(ctx, t, row); err != nil {
		return err
	}
	if t.State == StateAbsent { // only an earlier run's leftovers
		if n, _ := removeDependencies(ctx, s, t.Record, tell); n > 0 {
			return fmt.Errorf("%d left of an earlier removal", n)
		}
		row.Status = StatusRemoved
		return nil
	}
	if err := removeUser(ctx, s, t.Record, tell); err != nil {
		return err
	}
	if err := r.deps.Journal.MarkRemoved(ctx, r.runID, t.Account.ID, t.UserName); err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	row.Status = StatusRemoved
	return nil
}

func (r *runner) suspend(ctx context.Context, s *session, t *Target, row *Row, tell note) error {
	plan := suspensionOf(t.Record)
	t.Record.Deactivates = plan.items()
	if err := r.archive(ctx, t, row); err != nil {
		return err
	}
	if err := r.deps.Journal.RecordSuspension(ctx, r.runID, t.Account.ID, t.UserName, plan.login, plan.items()); err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	if err := suspendUser(ctx, s, t.Record, plan, r.deps.now(), tell); err != nil {
		return err
	}
	row.Status = StatusSuspended
	return nil
}

func (r *runner) reinstate(ctx context.Context, s *session, t *Target, row *Row, tell note) error {
	if err := r.archive(ctx, t, row); err != nil {
		return err
	}
	if err := reinstateUser(ctx, s, t.Suspension, tell); err != nil {
		return err
	}
	if err := r.deps.Journal.MarkReinstated(ctx, r.runID, t.Account.ID, t.UserName); err != nil && !errors.Is(err, journal.ErrNotSuspended) {
		return fmt.Errorf("journaling: %w", err)
	}
	row.Status, row.PasswordNeeded = StatusReinstated, t.Suspension.LoginRemoved
	return nil
}

// archive writes t's record to the archive folder and the journal, before
// anything is changed; a failure stops t there.
func (r *runner) archive(ctx context.Context, t *Target, row *Row) error {
	t.Record.stamp(r.plan.Action, r.runID, r.deps.now())
	path, err := writeArchive(r.deps.ArchiveDir, t.Record)
	if err != nil {
		return err
	}
	data, err := encodeRecord(t.Record)
	if err == nil {
		err = r.deps.Journal.RecordArchive(ctx, journal.ArchiveRecord{RunID: r.runID, Account: t.Account.ID,
			UserName: t.UserName, UserID: t.Record.User.UserID, Email: emailOf(t), Action: string(r.plan.Action), Record: data, File: path})
	}
	if err == nil {
		err = r.deps.Journal.RecordStep(ctx, journal.StepRecord{RunID: r.runID, Account: t.Account.ID, UserName: t.UserName,
			Email: emailOf(t), Step: "archive", Status: journal.StepDone, Detail: path})
	}
	if err != nil {
		return fmt.Errorf("archiving IAM user (%s): %w", t.UserName, err)
	}
	row.Archive = path
	return nil
}

// teller journals and logs every change of t as it happens and adds it to
// the row. A change that cannot be journaled is reported on the row.
func (r *runner) teller(ctx context.Context, t *Target, row *Row) note {
	var mu sync.Mutex
	log := r.deps.logger().With("account", t.Account.ID, "user", t.UserName)
	return func(c change) {
		status, detail := journal.StepDone, c.detail
		if c.err != nil {
			status, detail = journal.StepFailed, c.err.Error()
			log.Warn("step failed", "step", c.step, "error", c.err)
		} else {
			log.Debug("step done", "step", c.step, "detail", c.detail)
		}
		jerr := r.deps.Journal.RecordStep(ctx, journal.StepRecord{RunID: r.runID, Account: t.Account.ID, UserName: t.UserName,
			Email: emailOf(t), Step: c.step, Status: status, Detail: detail})
		mu.Lock()
		defer mu.Unlock()
		row.record(c)
		if jerr != nil {
			row.journalErr = errors.Join(row.journalErr, jerr)
		}
	}
}

func emailOf(t *Target) string {
	if t.Record == nil {
		return ""
	}
	return t.Record.Email()
}

// roundRobin returns the indexes of targets taking one account after another,
// keeping each account's own order, so the workers spread over every account's
// rate limit instead of queueing on one account's while the others sit idle.
func roundRobin(targets []*Target) []int {
	var accounts []string
	byAccount := map[string][]int{}
	for i, t := range targets {
		if _, ok := byAccount[t.Account.ID]; !ok {
			accounts = append(accounts, t.Account.ID)
		}
		byAccount[t.Account.ID] = append(byAccount[t.Account.ID], i)
	}
	order := make([]int, 0, len(targets))
	for len(order) < len(targets) {
		for _, a := range accounts {
			if q := byAccount[a]; len(q) > 0 {
				order = append(order, q[0])
				byAccount[a] = q[1:]
			}
		}
	}
	return order
}
