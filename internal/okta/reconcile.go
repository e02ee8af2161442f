package okta

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Reconciler brings one person's Identity Center user to what the queue's
// registers say, through the onboarding and offboarding lifecycles: each
// step journaled, each removal archived first, a welcome delivered once.
type Reconciler struct {
	// Config is the hook's configuration (spec.ParseOktaConfig): the
	// mapping, the directory, delivery and defaults.
	Config *spec.Input
	// Directory makes the directory for one reconcile: a fresh one each
	// time, because a directory keeps what it read for as long as it lives.
	Directory func(ctx context.Context) (engine.Directory, error)
	Journal   *journal.Journal
	// Channel returns a delivery channel by name, for the welcome.
	Channel func(name string) (deliver.Channel, error)
	// Profiles reads a person's profile from Okta (nil: from the events).
	Profiles Profiles
	// Protect names the users the hook never touches.
	Protect config.Protect
	// ArchiveDir is where removals and suspensions archive the user first.
	ArchiveDir string
	Logger     *slog.Logger // nil: discard
}

// Revoker is a directory that can take memberships and assignments back:
// what the hook needs when a person leaves one app or group and stays in
// others. Package identitycenter's directory is one.
type Revoker interface {
	// Revoke takes from the user called name the memberships of take's
	// groups and the assignments of take's permission sets in its
	// accounts, except what keep has (after resolving accounts: keep's
	// "all" keeps every account). What the user lacks is done already; an
	// absent user has nothing to take.
	Revoke(ctx context.Context, s *engine.Scope, name string, keep, take spec.Person, tell engine.Tell) error
}

// Outcome is how reconciling one person ended.
type Outcome struct {
	// State is journal.OktaDone, journal.OktaSkipped (left alone on
	// purpose: retrying changes nothing) or journal.OktaPending (failed:
	// try again).
	State  string
	Detail string
	// UserName is the Identity Center user the person has ("": none yet).
	UserName string
}

func done(detail, user string) Outcome {
	return Outcome{State: journal.OktaDone, Detail: detail, UserName: user}
}
func skipped(detail string) Outcome      { return Outcome{State: journal.OktaSkipped, Detail: detail} }
func failed(err error) Outcome           { return Outcome{State: journal.OktaPending, Detail: err.Error()} }
func failedf(f string, a ...any) Outcome { return failed(fmt.Errorf(f, a...)) }
func (o Outcome) because(why string) Outcome {
	if why != "" {
		o.Detail = why + ": " + o.Detail
	}
	return o
}

// Reconcile brings s's user to what its registers say.
func (r *Reconciler) Reconcile(ctx context.Context, s journal.OktaSubject) Outcome {
	if s.Kind == journal.OktaKindWorkflows {
		return r.workflows(ctx, s)
	}
	d := desire(r.Config.Okta, s)
	name := cmpOr(s.UserName, s.Login)
	if name == "" {
		return skipped("no event named the person's Okta login")
	}
	if why := r.Protect.ByName(name); why != "" {
		return skipped("protected: " + why)
	}
	dir, err := r.Directory(ctx)
	if err != nil {
		return failed(err)
	}
	switch {
	case d.presence == absent:
		return r.offboard(ctx, dir, s, name, engine.ActionRemove).because(d.why)
	case s.Status == journal.OktaSuspended:
		if d.presence == present {
			if out, ok := r.revoke(ctx, dir, s, name, grantsPerson(d.keep), d.take); !ok {
				return out
			}
		}
		return r.offboard(ctx, dir, s, name, engine.ActionSuspend).because("suspended in Okta")
	case d.presence == unknown:
		return r.reinstate(ctx, dir, s, name, done(d.why+": nothing to provision or remove", "")).because("active in Okta")
	}
	p, out, ok := r.person(ctx, s, d.keep)
	if !ok {
		return out
	}
	if out := r.reinstate(ctx, dir, s, p.UserName, Outcome{State: journal.OktaDone}); out.State != journal.OktaDone {
		return out
	}
	onboarded := r.onboard(ctx, dir, s, p)
	if onboarded.State != journal.OktaDone {
		return onboarded.because(d.why)
	}
	if out, ok := r.revoke(ctx, dir, s, p.UserName, p, d.take); !ok {
		return out
	}
	return onboarded.because(d.why)
}

// person is the person to provision: the profile (Okta's Users API's, else
// the events'), the defaults and the grants of keep.
func (r *Reconciler) person(ctx context.Context, s journal.OktaSubject, keep []spec.OktaGrant) (spec.Person, Outcome, bool) {
	profile := eventProfile(s)
	hint := "; set okta.org and " + spec.EnvOktaToken + " so gatehouse reads the profile from Okta's Users API"
	if r.Profiles != nil {
		read, err := r.Profiles.Profile(ctx, s.Subject)
		switch {
		case errors.Is(err, ErrNoOktaUser):
			r.logger().Warn("okta has no such user: using the events' profile", "okta_user", s.Subject)
		case err != nil:
			return spec.Person{}, failed(err), false
		default:
			profile, hint = read, "; complete the person's profile in Okta"
		}
	}
	if s.UserName != "" {
		profile.Login = s.UserName // the user provisioned before, whatever the login is now
	}
	p, err := r.Config.Okta.Person(profile, "Okta user "+s.Subject, keep...)
	if err != nil {
		return spec.Person{}, skipped("Identity Center cannot take the person as Okta describes them: " + err.Error() + hint), false
	}
	return p, Outcome{}, true
}

// workflows provisions the person of a Workflows payload, as gatehouse
// onboard -f provisions the same payload, with what the configuration
// gives everyone the hook provisions (the defaults, okta.workflows, the
// delivery).
func (r *Reconciler) workflows(ctx context.Context, s journal.OktaSubject) Outcome {
	in, err := spec.Parse("the Workflows payload", s.Payload, spec.Flags{})
	if err != nil || len(in.People) != 1 {
		return skipped(fmt.Sprintf("the stored payload no longer reads as one person: %v", err))
	}
	pp := in.People[0]
	profile := spec.OktaProfile{Login: pp.UserName, Email: pp.Email, DisplayName: pp.DisplayName, GivenName: pp.GivenName, FamilyName: pp.FamilyName}
	if why := r.Protect.ByName(pp.UserName); why != "" {
		return skipped("protected: " + why)
	}
	p, err := r.Config.Okta.Person(profile, "the Workflows payload", r.Config.Okta.Workflows)
	if err != nil {
		return skipped(err.Error())
	}
	dir, err := r.Directory(ctx)
	if err != nil {
		return failed(err)
	}
	return r.onboard(ctx, dir, s, p)
}

func (r *Reconciler) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
