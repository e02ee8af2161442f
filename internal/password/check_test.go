package password

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func rules(vs []Violation) []Rule {
	out := make([]Rule, len(vs))
	for i, v := range vs {
		out[i] = v.Rule
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	all := Policy{MinimumLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}
	for _, tc := range []struct {
		name string
		p    Policy
		pw   string
		want []Rule
	}{
		{"all four satisfied", all, "Abcdefgh1234!", nil},
		{"too short", all, "Ab1!", []Rule{RuleMinLength}},
		{"no uppercase", all, "abcdefgh1234!", []Rule{RuleUppercase}},
		{"no lowercase", all, "ABCDEFGH1234!", []Rule{RuleLowercase}},
		{"no number", all, "Abcdefghijkl!", []Rule{RuleNumber}},
		{"no symbol", all, "Abcdefgh12345", []Rule{RuleSymbol}},
		{"non-IAM punctuation is no symbol", all, "Abcdefgh1234~", []Rule{RuleCharacters, RuleSymbol}},
		{"space is not allowed", Policy{MinimumLength: 6}, "abc def", []Rule{RuleCharacters}},
		{"non-ASCII is not allowed", Policy{MinimumLength: 6}, "abcdéf", []Rule{RuleCharacters}},
		{"every missing class at once", all, "........", []Rule{RuleMinLength, RuleCharacters, RuleUppercase, RuleLowercase, RuleNumber, RuleSymbol}},
		{"nothing required", Policy{MinimumLength: 6}, "aaaaaa", nil},
		{"too long for IAM", Policy{MinimumLength: 6}, strings.Repeat("a", 129), []Rule{RuleMaxLength}},
		{"exactly 128", Policy{MinimumLength: 128}, strings.Repeat("a", 128), nil},
		{"only symbols required", Policy{MinimumLength: 8, RequireSymbols: true}, "abcdefg'", nil},
		{"default: three classes", DefaultPolicy, "Abcdefg1", nil},
		{"default: symbol counts", DefaultPolicy, "abcdef1!", nil},
		{"default: two classes", DefaultPolicy, "abcdefg1", []Rule{RuleClasses}},
		{"default: too short", DefaultPolicy, "Ab1!", []Rule{RuleMinLength}},
		{"default: ignores Require fields", Policy{MinimumLength: 8, Default: true, RequireSymbols: true}, "Abcdefg1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Check(tc.p, tc.pw)
			if !slices.Equal(rules(got), tc.want) {
				t.Fatalf("Check(%+v) rules = %v, want %v", tc.p, rules(got), tc.want)
			}
			for _, v := range got {
				if v.Message == "" || strings.Contains(v.Message, tc.pw) {
					t.Errorf("violation %s: message %q is empty or contains the password", v.Rule, v.Message)
				}
			}
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	p := Policy{MinimumLength: 10, RequireNumbers: true}
	if err := Verify(p, "abcdefghi1"); err != nil {
		t.Fatalf("Verify(valid) = %v", err)
	}
	const pw = "short~"
	err := Verify(p, pw)
	var ve *ViolationError
	if !errors.As(err, &ve) || len(ve.Violations) != 3 {
		t.Fatalf("Verify(%q) = %v, want a ViolationError with 3 violations", pw, err)
	}
	if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "~") {
		t.Errorf("error %q reveals the password", err)
	}
}

func TestLength(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		min, length, want int
	}{
		{0, 0, 20},
		{6, 0, 20},
		{8, 12, 20},
		{6, 32, 32},
		{40, 32, 40},
		{128, 20, 128},
		{6, 500, 128},
		{6, -1, 20},
	} {
		got, err := Length(Policy{MinimumLength: tc.min}, tc.length)
		if err != nil || got != tc.want {
			t.Errorf("Length(min %d, %d) = %d, %v; want %d", tc.min, tc.length, got, err, tc.want)
		}
	}
	if _, err := Length(Policy{MinimumLength: 129}, 0); err == nil {
		t.Error("Length(min 129) succeeded; IAM never accepts a policy above 128")
	}
}
