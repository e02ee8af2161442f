package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const goodPassword = "Sandbox-Passw0rd!"

func (e *idEnv) loginProfile(user, password string, reset bool) {
	e.t.Helper()
	_, err := e.iam.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{UserName: aws.String(user), Password: aws.String(password), PasswordResetRequired: reset})
	e.must("creating a login profile for "+user, err)
}

func TestLoginProfileLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	created, err := e.iam.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("ALICE"), Password: aws.String(goodPassword), PasswordResetRequired: true})
	e.must("creating the profile", err)
	if *created.LoginProfile.UserName != "alice" || !created.LoginProfile.PasswordResetRequired || created.LoginProfile.CreateDate == nil {
		t.Errorf("created = %+v", created.LoginProfile)
	}
	_, err = e.iam.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(goodPassword)})
	expectError(t, err, "EntityAlreadyExists", "Login Profile for user alice already exists.")

	e.must("clearing reset", justErr(e.iam.UpdateLoginProfile(e.ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), PasswordResetRequired: aws.Bool(false)})))
	got, err := e.iam.GetLoginProfile(e.ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	e.must("getting the profile", err)
	if got.LoginProfile.PasswordResetRequired {
		t.Error("PasswordResetRequired still set after UpdateLoginProfile")
	}

	// Only a salted hash is stored: the password appears nowhere in the state.
	snapshot, err := e.sb.Server.World().Snapshot()
	e.must("snapshotting", err)
	if strings.Contains(string(snapshot), goodPassword) {
		t.Error("the state holds the password in clear")
	}

	e.must("deleting the profile", justErr(e.iam.DeleteLoginProfile(e.ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")})))
	for name, call := range map[string]func() error{
		"get": func() error {
			return justErr(e.iam.GetLoginProfile(e.ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")}))
		},
		"update": func() error {
			return justErr(e.iam.UpdateLoginProfile(e.ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice")}))
		},
		"delete": func() error {
			return justErr(e.iam.DeleteLoginProfile(e.ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}))
		},
	} {
		t.Run(name, func(t *testing.T) {
			expectError(t, call(), "NoSuchEntity", "Login Profile for User alice cannot be found.")
		})
	}
	_, err = e.iam.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(goodPassword)})
	expectError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
}

// With no account policy, AWS's default applies: 8 characters and three of the
// four character classes, where only IAM's 20 symbols count as symbols.
func TestLoginProfileDefaultPolicy(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("alice")
	tests := []struct {
		name, password, msg string
	}{
		{"too short", "Ab1!", "Password should have a minimum length of 8"},
		{"one class", "abcdefghij", "Password should meet 2 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol"},
		{"two classes", "abcdefgh12", "Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol"},
		{"dot is no IAM symbol", "abcdefg1.,;~", "Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol"},
		{"ok without symbol", "Abcdefgh12", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(tc.password)})
			if tc.msg == "" {
				e.must("creating a profile with a good password", err)
				return
			}
			expectError(t, err, "PasswordPolicyViolation", tc.msg)
			if strings.Contains(err.Error(), tc.password) {
				t.Error("the error message echoes the password")
			}
		})
	}
	// IAM's quoting symbol ' counts.
	e.user("bob")
	e.loginProfile("bob", "abcdefg1'", false)
}

func TestLoginProfileAccountPolicy(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.must("setting the policy", justErr(e.iam.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
	})))
	e.user("alice")
	tests := []struct {
		name, password, msg string
	}{
		{"length", "Ab1!Ab1!", "Password should have a minimum length of 12"},
		{"uppercase", "abcdefgh12!!", "Password should have at least one uppercase letter"},
		{"lowercase", "ABCDEFGH12!!", "Password should have at least one lowercase letter"},
		{"number", "ABCDEFgh!!!!", "Password should have at least one number"},
		{"symbol", "ABCDEFgh1234", "Password should have at least one symbol"},
		{"several", "abcdefgh", "Password should have a minimum length of 12, Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(tc.password)})
			expectError(t, err, "PasswordPolicyViolation", tc.msg)
		})
	}
	// A custom policy replaces the default: six lower-case letters pass a bare policy.
	e.must("relaxing the policy", justErr(e.iam.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{})))
	e.loginProfile("alice", "abcdef", false)
}

func TestLoginProfileReusePrevention(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.must("setting the policy", justErr(e.iam.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(2)})))
	e.user("alice")
	e.loginProfile("alice", "first-password", false)
	update := func(pw string) error {
		return justErr(e.iam.UpdateLoginProfile(e.ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(pw)}))
	}
	expectError(t, update("first-password"), "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	e.must("second password", update("second-password"))
	expectError(t, update("first-password"), "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	e.must("third password", update("third-password"))
	// Two passwords are remembered (the current one included), so the first is free again.
	e.must("first password again", update("first-password"))
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.must("setting the policy", justErr(e.iam.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(10), RequireNumbers: true, PasswordReusePrevention: aws.Int32(3), AllowUsersToChangePassword: true,
	})))
	e.user("alice")
	e.loginProfile("alice", "initial-pw-1", true)
	alice := e.userClient("alice")
	change := func(c *iam.Client, old, new string) error {
		return justErr(c.ChangePassword(e.ctx, &iam.ChangePasswordInput{OldPassword: aws.String(old), NewPassword: aws.String(new)}))
	}

	expectError(t, change(e.iam, "initial-pw-1", "next-pw-22"), "InvalidUserType", "Only IAM Users can change their own password.")
	expectError(t, change(alice, "wrong-pw-11", "next-pw-22"), "InvalidUserType", "The old password is incorrect.")
	expectError(t, change(alice, "initial-pw-1", "short1"), "PasswordPolicyViolation", "Password should have a minimum length of 10")
	expectError(t, change(alice, "initial-pw-1", "no-digits-here"), "PasswordPolicyViolation", "Password should have at least one number")
	expectError(t, change(alice, "initial-pw-1", "initial-pw-1"), "PasswordPolicyViolation", "Password does not conform to the account password policy.")

	e.must("changing the password", change(alice, "initial-pw-1", "next-pw-22"))
	got, err := e.iam.GetLoginProfile(e.ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	e.must("getting the profile", err)
	if got.LoginProfile.PasswordResetRequired {
		t.Error("ChangePassword left PasswordResetRequired set")
	}
	expectError(t, change(alice, "initial-pw-1", "other-pw-33"), "InvalidUserType", "")
	e.must("changing again", change(alice, "next-pw-22", "third-pw-33"))
	expectError(t, change(alice, "third-pw-33", "initial-pw-1"), "PasswordPolicyViolation", "Password does not conform to the account password policy.")

	// A signing user without a profile has none to change.
	e.user("bob")
	bob := e.userClient("bob")
	expectError(t, change(bob, "whatever-1x", "next-pw-22"), "NoSuchEntity", "Login Profile for User bob cannot be found.")
	// Without UserName, the profile operations act on the signing user.
	_, err = bob.CreateLoginProfile(e.ctx, &iam.CreateLoginProfileInput{Password: aws.String("bobs-pw-123")})
	e.must("bob creating his own profile", err)
	if _, err := e.iam.GetLoginProfile(e.ctx, &iam.GetLoginProfileInput{UserName: aws.String("bob")}); err != nil {
		t.Errorf("bob's own profile: %v", err)
	}
	_, err = e.iam.GetLoginProfile(e.ctx, &iam.GetLoginProfileInput{})
	expectError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")
}
