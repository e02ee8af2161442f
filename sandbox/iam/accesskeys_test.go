package iam_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// credSandbox is an in-process sandbox with an IAM client signing as the root of
// one account, shared by the credential, MFA and DeleteUser tests.
type credSandbox struct {
	t       *testing.T
	sb      *sandboxtest.Sandbox
	iam     *iam.Client
	account string
}

func newCredSandbox(t *testing.T) *credSandbox {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	s := &credSandbox{t: t, sb: sb, account: "111122223333"}
	s.iam = s.clientAs(s.account, "sandbox-secret")
	return s
}

// clientAs returns an IAM client signing with the given key.
func (s *credSandbox) clientAs(keyID, secret string) *iam.Client {
	cfg := s.sb.Config(s.account)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, "")
	cfg.RetryMaxAttempts = 1
	return iam.NewFromConfig(cfg)
}

func (s *credSandbox) createUser(t *testing.T, name string) {
	t.Helper()
	if _, err := s.iam.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("creating user %s: %v", name, err)
	}
}

// wantAPIError fails unless err is the AWS error code (and message, when given).
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want AWS error %s", err, code)
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("error = %s: %s, want %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

func TestAccessKeyLifecycle(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "alice")

	created, err := s.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ALICE")})
	if err != nil {
		t.Fatal(err)
	}
	k := created.AccessKey
	if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(*k.AccessKeyId) || len(*k.SecretAccessKey) != 40 {
		t.Errorf("key = %s / secret of %d characters, want AKIA+16 and 40", *k.AccessKeyId, len(*k.SecretAccessKey))
	}
	if *k.UserName != "alice" || k.Status != "Active" || k.CreateDate == nil {
		t.Errorf("created key = %+v", k)
	}

	// The new key signs as alice.
	alice := s.clientAs(*k.AccessKeyId, *k.SecretAccessKey)
	me, err := alice.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *me.User.UserName != "alice" {
		t.Errorf("GetUser with alice's key = %s", *me.User.UserName)
	}

	// Without UserName, key operations act on the signing user.
	second, err := alice.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil || *second.AccessKey.UserName != "alice" {
		t.Fatalf("CreateAccessKey as alice = %v, %v", second, err)
	}
	_, err = s.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

	list, err := alice.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil || len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys = %v, %v", list, err)
	}

	_, err = s.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId, Status: "Inactive"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = alice.GetUser(ctx, &iam.GetUserInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "")

	_, err = s.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId, Status: "Active"})
	wantAPIError(t, err, "NoSuchEntity", "The Access Key with id "+*k.AccessKeyId+" cannot be found.")
	s.sb.Server.World().RLock()
	_, stillKnown := s.sb.Server.World().Credentials[*k.AccessKeyId]
	s.sb.Server.World().RUnlock()
	if stillKnown {
		t.Error("a deleted key is still a known credential")
	}
}

func TestAccessKeyLastUsed(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "bob")
	created, err := s.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	id := created.AccessKey.AccessKeyId

	unused, err := s.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if got := unused.AccessKeyLastUsed; *unused.UserName != "bob" || *got.ServiceName != "N/A" || *got.Region != "N/A" || got.LastUsedDate != nil {
		t.Errorf("unused key's last use = %+v", got)
	}

	cfg := s.sb.Config(s.account)
	cfg.Region = "eu-west-1"
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*id, *created.AccessKey.SecretAccessKey, "")
	if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	used, err := s.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if got := used.AccessKeyLastUsed; *got.ServiceName != "iam" || *got.Region != "eu-west-1" || got.LastUsedDate == nil {
		t.Errorf("used key's last use = service %s region %s date %v", aws.ToString(got.ServiceName), aws.ToString(got.Region), got.LastUsedDate)
	}

	_, err = s.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	wantAPIError(t, err, "AccessDenied", "User: arn:aws:iam::111122223333:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE")
}

func TestAccessKeyErrors(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "carol")
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"unknown user", func() error {
			_, err := s.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"root without user name", func() error {
			_, err := s.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
			return err
		}, "ValidationError", "Must specify userName when calling with non-User credentials"},
		{"bad status", func() error {
			_, err := s.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: "Paused"})
			return err
		}, "ValidationError", "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"},
		{"expired cannot be set", func() error {
			_, err := s.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: "Expired"})
			return err
		}, "InvalidInput", ""},
		{"short key id", func() error {
			_, err := s.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String("AKIA")})
			return err
		}, "ValidationError", ""},
		{"unknown key", func() error {
			_, err := s.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
			return err
		}, "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantAPIError(t, tt.call(), tt.code, tt.msg)
		})
	}
}

func TestAccessKeyPagination(t *testing.T) {
	t.Parallel()
	s := newCredSandbox(t)
	ctx := context.Background()
	s.createUser(t, "dave")
	want := map[string]bool{}
	for range 2 {
		k, err := s.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")})
		if err != nil {
			t.Fatal(err)
		}
		want[*k.AccessKey.AccessKeyId] = true
	}
	pages := 0
	p := iam.NewListAccessKeysPaginator(s.iam, &iam.ListAccessKeysInput{UserName: aws.String("dave"), MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range page.AccessKeyMetadata {
			if !want[*k.AccessKeyId] {
				t.Errorf("unexpected or repeated key %s", *k.AccessKeyId)
			}
			delete(want, *k.AccessKeyId)
		}
	}
	if pages != 2 || len(want) != 0 {
		t.Errorf("%d pages, keys never listed: %v", pages, want)
	}
}
