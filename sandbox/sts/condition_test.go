package sts

import "testing"

func TestEvalCondition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op      string
		got     []string // nil: key absent
		want    []string
		holds   bool
		comment string
	}{
		{"StringEquals", []string{"a"}, []string{"b", "a"}, true, "any policy value"},
		{"StringEquals", []string{"A"}, []string{"a"}, false, "case-sensitive"},
		{"StringEquals", nil, []string{"a"}, false, "absent key fails positive operators"},
		{"StringEqualsIfExists", nil, []string{"a"}, true, "IfExists passes when absent"},
		{"StringEqualsIfExists", []string{"b"}, []string{"a"}, false, "IfExists still checks a present key"},
		{"StringNotEquals", nil, []string{"a"}, true, "absent key satisfies negated operators"},
		{"StringNotEquals", []string{"a"}, []string{"b", "a"}, false, "negation is NOR over policy values"},
		{"StringNotEquals", []string{"c"}, []string{"b", "a"}, true, ""},
		{"StringEqualsIgnoreCase", []string{"ABC"}, []string{"abc"}, true, ""},
		{"StringLike", []string{"ci-123"}, []string{"ci-*"}, true, ""},
		{"StringLike", []string{"ci-123"}, []string{"ci-??"}, false, "? is one character"},
		{"StringNotLike", []string{"prod-1"}, []string{"ci-*"}, true, ""},
		{"NumericLessThan", []string{"5"}, []string{"10"}, true, ""},
		{"NumericGreaterThanEquals", []string{"5"}, []string{"10"}, false, ""},
		{"NumericEquals", []string{"x"}, []string{"1"}, false, "non-numbers never match"},
		{"DateGreaterThan", []string{"2030-01-01T00:00:00Z"}, []string{"2020-01-01T00:00:00Z"}, true, ""},
		{"DateLessThan", []string{"1500000000"}, []string{"2020-01-01T00:00:00Z"}, true, "epoch seconds"},
		{"Bool", []string{"true"}, []string{"True"}, true, ""},
		{"Bool", nil, []string{"false"}, false, "absent key is not false"},
		{"BoolIfExists", nil, []string{"false"}, true, ""},
		{"IpAddress", []string{"10.1.2.3"}, []string{"10.0.0.0/8"}, true, ""},
		{"NotIpAddress", []string{"10.1.2.3"}, []string{"192.168.0.0/16"}, true, ""},
		{"IpAddress", []string{"127.0.0.1"}, []string{"127.0.0.1"}, true, "single address"},
		{"ArnLike", []string{"arn:aws:iam::1:role/x"}, []string{"arn:aws:iam::*:role/*"}, true, ""},
		{"Null", nil, []string{"true"}, true, "Null true: absent"},
		{"Null", []string{"v"}, []string{"true"}, false, ""},
		{"Null", []string{"v"}, []string{"false"}, true, ""},
		{"ForAnyValue:StringEquals", []string{"a", "b"}, []string{"b"}, true, ""},
		{"ForAnyValue:StringEquals", nil, []string{"b"}, false, "ForAnyValue fails on an absent key"},
		{"ForAllValues:StringEquals", []string{"a", "b"}, []string{"a", "b", "c"}, true, ""},
		{"ForAllValues:StringEquals", []string{"a", "d"}, []string{"a", "b"}, false, ""},
		{"ForAllValues:StringEquals", nil, []string{"a"}, true, "ForAllValues passes on an absent key"},
		{"ForSomeValues:StringEquals", []string{"a"}, []string{"a"}, false, "unknown qualifier"},
		{"StringAlmostEquals", []string{"a"}, []string{"a"}, false, "unknown operator"},
	}
	for _, tt := range tests {
		if got := evalCondition(tt.op, tt.got, tt.got != nil, tt.want); got != tt.holds {
			t.Errorf("%s %v against %v = %v, want %v (%s)", tt.op, tt.got, tt.want, got, tt.holds, tt.comment)
		}
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"sts:*", "sts:AssumeRole", true},
		{"sts:Assume*Role", "sts:AssumeRole", true},
		{"sts:?ssumeRole", "sts:AssumeRole", true},
		{"sts:Assume", "sts:AssumeRole", false},
		{"*Role", "sts:AssumeRoles", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXcYYb", false},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
