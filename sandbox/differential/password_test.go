package differential

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const (
	// CreateLoginProfile: PasswordPolicyViolation, HTTP 400 — "The request was
	// rejected because the provided password did not meet the requirements
	// imposed by the account password policy."
	refCreateLoginProfile = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html"
	// "If an administrator does not set a custom password policy, IAM user
	// passwords must meet the default AWS password policy: minimum password length
	// of 8 characters …; minimum of three of the following mix of character types:
	// uppercase, lowercase, numbers, and non-alphanumeric characters".
	refDefaultPolicy = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html#default-policy-details"
	// UpdateAccountPasswordPolicy: "This operation does not support partial
	// updates. No parameters are required, but if you do not specify a parameter,
	// that parameter's value reverts to its default value." MinimumPasswordLength
	// defaults to 6; the Require* flags, AllowUsersToChangePassword and HardExpiry
	// to false; MaxPasswordAge and PasswordReusePrevention to not set.
	refUpdatePolicy = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html"
	// GetAccountPasswordPolicy: NoSuchEntity (HTTP 404) when the account has no
	// custom password policy.
	refGetPolicy = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html"
)

// passwordCase is a password and whether the policy in force accepts it.
type passwordCase struct {
	why      string
	password string
	accepted bool
}

// tryPasswords calls CreateLoginProfile with each password on a fresh user and
// checks the outcome against the policy in force.
func (r *run) tryPasswords(policy string, ref string, cases []passwordCase) {
	for i, c := range cases {
		user := fmt.Sprintf("person-%d", i)
		_, err := r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
		r.must("CreateUser", err)
		_, err = r.IAM.CreateLoginProfile(r.ctx, &iam.CreateLoginProfileInput{UserName: &user, Password: aws.String(c.password)})
		name := fmt.Sprintf("CreateLoginProfile with a password that %s (%q)", c.why, c.password)
		if c.accepted {
			r.wantSuccess(name, awsDoc{says: "the password meets " + policy + " and the login profile is created", ref: ref}, err)
		} else {
			r.wantError(name, awsDoc{says: "PasswordPolicyViolation (HTTP 400): the password breaks " + policy, ref: ref}, err, "PasswordPolicyViolation")
		}
	}
}

func TestCreateLoginProfileEnforcesThePasswordPolicy(t *testing.T) {
	t.Parallel()
	requireMoto(t)
	t.Run("custom policy", func(t *testing.T) {
		scenario(t, "CreateLoginProfile against a custom password policy", func(r *run) {
			_, err := r.IAM.UpdateAccountPasswordPolicy(r.ctx, &iam.UpdateAccountPasswordPolicyInput{
				MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true,
				RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			})
			r.must("UpdateAccountPasswordPolicy", err)
			r.tryPasswords("the account's password policy (12 characters, symbols, numbers, upper and lower case)", refCreateLoginProfile, []passwordCase{
				{"is shorter than MinimumPasswordLength", "Aa1!aaaaaa", false},
				{"has no symbol", "Aa1aaaaaaaaaaa", false},
				{"has no number", "Aa!aaaaaaaaaaa", false},
				{"has no upper-case letter", "a1!aaaaaaaaaaa", false},
				{"has no lower-case letter", "A1!AAAAAAAAAAA", false},
				{"meets every rule", "Aa1!aaaaaaaaaa", true},
			})
			user := "person-5"
			_, err = r.IAM.UpdateLoginProfile(r.ctx, &iam.UpdateLoginProfileInput{UserName: &user, Password: aws.String("short")})
			r.wantError(`UpdateLoginProfile with a password shorter than MinimumPasswordLength ("short")`, awsDoc{
				says: "PasswordPolicyViolation (HTTP 400): UpdateLoginProfile enforces the password policy too",
				ref:  "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html",
			}, err, "PasswordPolicyViolation")
		})
	})
	t.Run("default policy", func(t *testing.T) {
		scenario(t, "CreateLoginProfile against AWS's default password policy", func(r *run) {
			r.tryPasswords("AWS's default password policy (8 characters, three of four character types)", refDefaultPolicy, []passwordCase{
				{"is shorter than 8 characters", "Ab1!", false},
				{"has one character type", "abcdefghijkl", false},
				{"has two character types", "abcdefgh1234", false},
				{"has three character types", "Abcdefgh1234", true},
			})
		})
	})
}

