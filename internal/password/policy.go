// Package password models an IAM account password policy and generates passwords
// that satisfy it by construction, from crypto/rand, using only IAM's symbols.
package password

// Symbols are the 20 non-alphanumeric characters IAM password policies accept.
const Symbols = "!@#$%^&*()_+-=[]{}|'"

// Policy is an account password policy as GetAccountPasswordPolicy reports it.
type Policy struct {
	MinimumLength    int
	RequireSymbols   bool
	RequireNumbers   bool
	RequireUppercase bool
	RequireLowercase bool
	// AllowUsersToChangePassword: when true, users may change their own password
	// without IAMUserChangePassword.
	AllowUsersToChangePassword bool
	// MaxAgeDays is how long a password lasts (0: forever); with HardExpiry
	// an expired password can only be reset by an administrator.
	// ReusePrevention is how many earlier passwords may not come back. They
	// do not shape the passwords gatehouse makes, only what the account
	// demands of people afterwards.
	MaxAgeDays      int
	HardExpiry      bool
	ReusePrevention int
	// Default marks AWS's default policy (no custom policy set): at least 8
	// characters and three of the four character classes.
	Default bool
}

// DefaultPolicy is AWS's default policy, which applies when the account has none.
var DefaultPolicy = Policy{MinimumLength: 8, Default: true}
