package conformance

import "testing"

func TestPasswordPolicyLifecycle(t *testing.T) {
	cli := newCLI(t)
	msg := cli.Fail("NoSuchEntity", "iam", "get-account-password-policy")
	if msg != "The Password Policy with domain name "+cli.Account+" cannot be found." {
		t.Errorf("message = %q", msg)
	}
	msg = cli.Fail("NoSuchEntity", "iam", "delete-account-password-policy")
	if msg != "The account policy with name PasswordPolicy cannot be found." {
		t.Errorf("message = %q", msg)
	}

	cli.Run("iam", "update-account-password-policy", "--minimum-password-length", "14", "--require-symbols",
		"--require-numbers", "--require-uppercase-characters", "--require-lowercase-characters",
		"--allow-users-to-change-password", "--max-password-age", "90", "--password-reuse-prevention", "24", "--hard-expiry")
	p := cli.Run("iam", "get-account-password-policy")["PasswordPolicy"]
	for _, k := range []string{"RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters", "AllowUsersToChangePassword", "ExpirePasswords", "HardExpiry"} {
		if get(p, k) != true {
			t.Errorf("%s = %v, want true", k, get(p, k))
		}
	}
	if get(p, "MinimumPasswordLength") != 14.0 || get(p, "MaxPasswordAge") != 90.0 || get(p, "PasswordReusePrevention") != 24.0 {
		t.Errorf("policy = %v", p)
	}

	// An update replaces the whole policy: what is left out takes its default.
	cli.Run("iam", "update-account-password-policy", "--require-numbers")
	p = cli.Run("iam", "get-account-password-policy")["PasswordPolicy"]
	if get(p, "MinimumPasswordLength") != 6.0 || get(p, "RequireNumbers") != true || get(p, "RequireSymbols") != false ||
		get(p, "ExpirePasswords") != false || get(p, "MaxPasswordAge") != nil || get(p, "PasswordReusePrevention") != nil {
		t.Errorf("policy after partial update = %v", p)
	}

	cli.Run("iam", "delete-account-password-policy")
	cli.Fail("NoSuchEntity", "iam", "get-account-password-policy")
}

func TestPasswordPolicyRanges(t *testing.T) {
	cli := newCLI(t)
	noClientValidation(t, cli)
	tests := []struct {
		flag, value, msg string
	}{
		{"--minimum-password-length", "5", "1 validation error detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"--minimum-password-length", "129", "1 validation error detected: Value '129' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{"--max-password-age", "0", "1 validation error detected: Value '0' at 'maxPasswordAge' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"--max-password-age", "1096", "1 validation error detected: Value '1096' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{"--password-reuse-prevention", "0", "1 validation error detected: Value '0' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"--password-reuse-prevention", "25", "1 validation error detected: Value '25' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24"},
	}
	for _, tc := range tests {
		if msg := cli.Fail("ValidationError", "iam", "update-account-password-policy", tc.flag, tc.value); msg != tc.msg {
			t.Errorf("%s %s: message = %q, want %q", tc.flag, tc.value, msg, tc.msg)
		}
	}
	cli.Fail("NoSuchEntity", "iam", "get-account-password-policy")
}