func TestUpdateAccountPasswordPolicyRevertsOmittedParameters(t *testing.T) {
	scenario(t, "UpdateAccountPasswordPolicy reverts omitted parameters to their defaults", func(r *run) {
		_, err := r.IAM.UpdateAccountPasswordPolicy(r.ctx, &iam.UpdateAccountPasswordPolicyInput{
			MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireUppercaseCharacters: true,
			AllowUsersToChangePassword: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true),
		})
		r.must("UpdateAccountPasswordPolicy (every parameter)", err)
		_, err = r.IAM.UpdateAccountPasswordPolicy(r.ctx, &iam.UpdateAccountPasswordPolicyInput{RequireNumbers: true})
		r.must("UpdateAccountPasswordPolicy (RequireNumbers only)", err)
		out, err := r.IAM.GetAccountPasswordPolicy(r.ctx, &iam.GetAccountPasswordPolicyInput{})
		r.must("GetAccountPasswordPolicy", err)
		p := out.PasswordPolicy
		field := func(name, want, got string) {
			r.check("after the second update, "+name, awsDoc{says: name + " is " + want + " (the default; the second update left it out)", ref: refUpdatePolicy}, got == want, name+" is "+got)
		}
		field("MinimumPasswordLength", "6", fmt.Sprint(aws.ToInt32(p.MinimumPasswordLength)))
		field("RequireSymbols", "false", fmt.Sprint(p.RequireSymbols))
		field("RequireUppercaseCharacters", "false", fmt.Sprint(p.RequireUppercaseCharacters))
		field("AllowUsersToChangePassword", "false", fmt.Sprint(p.AllowUsersToChangePassword))
		field("MaxPasswordAge", "not set", optionalInt(p.MaxPasswordAge))
		field("ExpirePasswords", "false", fmt.Sprint(p.ExpirePasswords))
		field("PasswordReusePrevention", "not set", optionalInt(p.PasswordReusePrevention))
		field("HardExpiry", "false", fmt.Sprint(aws.ToBool(p.HardExpiry)))
		r.check("after the second update, RequireNumbers", awsDoc{says: "RequireNumbers is true, as the second update set it", ref: refUpdatePolicy},
			p.RequireNumbers, fmt.Sprint("RequireNumbers is ", p.RequireNumbers))
	})
}

func optionalInt(p *int32) string {
	if p == nil || *p == 0 {
		return "not set"
	}
	return fmt.Sprint(*p)
}

func TestGetAccountPasswordPolicyWithoutAPolicy(t *testing.T) {
	scenario(t, "GetAccountPasswordPolicy when no policy is set", func(r *run) {
		_, err := r.IAM.GetAccountPasswordPolicy(r.ctx, &iam.GetAccountPasswordPolicyInput{})
		r.wantError("GetAccountPasswordPolicy in an account that never set one", awsDoc{
			says: "NoSuchEntity (HTTP 404): the account has no custom password policy", ref: refGetPolicy,
		}, err, "NoSuchEntity")
		_, err = r.IAM.UpdateAccountPasswordPolicy(r.ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(10)})
		r.must("UpdateAccountPasswordPolicy", err)
		_, err = r.IAM.DeleteAccountPasswordPolicy(r.ctx, &iam.DeleteAccountPasswordPolicyInput{})
		r.must("DeleteAccountPasswordPolicy", err)
		_, err = r.IAM.GetAccountPasswordPolicy(r.ctx, &iam.GetAccountPasswordPolicyInput{})
		r.wantError("GetAccountPasswordPolicy after DeleteAccountPasswordPolicy", awsDoc{
			says: "NoSuchEntity (HTTP 404): the policy is gone", ref: refGetPolicy,
		}, err, "NoSuchEntity")
	})
}
