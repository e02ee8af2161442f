// Package onboard turns a validated spec.Input into IAM users people can sign
// in with, in one account or many. Plan reads AWS and the journal and works
// out, per account and per person, the steps still to do; it changes nothing,
// and printing it is the dry run. Apply runs those steps — people and accounts
// in parallel, one person's steps in order — records every step in the
// journal and delivers each new credential once, crash-safely.
package onboard

import (
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/deliver"
)

// Tags gatehouse puts on the users it creates (or adopts). The managed-by tag
// is how a later run, and offboarding, tell gatehouse's users from others.
const (
	TagManagedBy   = "gatehouse:managed-by"
	ManagedByValue = "gatehouse"
	TagEmail       = "gatehouse:email"
)

// DefaultConcurrency is the least number of (person, account) pairs worked on at once
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

// Deps are what planning and applying work with; the CLI builds them, tests
// point them at a sandbox.
type Deps struct {
	// AWS hands out a configuration per account (role assumed, rate-limited).
	AWS *awsx.Factory
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
	// Concurrency bounds the (person, account) pairs in flight (0: the default
	// for the plan's accounts; see DefaultConcurrency).
	Concurrency int
	// Adopt takes over users that exist but were not created by gatehouse:
	// they are tagged as gatehouse's and get the missing steps. Without it
	// they are reported and left alone.
	Adopt bool
	// DeliveryRetryDelay is the wait before the first retry of a delivery
	// that failed for a reason retrying can fix; it doubles after each
	// (0: DefaultDeliveryRetryDelay).
	DeliveryRetryDelay time.Duration
	// Resend gives users that already have a delivered password a fresh one
	// and delivers it (gatehouse deliver --resend). It never creates a user.
	Resend bool
	// Progress, when set, is told how many pairs are finished out of how many.
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

// DefaultRole is the role entered in accounts other than the caller's when
// the input names none: the role AWS Organizations creates in every account
// it creates, trusting the management account.
const DefaultRole = "OrganizationAccountAccessRole"
