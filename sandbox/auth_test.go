package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// strictWorld is the fixture the strict-auth tests sign with.
const strictWorld = `
accounts:
  "111111111111":
    roles:
      - name: admin
        trust_policy:
          Version: "2012-10-17"
          Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]
    users:
      - name: alice
        access_keys: [{id: AKIAALICE00000000001, secret: alice-secret}]
      - name: bob
        access_keys: [{id: AKIABOB0000000000001, secret: bob-secret, status: Inactive}]
credentials:
  - {access_key_id: "111111111111", secret_access_key: root-secret}
`

func writeFixture(t testing.TB, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "world.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func startStrict(t *testing.T) (*Server, string) {
	t.Helper()
	return startSandbox(t, Options{StrictAuth: true, Fixture: writeFixture(t, strictWorld)})
}

// errorCode returns an SDK error's AWS code and HTTP status ("" and 0 for nil).
func errorCode(err error) (string, int) {
	if err == nil {
		return "", 0
	}
	code, status := "", 0
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		status = resp.HTTPStatusCode()
	}
	return code, status
}

func expectCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	if gotCode, gotStatus := errorCode(err); gotCode != code || gotStatus != status {
		t.Errorf("%s: error %q (HTTP %d), want %q (HTTP %d); err = %v", what, gotCode, gotStatus, code, status, err)
	}
}

func TestStrictAuthKnownSecrets(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	ctx := context.Background()
	root := sdkConfig(url, "111111111111", "root-secret", "")
	if _, err := iam.NewFromConfig(root).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Errorf("root with the right secret: %v", err)
	}
	out, err := iam.NewFromConfig(sdkConfig(url, "AKIAALICE00000000001", "alice-secret", "")).GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(out.User.UserName) != "alice" {
		t.Errorf("alice's key: %v, %+v", err, out)
	}
	_, err = iam.NewFromConfig(sdkConfig(url, "111111111111", "wrong-secret", "")).ListUsers(ctx, &iam.ListUsersInput{})
	expectCode(t, "wrong secret", err, "SignatureDoesNotMatch", 403)
	_, err = iam.NewFromConfig(sdkConfig(url, "222222222222", "anything", "")).ListUsers(ctx, &iam.ListUsersInput{})
	expectCode(t, "unknown key (Query)", err, "InvalidClientTokenId", 403)
	_, err = secretsmanager.NewFromConfig(sdkConfig(url, "222222222222", "anything", "")).GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
	expectCode(t, "unknown key (JSON)", err, "UnrecognizedClientException", 403)
	_, err = sesv2.NewFromConfig(sdkConfig(url, "222222222222", "anything", "")).GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("a@example.com")})
	expectCode(t, "unknown key (REST-JSON)", err, "UnrecognizedClientException", 403)
	_, err = iam.NewFromConfig(sdkConfig(url, "AKIABOB0000000000001", "bob-secret", "")).GetUser(ctx, &iam.GetUserInput{})
	expectCode(t, "inactive key", err, "InvalidClientTokenId", 403)
}

func TestInactiveKeyRefusedWithoutStrictAuth(t *testing.T) {
	t.Parallel()
	_, url := startSandbox(t, Options{Fixture: writeFixture(t, strictWorld)})
	_, err := iam.NewFromConfig(sdkConfig(url, "AKIABOB0000000000001", "whatever", "")).GetUser(context.Background(), &iam.GetUserInput{})
	expectCode(t, "inactive key", err, "InvalidClientTokenId", 403)
	out, err := iam.NewFromConfig(sdkConfig(url, "AKIAALICE00000000001", "whatever", "")).GetUser(context.Background(), &iam.GetUserInput{})
	if err != nil || aws.ToString(out.User.UserName) != "alice" {
		t.Errorf("without --strict-auth any secret signs as the key's owner: %v", err)
	}
}

func TestStrictAuthUnsignedAndMalformed(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	body := "Action=ListUsers&Version=2010-05-08"
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"unsigned", nil, 403, "MissingAuthenticationToken"},
		{"not SigV4", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 400, "IncompleteSignature"},
		{"no signature", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20250101/us-east-1/iam/aws4_request, SignedHeaders=host"}, 400, "IncompleteSignature"},
		{"truncated credential", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=111111111111/2025, SignedHeaders=host, Signature=ab"}, 400, "IncompleteSignature"},
		{"bogus signature", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"}, 403, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			for k, v := range tc.header {
				h[k] = v
			}
			e := decodeAPIError(t, rawRequest{path: "/", body: body, header: h}.send(t, url))
			if e.Status != tc.status || e.Code != tc.code {
				t.Errorf("answer = %d %s (%s), want %d %s", e.Status, e.Code, e.Message, tc.status, tc.code)
			}
		})
	}
}

func TestStrictAuthSessions(t *testing.T) {
	t.Parallel()
	srv, url := startStrict(t)
	ctx := context.Background()
	root := sdkConfig(url, "111111111111", "root-secret", "")
	out, err := sts.NewFromConfig(root).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111111111111:role/admin"), RoleSessionName: aws.String("tester")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := out.Credentials
	id, secret, token := aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)
	who, err := sts.NewFromConfig(sdkConfig(url, id, secret, token)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.Contains(aws.ToString(who.Arn), ":assumed-role/admin/tester") {
		t.Errorf("session with its token: %v %+v", err, who)
	}
	_, err = sts.NewFromConfig(sdkConfig(url, id, secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	expectCode(t, "session without token", err, "InvalidClientTokenId", 403)
	_, err = sts.NewFromConfig(sdkConfig(url, id, secret, token+"x")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	expectCode(t, "session with another token", err, "InvalidClientTokenId", 403)
	_, err = sts.NewFromConfig(sdkConfig(url, id, secret+"x", token)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	expectCode(t, "session with a wrong secret", err, "SignatureDoesNotMatch", 403)

	srv.world.Lock()
	srv.world.Sessions[id].Expiration = time.Now().Add(-time.Minute)
	srv.world.Unlock()
	_, err = sts.NewFromConfig(sdkConfig(url, id, secret, token)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	expectCode(t, "expired session", err, "ExpiredToken", 403)
}

func TestStrictAuthCreatedAccessKey(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(sdkConfig(url, "111111111111", "root-secret", ""))
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	created, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	key := created.AccessKey
	carol := iam.NewFromConfig(sdkConfig(url, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""))
	out, err := carol.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(out.User.UserName) != "carol" {
		t.Fatalf("signing with the created key: %v", err)
	}
	_, err = iam.NewFromConfig(sdkConfig(url, aws.ToString(key.AccessKeyId), "guess", "")).GetUser(ctx, &iam.GetUserInput{})
	expectCode(t, "created key, wrong secret", err, "SignatureDoesNotMatch", 403)
	if _, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"),
		AccessKeyId: key.AccessKeyId, Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = carol.GetUser(ctx, &iam.GetUserInput{})
	expectCode(t, "deactivated key", err, "InvalidClientTokenId", 403)
}

func TestAuthResolvesAccounts(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	if err := fixtureLoader(Services()).Apply([]byte(strictWorld), "strict.yaml", w); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"111111111111":         "arn:aws:iam::111111111111:root",
		"333333333333":         "arn:aws:iam::333333333333:root",
		"AKIAALICE00000000001": "arn:aws:iam::111111111111:user/alice",
		"AKIAOTHER0000000000X": "arn:aws:iam::123456789012:root",
	} {
		if got, _, _ := resolveCaller(w, key); got.ARN != want {
			t.Errorf("key %s acts as %s, want %s", key, got.ARN, want)
		}
	}
}
