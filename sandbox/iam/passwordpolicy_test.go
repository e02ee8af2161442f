package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestAccountPasswordPolicyLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	_, err := e.iam.GetAccountPasswordPolicy(e.ctx, &iam.GetAccountPasswordPolicyInput{})
	expectError(t, err, "NoSuchEntity", "The Password Policy with domain name 111122223333 cannot be found.")
	_, err = e.iam.DeleteAccountPasswordPolicy(e.ctx, &iam.DeleteAccountPasswordPolicyInput{})
	expectError(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")

	e.must("setting a full policy", justErr(e.iam.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
		MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true),
	})))
	got, err := e.iam.GetAccountPasswordPolicy(e.ctx, &iam.GetAccountPasswordPolicyInput{})
	e.must("getting the policy", err)
	p := got.PasswordPolicy
	if *p.MinimumPasswordLength != 14 || !p.RequireSymbols || !p.RequireNumbers || !p.RequireUppercaseCharacters ||
		!p.RequireLowercaseCharacters || !p.AllowUsersToChangePassword || !p.ExpirePasswords ||
		*p.MaxPasswordAge != 90 || *p.PasswordReusePrevention != 5 || !aws.ToBool(p.HardExpiry) {
		t.Errorf("policy = %+v", p)
	}

	// Every parameter left out reverts to its default.
	e.must("setting a partial policy", justErr(e.iam.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{RequireNumbers: true})))
	got, err = e.iam.GetAccountPasswordPolicy(e.ctx, &iam.GetAccountPasswordPolicyInput{})
	e.must("getting the policy", err)
	p = got.PasswordPolicy
	if *p.MinimumPasswordLength != 6 || p.RequireSymbols || !p.RequireNumbers || p.AllowUsersToChangePassword ||
		p.ExpirePasswords || p.MaxPasswordAge != nil || p.PasswordReusePrevention != nil || aws.ToBool(p.HardExpiry) {
		t.Errorf("policy after partial update = %+v", p)
	}

	e.must("deleting the policy", justErr(e.iam.DeleteAccountPasswordPolicy(e.ctx, &iam.DeleteAccountPasswordPolicyInput{})))
	_, err = e.iam.GetAccountPasswordPolicy(e.ctx, &iam.GetAccountPasswordPolicyInput{})
	expectError(t, err, "NoSuchEntity", "")
}

func TestAccountPasswordPolicyRanges(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	tests := []struct {
		name string
		in   iam.UpdateAccountPasswordPolicyInput
		msg  string
	}{
		{"length too short", iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)},
			"1 validation error detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"length too long", iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)},
			"1 validation error detected: Value '129' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{"age zero", iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(0)},
			"1 validation error detected: Value '0' at 'maxPasswordAge' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"age too long", iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)},
			"1 validation error detected: Value '1096' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{"reuse too many", iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)},
			"1 validation error detected: Value '25' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.iam.UpdateAccountPasswordPolicy(e.ctx, &tc.in)
			expectError(t, err, "ValidationError", tc.msg)
		})
	}
	if _, err := e.iam.GetAccountPasswordPolicy(e.ctx, &iam.GetAccountPasswordPolicyInput{}); err == nil {
		t.Error("a rejected update set a policy")
	}
}
