package doctor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/shell"
)

// Seed 001: the role gatehouse enters a member account through must trust
// as few principals as possible, else people of the member account — the
// ones gatehouse creates there, who may not touch IAM — can switch to it.

// trustFacts is what judging a member role's trust policy needs.
type trustFacts struct {
	member    string // the member account
	roleName  string
	callerAcc string // gatehouse's own account
	// callerARN is the IAM ARN of gatehouse's identity (its role or user),
	// "" when it runs as a root user or another principal policies cannot
	// name alone.
	callerARN  string
	partition  string
	externalID bool // the run sends an external ID
}

// trustDoc is a trust policy as far as judging it goes.
type trustDoc struct {
	Statement oneOrMany[trustStatement]
}

type trustStatement struct {
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       oneOrMany[string]
	NotAction    oneOrMany[string]
	Condition    map[string]map[string]json.RawMessage
}

// oneOrMany is a policy element that is one value or a list of them.
type oneOrMany[T any] []T

func (l *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		var many []T
		err := json.Unmarshal(b, &many)
		*l = many
		return err
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = oneOrMany[T]{one}
	return nil
}

// grantsAssume reports whether an Allow statement covers sts:AssumeRole.
func (s trustStatement) grantsAssume() bool {
	if !strings.EqualFold(s.Effect, "Allow") {
		return false
	}
	hit := slices.ContainsFunc(s.Action, func(a string) bool { return actionMatches(a, "sts:AssumeRole") })
	if len(s.NotAction) > 0 {
		return !slices.ContainsFunc(s.NotAction, func(a string) bool { return actionMatches(a, "sts:AssumeRole") })
	}
	return hit
}

// awsPrincipals returns the statement's AWS principals; "*" for Principal: "*".
func (s trustStatement) awsPrincipals() ([]string, error) {
	if len(s.Principal) == 0 {
		return nil, nil
	}
	var star string
	if json.Unmarshal(s.Principal, &star) == nil {
		return []string{star}, nil
	}
	var byType map[string]oneOrMany[string]
	if err := json.Unmarshal(s.Principal, &byType); err != nil {
		return nil, fmt.Errorf("reading its Principal: %w", err)
	}
	return byType["AWS"], nil
}

