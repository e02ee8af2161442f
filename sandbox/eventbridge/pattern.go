package eventbridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strings"
)

// An event pattern is kept as the JSON the rule was given and matched by
// walking it beside the event, as EventBridge documents the rules
// ("Content filtering in Amazon EventBridge event patterns"): a field's
// array of values matches when any of them does; an event field holding an
// array matches when any element does; every field of the pattern must
// match; "$or" takes the first of its patterns that matches.

// decodeJSON decodes with numbers kept exact, so 5 and 5.0 compare equal
// and large integers keep their digits.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// parsePattern validates an event pattern and returns it decoded.
func parsePattern(text string) (map[string]any, error) {
	v, err := decodeJSON([]byte(text))
	if err != nil {
		return nil, invalidPattern("Filter is not valid JSON: %v", err)
	}
	p, ok := v.(map[string]any)
	if !ok {
		return nil, invalidPattern("Filter is not an object")
	}
	if len(p) == 0 {
		return nil, invalidPattern("Empty event pattern")
	}
	return p, checkObject(p)
}

func checkObject(p map[string]any) error {
	for key, v := range p {
		switch v := v.(type) {
		case map[string]any:
			if err := checkObject(v); err != nil {
				return err
			}
		case []any:
			if err := checkMatchers(key, v); err != nil {
				return err
			}
		default:
			return invalidPattern("Match value must be String, number, true, false, or null")
		}
	}
	return nil
}

