package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// complete completes the user ev names, or says why it is left alone.
func (h *Handler) complete(ctx context.Context, ev Event) Outcome {
	u, err := h.Users.ReadUser(ctx, ev.Account, ev.UserName)
	if errors.Is(err, ErrNoSuchUser) {
		return Outcome{Verdict: Skipped, Detail: "no such user any more"}
	}
	if err != nil {
		return Outcome{Verdict: Failed, Detail: err.Error()}
	}
	if why, err := h.guard(ctx, ev, u); err != nil {
		return Outcome{Verdict: Failed, Detail: err.Error()}
	} else if why != "" {
		return Outcome{Verdict: Skipped, Detail: why}
	}
	email := h.email(u)
	if email == "" {
		tag := spec.DefaultEmailTag
		if h.Config.Events.EmailTag != "" {
			tag = h.Config.Events.EmailTag
		}
		return Outcome{Verdict: Skipped, Detail: fmt.Sprintf("no address to deliver to: the user name is not one and the user has no %s tag "+
			"(tag it %s=ADDRESS, or name the user after the address)", tag, tag)}
	}
	person, ok := h.person(ev, u, email)
	if !ok {
		return Outcome{Verdict: Skipped, Detail: "no rule matches the user (events.skip_unmatched)"}
	}
	return h.onboard(ctx, ev, person)
}

// guard says why the user must be left alone: protected by the
// configuration; created by gatehouse itself (onboard tags the users it
// creates, so their CreateUser carries the tag); or holding a console
// password this journal did not issue.
func (h *Handler) guard(ctx context.Context, ev Event, u UserInfo) (string, error) {
	if why := h.Protect.Match(u.Name, u.Tags); why != "" {
		return "protected: " + why, nil
	}
	if ev.Name == "CreateUser" && ev.Tags[engine.TagManagedBy] == engine.ManagedByValue {
		return "created by gatehouse itself", nil
	}
	if !u.HasPassword {
		return "", nil
	}
	rec, known, err := h.Journal.Person(ctx, ev.Account, u.Name)
	if err != nil {
		return "", err
	}
	if !known || rec.CredentialState == journal.CredentialNone {
		return "it already holds a console password gatehouse did not issue: left as it is", nil
	}
	return "", nil // gatehouse's own credential: the engine re-issues it if it was never confirmed delivered
}

// onboard completes the user through the onboarding engine: marked as
// gatehouse's, its groups and policies, a password and its delivery — each
// step journaled, so a redelivery after a crash re-issues only what was not
// confirmed.
func (h *Handler) onboard(ctx context.Context, ev Event, p spec.Person) Outcome {
	cfg := h.Config
	in := &spec.Input{Source: "event " + ev.ID, Format: spec.FormatArguments, Accounts: spec.AccountSelector{IDs: []string{ev.Account}},
		Role: cfg.Role, Password: cfg.Password, Delivery: cfg.Delivery, People: []spec.Person{p}}
	in.People[0].Accounts = nil
	deps := h.Onboard
	deps.Adopt, deps.Concurrency, deps.Args = true, 1, []string{"watch", "event=" + ev.ID}
	plan, err := onboard.MakePlan(ctx, deps, in)
	var probs spec.Problems
	if errors.As(err, &probs) {
		return Outcome{Verdict: Failed, Detail: "the configuration does not fit account " + ev.Account + ": " + probs.Error()}
	}
	if err != nil {
		return Outcome{Verdict: Failed, Detail: "planning: " + err.Error()}
	}
	rep, err := onboard.Apply(ctx, deps, plan)
	if err != nil {
		return Outcome{Verdict: Failed, Detail: err.Error()}
	}
	if err := rep.Confirm(ctx); err != nil {
		return Outcome{Verdict: Failed, Detail: err.Error()}
	}
	row := rep.Rows[0]
	switch {
	case row.Status == onboard.StatusUnchanged:
		return Outcome{Verdict: Completed, Detail: "nothing left to do"}
	case row.Status.OK():
		return Outcome{Verdict: Completed, Detail: describe(row)}
	case row.Status == onboard.StatusSkipped:
		return Outcome{Verdict: Skipped, Detail: row.Error}
	}
	return Outcome{Verdict: Failed, Detail: describe(row)}
}