// conditionKeys lists the statement's condition keys.
func (s trustStatement) conditionKeys() []string {
	var keys []string
	for _, byKey := range s.Condition {
		for k := range byKey {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func (s trustStatement) requiresExternalID() bool {
	return slices.ContainsFunc(s.conditionKeys(), func(k string) bool { return strings.EqualFold(k, "sts:ExternalId") })
}

// actionMatches matches an action against a policy's action pattern
// (wildcards * and ?, no case).
func actionMatches(pattern, action string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(strings.ToLower(pattern))) + "$"
	ok, _ := regexp.MatchString(re, strings.ToLower(action))
	return ok
}

var (
	accountIDRe   = regexp.MustCompile(`^\d{12}$`)
	accountRootRe = regexp.MustCompile(`^arn:[a-z-]+:iam::(\d{12}):root$`)
)

// wholeAccount returns the account a principal stands for as a whole (its
// root ARN or bare ID), or "".
func wholeAccount(p string) string {
	if accountIDRe.MatchString(p) {
		return p
	}
	if m := accountRootRe.FindStringSubmatch(p); m != nil {
		return m[1]
	}
	return ""
}

// judgeTrust reads a member role's trust policy (decoded JSON) and reports
// principals it trusts beyond gatehouse, and an external ID it does not
// require.
func judgeTrust(doc string, f trustFacts) []Finding {
	var td trustDoc
	if err := json.Unmarshal([]byte(doc), &td); err != nil {
		return []Finding{{Account: f.member, Check: CheckTrust, Severity: Warning,
			Message: fmt.Sprintf("the trust policy of %s could not be read (%v); check by hand whom it trusts", f.roleName, err)}}
	}
	var out []Finding
	var named []string
	missingExternalID := false
	for i, st := range td.Statement {
		if !st.grantsAssume() {
			continue
		}
		which := fmt.Sprintf("statement %d", i+1)
		if len(st.NotPrincipal) > 0 {
			out = append(out, f.finding(Error, which+" allows sts:AssumeRole with NotPrincipal: every principal it does not list, in any account, may assume "+f.roleName))
			continue
		}
		principals, err := st.awsPrincipals()
		if err != nil {
			out = append(out, f.finding(Warning, which+": "+err.Error()))
			continue
		}
		if len(principals) > 0 && f.externalID && !st.requiresExternalID() {
			missingExternalID = true
		}
		for _, p := range principals {
			if fd, broad := f.judgePrincipal(which, p, st.conditionKeys()); broad {
				out = append(out, fd)
			} else if !slices.Contains(named, p) {
				named = append(named, p)
			}
		}
	}
	if missingExternalID {
		out = append(out, f.finding(Warning, fmt.Sprintf("the trust policy of %s does not require the external ID gatehouse sends "+
			"(role.external_id, --external-id): whoever it trusts may assume it without one", f.roleName)))
	}
	if len(out) == 0 {
		msg := fmt.Sprintf("the trust policy of %s lets only %s assume it", f.roleName, strings.Join(named, ", "))
		if f.externalID {
			msg += ", with the external ID"
		}
		return []Finding{{Account: f.member, Check: CheckTrust, Severity: OK, Message: msg}}
	}
	return out
}

// judgePrincipal judges one AWS principal of a statement; broad says
// whether it trusts more than one identity.
func (f trustFacts) judgePrincipal(which, p string, conditions []string) (Finding, bool) {
	sev := func(s Severity) Severity {
		if len(conditions) > 0 && s == Error {
			return Warning // narrowed by conditions the doctor does not evaluate
		}
		return s
	}
	narrowed := ""
	if len(conditions) > 0 {
		narrowed = " (narrowed only by its conditions on " + strings.Join(conditions, ", ") + ", which the doctor does not evaluate)"
	}
	switch acct := wholeAccount(p); {
	case p == "*":
		return f.finding(sev(Error), fmt.Sprintf("%s lets any AWS principal of any account (Principal \"*\") assume %s%s",
			which, f.roleName, narrowed)), true
	case acct == f.member:
		return f.finding(sev(Error), fmt.Sprintf("%s trusts the whole of account %s itself (%s): anyone there whose own policies allow "+
			"sts:AssumeRole — the people gatehouse creates there included — can switch to %s and gain its permissions%s",
			which, acct, p, f.roleName, narrowed)), true
	case acct == f.callerAcc:
		return f.finding(Warning, fmt.Sprintf("%s trusts the whole of account %s (%s), not gatehouse's identity alone: anyone there whose "+
			"own policies allow sts:AssumeRole can enter this account as %s%s", which, acct, p, f.roleName, narrowed)), true
	case acct != "":
		return f.finding(Warning, fmt.Sprintf("%s trusts the whole of account %s (%s), which is neither gatehouse's account nor this one%s",
			which, acct, p, narrowed)), true
	}
	return Finding{}, false
}

// finding is a trust finding whose fix is a trust policy that names
// gatehouse's identity alone.
func (f trustFacts) finding(s Severity, msg string) Finding {
	return Finding{Account: f.member, Check: CheckTrust, Severity: s, Message: msg, Fix: f.minimalTrustFix()}
}

// minimalTrustFix is the command that makes the role trust gatehouse alone.
func (f trustFacts) minimalTrustFix() string {
	doc, before, after := f.minimalTrust()
	cmd := shell.Line([]string{"aws", "iam", "update-assume-role-policy", "--role-name", f.roleName, "--policy-document", doc})
	return before + inAccount(f.member, cmd) + after
}

// minimalTrust is a trust policy that names gatehouse's identity alone (and
// requires the external ID when the run sends one), with what must happen
// before it can be used and a note for after.
func (f trustFacts) minimalTrust() (doc, before, after string) {
	principal := f.callerARN
	if principal == "" {
		principal = "arn:" + f.partition + ":iam::" + f.callerAcc + ":role/gatehouse"
		before = fmt.Sprintf("run gatehouse as a role of its own in account %s (here called gatehouse) rather than as its root user, then ", f.callerAcc)
	}
	type statement struct {
		Effect    string
		Principal struct{ AWS string }
		Action    string
		Condition map[string]map[string]string `json:",omitempty"`
	}
	st := statement{Effect: "Allow", Action: "sts:AssumeRole"}
	st.Principal.AWS = principal
	if f.externalID {
		st.Condition = map[string]map[string]string{"StringEquals": {"sts:ExternalId": "EXTERNAL_ID"}}
		after = " (with your external ID for EXTERNAL_ID)"
	}
	b, _ := json.Marshal(struct {
		Version   string
		Statement []statement
	}{"2012-10-17", []statement{st}})
	return string(b), before, after
}
