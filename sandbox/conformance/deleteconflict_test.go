package conformance

import (
	"fmt"
	"testing"
)

// userDependency adds one kind of dependency to a user with the CLI and returns
// the CLI arguments that remove it again.
type userDependency struct {
	kind    string
	message string // AWS's DeleteConflict message while it remains
	add     func(t *testing.T, c *CLI, user string) (remove []string)
}

var userDependencies = []userDependency{
	{"login profile", "Cannot delete entity, must delete login profile first.", func(t *testing.T, c *CLI, user string) []string {
		c.Run("iam", "create-login-profile", "--user-name", user, "--password", "Sandbox-Passw0rd!")
		return []string{"iam", "delete-login-profile", "--user-name", user}
	}},
	{"access key", "Cannot delete entity, must delete access keys first.", func(t *testing.T, c *CLI, user string) []string {
		out := c.Run("iam", "create-access-key", "--user-name", user)
		return []string{"iam", "delete-access-key", "--user-name", user, "--access-key-id", str(out, "AccessKey", "AccessKeyId")}
	}},
	{"signing certificate", "Cannot delete entity, must delete certificates first.", func(t *testing.T, c *CLI, user string) []string {
		out := c.Run("iam", "upload-signing-certificate", "--user-name", user, "--certificate-body", writeTemp(t, "cert.pem", testSigningCert(t)))
		return []string{"iam", "delete-signing-certificate", "--user-name", user, "--certificate-id", str(out, "Certificate", "CertificateId")}
	}},
	{"SSH public key", "Cannot delete entity, must remove referenced objects first.", func(t *testing.T, c *CLI, user string) []string {
		line, _ := testSSHKey(t)
		out := c.Run("iam", "upload-ssh-public-key", "--user-name", user, "--ssh-public-key-body", line)
		return []string{"iam", "delete-ssh-public-key", "--user-name", user, "--ssh-public-key-id", str(out, "SSHPublicKey", "SSHPublicKeyId")}
	}},
	{"service-specific credential", "Cannot delete entity, must remove referenced objects first.", func(t *testing.T, c *CLI, user string) []string {
		out := c.Run("iam", "create-service-specific-credential", "--user-name", user, "--service-name", "codecommit.amazonaws.com")
		return []string{"iam", "delete-service-specific-credential", "--user-name", user,
			"--service-specific-credential-id", str(out, "ServiceSpecificCredential", "ServiceSpecificCredentialId")}
	}},
	{"virtual MFA device", "Cannot delete entity, must delete MFA device first.", func(t *testing.T, c *CLI, user string) []string {
		serial, seed := cliVirtualDevice(t, c, user+"-phone")
		cliEnable(c, t, user, serial, seed)
		return []string{"iam", "deactivate-mfa-device", "--user-name", user, "--serial-number", serial}
	}},
	{"passkey", "Cannot delete entity, must delete MFA device first.", func(t *testing.T, c *CLI, user string) []string {
		serial, _ := cliRegisterDevice(c, user, "passkey")
		return []string{"iam", "deactivate-mfa-device", "--user-name", user, "--serial-number", serial}
	}},
	{"group membership", "Cannot delete entity, must remove users from group first.", func(t *testing.T, c *CLI, user string) []string {
		c.Run("iam", "add-user-to-group", "--user-name", user, "--group-name", "staff")
		return []string{"iam", "remove-user-from-group", "--user-name", user, "--group-name", "staff"}
	}},
	{"inline policy", "Cannot delete entity, must delete policies first.", func(t *testing.T, c *CLI, user string) []string {
		c.Run("iam", "put-user-policy", "--user-name", user, "--policy-name", "list-buckets", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
		return []string{"iam", "delete-user-policy", "--user-name", user, "--policy-name", "list-buckets"}
	}},
	{"attached managed policy", "Cannot delete entity, must detach all policies first.", func(t *testing.T, c *CLI, user string) []string {
		c.Run("iam", "attach-user-policy", "--user-name", user, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
		return []string{"iam", "detach-user-policy", "--user-name", user, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}
	}},
}

// TestDeleteConflictEachDependency gives one user each kind of dependency:
// DeleteUser refuses with AWS's message, and succeeds once it is removed.
func TestDeleteConflictEachDependency(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-group", "--group-name", "staff")
	for i, dep := range userDependencies {
		t.Run(dep.kind, func(t *testing.T) {
			t.Parallel()
			c := newCLIFor(t, cli.srv, cli.Account)
			user := fmt.Sprintf("leaver%d", i)
			c.Run("iam", "create-user", "--user-name", user)
			remove := dep.add(t, c, user)
			if msg := c.Fail("DeleteConflict", "iam", "delete-user", "--user-name", user); msg != dep.message {
				t.Errorf("DeleteConflict message = %q, want %q", msg, dep.message)
			}
			c.Run(remove...)
			c.Run("iam", "delete-user", "--user-name", user)
			c.Fail("NoSuchEntity", "iam", "get-user", "--user-name", user)
		})
	}
}

func TestDeleteConflictNotBlocking(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "create-user", "--user-name", "bounded", "--permissions-boundary", "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"--tags", "Key=team,Value=ops")
	cli.Run("iam", "delete-user", "--user-name", "BOUNDED")
	if msg := cli.Fail("NoSuchEntity", "iam", "delete-user", "--user-name", "bounded"); msg != "The user with name bounded cannot be found." {
		t.Errorf("NoSuchEntity message = %q", msg)
	}
}
