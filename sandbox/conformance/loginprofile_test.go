package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// asUser returns a CLI signing with a new access key of the user.
func asUser(t *testing.T, c *CLI, user string) *CLI {
	t.Helper()
	out, err := newSetup(t, c).iam.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("set-up: creating an access key for %s: %v", user, err)
	}
	return c.WithEnv("AWS_ACCESS_KEY_ID="+*out.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY="+*out.AccessKey.SecretAccessKey)
}

func TestLoginProfiles(t *testing.T) {
	cli := newCLI(t)
	newSetup(t, cli).users("alice")
	out := cli.Run("iam", "create-login-profile", "--user-name", "ALICE", "--password", "Sandbox-Passw0rd!", "--password-reset-required")
	if str(out, "LoginProfile", "UserName") != "alice" || get(out, "LoginProfile", "PasswordResetRequired") != true || str(out, "LoginProfile", "CreateDate") == "" {
		t.Errorf("create-login-profile = %v", out)
	}
	msg := cli.Fail("EntityAlreadyExists", "iam", "create-login-profile", "--user-name", "alice", "--password", "Sandbox-Passw0rd!")
	if msg != "Login Profile for user alice already exists." {
		t.Errorf("message = %q", msg)
	}
	cli.Run("iam", "update-login-profile", "--user-name", "alice", "--no-password-reset-required")
	out = cli.Run("iam", "get-login-profile", "--user-name", "alice")
	if get(out, "LoginProfile", "PasswordResetRequired") != false {
		t.Errorf("get-login-profile after update = %v", out)
	}
	cli.Run("iam", "update-login-profile", "--user-name", "alice", "--password", "Another-Passw0rd!")

	// The sandbox keeps a salted hash only.
	var st map[string]any
	cli.Inspect("state", &st)
	raw := str(st, "accounts", cli.Account, "users", "alice", "login_profile", "password_hash")
	if raw == "" || strings.Contains(raw, "Passw0rd") {
		t.Errorf("stored password hash = %q", raw)
	}

	cli.Run("iam", "delete-login-profile", "--user-name", "alice")
	for _, op := range []string{"get-login-profile", "delete-login-profile", "update-login-profile"} {
		if msg := cli.Fail("NoSuchEntity", "iam", op, "--user-name", "alice"); msg != "Login Profile for User alice cannot be found." {
			t.Errorf("%s: message = %q", op, msg)
		}
	}
	cli.Fail("NoSuchEntity", "iam", "create-login-profile", "--user-name", "nobody", "--password", "Sandbox-Passw0rd!")
}

// With no account policy, AWS's default policy applies.
func TestLoginProfileDefaultPolicyViolations(t *testing.T) {
	cli := newCLI(t)
	newSetup(t, cli).users("alice")
	tests := []struct{ password, msg string }{
		{"Ab1!xyz", "Password should have a minimum length of 8"},
		{"abcdefghijk", "Password should meet 2 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol"},
		{"abcdefgh123", "Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol"},
		{"ABCDEFGH.,~", "Password should meet 2 more of the following requirements: Password should have at least one lowercase letter, Password should have at least one number, Password should have at least one symbol"},
	}
	for _, tc := range tests {
		msg := cli.Fail("PasswordPolicyViolation", "iam", "create-login-profile", "--user-name", "alice", "--password", tc.password)
		if msg != tc.msg {
			t.Errorf("%s: message = %q, want %q", tc.password, msg, tc.msg)
		}
	}
	cli.Fail("NoSuchEntity", "iam", "get-login-profile", "--user-name", "alice")
	// Three classes suffice; the symbol is one of IAM's 20.
	cli.Run("iam", "create-login-profile", "--user-name", "alice", "--password", "abcdefg1{")
}

