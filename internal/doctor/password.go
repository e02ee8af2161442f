package doctor

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/shell"
)

// passwordPolicy reads what the account demands of passwords, and whether
// gatehouse can make passwords that meet it; nil when it cannot be read.
func (c *checker) passwordPolicy(ctx context.Context, api accountAPI, account string) (*password.Policy, []Finding) {
	p, err := password.FetchPolicy(ctx, api)
	if err != nil {
		return nil, []Finding{{Account: account, Check: CheckPasswordPolicy, Severity: Warning,
			Message: "the password policy could not be read: " + says(err),
			Fix:     inAccount(account, "allow iam:GetAccountPasswordPolicy: "+c.doctorPolicyCommand())}}
	}
	var out []Finding
	f := Finding{Account: account, Check: CheckPasswordPolicy, Severity: OK, Message: "password policy: " + describe(p)}
	if p.Default {
		f.Severity = Warning
		f.Message = "the account has no password policy, so AWS's default applies (at least 8 characters of three of the four kinds, " +
			"never expiring): people choose their next password under it"
		strong := password.Policy{MinimumLength: 14, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true,
			RequireSymbols: true, AllowUsersToChangePassword: true, ReusePrevention: 24}
		f.Fix = inAccount(account, updatePolicyCommand(strong))
	}
	out = append(out, f)
	if n, err := password.Length(p, c.in.Password.Length); err != nil {
		out = append(out, Finding{Account: account, Check: CheckPasswordPolicy, Severity: Error,
			Message: "gatehouse cannot make a password for this policy: " + err.Error(),
			Fix:     "set password.length (--password-length) between the policy's minimum and 128"})
	} else if n > c.in.Password.Length && c.in.Password.Length > 0 {
		out[0].Message += fmt.Sprintf("; gatehouse makes its passwords %d characters long, the policy's minimum", n)
	}
	if p.HardExpiry && p.MaxAgeDays > 0 {
		soft := p
		soft.HardExpiry = false
		out = append(out, Finding{Account: account, Check: CheckPasswordPolicy, Severity: Warning,
			Message: fmt.Sprintf("passwords expire after %d days with hard expiry: someone who has not signed in by then "+
				"cannot choose a new password and needs an administrator to reset it", p.MaxAgeDays),
			Fix: inAccount(account, updatePolicyCommand(soft)) + " (the same policy without --hard-expiry)"})
	}
	return &p, out
}

// describe sums a password policy up: what it demands of every password.
func describe(p password.Policy) string {
	parts := []string{fmt.Sprintf("at least %d characters", p.MinimumLength)}
	var kinds []string
	for _, k := range []struct {
		on   bool
		what string
	}{{p.RequireUppercase, "uppercase"}, {p.RequireLowercase, "lowercase"}, {p.RequireNumbers, "numbers"}, {p.RequireSymbols, "symbols"}} {
		if k.on {
			kinds = append(kinds, k.what)
		}
	}
	if len(kinds) > 0 {
		parts = append(parts, "with "+strings.Join(kinds, ", "))
	}
	if p.MaxAgeDays > 0 {
		parts = append(parts, fmt.Sprintf("expiring after %d days", p.MaxAgeDays))
	}
	if p.ReusePrevention > 0 {
		parts = append(parts, fmt.Sprintf("none of the last %d again", p.ReusePrevention))
	}
	if p.AllowUsersToChangePassword {
		parts = append(parts, "users may change their own")
	}
	return strings.Join(parts, ", ")
}

// updatePolicyCommand sets policy p in full: UpdateAccountPasswordPolicy
// resets whatever it is not given.
func updatePolicyCommand(p password.Policy) string {
	words := []string{"aws", "iam", "update-account-password-policy", "--minimum-password-length", strconv.Itoa(p.MinimumLength)}
	for _, f := range []struct {
		on   bool
		flag string
	}{
		{p.RequireUppercase, "--require-uppercase-characters"}, {p.RequireLowercase, "--require-lowercase-characters"},
		{p.RequireNumbers, "--require-numbers"}, {p.RequireSymbols, "--require-symbols"},
		{p.AllowUsersToChangePassword, "--allow-users-to-change-password"}, {p.HardExpiry, "--hard-expiry"},
	} {
		if f.on {
			words = append(words, f.flag)
		}
	}
	if p.MaxAgeDays > 0 {
		words = append(words, "--max-password-age", strconv.Itoa(p.MaxAgeDays))
	}
	if p.ReusePrevention > 0 {
		words = append(words, "--password-reuse-prevention", strconv.Itoa(p.ReusePrevention))
	}
	return shell.Line(words)
}

// firstSignIn checks that people can choose their own password when they
// first sign in, as gatehouse requires of them: either the policy lets
// users change their password, or AWS's IAMUserChangePassword, which
// gatehouse then attaches, exists. (A group that denies it is the groups'
// check.)
func (c *checker) firstSignIn(ctx context.Context, api accountAPI, account string, p *password.Policy) Finding {
	f := Finding{Account: account, Check: CheckFirstSignIn}
	switch {
	case !c.in.Password.ResetRequired:
		f.Severity = Warning
		f.Message = "passwords are not reset at first sign-in (password.reset_required: false, --no-reset-required): the password " +
			"that was delivered stays valid for as long as the policy lets it"
		f.Fix = "drop --no-reset-required, or set password.reset_required: true"
		return f
	case p.AllowUsersToChangePassword:
		f.Severity, f.Message = OK, "the password policy lets users change their own password, so the reset at first sign-in works"
		return f
	}
	arn := "arn:" + c.caller.Partition + ":iam::aws:policy/IAMUserChangePassword"
	_, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	switch err = awsx.Classify(err); {
	case err == nil:
		f.Severity = OK
		f.Message = "the password policy does not let users change their own password, so gatehouse attaches " +
			"IAMUserChangePassword to each user for the reset at first sign-in; it exists here"
	case notFound(err):
		f.Severity = Error
		f.Message = "the password policy does not let users change their own password, and AWS's managed policy " +
			"IAMUserChangePassword, which gatehouse would attach instead, does not exist here: people could not set their password"
		allow := *p
		allow.AllowUsersToChangePassword = true
		f.Fix = inAccount(account, updatePolicyCommand(allow)) + " (the same policy, letting users change their password; " +
			"on moto or LocalStack, MOTO_IAM_LOAD_MANAGED_POLICIES=true loads the managed policy instead)"
	default:
		f.Severity = Warning
		f.Message = "whether " + arn + " exists could not be read: " + says(err)
		f.Fix = inAccount(account, "allow iam:GetPolicy: "+c.doctorPolicyCommand())
	}
	return f
}
