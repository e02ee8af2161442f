package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Verdict is how handling one message ended.
type Verdict string

// Verdicts.
const (
	Completed Verdict = "completed" // the user was completed and the credential delivered
	Skipped   Verdict = "skipped"   // a user left alone on purpose: reported, acknowledged
	Ignored   Verdict = "ignored"   // not an event to act on (another call, a failed call, a test message)
	Duplicate Verdict = "duplicate" // handled already: a redelivery or a duplicated event
	Busy      Verdict = "busy"      // another watcher holds the event or the user: try again later
	Failed    Verdict = "failed"    // something failed: the message comes back, and goes to the DLQ in the end
)

// Outcome is what handling one message came to.
type Outcome struct {
	Event   Event
	Verdict Verdict
	Detail  string
}

// Ack reports whether the message may be deleted: it will never need
// handling again.
func (o Outcome) Ack() bool { return o.Verdict != Failed && o.Verdict != Busy }

// Handler completes the users events name, with the onboarding engine. The
// queue worker and the Lambda handler share it.
type Handler struct {
	// Config is the watcher's configuration (spec.ParseConfig): role,
	// password, delivery, defaults and the rules.
	Config *spec.Input
	// Onboard is onboarding's dependencies: the directory, the journal,
	// the channels. Concurrency and Args are set per event.
	Onboard onboard.Deps
	// Journal holds the events' records and leases.
	Journal *journal.Journal
	// Users reads a user's current path, tags and password.
	Users UserReader
	// Accounts says whether an account is one the configuration selects
	// (nil: every account).
	Accounts func(ctx context.Context, account string) (bool, error)
	// Protect names the users no event may change.
	Protect config.Protect
	// Owner is this watcher's name in leases ("host:pid"); Lease how long
	// it holds an event before another may take it over.
	Owner string
	Lease time.Duration
	// Logger hears one structured line per message (nil: discard).
	Logger *slog.Logger

	mu     sync.Mutex
	inHand map[string]bool // event IDs and users this process works on now
}

// UserReader reads what the rules and guards need of a user.
type UserReader interface {
	ReadUser(ctx context.Context, account, name string) (UserInfo, error)
}

// UserInfo is a user as IAM has it now.
type UserInfo struct {
	Name        string
	Path        string
	Tags        map[string]string
	HasPassword bool // it has a login profile (console password)
}

// ErrNoSuchUser is what a UserReader answers for a user that does not exist.
var ErrNoSuchUser = errors.New("no such user")

// Handle handles one message body and says what became of it. It never
// panics on bad input: what is not an event is Ignored.
func (h *Handler) Handle(ctx context.Context, body []byte) Outcome {
	ev, err := Parse(body)
	if errors.Is(err, ErrUnreadable) {
		return h.log(Outcome{Verdict: Failed, Detail: err.Error() + " (left for the dead-letter queue)"})
	}
	if err != nil {
		return h.log(Outcome{Verdict: Ignored, Detail: err.Error()})
	}
	out := h.handle(ctx, ev)
	out.Event = ev
	return h.log(out)
}

func (h *Handler) handle(ctx context.Context, ev Event) Outcome {
	if why := h.irrelevant(ev); why != "" {
		return Outcome{Verdict: Ignored, Detail: why}
	}
	if h.Accounts != nil {
		ok, err := h.Accounts(ctx, ev.Account)
		if err != nil {
			return Outcome{Verdict: Failed, Detail: err.Error()}
		}
		if !ok {
			return Outcome{Verdict: Ignored, Detail: "account " + ev.Account + " is not among the configured accounts"}
		}
	}
	release, ok := h.hold(ev)
	if !ok {
		return Outcome{Verdict: Busy, Detail: "this watcher is on it"}
	}
	defer release()
	claim, err := h.Journal.ClaimEvent(ctx, ev.ID, ev.Name, ev.Account, ev.UserName, h.Owner, h.lease())
	switch {
	case err != nil:
		return Outcome{Verdict: Failed, Detail: err.Error()}
	case claim == journal.Finished:
		return Outcome{Verdict: Duplicate, Detail: "handled already"}
	case claim == journal.Busy:
		return Outcome{Verdict: Busy, Detail: "another watcher is on it"}
	}
	stop := h.holdLease(ctx, ev.ID)
	out := h.complete(ctx, ev)
	stop()
	state := map[Verdict]string{Completed: journal.EventDone, Skipped: journal.EventSkipped, Failed: journal.EventFailed}[out.Verdict]
	if err := h.Journal.FinishEvent(context.WithoutCancel(ctx), ev.ID, h.Owner, state, out.Detail); err != nil {
		return Outcome{Verdict: Failed, Detail: errors.Join(errors.New(out.Detail), err).Error()}
	}
	return out
}

