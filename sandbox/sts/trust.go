package sts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// policyDoc is an IAM policy document as a role's trust policy holds it.
type policyDoc struct {
	Version   string
	Statement statements
}

// statements accepts a single statement object or a list of them.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

type statement struct {
	Sid          string
	Effect       string
	Principal    *principalSet
	NotPrincipal *principalSet
	Action       stringList
	NotAction    stringList
	Condition    map[string]map[string]stringList
}

// stringList accepts a string, a boolean, a number or a list of them, as policy
// grammar does ("Bool": {"aws:MultiFactorAuthPresent": true} is common).
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	items, isList := raw.([]any)
	if !isList {
		items = []any{raw}
	}
	out := make(stringList, 0, len(items))
	for _, it := range items {
		switch v := it.(type) {
		case string:
			out = append(out, v)
		case bool, float64:
			out = append(out, fmt.Sprint(v))
		default:
			return fmt.Errorf("policy value %v is neither a string, a boolean nor a number", it)
		}
	}
	*l = out
	return nil
}

// principalSet is a Principal element: "*" or {"AWS": …, "Service": …, …}.
type principalSet struct {
	anyone bool
	byType map[string]stringList
}

func (p *principalSet) UnmarshalJSON(b []byte) error {
	var star string
	if json.Unmarshal(b, &star) == nil {
		if star != "*" {
			return fmt.Errorf("principal %q is neither \"*\" nor an object", star)
		}
		p.anyone = true
		return nil
	}
	return json.Unmarshal(b, &p.byType)
}

// principal is the caller as trust policies see it.
type principal struct {
	account string
	// arns are the ARNs a Principal entry may name to mean this caller: the user
	// ARN, or for a role session both the role ARN and the assumed-role ARN.
	arns []string
	// uniqueID is the user's AIDA… or the role's AROA… ID: IAM rewrites the ARN of
	// a deleted principal to it, and it still matches the same entity.
	uniqueID string
}

// matches reports whether one Principal entry names the caller.
func (c principal) matches(p *principalSet) bool {
	if p.anyone {
		return true
	}
	for _, v := range p.byType["AWS"] {
		switch {
		case v == "*":
			return true
		case v == c.account, v == "arn:aws:iam::"+c.account+":root":
			return true
		case c.uniqueID != "" && v == c.uniqueID:
			return true
		}
		for _, arn := range c.arns {
			if strings.EqualFold(v, arn) {
				return true
			}
		}
	}
	return false // Service, Federated and CanonicalUser principals never sign sandbox requests
}

// evaluation is one authorization question against a trust policy.
type evaluation struct {
	action  string // e.g. sts:AssumeRole
	caller  principal
	context conditionContext
}

// allows evaluates a trust policy: an explicit Deny wins, then any Allow, and
// otherwise the request is implicitly denied. A document that does not parse
// denies everything, as IAM would never have stored it.
func (e evaluation) allows(document string) bool {
	var doc policyDoc
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		return false
	}
	allowed := false
	for _, st := range doc.Statement {
		if !e.applies(st) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

func (e evaluation) applies(st statement) bool {
	switch {
	case st.Principal != nil:
		if !e.caller.matches(st.Principal) {
			return false
		}
	case st.NotPrincipal != nil:
		if e.caller.matches(st.NotPrincipal) {
			return false
		}
	default:
		return false // a trust policy statement must name its principals
	}
	switch {
	case st.Action != nil:
		if !anyGlob(st.Action, e.action, true) {
			return false
		}
	case st.NotAction != nil:
		if anyGlob(st.NotAction, e.action, true) {
			return false
		}
	default:
		return false
	}
	return e.context.holds(st.Condition)
}

func anyGlob(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if glob(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if glob(p, s) {
			return true
		}
	}
	return false
}

// glob matches s against a pattern where * is any run of characters and ? is
// any one character, as IAM's Action and StringLike matching do.
func glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
