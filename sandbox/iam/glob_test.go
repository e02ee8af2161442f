package iam

import "testing"

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"iam:*", "iam:getuser", true},
		{"iam:get*", "iam:getuser", true},
		{"iam:get*", "iam:listusers", false},
		{"arn:aws:iam::*:user/*", "arn:aws:iam::111122223333:user/path/alice", true},
		{"arn:aws:iam::*:user/*", "*", false},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/x", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/xy", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*user/alice", "arn:aws:iam::1:user/alice", true},
		{"exact", "exact", true},
		{"exact", "Exact", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestSubstituteVariables(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"aws:username": "alice"}
	for _, tc := range []struct {
		pattern, want, missing string
	}{
		{"arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/alice", ""},
		{"arn:aws:iam::*:user/${AWS:UserName}", "arn:aws:iam::*:user/alice", ""},
		{"arn:aws:s3:::home/${aws:userid}/*", "", "aws:userid"},
		{"arn:aws:s3:::b/${$}x", "arn:aws:s3:::b/$x", ""},
		{"no variables", "no variables", ""},
	} {
		got, missing := substituteVariables(tc.pattern, vars)
		if got != tc.want || missing != tc.missing {
			t.Errorf("substituteVariables(%q) = %q, %q; want %q, %q", tc.pattern, got, missing, tc.want, tc.missing)
		}
	}
}
