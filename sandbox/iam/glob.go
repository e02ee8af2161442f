package iam

import "strings"

// globMatch matches s against an IAM pattern: "*" is any run of characters
// (slashes and colons included), "?" any one character. It is byte-wise, as
// ARNs and action names are ASCII; callers lower-case both sides where IAM
// compares without case (actions).
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, from := -1, 0 // the last "*" seen and where in s it began to match
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]) && pattern[p] != '*':
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, from = p, i
			p++
		case star >= 0: // let the last "*" take one more character
			from++
			p, i = star+1, from
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// substituteVariables replaces IAM policy variables (${aws:username}) in a
// resource pattern. ${*}, ${?} and ${$} become those characters; AWS then
// matches them literally, the sandbox as wildcards (no resource the sandbox
// knows holds them). A variable without a value makes the pattern unusable:
// its name is returned, as the simulator reports it among the missing context
// values.
func substituteVariables(pattern string, vars map[string]string) (string, string) {
	if !strings.Contains(pattern, "${") {
		return pattern, ""
	}
	var b strings.Builder
	for {
		open := strings.Index(pattern, "${")
		if open < 0 {
			b.WriteString(pattern)
			return b.String(), ""
		}
		end := strings.IndexByte(pattern[open:], '}')
		if end < 0 {
			b.WriteString(pattern)
			return b.String(), ""
		}
		b.WriteString(pattern[:open])
		name := pattern[open+2 : open+end]
		switch v, ok := vars[strings.ToLower(name)]; {
		case name == "*" || name == "?" || name == "$":
			b.WriteString(name)
		case ok:
			b.WriteString(v)
		default:
			return "", name
		}
		pattern = pattern[open+end+1:]
	}
}
