package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// strictFixture gives the strict server a root key and a user key it can verify.
const strictFixture = `
accounts:
  "260000000001":
    ses_identities:
      us-east-1: [verified@example.com]
    roles:
      - name: deployer
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::260000000001:root"}, Action: "sts:AssumeRole"}]}
    users:
      - name: operator
        access_keys: [{id: AKIAOPERATOR00000001, secret: operator-secret}]
credentials:
  - {access_key_id: "260000000001", secret_access_key: root-secret}
`

// strictCLI starts a --strict-auth sandbox with strictFixture for one test and
// returns a CLI signing with key and secret.
func strictCLI(t *testing.T, key, secret string) *CLI {
	t.Helper()
	t.Parallel()
	path := filepath.Join(t.TempDir(), "strict.yaml")
	if err := os.WriteFile(path, []byte(strictFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "--strict-auth", "--fixture", path)
	t.Cleanup(srv.stop)
	return newCLIFor(t, srv, key).WithEnv("AWS_SECRET_ACCESS_KEY=" + secret)
}

// as returns a CLI on the same server signing with another key.
func (c *CLI) as(key, secret string) *CLI {
	return c.WithEnv("AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret)
}

func TestStrictAuthCLISignedWithKnownKeyPasses(t *testing.T) {
	root := strictCLI(t, "260000000001", "root-secret")
	if out := root.Run("sts", "get-caller-identity"); str(out, "Arn") != "arn:aws:iam::260000000001:root" {
		t.Errorf("get-caller-identity = %v", out)
	}
	root.Run("iam", "list-users", "--path-prefix", "/")
	// REST-JSON with an escaped path segment: the CLI signs /v2/email/identities/verified%40example.com.
	if out := root.Run("sesv2", "get-email-identity", "--email-identity", "verified@example.com"); out["VerifiedForSendingStatus"] != true {
		t.Errorf("get-email-identity = %v", out)
	}
	root.Fail("NotFoundException", "sesv2", "get-email-identity", "--email-identity", "nobody+tag@example.com")
	root.Run("secretsmanager", "get-random-password", "--exclude-characters", "/@\" +~|")
	operator := root.as("AKIAOPERATOR00000001", "operator-secret")
	if out := operator.Run("iam", "get-user"); str(out, "User", "UserName") != "operator" {
		t.Errorf("get-user with the operator's key = %v", out)
	}
}

func TestStrictAuthCLIWrongSecretFails(t *testing.T) {
	root := strictCLI(t, "260000000001", "not-the-root-secret")
	msg := root.Fail("SignatureDoesNotMatch", "iam", "list-users")
	if !strings.Contains(msg, "Check your AWS Secret Access Key") {
		t.Errorf("message = %q", msg)
	}
	root.Fail("SignatureDoesNotMatch", "sesv2", "get-email-identity", "--email-identity", "verified@example.com")
	root.as("260000000009", "whatever").Fail("InvalidClientTokenId", "sts", "get-caller-identity")
	root.as("260000000009", "whatever").Fail("UnrecognizedClientException", "secretsmanager", "get-random-password")
}

func TestStrictAuthCLISessionsAndCreatedKeys(t *testing.T) {
	root := strictCLI(t, "260000000001", "root-secret")
	creds := root.Run("sts", "assume-role", "--role-arn", "arn:aws:iam::260000000001:role/deployer", "--role-session-name", "ci")
	id, secret, token := str(creds, "Credentials", "AccessKeyId"), str(creds, "Credentials", "SecretAccessKey"), str(creds, "Credentials", "SessionToken")
	session := root.WithEnv("AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_SESSION_TOKEN="+token)
	if out := session.Run("sts", "get-caller-identity"); !strings.HasSuffix(str(out, "Arn"), ":assumed-role/deployer/ci") {
		t.Errorf("session identity = %v", out)
	}
	root.as(id, secret).Fail("InvalidClientTokenId", "sts", "get-caller-identity")

	name := "keyed-" + root.Account
	root.Run("iam", "create-user", "--user-name", name)
	key := root.Run("iam", "create-access-key", "--user-name", name)
	user := root.as(str(key, "AccessKey", "AccessKeyId"), str(key, "AccessKey", "SecretAccessKey"))
	if out := user.Run("iam", "get-user"); str(out, "User", "UserName") != name {
		t.Errorf("created key signs as %v", out)
	}
	root.Run("iam", "delete-access-key", "--user-name", name, "--access-key-id", str(key, "AccessKey", "AccessKeyId"))
	user.Fail("InvalidClientTokenId", "iam", "get-user")
}
