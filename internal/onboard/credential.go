package onboard

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
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
	return r.deliver(ctx, pl, engine.Step{Kind: engine.StepDeliver, Arg: channel}, id, secret, row)
}

// deliver hands the credential over through the step's channel and
// journals the outcome.
func (r *runner) deliver(ctx context.Context, pl *Placement, s engine.Step, id, secret string, row *Row) error {
	row.Delivery = s.Arg + ": failed"
	ch, err := r.deps.Channel(s.Arg)
	var receipt deliver.Receipt
	attempts := 0
	if err == nil {
		receipt, attempts, err = deliverWithRetry(ctx, ch, r.credential(pl, secret), r.deps.deliveryRetryDelay())
	}
	if err != nil {
		err = fmt.Errorf("delivering the password of %s (%s) by %s: %w", pl.Scope.UserNoun, pl.UserName, s.Arg, err)
		jerr := r.deps.Journal.DeliveryFailed(ctx, r.run.ID, pl.Scope.ID, pl.UserName, id, s.Arg, err.Error())
		return errors.Join(r.outcome(ctx, pl, s, err, ""), jerr)
	}
	if err := r.deps.Journal.CredentialDelivered(ctx, r.run.ID, pl.Scope.ID, pl.UserName, id, s.Arg, receipt.String()); err != nil {
		return err
	}
	row.Delivery = s.Arg + ": sent"
	if attempts > 1 {
		row.Delivery += fmt.Sprintf(" (attempt %d)", attempts)
	}
	row.Steps = append(row.Steps, s.String())
	return r.outcome(ctx, pl, s, nil, receipt.String())
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
		ResetRequired: r.plan.Input.Password.ResetRequired,
		Language:      pl.Person.Language,
		PublicKey:     pl.Person.PublicKey,
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