func checkMatchers(key string, list []any) error {
	if len(list) == 0 {
		return invalidPattern("Empty arrays are not allowed")
	}
	for _, m := range list {
		if key == "$or" {
			obj, ok := m.(map[string]any)
			if !ok || len(list) < 2 {
				return invalidPattern("$or must be an array of at least two event patterns")
			}
			if err := checkObject(obj); err != nil {
				return err
			}
			continue
		}
		op, ok := m.(map[string]any)
		if !ok {
			if _, nested := m.([]any); nested {
				return invalidPattern("Match value must be String, number, true, false, or null")
			}
			continue
		}
		if len(op) != 1 {
			return invalidPattern("Only one key allowed in match expression")
		}
		for name, arg := range op {
			if err := checkOperator(name, arg); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkOperator(name string, arg any) error {
	switch name {
	case "prefix", "suffix":
		if _, ok := arg.(string); ok {
			return nil
		}
		if m, ok := arg.(map[string]any); ok && len(m) == 1 {
			if _, ok := m["equals-ignore-case"].(string); ok {
				return nil
			}
		}
	case "equals-ignore-case", "wildcard":
		if _, ok := arg.(string); ok {
			return nil
		}
	case "exists":
		if _, ok := arg.(bool); ok {
			return nil
		}
	case "cidr":
		if s, ok := arg.(string); ok {
			if _, _, err := net.ParseCIDR(s); err == nil {
				return nil
			}
		}
	case "numeric":
		if _, err := numericRange(arg); err == nil {
			return nil
		}
	case "anything-but":
		switch a := arg.(type) {
		case string, json.Number, bool, []any:
			return nil
		case map[string]any:
			if len(a) == 1 {
				for k, v := range a {
					return checkOperator(k, v)
				}
			}
		}
	default:
		return invalidPattern("Unrecognized match type %s", name)
	}
	return invalidPattern("Value of %s must be valid", name)
}

// numericRange reads ["<", 10, ">=", 0]: pairs of an operator and a number.
func numericRange(arg any) ([]numericBound, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf("bad numeric range")
	}
	var out []numericBound
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		n, isNum := list[i+1].(json.Number)
		f, err := n.Float64()
		if !ok || !isNum || err != nil || !strings.Contains("< <= = >= >", op) {
			return nil, fmt.Errorf("bad numeric range")
		}
		out = append(out, numericBound{op, f})
	}
	return out, nil
}

type numericBound struct {
	op string
	n  float64
}

// matches reports whether the event (decoded with decodeJSON) matches p.
func matches(p map[string]any, event any) bool {
	obj, _ := event.(map[string]any)
	for key, pv := range p {
		if key == "$or" {
			if !anyPattern(pv.([]any), event) {
				return false
			}
			continue
		}
		v, present := obj[key]
		switch pv := pv.(type) {
		case map[string]any:
			if !matchesNested(pv, v) {
				return false
			}
		case []any:
			if !matchLeaf(pv, v, present) {
				return false
			}
		}
	}
	return true
}

func anyPattern(list []any, event any) bool {
	for _, alt := range list {
		if matches(alt.(map[string]any), event) {
			return true
		}
	}
	return false
}

// matchesNested descends into an object, or into any object of an array.
func matchesNested(p map[string]any, v any) bool {
	if list, ok := v.([]any); ok {
		for _, el := range list {
			if matchesNested(p, el) {
				return true
			}
		}
		return false
	}
	return matches(p, v)
}

// matchLeaf matches a field's value against the pattern's list of values.
func matchLeaf(matchers []any, v any, present bool) bool {
	values := []any{v}
	if list, ok := v.([]any); ok {
		values = list
	}
	for _, m := range matchers {
		op, isOp := m.(map[string]any)
		if isOp {
			if arg, ok := op["exists"]; ok {
				if arg.(bool) == (present && !isObject(v)) {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, val := range values {
			if (isOp && matchOperator(op, val)) || (!isOp && equal(m, val)) {
				return true
			}
		}
	}
	return false
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// equal compares a pattern's literal with an event value: numbers by value.
func equal(lit, v any) bool {
	if a, ok := lit.(json.Number); ok {
		b, ok := v.(json.Number)
		if !ok {
			return false
		}
		fa, errA := a.Float64()
		fb, errB := b.Float64()
		return errA == nil && errB == nil && fa == fb
	}
	return lit == v
}

func matchOperator(op map[string]any, v any) bool {
	for name, arg := range op {
		s, isString := v.(string)
		switch name {
		case "prefix", "suffix":
			return isString && affix(name, arg, s)
		case "equals-ignore-case":
			return isString && strings.EqualFold(s, arg.(string))
		case "wildcard":
			return isString && wildcard(arg.(string)).MatchString(s)
		case "cidr":
			_, network, _ := net.ParseCIDR(arg.(string))
			ip := net.ParseIP(s)
			return isString && ip != nil && network.Contains(ip)
		case "numeric":
			return numeric(arg, v)
		case "anything-but":
			return anythingBut(arg, v)
		}
	}
	return false
}

func affix(name string, arg any, s string) bool {
	want, _ := arg.(string)
	if m, ok := arg.(map[string]any); ok {
		s, want = strings.ToLower(s), strings.ToLower(m["equals-ignore-case"].(string))
	}
	if name == "prefix" {
		return strings.HasPrefix(s, want)
	}
	return strings.HasSuffix(s, want)
}

func wildcard(p string) *regexp.Regexp {
	parts := strings.Split(p, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^(?s:" + strings.Join(parts, ".*") + ")$")
}

func numeric(arg, v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	f, err := n.Float64()
	bounds, berr := numericRange(arg)
	if err != nil || berr != nil {
		return false
	}
	for _, b := range bounds {
		ok := map[string]bool{"<": f < b.n, "<=": f <= b.n, "=": f == b.n, ">=": f >= b.n, ">": f > b.n}[b.op]
		if !ok {
			return false
		}
	}
	return true
}

// anythingBut matches a value that is none of the listed ones, or that
// does not have the given prefix or suffix.
func anythingBut(arg, v any) bool {
	switch a := arg.(type) {
	case []any:
		for _, lit := range a {
			if equal(lit, v) {
				return false
			}
		}
		return true
	case map[string]any:
		return !matchOperator(a, v)
	}
	return !equal(arg, v)
}
