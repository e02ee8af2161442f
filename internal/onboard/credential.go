package onboard

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// pendingConfirmation is a credential handed over in the command's output
// (channel none): it counts as delivered once the report has been written.
type pendingConfirmation struct {
	placement    *Placement
	credentialID string
}

// issue gives pl's user a fresh credential and hands it over, crash-safely:
// the journal records the credential as issued before it is set, and as
// delivered only after the channel confirmed it. A crash anywhere in between
// leaves an issued, unconfirmed credential, and the next run issues a fresh
// one and delivers that once.
func (r *runner) issue(ctx context.Context, pl *Placement, set, handOver engine.Step, row *Row) error {
	conf := r.plan.Input.Password
	secret, err := r.deps.Directory.NewSecret(ctx, pl.Scope, pl.UserName, conf)
	if err != nil {
		return r.outcome(ctx, pl, set, err, "")
	}
	id := newCredentialID()
	if err := r.deps.Journal.CredentialIssued(ctx, r.run.ID, pl.Scope.ID, pl.UserName, id); err != nil {
		return err
	}
	err = r.deps.Directory.Issue(ctx, pl.Scope, pl.UserName, set, secret, conf)
	detail := "credential " + id + " set"
	if conf.ResetRequired && secret != "" {
		detail += ", reset required at first sign-in"
	}
	if err := r.outcome(ctx, pl, set, err, detail); err != nil {
		return err
	}
	row.Steps = append(row.Steps, set.String())
	r.withdrawLinks(ctx, pl)
	channel := cmpOr(handOver.Arg, pl.Person.Deliver)
	if channel == spec.ChannelNone {
		row.Password = engine.NewSecret(secret)
		row.Delivery = "none: in this output"
		row.Steps = append(row.Steps, engine.Step{Kind: engine.StepDeliver, Arg: spec.ChannelNone}.String())
		r.mu.Lock()
		r.pending = append(r.pending, pendingConfirmation{placement: pl, credentialID: id})
		r.mu.Unlock()
		return nil
	}
	if r.mail.takes(pl) { // handed over with the person's other accounts, once they are done
		r.mail.post(pl, id, channel, r.credential(pl, secret))
		return nil
	}
	delivery, err := r.handOver(ctx, pl, channel, id, r.credential(pl, secret))
	row.Delivery = delivery
	if err != nil {
		row.Delivery = channel + ": failed"
		return err
	}
	row.Steps = append(row.Steps, engine.Step{Kind: engine.StepDeliver, Arg: channel}.String())
	return nil
}

// handOver delivers one credential through channel, retrying what retrying
// can fix, and journals the outcome. It returns how the delivery went
// ("ses: sent").
func (r *runner) handOver(ctx context.Context, pl *Placement, channel, id string, c deliver.Credential) (string, error) {
	ch, err := r.deps.Channel(channel)
	var receipt deliver.Receipt
	attempts := 0
	if err == nil {
		receipt, attempts, err = retryDelivery(ctx, func(ctx context.Context) (deliver.Receipt, error) { return ch.Deliver(ctx, c) },
			r.deps.deliveryRetryDelay())
	}
	return r.journalDelivery(ctx, pl, channel, id, c.Welcome, receipt, attempts, err)
}

// journalDelivery records how handing pl's credential (an Identity Center
// user's welcome) over went: delivered with the channel's receipt, or failed
// with the error (never the secret).
func (r *runner) journalDelivery(ctx context.Context, pl *Placement, channel, id string, welcome bool, receipt deliver.Receipt, attempts int, err error) (string, error) {
	step := engine.Step{Kind: engine.StepDeliver, Arg: channel}
	if err != nil {
		what := "the password"
		if welcome {
			what = "the welcome"
		}
		err = fmt.Errorf("delivering %s of %s (%s) by %s: %w", what, pl.Scope.UserNoun, pl.UserName, channel, err)
		jerr := r.deps.Journal.DeliveryFailed(ctx, r.run.ID, pl.Scope.ID, pl.UserName, id, channel, err.Error())
		return "", errors.Join(r.outcome(ctx, pl, step, err, ""), jerr)
	}
	if err := r.deps.Journal.CredentialDelivered(ctx, r.run.ID, pl.Scope.ID, pl.UserName, id, channel, receipt.String()); err != nil {
		return "", err
	}
	if receipt.Channel == spec.ChannelClaim && receipt.MessageID != "" && receipt.ClaimServer != "" {
		err := r.deps.Journal.RecordLink(ctx, journal.Link{ID: receipt.MessageID, BaseURL: receipt.ClaimServer,
			Account: pl.Scope.ID, UserName: pl.UserName, CredentialID: id, RunID: r.run.ID})
		if err != nil {
			return "", err
		}
	}
	delivery := channel + ": sent"
	if attempts > 1 {
		delivery += fmt.Sprintf(" (attempt %d)", attempts)
	}
	return delivery, r.outcome(ctx, pl, step, nil, receipt.String())
}

func (r *runner) credential(pl *Placement, secret string) deliver.Credential {
	return deliver.Credential{
		Account:       pl.Scope.ID,
		AccountAlias:  pl.Scope.Alias,
		UserName:      pl.UserName,
		Email:         pl.Person.Email,
		DisplayName:   pl.Person.DisplayName,
		Password:      secret,
		SignInURL:     pl.Scope.SignInURL,
		ResetRequired: r.plan.Input.Password.ResetRequired && secret != "",
		Language:      pl.Person.Language,
		PublicKey:     pl.Person.PublicKey,
		// A directory without passwords (Identity Center) issues no secret:
		// the message is its welcome, with the access portal's address.
		Welcome: secret == "",
	}
}

// newCredentialID names a credential in the journal; it says nothing about
// the secret.
func newCredentialID() string {
	return "cred-" + rand.Text()[:16]
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// withdrawLinks withdraws the user's claim links that are still open: the
// password they would reveal was just replaced. A link that cannot be
// withdrawn (gatehouse serve unreachable, no token) is logged; it reveals
// a password that no longer works.
func (r *runner) withdrawLinks(ctx context.Context, pl *Placement) {
	links, err := r.deps.Journal.OpenLinks(ctx, pl.Scope.ID, pl.UserName)
	if err != nil || len(links) == 0 {
		return
	}
	log := r.run.Logger().With("account", pl.Scope.ID, "user", pl.UserName)
	for _, l := range links {
		if r.deps.Links == nil {
			log.Warn("the previous claim link stays open (it reveals a password that no longer works): set GATEHOUSE_CLAIM_TOKEN to withdraw it",
				"claim", l.ID, "server", l.BaseURL)
			continue
		}
		if err := r.deps.Links.Withdraw(ctx, l.BaseURL, l.ID); err != nil {
			log.Warn("withdrawing the previous claim link failed; it reveals a password that no longer works", "claim", l.ID, "error", err)
			continue
		}
		if err := r.deps.Journal.MarkLink(ctx, l.ID, journal.LinkWithdrawn, time.Now()); err != nil {
			log.Warn("journaling a withdrawn claim link", "claim", l.ID, "error", err)
		}
	}
}
