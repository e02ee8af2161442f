package iamuser

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// suspension is what suspending a user changes: the login profile (deleted)
// and every Active credential of the entries that can be deactivated.
type suspension struct {
	login bool
	jobs  []*job
}

// suspensionOf works out what suspending rec's user changes.
func suspensionOf(rec *Record) suspension {
	var s suspension
	for _, d := range removalTable {
		if d.suspend == nil {
			continue
		}
		for _, it := range d.items(rec) {
			if !it.Active {
				continue // already inactive: left so, and not reactivated later
			}
			if d == loginProfile {
				s.login = true
			}
			s.jobs = append(s.jobs, &job{dep: d, item: it, done: make(chan struct{})})
		}
	}
	return s
}

// items are what the journal records: what reinstating reactivates. The
// login profile is not among them (a password cannot be reactivated).
func (s suspension) items() []journal.SuspendedItem {
	var out []journal.SuspendedItem
	for _, j := range s.jobs {
		if j.dep != loginProfile {
			out = append(out, journal.SuspendedItem{Kind: j.dep.name, ID: j.item.ID})
		}
	}
	return out
}

// suspendUser deletes the login profile and deactivates the credentials,
// all at once, then tags the user as suspended at now (unless it is already).
func suspendUser(ctx context.Context, s *session, rec *Record, plan suspension, now time.Time, tell engine.Tell) error {
	errs := runAll(ctx, s, plan.jobs, func(d *dependency) (func(context.Context, *session, Item) error, string) {
		if d == loginProfile {
			return d.suspend, "delete"
		}
		return d.suspend, "deactivate"
	}, tell)
	if _, tagged := rec.tag(engine.TagSuspended); !tagged {
		err := tagUser(ctx, s, engine.TagSuspended, now.UTC().Format(time.RFC3339))
		tell(engine.Result{Order: engine.OrderUser, Step: "tag-user:" + engine.TagSuspended, Line: "tag " + engine.TagSuspended, Err: err})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// reinstateUser reactivates exactly what the suspension deactivated (an item
// deleted since is noted, not an error) and removes the suspended tag.
func reinstateUser(ctx context.Context, s *session, susp *journal.Suspension, tell engine.Tell) error {
	var jobs []*job
	var errs []error
	for _, it := range susp.Items {
		d := entry(it.Kind)
		if d == nil || d.reinstate == nil {
			errs = append(errs, fmt.Errorf("reactivating IAM user (%s) %s (%s): gatehouse does not know this kind", s.user, it.Kind, it.ID))
			continue
		}
		jobs = append(jobs, &job{dep: d, item: Item{ID: it.ID}, done: make(chan struct{})})
	}
	errs = append(errs, runAll(ctx, s, jobs, func(d *dependency) (func(context.Context, *session, Item) error, string) {
		return d.reinstate, "reactivate"
	}, tell)...)
	err := untagUser(ctx, s, engine.TagSuspended)
	tell(engine.Result{Order: engine.OrderUser, Step: "untag-user:" + engine.TagSuspended, Line: "tag " + engine.TagSuspended + " (removed)", Err: err})
	return errors.Join(append(errs, err)...)
}

// runAll runs every job at once with the function and action op picks for
// its entry; NoSuchEntity means the item is gone, which is noted as done.
func runAll(ctx context.Context, s *session, jobs []*job, op func(*dependency) (func(context.Context, *session, Item) error, string), tell engine.Tell) []error {
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			fn, action := op(j.dep)
			err := fn(ctx, s, j.item)
			detail := ""
			switch {
			case notFound(err):
				err, detail = nil, "gone already"
			case err != nil:
				err = j.dep.fail(gerund(action), s.user, j.item, err)
			}
			errs[i] = err
			tell(engine.Result{Order: i, Step: j.dep.step(action, j.item), Line: j.dep.line(j.item), Err: err, Detail: detail})
		})
	}
	wg.Wait()
	return errs
}
