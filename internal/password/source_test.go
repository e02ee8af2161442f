package password

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fakePolicyAPI records calls and answers with GetFn.
type fakePolicyAPI struct {
	GetFn func() (*iam.GetAccountPasswordPolicyOutput, error)
	calls int
}

func (f *fakePolicyAPI) GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error) {
	f.calls++
	return f.GetFn()
}

// fakeRandomAPI records the requests and answers with Fn.
type fakeRandomAPI struct {
	Fn    func(*secretsmanager.GetRandomPasswordInput) (string, error)
	calls []*secretsmanager.GetRandomPasswordInput
}

func (f *fakeRandomAPI) GetRandomPassword(_ context.Context, in *secretsmanager.GetRandomPasswordInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error) {
	f.calls = append(f.calls, in)
	pw, err := f.Fn(in)
	if err != nil {
		return nil, err
	}
	return &secretsmanager.GetRandomPasswordOutput{RandomPassword: aws.String(pw)}, nil
}

func TestFetchPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	api := &fakePolicyAPI{GetFn: func() (*iam.GetAccountPasswordPolicyOutput, error) {
		return &iam.GetAccountPasswordPolicyOutput{PasswordPolicy: &iamtypes.PasswordPolicy{
			MinimumPasswordLength: aws.Int32(17), RequireSymbols: true, RequireLowercaseCharacters: true,
			AllowUsersToChangePassword: true,
		}}, nil
	}}
	got, err := FetchPolicy(ctx, api)
	want := Policy{MinimumLength: 17, RequireSymbols: true, RequireLowercase: true, AllowUsersToChangePassword: true}
	if err != nil || got != want || api.calls != 1 {
		t.Errorf("FetchPolicy = %+v, %v after %d calls; want %+v", got, err, api.calls, want)
	}

	api.GetFn = func() (*iam.GetAccountPasswordPolicyOutput, error) {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("no policy")}
	}
	if got, err := FetchPolicy(ctx, api); err != nil || got != DefaultPolicy {
		t.Errorf("FetchPolicy without a policy = %+v, %v; want DefaultPolicy", got, err)
	}

	denied := errors.New("AccessDenied")
	api.GetFn = func() (*iam.GetAccountPasswordPolicyOutput, error) { return nil, denied }
	if _, err := FetchPolicy(ctx, api); !errors.Is(err, denied) || !strings.HasPrefix(err.Error(), "reading account password policy: ") {
		t.Errorf("FetchPolicy on AccessDenied = %v; want it wrapped, not the default policy", err)
	}
}

func TestFromSecretsManagerAsksForIAMSafePasswords(t *testing.T) {
	t.Parallel()
	api := &fakeRandomAPI{Fn: func(in *secretsmanager.GetRandomPasswordInput) (string, error) {
		return "Aa1!" + strings.Repeat("x", int(*in.PasswordLength)-4), nil
	}}
	p := Policy{MinimumLength: 24, RequireSymbols: true}
	pw, err := FromSecretsManager(context.Background(), api, p, 10)
	if err != nil || len(pw) != 24 {
		t.Fatalf("FromSecretsManager = %d characters, %v; want 24", len(pw), err)
	}
	if len(api.calls) != 1 {
		t.Fatalf("GetRandomPassword called %d times, want once", len(api.calls))
	}
	in := api.calls[0]
	if aws.ToInt64(in.PasswordLength) != 24 || !aws.ToBool(in.RequireEachIncludedType) || aws.ToBool(in.IncludeSpace) ||
		aws.ToBool(in.ExcludePunctuation) || aws.ToBool(in.ExcludeNumbers) {
		t.Errorf("request = %+v", in)
	}
	// What is left of Secrets Manager's documented punctuation must be exactly IAM's symbols.
	const smPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	var left []rune
	for _, c := range smPunctuation {
		if !strings.ContainsRune(aws.ToString(in.ExcludeCharacters), c) {
			left = append(left, c)
		}
	}
	if string(left) != "!#$%&'()*+-=@[]^_{|}" || len(left) != len(Symbols) {
		t.Errorf("punctuation left after ExcludeCharacters = %q, want IAM's %d symbols", string(left), len(Symbols))
	}
	for _, c := range left {
		if !strings.ContainsRune(Symbols, c) {
			t.Errorf("%q is left but is not an IAM symbol", c)
		}
	}
}

func TestFromSecretsManagerRefusesABadPassword(t *testing.T) {
	t.Parallel()
	const bad = "abcdefghijklmnopqrs~"
	api := &fakeRandomAPI{Fn: func(*secretsmanager.GetRandomPasswordInput) (string, error) { return bad, nil }}
	_, err := FromSecretsManager(context.Background(), api, Policy{MinimumLength: 8, RequireNumbers: true}, 0)
	var ve *ViolationError
	if !errors.As(err, &ve) {
		t.Fatalf("FromSecretsManager with a bad password = %v, want a ViolationError", err)
	}
	if len(api.calls) != 1 {
		t.Errorf("GetRandomPassword called %d times; it must not loop", len(api.calls))
	}
	if strings.Contains(err.Error(), bad) {
		t.Errorf("error %q reveals the password", err)
	}

	short := &fakeRandomAPI{Fn: func(*secretsmanager.GetRandomPasswordInput) (string, error) { return "Aa1!Aa1!", nil }}
	if _, err := FromSecretsManager(context.Background(), short, Policy{MinimumLength: 6}, 0); err == nil {
		t.Error("FromSecretsManager accepted 8 characters when 20 were asked for")
	}

	boom := errors.New("InternalServiceError")
	failing := &fakeRandomAPI{Fn: func(*secretsmanager.GetRandomPasswordInput) (string, error) { return "", boom }}
	if _, err := FromSecretsManager(context.Background(), failing, DefaultPolicy, 0); !errors.Is(err, boom) {
		t.Errorf("FromSecretsManager on an API error = %v", err)
	}
}
