package password

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// policyAPI is what FetchPolicy needs from IAM.
type policyAPI interface {
	GetAccountPasswordPolicy(ctx context.Context, in *iam.GetAccountPasswordPolicyInput, optFns ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
}

var _ policyAPI = (*iam.Client)(nil)

// FetchPolicy reads the account's password policy. An account without one gets
// DefaultPolicy, the policy AWS applies then.
func FetchPolicy(ctx context.Context, api policyAPI) (Policy, error) {
	out, err := api.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	var missing *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &missing):
		return DefaultPolicy, nil
	case err != nil:
		return Policy{}, fmt.Errorf("reading account password policy: %w", err)
	case out.PasswordPolicy == nil:
		return Policy{}, errors.New("reading account password policy: IAM returned no policy and no NoSuchEntity error")
	}
	pp := out.PasswordPolicy
	return Policy{
		MinimumLength:              int(aws.ToInt32(pp.MinimumPasswordLength)),
		RequireSymbols:             pp.RequireSymbols,
		RequireNumbers:             pp.RequireNumbers,
		RequireUppercase:           pp.RequireUppercaseCharacters,
		RequireLowercase:           pp.RequireLowercaseCharacters,
		AllowUsersToChangePassword: pp.AllowUsersToChangePassword,
		MaxAgeDays:                 int(aws.ToInt32(pp.MaxPasswordAge)),
		HardExpiry:                 aws.ToBool(pp.HardExpiry),
		ReusePrevention:            int(aws.ToInt32(pp.PasswordReusePrevention)),
	}, nil
}

// randomPasswordAPI is what FromSecretsManager needs from Secrets Manager.
type randomPasswordAPI interface {
	GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error)
}

var _ randomPasswordAPI = (*secretsmanager.Client)(nil)

// SecretsManagerExclusions are the punctuation characters Secrets Manager's
// GetRandomPassword can produce that are not among IAM's Symbols. Excluding them
// leaves letters, digits and exactly IAM's 20 symbols.
const SecretsManagerExclusions = "\",./:;<>?\\`~"

// FromSecretsManager asks Secrets Manager's GetRandomPassword for a password of
// Length(p, length) characters from letters, digits and IAM's symbols, with
// every type included, and checks it against p. A password that breaks p is an
// error (a *ViolationError in the chain), never retried.
func FromSecretsManager(ctx context.Context, api randomPasswordAPI, p Policy, length int) (string, error) {
	n, err := Length(p, length)
	if err != nil {
		return "", err
	}
	out, err := api.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{
		PasswordLength:          aws.Int64(int64(n)),
		ExcludeCharacters:       aws.String(SecretsManagerExclusions),
		RequireEachIncludedType: aws.Bool(true),
		IncludeSpace:            aws.Bool(false),
	})
	if err != nil {
		return "", fmt.Errorf("getting random password from Secrets Manager: %w", err)
	}
	raw := []byte(aws.ToString(out.RandomPassword))
	safeStart(raw)
	pw := string(raw)
	clear(raw)
	if err := Verify(p, pw); err != nil {
		return "", fmt.Errorf("checking Secrets Manager's random password (%d characters asked for): %w", n, err)
	}
	if got := len(pw); got != n {
		return "", fmt.Errorf("checking Secrets Manager's random password: got %d characters, asked for %d", got, n)
	}
	return pw, nil
}
