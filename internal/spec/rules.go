package spec

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// rule is a format a value must have, with the words that explain it.
type rule struct {
	what string // "user name"
	re   *regexp.Regexp
	fix  string
	max  int // a length limit beyond what Go's regexp can count (0: none)
}

func newRule(what, pattern, fix string) rule {
	return rule{what: what, re: regexp.MustCompile(pattern), fix: fix}
}

func (r rule) withMax(n int) rule { r.max = n; return r }

func (r rule) matches(s string) bool {
	return r.re.MatchString(s) && (r.max == 0 || utf8.RuneCountInString(s) <= r.max)
}

// check reports v when it does not match; an unset value passes.
func (r rule) check(v val[string], probs *Problems) bool {
	if !v.Set || r.matches(v.V) {
		return true
	}
	probs.add(v.Pos, r.what+" "+quote(v.V), r.fix)
	return false
}

// IAM's characters for names, and a path segment (printable ASCII except /).
const (
	iamChars = `[A-Za-z0-9+=,.@_-]`
	segment  = `[\x21-\x2e\x30-\x7e]+/`
	tagChars = `[\p{L}\p{Z}\p{N}_.:/=+\-@]`
)

var (
	accountIDRule = newRule("account ID", `^[0-9]{12}$`,
		`AWS account IDs are exactly 12 digits, e.g. "111122223333"`)
	ouIDRule = newRule("OU ID", `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`,
		"OU IDs look like ou-ab12-cd34ef56: ou-, 4–32 lowercase letters or digits, -, then 8–32 more "+
			"(aws organizations list-organizational-units-for-parent shows them)")
	userNameRule = newRule("user name", `^`+iamChars+`{1,64}$`,
		"IAM user names are 1–64 characters from A-Z a-z 0-9 + = , . @ _ -")
	groupRule = newRule("group name", `^`+iamChars+`{1,128}$`,
		"IAM group names are 1–128 characters from A-Z a-z 0-9 + = , . @ _ -")
	roleNameRule = newRule("role name", `^(`+iamChars+`+/)*`+iamChars+`{1,64}$`,
		"IAM role names are 1–64 characters from A-Z a-z 0-9 + = , . @ _ - (a path may come first: "+
			"path/Name); for a full ARN use role.arn, or --role arn:…")
	roleARNRule = newRule("role ARN template",
		`^arn:aws(-cn|-us-gov)?:iam::(\{account\}|[0-9]{12}):role/(`+segment+`)*`+iamChars+`{1,64}$`,
		"write arn:aws:iam::{account}:role/NAME (arn:aws-cn:… and arn:aws-us-gov:… work too); "+
			"gatehouse puts each account's ID in place of {account}")
	externalIDRule = newRule("external ID", `^[A-Za-z0-9+=,.@:/_-]{2,}$`,
		"external IDs are 2–1224 characters from A-Z a-z 0-9 + = , . @ : / _ -").withMax(1224)
	sessionNameRule = newRule("session name", `^`+iamChars+`{2,64}$`,
		"role session names are 2–64 characters from A-Z a-z 0-9 + = , . @ _ -")
	pathRule = newRule("path", `^(/|/[\x21-\x7e]{1,510}/)$`,
		"IAM paths start and end with / (e.g. /staff/) and hold up to 512 printable ASCII characters")
	policyRule = newRule("policy", `^(arn:aws(-cn|-us-gov)?:iam::(aws|[0-9]{12}):policy/(`+segment+`)*|(`+
		iamChars+`+/)*)`+iamChars+`{1,128}$`,
		"use a managed policy's ARN (arn:aws:iam::aws:policy/ReadOnlyAccess, "+
			"arn:aws:iam::111122223333:policy/Name) or an AWS managed policy's name (ReadOnlyAccess)")
	// Tag lengths are counted apart: a Unicode class repeated {0,256} compiles
	// to a program that costs every gatehouse command 14 MB and 10 ms at start.
	tagKeyRule = newRule("tag key", `^`+tagChars+`+$`,
		"tag keys are 1–128 letters, digits, spaces and _ . : / = + - @").withMax(128)
	tagValueRule = newRule("tag value", `^`+tagChars+`*$`, tagValueFix).withMax(256)
)

