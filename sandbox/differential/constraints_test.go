package differential

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Parameter ranges from the IAM API reference. A value outside its range is a
// ValidationError, HTTP 400, before any other rule applies.
func TestIAMParameterRanges(t *testing.T) {
	scenario(t, "IAM parameter ranges and the access-key quota", func(r *run) {
		policy := func(in iam.UpdateAccountPasswordPolicyInput) error {
			_, err := r.IAM.UpdateAccountPasswordPolicy(r.ctx, &in)
			return err
		}
		// "MinimumPasswordLength … Valid Range: Minimum value of 6. Maximum value
		// of 128." "MaxPasswordAge … Valid Range: Minimum value of 1. Maximum value
		// of 1095." "PasswordReusePrevention … Valid Range: Minimum value of 1.
		// Maximum value of 24."
		ranges := []struct {
			name string
			in   iam.UpdateAccountPasswordPolicyInput
		}{
			{"MinimumPasswordLength=5", iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)}},
			{"MinimumPasswordLength=129", iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)}},
			{"MaxPasswordAge=1096", iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)}},
			{"PasswordReusePrevention=25", iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)}},
		}
		for _, c := range ranges {
			r.wantError("UpdateAccountPasswordPolicy "+c.name, awsDoc{
				says: "ValidationError (HTTP 400): the value is outside the parameter's valid range", ref: refUpdatePolicy,
			}, policy(c.in), "ValidationError")
		}
		_, err := r.IAM.GetAccountPasswordPolicy(r.ctx, &iam.GetAccountPasswordPolicyInput{})
		r.wantError("GetAccountPasswordPolicy after the refused updates", awsDoc{
			says: "NoSuchEntity (HTTP 404): a refused update sets no policy", ref: refGetPolicy,
		}, err, "NoSuchEntity")

		user := "long-password"
		_, err = r.IAM.CreateUser(r.ctx, &iam.CreateUserInput{UserName: &user})
		r.must("CreateUser", err)
		// CreateLoginProfile Password: "Length Constraints: Minimum length of 1.
		// Maximum length of 128."
		long := "Aa1!" + strings.Repeat("x", 125)
		_, err = r.IAM.CreateLoginProfile(r.ctx, &iam.CreateLoginProfileInput{UserName: &user, Password: &long})
		r.wantError("CreateLoginProfile with a 129-character password", awsDoc{
			says: "ValidationError (HTTP 400): passwords are at most 128 characters", ref: refCreateLoginProfile,
		}, err, "ValidationError")

		// CreateAccessKey: LimitExceeded, HTTP 409; IAM quotas allow two access
		// keys per user.
		for range 2 {
			_, err = r.IAM.CreateAccessKey(r.ctx, &iam.CreateAccessKeyInput{UserName: &user})
			r.must("CreateAccessKey", err)
		}
		_, err = r.IAM.CreateAccessKey(r.ctx, &iam.CreateAccessKeyInput{UserName: &user})
		r.wantError("a third CreateAccessKey for one user", awsDoc{
			says: "LimitExceeded (HTTP 409): two access keys per user", ref: refIAMQuotas,
		}, err, "LimitExceeded")
	})
}
