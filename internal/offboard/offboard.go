// Package offboard removes people's users from one scope or many, in any
// directory (engine.Offboarding), completely and auditable: MakePlan selects
// the users and discovers everything attached to each (it changes nothing,
// and printing it is the dry run); Apply archives each user's record, then
// has the directory remove it all and check that the user is gone. Suspend
// and Reinstate are the reversible forms: credentials deactivated and,
// later, exactly those reactivated, with a new password issued and
// delivered through onboarding.
//
// "Not found" at any step means that step is done, so running the same
// offboarding again after a partial failure finishes it.
package offboard

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
)

// Action is what offboarding does to the selected users.
type Action = engine.Action

// Actions.
const (
	ActionRemove    = engine.ActionRemove
	ActionSuspend   = engine.ActionSuspend
	ActionReinstate = engine.ActionReinstate
)

// Command is the command name runs are journaled under.
const Command = "offboard"

// Journal is what offboarding records in and reads from.
// A reinstatement issues new passwords through onboarding, hence its records.
type Journal interface {
	onboard.Journal
	MarkRemoved(ctx context.Context, runID int64, account, userName string) error
	RecordArchive(ctx context.Context, a journal.ArchiveRecord) error
	Archives(ctx context.Context, account, userName string) ([]journal.ArchiveRecord, error)
	ArchivedUserName(ctx context.Context, account, email string) (string, bool, error)
	RecordSuspension(ctx context.Context, runID int64, account, userName string, loginRemoved bool, items []journal.SuspendedItem) error
	Suspension(ctx context.Context, account, userName string) (journal.Suspension, bool, error)
	MarkReinstated(ctx context.Context, runID int64, account, userName string) error
}

var _ Journal = (*journal.Journal)(nil)

// Deps are what planning and applying work with; the runtime builds them,
// tests point them at a sandbox.
type Deps struct {
	// Directory is the kind of identity store people are offboarded from;
	// a reinstatement issues new passwords through its onboarding half.
	Directory engine.Directory
	// Journal records runs, steps, archives and suspensions.
	Journal Journal
	// ArchiveDir is where Apply writes one JSON record per user and scope
	// before changing it (directories 0700, files 0600).
	ArchiveDir string
	// Protect names the users no action touches.
	Protect config.Protect
	// Channel returns the delivery channel of a name, for the new passwords
	// of a reinstatement (nil: no channel was set up; see Reissue).
	Channel func(name string) (deliver.Channel, error)
	// Links withdraws the claim links a reinstatement's new password makes
	// dead (nil: none can be).
	Links onboard.Withdrawer
	// Logger receives one record per change with account, user and step
	// fields (nil: discard).
	Logger *slog.Logger
	// Concurrency bounds the placements in flight (0: the default for the
	// plan's scopes; see engine.DefaultConcurrency).
	Concurrency int
	// Progress, when set, is told how many placements are finished out of how many.
	Progress func(done, total int)
	// Args is the command line as typed, for the journal's run record.
	Args []string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

func (d Deps) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}