func TestLoginProfilePolicyViolations(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "update-account-password-policy", "--minimum-password-length", "12", "--require-symbols",
		"--require-numbers", "--require-uppercase-characters", "--require-lowercase-characters")
	newSetup(t, cli).users("alice")
	tests := []struct{ rule, password, msg string }{
		{"length", "Ab1!Ab1!", "Password should have a minimum length of 12"},
		{"uppercase", "abcdefgh12!!", "Password should have at least one uppercase letter"},
		{"lowercase", "ABCDEFGH12!!", "Password should have at least one lowercase letter"},
		{"numbers", "ABCDEFgh!!!!", "Password should have at least one number"},
		{"symbols", "ABCDEFgh1234", "Password should have at least one symbol"},
		{"IAM symbols only", "ABCDEFgh12.,", "Password should have at least one symbol"},
	}
	for _, tc := range tests {
		msg := cli.Fail("PasswordPolicyViolation", "iam", "create-login-profile", "--user-name", "alice", "--password", tc.password)
		if msg != tc.msg {
			t.Errorf("%s: message = %q, want %q", tc.rule, msg, tc.msg)
		}
	}
	cli.Run("iam", "create-login-profile", "--user-name", "alice", "--password", "ABCDEFgh12|'")
	msg := cli.Fail("PasswordPolicyViolation", "iam", "update-login-profile", "--user-name", "alice", "--password", "short")
	if msg != "Password should have a minimum length of 12, Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol" {
		t.Errorf("update-login-profile message = %q", msg)
	}
}

func TestLoginProfileReusePrevention(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "update-account-password-policy", "--password-reuse-prevention", "2")
	newSetup(t, cli).users("alice")
	cli.Run("iam", "create-login-profile", "--user-name", "alice", "--password", "first-pass")
	reuse := func(pw string) {
		t.Helper()
		msg := cli.Fail("PasswordPolicyViolation", "iam", "update-login-profile", "--user-name", "alice", "--password", pw)
		if msg != "Password does not conform to the account password policy." {
			t.Errorf("message = %q", msg)
		}
	}
	reuse("first-pass")
	cli.Run("iam", "update-login-profile", "--user-name", "alice", "--password", "second-pass")
	reuse("first-pass")
	cli.Run("iam", "update-login-profile", "--user-name", "alice", "--password", "third-pass")
	cli.Run("iam", "update-login-profile", "--user-name", "alice", "--password", "first-pass")
}

func TestLoginProfileChangePassword(t *testing.T) {
	cli := newCLI(t)
	cli.Run("iam", "update-account-password-policy", "--minimum-password-length", "10", "--require-numbers",
		"--password-reuse-prevention", "3", "--allow-users-to-change-password")
	newSetup(t, cli).users("alice")
	cli.Run("iam", "create-login-profile", "--user-name", "alice", "--password", "initial-pw-1", "--password-reset-required")
	alice := asUser(t, cli, "alice")

	msg := cli.Fail("InvalidUserType", "iam", "change-password", "--old-password", "initial-pw-1", "--new-password", "next-pw-22")
	if msg != "Only IAM Users can change their own password." {
		t.Errorf("root change-password message = %q", msg)
	}
	alice.Fail("InvalidUserType", "iam", "change-password", "--old-password", "wrong-pw-11", "--new-password", "next-pw-22")
	for _, tc := range []struct{ password, msg string }{
		{"short-1", "Password should have a minimum length of 10"},
		{"no-digits-here", "Password should have at least one number"},
		{"initial-pw-1", "Password does not conform to the account password policy."},
	} {
		if msg := alice.Fail("PasswordPolicyViolation", "iam", "change-password", "--old-password", "initial-pw-1", "--new-password", tc.password); msg != tc.msg {
			t.Errorf("%s: message = %q, want %q", tc.password, msg, tc.msg)
		}
	}
	alice.Run("iam", "change-password", "--old-password", "initial-pw-1", "--new-password", "next-pw-22")
	if get(cli.Run("iam", "get-login-profile", "--user-name", "alice"), "LoginProfile", "PasswordResetRequired") != false {
		t.Error("change-password left PasswordResetRequired set")
	}
	alice.Fail("InvalidUserType", "iam", "change-password", "--old-password", "initial-pw-1", "--new-password", "other-pw-33")

	newSetup(t, cli).users("bob")
	bob := asUser(t, cli, "bob")
	if msg := bob.Fail("NoSuchEntity", "iam", "change-password", "--old-password", "x-pw-000001", "--new-password", "next-pw-22"); msg != "Login Profile for User bob cannot be found." {
		t.Errorf("bob's message = %q", msg)
	}
}