// boundaryRule is policyRule with its own name in messages.
var boundaryRule = rule{what: "permissions boundary", re: policyRule.re, fix: policyRule.fix}

const tagValueFix = "tag values are up to 256 letters, digits, spaces and _ . : / = + - @"

// isEmail reports whether s is a bare e-mail address (no display name, no
// angle brackets) whose domain has a dot.
// IsEmail reports whether s is an e-mail address as gatehouse takes them.
func IsEmail(s string) bool { return isEmail(s) }

func isEmail(s string) bool {
	// net/mail rejects empty labels (a@.x, a@x., a@x..y); an address that
	// parses to anything but itself had a display name, <>, quotes or a comment.
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, "[") // no IP literals
}

const emailFix = "write a bare address like name@example.com (no display name or <>), whose domain has a dot"

// checkEmail checks a person's address: well formed, and usable as the value of
// the tag gatehouse puts on the user.
func checkEmail(v val[string], probs *Problems) bool {
	if !v.Set {
		return true
	}
	if !isEmail(v.V) {
		probs.add(v.Pos, "e-mail address "+quote(v.V), emailFix)
		return false
	}
	if !tagValueRule.matches(v.V) {
		probs.add(v.Pos, "e-mail address "+quote(v.V), "gatehouse tags the IAM user with the address, and "+
			"IAM tag values allow only letters, digits, spaces and _ . : / = + - @")
		return false
	}
	return true
}

// checkSender checks a From or Reply-To address, which may have a display name.
func checkSender(v val[string], what string, probs *Problems) {
	if !v.Set || v.V == "" {
		return
	}
	a, err := mail.ParseAddress(v.V)
	if err == nil && isEmail(a.Address) {
		return
	}
	probs.add(v.Pos, what+" "+quote(v.V), `write an address like noreply@example.com or "IT <noreply@example.com>"`)
}

// checkEnum reports a value that is not one of the accepted ones (any case).
func checkEnum(v val[string], what string, accepted []string, probs *Problems) {
	if !v.Set || slices.Contains(accepted, strings.ToLower(v.V)) {
		return
	}
	probs.add(v.Pos, what+" "+quote(v.V), "use one of: "+oneOf(accepted))
}

// checkLine reports text that is not a single printable line of at most max
// characters (display names, subjects: they end up in mail headers).
func checkLine(v val[string], what string, max int, probs *Problems) {
	if !v.Set {
		return
	}
	bad := strings.ContainsFunc(v.V, func(r rune) bool { return unicode.IsControl(r) })
	if bad || utf8.RuneCountInString(v.V) > max {
		probs.add(v.Pos, what+" "+quote(v.V), "keep it to one line of at most "+plural(max, "character"))
	}
}

// checkTags checks tag keys and values and reports repeated keys; IAM treats
// keys that differ only in case as the same key.
func checkTags(tags []tagDraft, probs *Problems) {
	seen := map[string]Pos{}
	for _, t := range tags {
		if !tagKeyRule.check(t.key, probs) {
			continue
		}
		lower := strings.ToLower(t.key.V)
		switch {
		case strings.HasPrefix(lower, "aws:"):
			probs.add(t.key.Pos, "tag key "+quote(t.key.V), "keys starting with aws: are reserved by AWS; choose another")
		case !tagValueRule.matches(t.value.V):
			probs.add(t.value.Pos, "value of tag "+quote(t.key.V)+" "+quote(t.value.V), tagValueFix)
		}
		if first, dup := seen[lower]; dup {
			probs.add(t.key.Pos, "tag key "+quote(t.key.V), "already set at "+first.String()+
				" (IAM tag keys ignore case); keep one")
		}
		seen[lower] = t.key.Pos
	}
}
