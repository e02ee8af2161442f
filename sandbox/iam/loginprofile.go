package iam

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func loginProfileOperations(ops map[string]awsproto.Operation) {
	ops["CreateLoginProfile"] = write(createLoginProfile)
	ops["GetLoginProfile"] = read(getLoginProfile)
	ops["UpdateLoginProfile"] = write(updateLoginProfile)
	ops["DeleteLoginProfile"] = write(deleteLoginProfile)
	ops["ChangePassword"] = write(changePassword)
}

// passwordRule is the model's passwordType. Passwords are sensitive: their
// validation messages never echo the value.
var passwordRule = awsproto.NewRule(1, 128, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)

// xmlLoginProfile is the LoginProfile shape.
type xmlLoginProfile struct {
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
}

type loginProfileResult struct {
	LoginProfile xmlLoginProfile
}

func loginProfileXML(u *iamstate.User) loginProfileResult {
	return loginProfileResult{xmlLoginProfile{u.Name, u.LoginProfile.Created, u.LoginProfile.ResetRequired}}
}

// readPassword reads a sensitive parameter, checking the model's rule without
// ever putting the value in an error message.
func readPassword(p awsproto.Params, v *awsproto.Validator, name string, required bool) string {
	field := lowerFirstASCII(name)
	if !p.Has(name) {
		if required {
			v.Addf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		}
		return ""
	}
	val := p.Get(name)
	switch n := utf8.RuneCountInString(val); {
	case n < passwordRule.Min:
		v.Addf("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", field, passwordRule.Min)
	case n > passwordRule.Max:
		v.Addf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field, passwordRule.Max)
	case !passwordRule.Re.MatchString(val):
		v.Addf("Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", field, passwordRule.Pattern)
	}
	return val
}

func lowerFirstASCII(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// profileUser resolves an optional UserName: without one, the signing IAM user.
func profileUser(r *awsproto.Request, a iamAccount, name string) (*iamstate.User, error) {
	if name == "" {
		cred, ok := r.World.Credentials[r.Caller.AccessKeyID]
		if !ok || cred.User == "" {
			return nil, awsproto.ValidationError("Must specify userName when calling with non-User credentials")
		}
		name = cred.User
	}
	return findUser(a, name)
}

// findLoginProfile returns the user's login profile or IAM's NoSuchEntity.
func findLoginProfile(u *iamstate.User) (*iamstate.LoginProfile, error) {
	if u.LoginProfile == nil {
		return nil, noSuchEntity("Login Profile for User %s cannot be found.", u.Name)
	}
	return u.LoginProfile, nil
}

func createLoginProfile(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", userNameRule)
	password := readPassword(r.Params, &v, "Password", true)
	reset := readBool(r.Params, &v, "PasswordResetRequired")
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := profileUser(r, a, name)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile != nil {
		return nil, entityAlreadyExists("Login Profile for user %s already exists.", u.Name)
	}
	if err := checkPasswordPolicy(a.PasswordPolicy, password); err != nil {
		return nil, err
	}
	u.LoginProfile = iamstate.NewLoginProfile(password, reset)
	return loginProfileXML(u), nil
}

func getLoginProfile(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", userNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := profileUser(r, accountToRead(r), name)
	if err != nil {
		return nil, err
	}
	if _, err := findLoginProfile(u); err != nil {
		return nil, err
	}
	return loginProfileXML(u), nil
}

func updateLoginProfile(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Required(r.Params, "UserName", userNameRule)
	password := readPassword(r.Params, &v, "Password", false)
	reset, setReset, err := r.Params.Bool("PasswordResetRequired")
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := accountToWrite(r)
	u, err := findUser(a, name)
	if err != nil {
		return nil, err
	}
	lp, err := findLoginProfile(u)
	if err != nil {
		return nil, err
	}
	if r.Params.Has("Password") {
		if err := setPassword(a.PasswordPolicy, lp, password); err != nil {
			return nil, err
		}
	}
	if setReset {
		lp.ResetRequired = reset
	}
	return nil, nil
}

// setPassword checks the policy and reuse prevention, then replaces the password.
func setPassword(pp *iamstate.PasswordPolicy, lp *iamstate.LoginProfile, password string) error {
	if err := checkPasswordPolicy(pp, password); err != nil {
		return err
	}
	if err := checkReuse(pp, lp, password); err != nil {
		return err
	}
	lp.SetPassword(password)
	return nil
}

func deleteLoginProfile(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	name := v.Optional(r.Params, "UserName", userNameRule)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := profileUser(r, accountToWrite(r), name)
	if err != nil {
		return nil, err
	}
	if _, err := findLoginProfile(u); err != nil {
		return nil, err
	}
	u.LoginProfile = nil
	return nil, nil
}

func invalidUserType(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidUserType", format, args...)
}

// changePassword is an IAM user changing its own password: the caller must sign
// with one of its own access keys and know its current password.
func changePassword(r *awsproto.Request) (any, error) {
	var v awsproto.Validator
	oldPassword := readPassword(r.Params, &v, "OldPassword", true)
	newPassword := readPassword(r.Params, &v, "NewPassword", true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	cred, ok := r.World.Credentials[r.Caller.AccessKeyID]
	if !ok || cred.User == "" {
		return nil, invalidUserType("Only IAM Users can change their own password.")
	}
	a := accountToWrite(r)
	u, err := findUser(a, cred.User)
	if err != nil {
		return nil, err
	}
	lp, err := findLoginProfile(u)
	if err != nil {
		return nil, err
	}
	if !lp.Matches(oldPassword) {
		return nil, invalidUserType("The old password is incorrect.")
	}
	if err := setPassword(a.PasswordPolicy, lp, newPassword); err != nil {
		return nil, err
	}
	lp.ResetRequired = false
	return nil, nil
}
