package iam

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func passwordPolicyOperations(ops map[string]awsproto.Operation) {
	ops["GetAccountPasswordPolicy"] = read(getAccountPasswordPolicy)
	ops["UpdateAccountPasswordPolicy"] = write(updateAccountPasswordPolicy)
	ops["DeleteAccountPasswordPolicy"] = write(deleteAccountPasswordPolicy)
}

// iamSymbols are the only characters IAM counts as symbols in a password.
const iamSymbols = "!@#$%^&*()_+-=[]{}|'"

// AWS's default policy, which applies while an account has none of its own.
const (
	defaultMinLength     = 8
	defaultClassesNeeded = 3
)

// Defaults UpdateAccountPasswordPolicy applies to every parameter left out.
const policyMinLengthDefault = 6

// Messages IAM gives for each password rule.
const (
	msgUpper      = "Password should have at least one uppercase letter"
	msgLower      = "Password should have at least one lowercase letter"
	msgNumber     = "Password should have at least one number"
	msgSymbol     = "Password should have at least one symbol"
	msgMinLength  = "Password should have a minimum length of %d"
	msgNotConform = "Password does not conform to the account password policy."
)

func passwordPolicyViolation(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "PasswordPolicyViolation", format, args...)
}

// missingClasses reports which character classes pw lacks; only IAM's 20
// symbols count as symbols.
func missingClasses(pw string) (upper, lower, number, symbol bool) {
	upper, lower, number, symbol = true, true, true, true
	for _, c := range pw {
		switch {
		case 'A' <= c && c <= 'Z':
			upper = false
		case 'a' <= c && c <= 'z':
			lower = false
		case '0' <= c && c <= '9':
			number = false
		case strings.ContainsRune(iamSymbols, c):
			symbol = false
		}
	}
	return upper, lower, number, symbol
}

// checkPasswordPolicy returns PasswordPolicyViolation when pw breaks the account
// policy pp, or AWS's default policy when pp is nil. Messages never contain pw.
func checkPasswordPolicy(pp *iamstate.PasswordPolicy, pw string) error {
	if pp == nil {
		return checkDefaultPolicy(pw)
	}
	var problems []string
	if utf8.RuneCountInString(pw) < pp.MinimumPasswordLength {
		problems = append(problems, fmt.Sprintf(msgMinLength, pp.MinimumPasswordLength))
	}
	upper, lower, number, symbol := missingClasses(pw)
	for _, rule := range []struct {
		required, missing bool
		msg               string
	}{
		{pp.RequireUppercaseCharacters, upper, msgUpper},
		{pp.RequireLowercaseCharacters, lower, msgLower},
		{pp.RequireNumbers, number, msgNumber},
		{pp.RequireSymbols, symbol, msgSymbol},
	} {
		if rule.required && rule.missing {
			problems = append(problems, rule.msg)
		}
	}
	if len(problems) > 0 {
		return passwordPolicyViolation("%s", strings.Join(problems, ", "))
	}
	return nil
}

// checkDefaultPolicy applies AWS's default policy: at least 8 characters and at
// least three of uppercase, lowercase, numbers and symbols.
func checkDefaultPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < defaultMinLength {
		return passwordPolicyViolation(msgMinLength, defaultMinLength)
	}
	upper, lower, number, symbol := missingClasses(pw)
	var missing []string
	for _, c := range []struct {
		missing bool
		msg     string
	}{{upper, msgUpper}, {lower, msgLower}, {number, msgNumber}, {symbol, msgSymbol}} {
		if c.missing {
			missing = append(missing, c.msg)
		}
	}
	if present := 4 - len(missing); present < defaultClassesNeeded {
		return passwordPolicyViolation("Password should meet %d more of the following requirements: %s",
			defaultClassesNeeded-present, strings.Join(missing, ", "))
	}
	return nil
}

// checkReuse enforces PasswordReusePrevention against the profile's history.
func checkReuse(pp *iamstate.PasswordPolicy, lp *iamstate.LoginProfile, pw string) error {
	if pp != nil && lp.UsedBefore(pw, pp.PasswordReusePrevention) {
		return passwordPolicyViolation(msgNotConform)
	}
	return nil
}