// hold marks ev and its user as in hand in this process, unless either is
// already. The journal's lease keeps watchers apart but lets an owner take
// its own lease again (a watcher restarted under the same --name resumes at
// once), so it cannot keep apart two copies of one event, or two events of
// one user, that one watcher received together.
func (h *Handler) hold(ev Event) (release func(), ok bool) {
	keys := []string{"event " + ev.ID, "user " + ev.Account + "/" + strings.ToLower(ev.UserName)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inHand == nil {
		h.inHand = map[string]bool{}
	}
	for _, k := range keys {
		if h.inHand[k] {
			return nil, false
		}
	}
	for _, k := range keys {
		h.inHand[k] = true
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, k := range keys {
			delete(h.inHand, k)
		}
	}, true
}

// irrelevant says why the event is not one to act on, or "".
func (h *Handler) irrelevant(ev Event) string {
	switch {
	case !ev.IAM():
		return "not an IAM call (" + ev.Source + ")"
	case ev.Error != "":
		return "the " + ev.Name + " call failed (" + ev.Error + "): nothing to complete"
	case ev.UserName == "":
		return ev.Name + " names no user"
	case ev.Name == "CreateUser":
		return ""
	case ev.Name == "TagUser" && h.completeTag(ev.Tags):
		return ""
	}
	return ev.Name + " is not an event gatehouse completes users on"
}

// completeTag reports whether tags carry the configuration's completion tag.
func (h *Handler) completeTag(tags map[string]string) bool {
	e := h.Config.Events
	if e == nil || e.CompleteTag == "" {
		return false
	}
	v, ok := tags[e.CompleteTag]
	return ok && (e.CompleteValue == "" || v == e.CompleteValue)
}

// lease is how long a claim lasts without renewal: a watcher that dies
// holds its events and their users no longer than that.
func (h *Handler) lease() time.Duration {
	if h.Lease <= 0 {
		return time.Minute
	}
	return h.Lease
}

// holdLease renews the lease on event id every third of it until stop.
func (h *Handler) holdLease(ctx context.Context, id string) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(h.lease() / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = h.Journal.ExtendEvent(ctx, id, h.Owner, h.lease())
			}
		}
	}()
	return func() { cancel(); <-done }
}

func (h *Handler) log(o Outcome) Outcome {
	if h.Logger == nil {
		return o
	}
	level := slog.LevelInfo
	if o.Verdict == Failed {
		level = slog.LevelWarn
	}
	h.Logger.Log(context.Background(), level, "event "+string(o.Verdict), "event", o.Event.ID, "name", o.Event.Name,
		"account", o.Event.Account, "user", o.Event.UserName, "detail", o.Detail)
	return o
}

// email is the person's address: the user name when it is one, else the
// configured tag, else gatehouse's own.
func (h *Handler) email(u UserInfo) string {
	if spec.IsEmail(u.Name) {
		return u.Name
	}
	tag := spec.DefaultEmailTag
	if h.Config.Events != nil && h.Config.Events.EmailTag != "" {
		tag = h.Config.Events.EmailTag
	}
	for _, k := range []string{tag, engine.TagEmail} {
		if v := strings.TrimSpace(u.Tags[k]); spec.IsEmail(v) {
			return v
		}
	}
	return ""
}

// person is what the first matching rule (else the defaults) gives u.
func (h *Handler) person(ev Event, u UserInfo, email string) (spec.Person, bool) {
	e := h.Config.Events
	for _, r := range e.Rules {
		if r.Match.Matches(u.Path, u.Tags, ev.Account) {
			return withUser(r.Person, u, email), true
		}
	}
	if e.SkipUnmatched {
		return spec.Person{}, false
	}
	return withUser(e.Defaults, u, email), true
}

func withUser(p spec.Person, u UserInfo, email string) spec.Person {
	p.UserName, p.Email, p.Path, p.Tags = u.Name, email, u.Path, nil
	return p
}

// describe sums an onboarding row up for the log and the journal.
func describe(row onboard.Row) string {
	s := fmt.Sprintf("%s: %s", row.Status, strings.Join(row.Steps, ", "))
	if row.Error != "" {
		s += " — " + row.Error
	}
	return s
}
