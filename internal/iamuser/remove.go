package iamuser

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// removeUser removes everything rec lists, then the user, then checks that
// it is gone. If IAM still refuses the user (DeleteConflict: something was
// added since discovery, or a removal failed), what is left is discovered
// anew and removed once more before giving up.
func removeUser(ctx context.Context, s *session, rec *Record, tell engine.Tell) error {
	for pass := 1; ; pass++ {
		if _, keep := removeDependencies(ctx, s, rec, tell); keep {
			return fmt.Errorf("keeping user (%s): a virtual MFA device of it could not be deleted, and the user is how the next run finds the device", s.user)
		}
		err := deleteUser(ctx, s)
		tell(engine.Result{Order: engine.OrderUser, Step: "delete-user", Line: "user " + s.user, Err: err})
		if err == nil {
			err = verifyGone(ctx, s)
			tell(engine.Result{Order: engine.OrderUser + 1, Step: "verify-user-gone", Line: "verified gone", Err: err})
			return err
		}
		if pass > 1 || !errors.Is(err, awsx.ErrConflict) {
			return err
		}
		again, derr := discover(ctx, s, rec.Account)
		if errors.Is(derr, ErrUserNotFound) {
			return nil // deleted by someone else meanwhile
		}
		if derr != nil {
			return errors.Join(err, derr)
		}
		rec = again
	}
}

// job is one table entry acting on one item.
type job struct {
	dep  *dependency
	item Item
	done chan struct{}
	err  error
}

// removeDependencies runs the removal table over rec: every item of every
// entry at once, except that an entry with after waits for the same item of
// that entry (and is not tried when it failed). NoSuchEntity is success.
// It returns how many items could not be removed.
func removeDependencies(ctx context.Context, s *session, rec *Record, tell engine.Tell) (failed int, keepUser bool) {
	jobs := plannedJobs(rec)
	index := map[string]*job{}
	for _, j := range jobs {
		index[j.dep.name+"\x00"+j.item.ID] = j
	}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for i, j := range jobs {
		wg.Go(func() {
			j.err = runJob(ctx, s, j, index)
			close(j.done) // before journaling: a waiting entry goes on at once
			tell(engine.Result{Order: i, Step: j.dep.step(j.dep.action, j.item), Line: j.dep.line(j.item), Err: j.err})
			if j.err != nil {
				mu.Lock()
				failed++
				// An unassigned virtual device does not stop DeleteUser, but once
				// the user is gone a rerun selected by tag can no longer find it.
				keepUser = keepUser || j.dep == virtualMFADevices
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed, keepUser
}

// plannedJobs are the removals rec calls for, in table order.
func plannedJobs(rec *Record) []*job {
	var jobs []*job
	for _, d := range removalTable {
		for _, it := range d.items(rec) {
			jobs = append(jobs, &job{dep: d, item: it, done: make(chan struct{})})
		}
	}
	return jobs
}

func runJob(ctx context.Context, s *session, j *job, index map[string]*job) error {
	verb := gerund(j.dep.action)
	if j.dep.after != "" {
		if first, ok := index[j.dep.after+"\x00"+j.item.ID]; ok {
			<-first.done
			if first.err != nil {
				return fmt.Errorf("%s %s: not tried, because %s the %s failed", verb, j.dep.subject(s.user, j.item),
					gerund(first.dep.action), first.dep.name)
			}
		}
	}
	err := j.dep.remove(ctx, s, j.item)
	if err != nil && !notFound(err) {
		return j.dep.fail(verb, s.user, j.item, err)
	}
	return nil
}