// xmlPasswordPolicy is the PasswordPolicy shape.
type xmlPasswordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             int   `xml:",omitempty"`
	PasswordReusePrevention    int   `xml:",omitempty"`
	HardExpiry                 *bool `xml:",omitempty"`
}

func getAccountPasswordPolicy(r *awsproto.Request) (any, error) {
	a := accountToRead(r)
	pp := a.PasswordPolicy
	if pp == nil {
		return nil, noSuchEntity("The Password Policy with domain name %s cannot be found.", a.ID)
	}
	x := xmlPasswordPolicy{
		MinimumPasswordLength: pp.MinimumPasswordLength, RequireSymbols: pp.RequireSymbols,
		RequireNumbers: pp.RequireNumbers, RequireUppercaseCharacters: pp.RequireUppercaseCharacters,
		RequireLowercaseCharacters: pp.RequireLowercaseCharacters, AllowUsersToChangePassword: pp.AllowUsersToChangePassword,
		ExpirePasswords: pp.MaxPasswordAge > 0, MaxPasswordAge: pp.MaxPasswordAge,
		PasswordReusePrevention: pp.PasswordReusePrevention,
	}
	if pp.HardExpiry {
		x.HardExpiry = &pp.HardExpiry
	}
	return struct{ PasswordPolicy xmlPasswordPolicy }{x}, nil
}

// updateAccountPasswordPolicy replaces the whole policy: every parameter left out
// takes its default, as IAM does, rather than keeping its previous value.
func updateAccountPasswordPolicy(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	pp := &iamstate.PasswordPolicy{MinimumPasswordLength: policyMinLengthDefault}
	if n, ok := readIntRange(r.Params, &v, "MinimumPasswordLength", 6, 128); ok {
		pp.MinimumPasswordLength = n
	}
	pp.MaxPasswordAge, _ = readIntRange(r.Params, &v, "MaxPasswordAge", 1, 1095)
	pp.PasswordReusePrevention, _ = readIntRange(r.Params, &v, "PasswordReusePrevention", 1, 24)
	for _, f := range []struct {
		name string
		dst  *bool
	}{
		{"RequireSymbols", &pp.RequireSymbols}, {"RequireNumbers", &pp.RequireNumbers},
		{"RequireUppercaseCharacters", &pp.RequireUppercaseCharacters}, {"RequireLowercaseCharacters", &pp.RequireLowercaseCharacters},
		{"AllowUsersToChangePassword", &pp.AllowUsersToChangePassword}, {"HardExpiry", &pp.HardExpiry},
	} {
		*f.dst = readBool(r.Params, &v, f.name)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	accountToWrite(r).PasswordPolicy = pp
	return nil, nil
}

func deleteAccountPasswordPolicy(r *awsproto.Request) (any, error) {
	a := accountToWrite(r)
	if a.PasswordPolicy == nil {
		return nil, noSuchEntity("The account policy with name PasswordPolicy cannot be found.")
	}
	a.PasswordPolicy = nil
	return nil, nil
}

// readIntRange reads an optional integer with the model's range; ok is false when
// the parameter is absent or invalid.
func readIntRange(p awsproto.Params, v *awsproto.Validator, name string, lo, hi int) (int, bool) {
	n, present, err := p.Int(name)
	field := strings.ToLower(name[:1]) + name[1:]
	switch {
	case err != nil:
		v.Addf("Value '%s' at '%s' failed to satisfy constraint: Member must be a number", p.Get(name), field)
	case !present:
	case n < lo:
		v.Addf("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, field, lo)
	case n > hi:
		v.Addf("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, field, hi)
	default:
		return n, true
	}
	return 0, false
}

// readBool reads an optional boolean (false when absent).
func readBool(p awsproto.Params, v *awsproto.Validator, name string) bool {
	b, _, err := p.Bool(name)
	if err != nil {
		v.Addf("Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", p.Get(name), strings.ToLower(name[:1])+name[1:])
	}
	return b
}
