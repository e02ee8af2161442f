// Package onboard gives people users they can sign in with, in one scope or
// many, in any directory (engine.Onboarding: IAM users in accounts, Identity
// Center users). MakePlan reads the directory and the journal and works out,
// per scope and per person, the steps still to do; it changes nothing, and
// printing it is the dry run. Apply runs those steps — placements in
// parallel, one person's steps in order — records every step in the journal
// and delivers each new credential once, crash-safely.
package onboard

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// Command is the command name runs are journaled under.
const Command = "onboard"

// Deps are what planning and applying work with; the runtime builds them,
// tests point them at a sandbox.
type Deps struct {
	// Directory is the kind of identity store people are onboarded into.
	Directory engine.Onboarding
	// Journal records runs, steps and credentials, and says which credentials
	// were issued but never confirmed delivered.
	Journal Journal
	// Channel returns the delivery channel of a name in the spec ("ses"); the
	// "none" channel is handled by onboard itself (the report carries the
	// password) and never asked for.
	Channel func(name string) (deliver.Channel, error)
	// Logger receives one record per step with account, user and step fields
	// (nil: discard). Never a password.
	Logger *slog.Logger
	// Concurrency bounds the placements in flight (0: the default for the
	// plan's scopes; see engine.DefaultConcurrency).
	Concurrency int
	// Adopt takes over users that exist but were not created by gatehouse:
	// they are marked as gatehouse's and get the missing steps. Without it
	// they are reported and left alone.
	Adopt bool
	// DeliveryRetryDelay is the wait before the first retry of a delivery
	// that failed for a reason retrying can fix; it doubles after each
	// (0: DefaultDeliveryRetryDelay).
	DeliveryRetryDelay time.Duration
	// Reconcile makes the spec the desired state of the users gatehouse
	// manages (gatehouse apply): their steps also take back what they have
	// and the spec does not list (engine.Onboarding.Reconcile), and a user
	// whose delivered password went missing is reported, never silently
	// given a new one.
	Reconcile bool
	// Resend gives users that already have a delivered credential a fresh one
	// and delivers it (gatehouse deliver --resend). It never creates a user.
	Resend bool
	// Links withdraws claim links that would reveal a password a re-issue
	// made dead (nil: none can be; the run says so).
	Links Withdrawer
	// Progress, when set, is told how many placements are finished out of how many.
	Progress func(done, total int)
	// Args is the command line as typed, for the journal's run record.
	Args []string
}

func (d Deps) deliveryRetryDelay() time.Duration {
	if d.DeliveryRetryDelay <= 0 {
		return DefaultDeliveryRetryDelay
	}
	return d.DeliveryRetryDelay
}

// Withdrawer withdraws a one-time claim link from the gatehouse serve it
// lives on (claim.Client.Withdraw).
type Withdrawer interface {
	Withdraw(ctx context.Context, server, id string) error
}
