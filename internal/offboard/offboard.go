// Package offboard removes people's IAM users from one account or many,
// completely and auditable: MakePlan selects the users and discovers
// everything attached to each (it changes nothing, and printing it is the dry
// run); Apply archives each user's record, then works through the removal
// table — one file per kind of dependency, independent kinds in parallel —
// deletes the user and checks that it is gone. Suspend and Reinstate are the
// reversible forms: credentials deactivated and, later, exactly those
// reactivated.
//
// NoSuchEntity at any step means that step is done, so running the same
// offboarding again after a partial failure finishes it.
package offboard

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// Action is what offboarding does to the selected users.
type Action string

// Actions.
const (
	ActionRemove    Action = "remove"    // delete everything attached, then the user
	ActionSuspend   Action = "suspend"   // delete the login profile, deactivate credentials, tag
	ActionReinstate Action = "reinstate" // reactivate what the suspension deactivated, untag
)

// Tags offboarding reads and writes. The managed-by and e-mail tags are the
// ones onboarding puts on the users it creates.
const (
	TagManagedBy   = "gatehouse:managed-by"
	ManagedByValue = "gatehouse"
	TagEmail       = "gatehouse:email"
	// TagSuspended marks a suspended user; its value is when (RFC 3339).
	TagSuspended = "gatehouse:suspended"
)

// Command is the command name runs are journaled under.
const Command = "offboard"

// DefaultConcurrency is the least number of (user, account) pairs worked on at once
// when Deps.Concurrency is zero; the default grows with the accounts, by
// ConcurrencyPerAccount each. A pair makes its calls one after another, so
// reaching every account's rate limit takes accounts × rate × latency calls in
// flight (Little's law) — 8 per account covers 50 requests a second at 100 ms
// with room for pairs waiting on a limiter. The per-account rate limiter, not
// this, is what keeps gatehouse polite.
const (
	DefaultConcurrency    = 16
	ConcurrencyPerAccount = 8
)

// Journal is what offboarding records in and reads from.
type Journal interface {
	StartRun(ctx context.Context, info journal.RunInfo) (int64, error)
	FinishRun(ctx context.Context, runID int64, status string, summary journal.Summary) error
	RecordStep(ctx context.Context, s journal.StepRecord) error
	MarkRemoved(ctx context.Context, runID int64, account, userName string) error
	RecordArchive(ctx context.Context, a journal.ArchiveRecord) error
	Archives(ctx context.Context, account, userName string) ([]journal.ArchiveRecord, error)
	ArchivedUserName(ctx context.Context, account, email string) (string, bool, error)
	RecordSuspension(ctx context.Context, runID int64, account, userName string, loginRemoved bool, items []journal.SuspendedItem) error
	Suspension(ctx context.Context, account, userName string) (journal.Suspension, bool, error)
	MarkReinstated(ctx context.Context, runID int64, account, userName string) error
}

var _ Journal = (*journal.Journal)(nil)

// Deps are what planning and applying work with; the CLI builds them, tests
// point them at a sandbox.
type Deps struct {
	// AWS hands out a configuration per account (role assumed, rate-limited).
	AWS *awsx.Factory
	// Journal records runs, steps, archives and suspensions.
	Journal Journal
	// ArchiveDir is where Apply writes one JSON record per user and account
	// before changing it (directories 0700, files 0600).
	ArchiveDir string
	// Protect names the users no action touches.
	Protect config.Protect
	// Logger receives one record per change with account, user and step
	// fields (nil: discard).
	Logger *slog.Logger
	// Concurrency bounds the (user, account) pairs in flight (0: the default
	// for the plan's accounts; see DefaultConcurrency).
	Concurrency int
	// Progress, when set, is told how many pairs are finished out of how many.
	Progress func(done, total int)
	// Args is the command line as typed, for the journal's run record.
	Args []string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Backoff is the wait before retry n (1-based) of a call IAM refuses for
	// a moment (EntityTemporarilyUnmodifiable; a user still visible right
	// after DeleteUser). Nil: 500 ms doubling up to 8 s.
	Backoff func(n int) time.Duration
}

func (d Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// concurrency is Deps.Concurrency, or the default for this many accounts.
func (d Deps) concurrency(accounts int) int {
	if d.Concurrency <= 0 {
		return max(DefaultConcurrency, ConcurrencyPerAccount*accounts)
	}
	return d.Concurrency
}

func (d Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d Deps) backoff() func(int) time.Duration {
	if d.Backoff != nil {
		return d.Backoff
	}
	return defaultBackoff
}

// defaultBackoff waits 500 ms before the first retry, doubling up to 8 s.
func defaultBackoff(n int) time.Duration {
	d := 500 * time.Millisecond << max(0, n-1)
	return min(d, 8*time.Second)
}
