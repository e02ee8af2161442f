package enginetest

import (
	"context"
	"runtime"
	"sync"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
)

// CrashingJournal is the journal of a process killed at a crash point: the
// write there is made or not (After), then every worker stops at its next
// journal write or delivery — where a killed process would have stopped
// earlier, which leaves the same state. A delivery fake asks Dead to stop
// there too.
type CrashingJournal struct {
	onboard.Journal
	// At says whether the write called name (RecordStep, MarkUser, …) —
	// the nth of that name, the total-th write of all — is the crash point.
	At func(name string, nth, total int) bool
	// After makes the write at the crash point commit before the process
	// dies.
	After bool

	mu    sync.Mutex
	calls map[string]int
	total int
	dead  bool
}

// Dead reports whether the process has died.
func (c *CrashingJournal) Dead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

func (c *CrashingJournal) write(name string, w func() error) error {
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[name]++
	c.total++
	crash := c.dead || c.At(name, c.calls[name], c.total)
	c.mu.Unlock()
	if crash && !c.After {
		c.die()
	}
	err := w()
	if crash {
		c.die()
	}
	return err
}

// die ends the worker as a kill would: nothing after it runs.
func (c *CrashingJournal) die() {
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
	runtime.Goexit()
}

func (c *CrashingJournal) RecordStep(ctx context.Context, s journal.StepRecord) error {
	return c.write("RecordStep", func() error { return c.Journal.RecordStep(ctx, s) })
}

func (c *CrashingJournal) MarkCreating(ctx context.Context, run int64, scope, user, email string) error {
	return c.write("MarkCreating", func() error { return c.Journal.MarkCreating(ctx, run, scope, user, email) })
}

func (c *CrashingJournal) MarkUser(ctx context.Context, run int64, scope, user, email string, managed bool) error {
	return c.write("MarkUser", func() error { return c.Journal.MarkUser(ctx, run, scope, user, email, managed) })
}

func (c *CrashingJournal) CredentialIssued(ctx context.Context, run int64, scope, user, id string) error {
	return c.write("CredentialIssued", func() error { return c.Journal.CredentialIssued(ctx, run, scope, user, id) })
}

func (c *CrashingJournal) CredentialDelivered(ctx context.Context, run int64, scope, user, id, ch, receipt string) error {
	return c.write("CredentialDelivered", func() error { return c.Journal.CredentialDelivered(ctx, run, scope, user, id, ch, receipt) })
}

func (c *CrashingJournal) DeliveryFailed(ctx context.Context, run int64, scope, user, id, ch, text string) error {
	return c.write("DeliveryFailed", func() error { return c.Journal.DeliveryFailed(ctx, run, scope, user, id, ch, text) })
}

func (c *CrashingJournal) FinishRun(ctx context.Context, run int64, status string, s journal.Summary) error {
	if c.Dead() {
		return nil // a dead process finishes nothing
	}
	return c.Journal.FinishRun(ctx, run, status, s)
}
