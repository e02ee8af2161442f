package password

import (
	"fmt"
	"strings"
)

// MaxLength is the longest password IAM accepts.
const MaxLength = 128

// Character classes a generated password draws from. Together with Symbols they
// are the only characters gatehouse ever puts in a password.
const (
	Uppercase = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	Lowercase = "abcdefghijklmnopqrstuvwxyz"
	Digits    = "0123456789"
)

// defaultClassesNeeded is how many of the four classes AWS's default policy asks for.
const defaultClassesNeeded = 3

// Rule names one password requirement.
type Rule string

// The rules Check applies.
const (
	RuleMinLength  Rule = "minimum-length"  // shorter than the policy's minimum
	RuleMaxLength  Rule = "maximum-length"  // longer than IAM's 128 characters
	RuleUppercase  Rule = "uppercase"       // policy requires an uppercase letter
	RuleLowercase  Rule = "lowercase"       // policy requires a lowercase letter
	RuleNumber     Rule = "number"          // policy requires a digit
	RuleSymbol     Rule = "symbol"          // policy requires one of IAM's 20 symbols
	RuleClasses    Rule = "character-types" // AWS's default policy: three of the four classes
	RuleCharacters Rule = "characters"      // a character outside letters, digits and Symbols
)

// Violation is one way a password breaks a policy. Its message never contains
// the password or any of its characters.
type Violation struct {
	Rule    Rule
	Message string
}

func (v Violation) String() string { return v.Message }

// ViolationError reports every violation of a password that must not be used.
type ViolationError struct {
	Violations []Violation
}

func (e *ViolationError) Error() string {
	msgs := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		msgs[i] = v.Message
	}
	return "password breaks the account password policy: " + strings.Join(msgs, "; ")
}

// Check reports every way pw breaks policy p (AWS's default policy when p.Default),
// and flags characters other than letters, digits and IAM's 20 Symbols, which
// gatehouse never uses. An empty result means pw is safe to set.
func Check(p Policy, pw string) []Violation {
	var out []Violation
	add := func(r Rule, format string, args ...any) {
		out = append(out, Violation{Rule: r, Message: fmt.Sprintf(format, args...)})
	}
	n := len([]rune(pw))
	if minLen := p.MinimumLength; n < minLen {
		add(RuleMinLength, "has %d characters; the policy asks for at least %d", n, minLen)
	}
	if n > MaxLength {
		add(RuleMaxLength, "has %d characters; IAM accepts at most %d", n, MaxLength)
	}
	c := classify(pw)
	if c.other > 0 {
		add(RuleCharacters, "has %d characters other than letters, digits and IAM's symbols %s", c.other, Symbols)
	}
	if p.Default {
		if present := c.present(); present < defaultClassesNeeded {
			add(RuleClasses, "has %d of the four character types (uppercase, lowercase, numbers, symbols); AWS's default policy asks for %d",
				present, defaultClassesNeeded)
		}
		return out
	}
	for _, r := range []struct {
		required bool
		count    int
		rule     Rule
		what     string
	}{
		{p.RequireUppercase, c.upper, RuleUppercase, "an uppercase letter"},
		{p.RequireLowercase, c.lower, RuleLowercase, "a lowercase letter"},
		{p.RequireNumbers, c.digit, RuleNumber, "a number"},
		{p.RequireSymbols, c.symbol, RuleSymbol, "one of IAM's symbols " + Symbols},
	} {
		if r.required && r.count == 0 {
			add(r.rule, "has no %s; the policy requires one", r.what)
		}
	}
	return out
}

// Verify is Check as an error: nil, or a *ViolationError listing every violation.
func Verify(p Policy, pw string) error {
	if v := Check(p, pw); len(v) > 0 {
		return &ViolationError{Violations: v}
	}
	return nil
}

// classCounts counts the characters of each class in a password.
type classCounts struct {
	upper, lower, digit, symbol, other int
}

func (c classCounts) present() int {
	n := 0
	for _, k := range []int{c.upper, c.lower, c.digit, c.symbol} {
		if k > 0 {
			n++
		}
	}
	return n
}

func classify(pw string) classCounts {
	var c classCounts
	for _, r := range pw {
		switch {
		case 'A' <= r && r <= 'Z':
			c.upper++
		case 'a' <= r && r <= 'z':
			c.lower++
		case '0' <= r && r <= '9':
			c.digit++
		case strings.ContainsRune(Symbols, r):
			c.symbol++
		default:
			c.other++
		}
	}
	return c
}
