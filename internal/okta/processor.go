package okta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
)

// Processor works the queue: it takes a person whose events are pending,
// reconciles them and records how it ended — a few people at once, and
// each person by one worker at a time (the journal's lease, which also
// keeps servers sharing a journal apart). Events wait in the journal, so a
// restart resumes where the last run stopped.
type Processor struct {
	Journal *journal.Journal
	// Reconcile brings a person's user to what the registers say
	// (Reconciler.Reconcile).
	Reconcile func(ctx context.Context, s journal.OktaSubject) Outcome
	// Owner names this server in leases (host:pid); each worker holds
	// leases as Owner#N.
	Owner string
	// Lease is how long a person is held without renewal: a server that
	// dies holds its people no longer (default 2 minutes).
	Lease time.Duration
	// Workers is how many people are reconciled at once (default 4).
	Workers int
	// Poll is how often the queue is looked at for retries that fell due
	// when nothing woke the processor (default 1 second).
	Poll    time.Duration
	Backoff Backoff
	// Timeout bounds one reconcile (default 10 minutes); Grace is how long
	// reconciles in hand may go on once Run's context ends (default 30 s).
	Timeout, Grace time.Duration
	Logger         *slog.Logger     // nil: discard
	Now            func() time.Time // nil: time.Now

	once sync.Once
	wake chan struct{}
}

// Backoff is how failed reconciles are retried: after First, doubling up
// to Max, with a fifth either way at random so retries spread out, until
// an event has been through Attempts reconciles; then it is failed and
// reported (gatehouse serve okta-status) — never dropped.
type Backoff struct {
	First    time.Duration // default 5 s
	Max      time.Duration // default 10 minutes
	Attempts int           // default 8
}

// Delay is the wait before attempt (2 for the first retry).
func (b Backoff) Delay(attempt int) time.Duration {
	first, limit := cmp0(b.First, 5*time.Second), cmp0(b.Max, 10*time.Minute)
	d := first
	for i := 2; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d + time.Duration((rand.Float64()-0.5)*0.4*float64(d))
}

func (b Backoff) attempts() int {
	if b.Attempts <= 0 {
		return 8
	}
	return b.Attempts
}

// Wake tells the processor there is work now.
func (p *Processor) Wake() {
	select {
	case p.wakeC() <- struct{}{}:
	default: // a wake is pending already
	}
}

func (p *Processor) wakeC() chan struct{} {
	p.once.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

// Run works the queue until ctx ends; the reconciles in hand then get
// Grace to finish (one cut short is simply redone next time).
func (p *Processor) Run(ctx context.Context) {
	// Workers hold leases as Owner#N: whatever holds such a lease now is a
	// worker of this server's last run, dead. Two servers of one name
	// would take each other's people; names are unique.
	if n, err := p.Journal.ReleaseOktaLeases(ctx, p.Owner); err != nil {
		p.logger().Error("releasing the okta leases of this server's last run", "err", err)
	} else if n > 0 {
		p.logger().Info("resuming the people this server's last run held", "count", n)
	}
	var wg sync.WaitGroup
	for i := range cmpInt(p.Workers, 4) {
		owner := fmt.Sprintf("%s#%d", p.Owner, i+1)
		wg.Go(func() { p.work(ctx, owner) })
	}
	wg.Wait()
}

// work is one worker, owner in the journal's leases: each worker its own,
// so two never hold one person.
func (p *Processor) work(ctx context.Context, owner string) {
	for ctx.Err() == nil {
		if p.step(ctx, owner) {
			p.Wake() // there may be more: let an idle worker look too
			continue
		}
		t := time.NewTimer(cmp0(p.Poll, time.Second))
		select {
		case <-ctx.Done():
		case <-p.wakeC():
		case <-t.C:
		}
		t.Stop()
	}
}

// Step reconciles one person whose events are due, and reports whether
// there was one.
func (p *Processor) Step(ctx context.Context) bool { return p.step(ctx, p.Owner) }

func (p *Processor) step(ctx context.Context, owner string) bool {
	s, err := p.Journal.ClaimOktaSubject(ctx, owner, p.lease(), p.now())
	if errors.Is(err, journal.ErrNoOktaWork) {
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			p.logger().Error("reading the okta queue", "err", err)
		}
		return false
	}
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp0(p.Timeout, 10*time.Minute))
	defer cancel()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(cmp0(p.Grace, 30*time.Second), cancel) })
	defer stopGrace()
	stopLease := p.holdLease(work, s.Subject, owner)
	out := p.reconcile(work, s)
	stopLease()
	res := p.result(s, out)
	if err := p.Journal.FinishOktaSubject(context.WithoutCancel(ctx), owner, s, res); err != nil {
		p.logger().Error("recording how okta events ended", "subject", s.Subject, "err", err)
	}
	p.log(s, res)
	return true
}

// reconcile runs Reconcile. A panic is a bug in gatehouse; in a server it
// fails this person's events (retried, then reported) instead of taking
// every other person down with the process.
func (p *Processor) reconcile(ctx context.Context, s journal.OktaSubject) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			p.logger().Error("internal error reconciling okta events: a bug in gatehouse", "subject", s.Subject,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			out = failedf("internal error (a bug in gatehouse; the server's log has its stack): %v", r)
		}
	}()
	return p.Reconcile(ctx, s)
}

// result is what the journal records of out: a failure is retried after a
// backoff, until the events have had their attempts.
func (p *Processor) result(s journal.OktaSubject, out Outcome) journal.OktaResult {
	res := journal.OktaResult{State: out.State, Detail: out.Detail, UserName: out.UserName}
	if out.State == journal.OktaDone || out.State == journal.OktaSkipped {
		return res
	}
	attempt := s.Attempts + 1
	if attempt >= p.Backoff.attempts() {
		res.State = journal.OktaFailed
		res.Detail = fmt.Sprintf("gave up after %d attempts: %s", attempt, out.Detail)
		return res
	}
	res.State, res.RetryAt = journal.OktaPending, p.now().Add(p.Backoff.Delay(attempt+1))
	return res
}

// holdLease renews the lease on subject every third of it until stop.
func (p *Processor) holdLease(ctx context.Context, subject, owner string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(p.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := p.Journal.ExtendOktaLease(ctx, subject, owner, p.lease()); err != nil && ctx.Err() == nil {
					p.logger().Warn("renewing the lease on an okta subject", "subject", subject, "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// log tells of every reconcile: failures loudly, with where to look.
func (p *Processor) log(s journal.OktaSubject, res journal.OktaResult) {
	args := []any{"subject", s.Subject, "login", s.Login, "events", len(s.Events), "detail", res.Detail}
	switch res.State {
	case journal.OktaDone:
		p.logger().Info("okta events applied", args...)
	case journal.OktaSkipped:
		p.logger().Warn("okta events left alone", args...)
	case journal.OktaPending:
		p.logger().Warn("okta events failed; retrying", append(args, "retry_at", res.RetryAt.UTC().Format(time.RFC3339))...)
	default:
		p.logger().Error("okta events failed: given up until retried (gatehouse serve okta-status --retry)", args...)
	}
}

func (p *Processor) lease() time.Duration { return cmp0(p.Lease, 2*time.Minute) }

func (p *Processor) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func (p *Processor) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

func cmp0(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func cmpInt(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
