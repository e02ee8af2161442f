package awsproto

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Rule is a parameter constraint from a service model: length bounds and a pattern.
type Rule struct {
	Min, Max int
	// Pattern is the model's pattern, shown in messages; Re is its compiled, anchored form.
	Pattern string
	Re      *regexp.Regexp
}

// NewRule builds a rule from a model pattern (anchored on both ends).
func NewRule(min, max int, pattern string) Rule {
	r := Rule{Min: min, Max: max, Pattern: pattern}
	if pattern != "" {
		r.Re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return r
}

// Validator collects constraint failures the way AWS reports them:
// "N validation errors detected: Value 'x' at 'field' failed to satisfy constraint: …; …".
type Validator struct {
	problems []string
}

// Required checks a required parameter and its rule.
func (v *Validator) Required(p Params, name string, rule Rule) string {
	if !p.Has(name) {
		v.problems = append(v.problems, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name)))
		return ""
	}
	val := p.Get(name)
	v.Check(name, val, rule)
	return val
}

// Optional checks an optional parameter when present and returns it (or "").
func (v *Validator) Optional(p Params, name string, rule Rule) string {
	if !p.Has(name) {
		return ""
	}
	val := p.Get(name)
	v.Check(name, val, rule)
	return val
}

// Check applies a rule to a value already extracted.
func (v *Validator) Check(name, val string, rule Rule) {
	field := lowerFirst(name)
	n := utf8.RuneCountInString(val)
	shown := val
	if n > 256 {
		shown = string([]rune(val)[:256]) + "…"
	}
	switch {
	case rule.Min > 0 && n < rule.Min:
		v.problems = append(v.problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", shown, field, rule.Min))
	case rule.Max > 0 && n > rule.Max:
		v.problems = append(v.problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", shown, field, rule.Max))
	case rule.Re != nil && !rule.Re.MatchString(val):
		v.problems = append(v.problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", shown, field, rule.Pattern))
	}
}

// RequiredValue checks a required member of a decoded JSON request: an
// empty string is a missing member.
func (v *Validator) RequiredValue(name, val string, rule Rule) {
	if val == "" {
		v.problems = append(v.problems, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name)))
		return
	}
	v.Check(name, val, rule)
}

// OptionalValue checks an optional member of a decoded JSON request when it
// is given.
func (v *Validator) OptionalValue(name, val string, rule Rule) {
	if val != "" {
		v.Check(name, val, rule)
	}
}

// AtMost checks a list member's length.
func (v *Validator) AtMost(name string, n, limit int) {
	if n > limit {
		v.problems = append(v.problems, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", lowerFirst(name), limit))
	}
}

// Addf records a free-form constraint failure.
func (v *Validator) Addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// Err returns the collected problems as one ValidationError, or nil.
func (v *Validator) Err() error {
	return v.ErrCode("ValidationError")
}

// ErrCode is Err with a service-specific code (ValidationException for JSON services).
func (v *Validator) ErrCode(code string) error {
	switch len(v.problems) {
	case 0:
		return nil
	case 1:
		return &Error{Status: 400, Code: code, Message: "1 validation error detected: " + v.problems[0]}
	}
	return &Error{Status: 400, Code: code, Message: fmt.Sprintf("%d validation errors detected: %s", len(v.problems), strings.Join(v.problems, "; "))}
}
