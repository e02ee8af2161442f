package iamuser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// loginAPI is what setting a console password calls.
type loginAPI interface {
	CreateLoginProfile(ctx context.Context, in *iam.CreateLoginProfileInput, optFns ...func(*iam.Options)) (*iam.CreateLoginProfileOutput, error)
	UpdateLoginProfile(ctx context.Context, in *iam.UpdateLoginProfileInput, optFns ...func(*iam.Options)) (*iam.UpdateLoginProfileOutput, error)
}

var _ loginAPI = (*iam.Client)(nil)

// NewSecret makes a password for the account's policy — from crypto/rand,
// or Secrets Manager's GetRandomPassword — and checks it against the policy.
func (d *Directory) NewSecret(ctx context.Context, s *engine.Scope, user string, conf spec.Password) (string, error) {
	return d.newPassword(ctx, s, user, conf)
}

// Issue sets pw as the user's console password: CreateLoginProfile for a
// new credential, UpdateLoginProfile for a fresh one, each falling back to
// the other when IAM disagrees about whether the profile exists.
func (d *Directory) Issue(ctx context.Context, s *engine.Scope, user string, step engine.Step, pw string, conf spec.Password) error {
	api, err := d.client(ctx, s.ID)
	if err != nil {
		return err
	}
	return setPassword(ctx, api, user, pw, conf.ResetRequired, step.Issues == engine.IssueAgain)
}

// newPassword makes a password for s's policy and checks it before use.
func (d *Directory) newPassword(ctx context.Context, s *engine.Scope, user string, conf spec.Password) (string, error) {
	policy := facts(s).policy
	var (
		pw  string
		err error
	)
	if conf.Source == spec.SourceSecretsManager {
		var cfg aws.Config
		if cfg, err = d.aws.Config(ctx, s.ID); err == nil {
			pw, err = password.FromSecretsManager(ctx, secretsmanager.NewFromConfig(cfg), policy, conf.Length)
			err = awsx.Classify(err)
		}
	} else {
		pw, err = password.Generate(policy, conf.Length)
	}
	if err == nil {
		err = password.Verify(policy, pw)
	}
	if err != nil {
		return "", fmt.Errorf("making a password for IAM user (%s): %w", user, err)
	}
	return pw, nil
}

// setPassword creates the user's login profile, or replaces its password when
// reset is set; either falls back to the other when IAM disagrees about
// whether the profile exists.
func setPassword(ctx context.Context, api loginAPI, user, pw string, resetRequired, reset bool) error {
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
