package password_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// accountPolicy is a password policy as UpdateAccountPasswordPolicy sets it; nil
// means the account keeps AWS's default policy.
type accountPolicy struct {
	name   string
	input  *iam.UpdateAccountPasswordPolicyInput
	length int // the configured length gatehouse is asked for
}

func policies() []accountPolicy {
	return []accountPolicy{
		{"default policy", nil, 0},
		{"min 6 nothing required", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(6)}, 0},
		{"parameters left out", &iam.UpdateAccountPasswordPolicyInput{}, 0},
		{"min 128 all four", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(128),
			RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}, 0},
		{"only symbols", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireSymbols: true}, 0},
		{"only numbers", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireNumbers: true}, 0},
		{"only uppercase", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireUppercaseCharacters: true}, 0},
		{"only lowercase", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8), RequireLowercaseCharacters: true}, 0},
		{"all four min 20", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(20),
			RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}, 0},
		{"min 21 above the floor", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(21),
			RequireSymbols: true, RequireUppercaseCharacters: true}, 0},
		{"min 64 numbers and symbols", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(64),
			RequireSymbols: true, RequireNumbers: true}, 0},
		{"configured length wins", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14),
			RequireLowercaseCharacters: true, RequireUppercaseCharacters: true}, 40},
		{"expiry, reuse and self-service", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(32),
			RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24),
			HardExpiry: aws.Bool(true)}, 0},
	}
}

// passwordSource is one of the two ways gatehouse makes a password.
type passwordSource struct {
	name string
	make func(ctx context.Context, cfg aws.Config, p password.Policy, length int) (string, error)
}

var sources = []passwordSource{
	{"crypto", func(_ context.Context, _ aws.Config, p password.Policy, length int) (string, error) {
		return password.Generate(p, length)
	}},
	{"secretsmanager", func(ctx context.Context, cfg aws.Config, p password.Policy, length int) (string, error) {
		return password.FromSecretsManager(ctx, secretsmanager.NewFromConfig(cfg), p, length)
	}},
}

// TestPasswordsSatisfyAccountPolicies lets the sandbox judge: each account gets a
// policy, gatehouse reads it back and makes passwords, and CreateLoginProfile
// (which enforces the policy) must accept every one, and sign-in must work.
func TestPasswordsSatisfyAccountPolicies(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	const perPolicy = 15
	for i, ap := range policies() {
		account := fmt.Sprintf("3000000000%02d", i)
		t.Run(ap.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := sb.Config(account)
			client := iam.NewFromConfig(cfg)
			if ap.input != nil {
				if _, err := client.UpdateAccountPasswordPolicy(ctx, ap.input); err != nil {
					t.Fatalf("UpdateAccountPasswordPolicy: %v", err)
				}
			}
			p, err := password.FetchPolicy(ctx, client)
			if err != nil {
				t.Fatal(err)
			}
			if ap.input == nil && p != password.DefaultPolicy {
				t.Fatalf("FetchPolicy on an account without a policy = %+v, want DefaultPolicy", p)
			}
			wantLen, _ := password.Length(p, ap.length)
			for _, src := range sources {
				for n := range perPolicy {
					user := fmt.Sprintf("%s-%d", src.name, n)
					pw, err := src.make(ctx, cfg, p, ap.length)
					if err != nil {
						t.Fatalf("%s password for %+v: %v", src.name, p, err)
					}
					if len(pw) != wantLen {
						t.Errorf("%s password has %d characters, want %d", src.name, len(pw), wantLen)
					}
					judge(ctx, t, sb, client, account, user, pw)
				}
			}
		})
	}
}

// judge creates user with pw as login password and asks the sandbox whether it
// signs in.
func judge(ctx context.Context, t *testing.T, sb *sandboxtest.Sandbox, client *iam.Client, account, user, pw string) {
	t.Helper()
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
		t.Fatalf("CreateUser %s: %v", user, err)
	}
	if _, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{
		UserName: aws.String(user), Password: aws.String(pw), PasswordResetRequired: true,
	}); err != nil {
		t.Fatalf("CreateLoginProfile %s: the account's policy refused a generated password: %v", user, err)
	}
	var got struct {
		Valid bool `json:"valid"`
	}
	sb.Post(t, "iam/check-password", map[string]string{"account": account, "user": user, "password": pw}, &got)
	if !got.Valid {
		t.Errorf("check-password for %s says the password does not sign in", user)
	}
}

// TestSandboxRejectsWhatCheckRejects keeps the judge honest: a password that
// breaks the policy must be refused by the sandbox as by Check, so the test
// above cannot pass by a lenient sandbox.
func TestSandboxRejectsWhatCheckRejects(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	ctx := context.Background()
	client := iam.NewFromConfig(sb.Config("300000000099"))
	if _, err := client.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(128), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
	}); err != nil {
		t.Fatal(err)
	}
	p, err := password.FetchPolicy(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := password.Generate(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	short := pw[:127]
	if len(password.Check(p, short)) == 0 {
		t.Fatal("Check accepts 127 characters under a 128-character policy")
	}
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("short")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{
		UserName: aws.String("short"), Password: aws.String(short),
	}); err == nil {
		t.Error("the sandbox accepted 127 characters under a 128-character policy")
	}
}

// FetchPolicy reads what the account demands after the first password too:
// expiry, hard expiry and reuse prevention.
func TestFetchPolicyReadsExpiryAndReuse(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	ctx := context.Background()
	client := iam.NewFromConfig(sb.Config("300000000098"))
	if _, err := client.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24),
		HardExpiry: aws.Bool(true), AllowUsersToChangePassword: true,
	}); err != nil {
		t.Fatal(err)
	}
	p, err := password.FetchPolicy(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	want := password.Policy{MinimumLength: 14, AllowUsersToChangePassword: true, MaxAgeDays: 90, HardExpiry: true, ReusePrevention: 24}
	if p != want {
		t.Errorf("FetchPolicy = %+v, want %+v", p, want)
	}
}
