package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// maxBatch bounds one group commit so a steady stream of writers still sees
// commits (and acknowledgements) at a regular pace.
const maxBatch = 1024

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("the journal is closed")

// op is one caller's write: apply runs inside the batch's transaction, and done
// receives the outcome once that transaction has committed (or failed).
type op struct {
	apply func(tx *writeTx) error
	done  chan error
}

// writer is the single goroutine that owns the write connection. It implements
// group commit: every op waiting when a transaction starts joins it (and, while
// fewer are waiting than last time, those arriving within gatherWindow), so 64
// concurrent callers share one fsync instead of queueing for 64 of them.
type writer struct {
	conn  *sql.Conn
	queue chan *op
	stmts map[string]*sql.Stmt // the writer goroutine's own; no lock

	commits atomic.Int64 // transactions committed, for tests and stats

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
	done   chan struct{}
}

func newWriter(conn *sql.Conn) *writer {
	w := &writer{conn: conn, queue: make(chan *op, maxBatch), stmts: map[string]*sql.Stmt{}, done: make(chan struct{})}
	go w.loop()
	return w
}

// submit queues apply and waits until the transaction holding it committed. A
// nil error means the record is on disk; an error from ctx means it was not
// acknowledged (it may still be written).
func (w *writer) submit(ctx context.Context, apply func(tx *writeTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := &op{apply: apply, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.queue <- o:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-o.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close lets queued writes finish and stops the writer.
func (w *writer) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	<-w.done
	var errs []error
	for _, s := range w.stmts {
		errs = append(errs, s.Close())
	}
	errs = append(errs, w.conn.Close())
	return errors.Join(errs...)
}

func (w *writer) loop() {
	defer close(w.done)
	batch := make([]*op, 0, maxBatch)
	last := 0
	for first := range w.queue {
		batch = w.gather(append(batch[:0], first), last)
		w.commit(batch)
		last = len(batch)
	}
}

// gatherWindow is how long a batch waits for writers that were in the last
// batch to come back: they were acknowledged a moment ago and are about to
// queue their next record. Waiting for them costs less than a commit.
const gatherWindow = time.Millisecond

// gather adds every op already queued; while the batch is smaller than the
// last one it waits up to gatherWindow for the rest.
func (w *writer) gather(batch []*op, want int) []*op {
	var timeout <-chan time.Time
	for len(batch) < maxBatch {
		select {
		case o, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, o)
			continue
		default:
		}
		if len(batch) >= want {
			return batch
		}
		if timeout == nil {
			timeout = time.After(gatherWindow)
		}
		select {
		case o, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, o)
		case <-timeout:
			return batch
		}
	}
	return batch
}

// commit runs the batch in one transaction and tells every caller its
// outcome. Ops run back to back; when one fails, the transaction is rolled
// back and the batch run again with each op in a savepoint, so the failing op
// (a stale credential, a broken constraint) is undone alone and the others
// still commit. Failures are rare, so the common case pays for no savepoints.
func (w *writer) commit(batch []*op) {
	tx := &writeTx{ctx: context.Background(), w: w} // one caller's cancellation must not abort the others
	errs, failed, err := tx.run(batch, false)
	if err == nil && failed && len(batch) > 1 {
		errs, _, err = tx.run(batch, true)
	}
	for i, o := range batch {
		if err != nil {
			o.done <- fmt.Errorf("committing to the journal: %w", err)
			continue
		}
		o.done <- errs[i]
	}
}

// run applies the batch in one transaction. Unless isolate is set, it stops
// and rolls back at the first failing op.
func (t *writeTx) run(batch []*op, isolate bool) (errs []error, failed bool, err error) {
	if err := t.raw("BEGIN IMMEDIATE"); err != nil {
		return nil, false, err
	}
	errs = make([]error, len(batch))
	for i, o := range batch {
		if errs[i] = t.applyOne(o, isolate); errs[i] != nil {
			failed = true
			if !isolate {
				break
			}
		}
	}
	end := "COMMIT"
	if failed && !isolate {
		end = "ROLLBACK"
	}
	if err := t.raw(end); err != nil {
		_ = t.raw("ROLLBACK")
		return nil, false, err
	}
	t.w.commits.Add(1)
	return errs, failed, nil
}

// writeTx is the handle an op's apply function writes through.
type writeTx struct {
	ctx context.Context
	w   *writer
}

func (t *writeTx) applyOne(o *op, isolate bool) error {
	if !isolate {
		return o.apply(t)
	}
	if err := t.raw("SAVEPOINT op"); err != nil {
		return err
	}
	err := o.apply(t)
	if err != nil {
		_ = t.raw("ROLLBACK TO op")
	}
	if rerr := t.raw("RELEASE op"); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

func (t *writeTx) raw(query string) error {
	_, err := t.exec(query)
	return err
}

// exec runs a statement, preparing it once per writer.
func (t *writeTx) exec(query string, args ...any) (sql.Result, error) {
	s, ok := t.w.stmts[query]
	if !ok {
		var err error
		if s, err = t.w.conn.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
		t.w.stmts[query] = s
	}
	return s.ExecContext(t.ctx, args...)
}

// execOne runs a statement that must change exactly one row.
func (t *writeTx) execOne(query string, args ...any) (bool, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// queryRow reads one row inside the write transaction: a read that decides
// the write it precedes (BEGIN IMMEDIATE holds the lock, so no other
// process writes in between).
func (t *writeTx) queryRow(query string, args ...any) *sql.Row {
	return t.w.conn.QueryRowContext(t.ctx, query, args...)
}
