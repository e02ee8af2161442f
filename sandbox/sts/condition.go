package sts

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// conditionContext holds the request's condition keys, lower-cased (condition
// key names are case-insensitive), each with one or more values.
type conditionContext map[string][]string

func (c conditionContext) set(key string, values ...string) {
	c[strings.ToLower(key)] = values
}

// holds evaluates a Condition block: every operator and every key must hold.
func (c conditionContext) holds(block map[string]map[string]stringList) bool {
	for op, keys := range block {
		for key, want := range keys {
			got, present := c[strings.ToLower(key)]
			if !evalCondition(op, got, present, want) {
				return false
			}
		}
	}
	return true
}

// matcher compares one request value with one policy value.
type matcher func(got, want string) bool

// operators maps each base operator to its matcher and whether it is negated.
var operators = map[string]struct {
	match   matcher
	negated bool
}{
	"StringEquals":              {stringEquals, false},
	"StringNotEquals":           {stringEquals, true},
	"StringEqualsIgnoreCase":    {strings.EqualFold, false},
	"StringNotEqualsIgnoreCase": {strings.EqualFold, true},
	"StringLike":                {func(g, w string) bool { return glob(w, g) }, false},
	"StringNotLike":             {func(g, w string) bool { return glob(w, g) }, true},
	"NumericEquals":             {numeric(func(c int) bool { return c == 0 }), false},
	"NumericNotEquals":          {numeric(func(c int) bool { return c == 0 }), true},
	"NumericLessThan":           {numeric(func(c int) bool { return c < 0 }), false},
	"NumericLessThanEquals":     {numeric(func(c int) bool { return c <= 0 }), false},
	"NumericGreaterThan":        {numeric(func(c int) bool { return c > 0 }), false},
	"NumericGreaterThanEquals":  {numeric(func(c int) bool { return c >= 0 }), false},
	"DateEquals":                {date(func(c int) bool { return c == 0 }), false},
	"DateNotEquals":             {date(func(c int) bool { return c == 0 }), true},
	"DateLessThan":              {date(func(c int) bool { return c < 0 }), false},
	"DateLessThanEquals":        {date(func(c int) bool { return c <= 0 }), false},
	"DateGreaterThan":           {date(func(c int) bool { return c > 0 }), false},
	"DateGreaterThanEquals":     {date(func(c int) bool { return c >= 0 }), false},
	"Bool":                      {strings.EqualFold, false},
	"BinaryEquals":              {stringEquals, false},
	"IpAddress":                 {ipMatch, false},
	"NotIpAddress":              {ipMatch, true},
	"ArnEquals":                 {func(g, w string) bool { return glob(w, g) }, false},
	"ArnLike":                   {func(g, w string) bool { return glob(w, g) }, false},
	"ArnNotEquals":              {func(g, w string) bool { return glob(w, g) }, true},
	"ArnNotLike":                {func(g, w string) bool { return glob(w, g) }, true},
}

func stringEquals(got, want string) bool { return got == want }

// evalCondition applies one operator to one key, following IAM's rules: an absent
// key fails a positive operator and satisfies a negated one; …IfExists and
// ForAllValues: are satisfied by an absent key; ForAnyValue: is not; Null tests
// presence. An operator IAM does not know never holds.
func evalCondition(op string, got []string, present bool, want []string) bool {
	qualifier := ""
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, op = q, rest
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	if op == "Null" {
		return len(want) == 1 && strings.EqualFold(want[0], strconv.FormatBool(!present))
	}
	o, known := operators[op]
	if !known || (qualifier != "" && qualifier != "ForAnyValue" && qualifier != "ForAllValues") {
		return false
	}
	if !present {
		return ifExists || qualifier == "ForAllValues" || (qualifier == "" && o.negated)
	}
	// valueOK is the operator's verdict on one request value: for a negated
	// operator, that it matches none of the policy values (NOR).
	valueOK := func(g string) bool {
		for _, w := range want {
			if o.match(g, w) {
				return !o.negated
			}
		}
		return o.negated
	}
	if qualifier == "ForAllValues" {
		for _, g := range got {
			if !valueOK(g) {
				return false
			}
		}
		return true
	}
	for _, g := range got {
		if valueOK(g) {
			return true
		}
	}
	return false
}

func numeric(ok func(cmp int) bool) matcher {
	return func(got, want string) bool {
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return ok(compare(g, w))
	}
}

func date(ok func(cmp int) bool) matcher {
	return func(got, want string) bool {
		g, err1 := parseDate(got)
		w, err2 := parseDate(want)
		if err1 != nil || err2 != nil {
			return false
		}
		return ok(g.Compare(w))
	}
}

// parseDate reads the date forms IAM accepts: ISO 8601 or epoch seconds.
func parseDate(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ipMatch(got, want string) bool {
	addr, err := netip.ParseAddr(got)
	if err != nil {
		return false
	}
	if prefix, err := netip.ParsePrefix(want); err == nil {
		return prefix.Contains(addr)
	}
	w, err := netip.ParseAddr(want)
	return err == nil && w == addr
}
