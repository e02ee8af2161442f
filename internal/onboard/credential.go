package onboard

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// pendingConfirmation is a credential handed over in the command's output
// (channel none): it counts as delivered once the report has been written.
type pendingConfirmation struct {
	target       *Target
	credentialID string
}

// issue gives t's user a fresh password and hands it over, crash-safely:
// the journal records the credential as issued before the password is set,
// and as delivered only after the channel confirmed it. A crash anywhere in
// between leaves an issued, unconfirmed credential, and the next run issues
// a fresh one and delivers that once.
func (r *runner) issue(ctx context.Context, api stepAPI, t *Target, set, deliverStep Step, row *Row) error {
	pw, err := r.newPassword(ctx, t)
	if err != nil {
		return r.outcome(ctx, t, set, err, "")
	}
	id := newCredentialID()
	if err := r.deps.Journal.CredentialIssued(ctx, r.runID, t.Account.ID, t.UserName, id); err != nil {
		return err
	}
	err = setPassword(ctx, api, t.UserName, pw, r.plan.Input.Password.ResetRequired, set.Kind == StepResetLogin)
	detail := "credential " + id + " set"
	if r.plan.Input.Password.ResetRequired {
		detail += ", reset required at first sign-in"
	}
	if err := r.outcome(ctx, t, set, err, detail); err != nil {
		return err
	}
	row.Steps = append(row.Steps, set.String())
	channel := cmpOr(deliverStep.Arg, t.Person.Deliver)
	if channel == spec.ChannelNone {
		row.Password = Secret{pw}
		row.Delivery = "none: in this output"
		row.Steps = append(row.Steps, Step{Kind: StepDeliver, Arg: spec.ChannelNone}.String())
		r.mu.Lock()
		r.pending = append(r.pending, pendingConfirmation{target: t, credentialID: id})
		r.mu.Unlock()
		return nil
	}
	return r.deliver(ctx, t, Step{Kind: StepDeliver, Arg: channel}, id, pw, row)
}

// deliver hands pw over through the step's channel and journals the outcome.
func (r *runner) deliver(ctx context.Context, t *Target, s Step, id, pw string, row *Row) error {
	row.Delivery = s.Arg + ": failed"
	ch, err := r.deps.Channel(s.Arg)
	var receipt deliver.Receipt
	attempts := 0
	if err == nil {
		receipt, attempts, err = deliverWithRetry(ctx, ch, r.credential(t, pw), r.deps.deliveryRetryDelay())
	}
	if err != nil {
		err = fmt.Errorf("delivering the password of IAM user (%s) by %s: %w", t.UserName, s.Arg, err)
		jerr := r.deps.Journal.DeliveryFailed(ctx, r.runID, t.Account.ID, t.UserName, id, s.Arg, err.Error())
		return errors.Join(r.outcome(ctx, t, s, err, ""), jerr)
	}
	if err := r.deps.Journal.CredentialDelivered(ctx, r.runID, t.Account.ID, t.UserName, id, s.Arg, receipt.String()); err != nil {
		return err
	}
	row.Delivery = s.Arg + ": sent"
	if attempts > 1 {
		row.Delivery += fmt.Sprintf(" (attempt %d)", attempts)
	}
	row.Steps = append(row.Steps, s.String())
	return r.outcome(ctx, t, s, nil, receipt.String())
}

func (r *runner) credential(t *Target, pw string) deliver.Credential {
	return deliver.Credential{
		Account:       t.Account.ID,
		AccountAlias:  t.Account.Alias,
		UserName:      t.UserName,
		Email:         t.Person.Email,
		DisplayName:   t.Person.DisplayName,
		Password:      pw,
		SignInURL:     t.Account.SignInURL,
		ResetRequired: r.plan.Input.Password.ResetRequired,
		Language:      t.Person.Language,
		PublicKey:     t.Person.PublicKey,
	}
}

// newPassword makes a password for t's account policy, from crypto/rand or
// Secrets Manager, and checks it against the policy before it is used.
func (r *runner) newPassword(ctx context.Context, t *Target) (string, error) {
	conf := r.plan.Input.Password
	var (
		pw  string
		err error
	)
	if conf.Source == spec.SourceSecretsManager {
		var cfg aws.Config
		if cfg, err = r.deps.AWS.Config(ctx, t.Account.ID); err == nil {
			pw, err = password.FromSecretsManager(ctx, secretsmanager.NewFromConfig(cfg), t.Account.Policy, conf.Length)
			err = awsx.Classify(err)
		}
	} else {
		pw, err = password.Generate(t.Account.Policy, conf.Length)
	}
	if err == nil {
		err = password.Verify(t.Account.Policy, pw)
	}
	if err != nil {
		return "", fmt.Errorf("making a password for IAM user (%s): %w", t.UserName, err)
	}
	return pw, nil
}

// setPassword creates the user's login profile, or replaces its password when
// reset is set; either falls back to the other when IAM disagrees about
// whether the profile exists.
func setPassword(ctx context.Context, api stepAPI, user, pw string, resetRequired, reset bool) error {
	update := func() error {
		_, err := api.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{
			UserName: aws.String(user), Password: aws.String(pw), PasswordResetRequired: aws.Bool(resetRequired),
		})
		return awsx.Classify(err)
	}
	create := func() error {
		_, err := api.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{
			UserName: aws.String(user), Password: aws.String(pw), PasswordResetRequired: resetRequired,
		})
		return awsx.Classify(err)
	}
	var err error
	if reset {
		if err = update(); errors.Is(err, awsx.ErrNotFound) {
			err = create()
		}
	} else if err = create(); errors.Is(err, awsx.ErrAlreadyExists) {
		err = update()
	}
	if err != nil && strings.Contains(err.Error(), pw) { // AWS never echoes it, but make sure
		err = errors.New(strings.ReplaceAll(err.Error(), pw, "[password]"))
	}
	if err != nil {
		return fmt.Errorf("setting the password of IAM user (%s): %w", user, err)
	}
	return nil
}

// newCredentialID names a credential in the journal; it says nothing about
// the password.
func newCredentialID() string {
	return "cred-" + rand.Text()[:16]
}
