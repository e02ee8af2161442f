package iam

import (
	"fmt"
	"slices"
	"strings"
)

// The simulator's evaluation of identity-based policies: which statements
// apply to an action on a resource, explicit deny over allow, implicit deny
// otherwise. See simulate.go for what it leaves out.

// evalPolicy is one policy the simulator evaluates, parsed.
type evalPolicy struct {
	id, kind   string // SourcePolicyId and SourcePolicyType, as AWS reports them
	statements []*evalStatement
}

// evalStatement is one statement and where it is in its document.
type evalStatement struct {
	policy      *evalPolicy
	at          span
	deny        bool
	actions     []string // or, with notAction, the actions it does not cover
	notAction   bool
	resources   []string
	notResource bool
	conditions  []condition
}

// condition is one operator and key of a Condition block, with its values.
type condition struct {
	operator, key string
	values        []string
}

// parseEvalPolicy parses a document the sandbox stored or was given; it must
// pass checkPolicyDocument first, so errors here are the sandbox's own.
func parseEvalPolicy(id, kind, doc string) (*evalPolicy, error) {
	top, err := parsePolicyJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", id, err)
	}
	statements, err := policyStatements(top)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", id, err)
	}
	spans := statementSpans(doc)
	p := &evalPolicy{id: id, kind: kind}
	for i, st := range statements {
		es := &evalStatement{policy: p, deny: st["Effect"] == "Deny",
			actions: stringsOf(st["Action"], st["NotAction"]), notAction: st["NotAction"] != nil,
			resources: stringsOf(st["Resource"], st["NotResource"]), notResource: st["NotResource"] != nil,
			conditions: conditionsOf(st["Condition"])}
		if i < len(spans) {
			es.at = spans[i]
		}
		p.statements = append(p.statements, es)
	}
	return p, nil
}

// conditionsOf flattens {"Operator": {"key": value-or-values}} in a stable order.
func conditionsOf(v any) []condition {
	block, _ := v.(map[string]any)
	var out []condition
	for op, entries := range block {
		keys, _ := entries.(map[string]any)
		for key, val := range keys {
			out = append(out, condition{operator: op, key: key, values: stringsOf(val)})
			if b, ok := val.(bool); ok { // {"Null": {"k": true}} is allowed unquoted
				out[len(out)-1].values = []string{fmt.Sprint(b)}
			}
		}
	}
	slices.SortFunc(out, func(a, b condition) int { return strings.Compare(a.operator+"\x00"+a.key, b.operator+"\x00"+b.key) })
	return out
}

// evalRequest is one action on one resource, by one principal.
type evalRequest struct {
	action, resource string
	vars             map[string]string // policy variables by lower-case name: aws:username, …
	context          map[string]bool   // lower-case condition keys the caller gave values for
}

// matches are the statements that apply to a request, and the context keys
// whose absence kept others from applying.
type matches struct {
	allows, denies []*evalStatement
	missing        []string
}

// match finds the statements of policies that apply to the request.
func match(policies []*evalPolicy, req evalRequest) (matches, error) {
	var m matches
	for _, p := range policies {
		for _, st := range p.statements {
			applies, missing, err := st.applies(req)
			if err != nil {
				return matches{}, err
			}
			m.missing = append(m.missing, missing...)
			switch {
			case !applies:
			case st.deny:
				m.denies = append(m.denies, st)
			default:
				m.allows = append(m.allows, st)
			}
		}
	}
	slices.Sort(m.missing)
	m.missing = slices.Compact(m.missing)
	return m, nil
}

// applies reports whether the statement covers the request, and which context
// keys it lacked. Conditions are evaluated only for absent keys (see
// absentSatisfies); a key the caller gave a value for is refused.
func (st *evalStatement) applies(req evalRequest) (bool, []string, error) {
	actionHit := slices.ContainsFunc(st.actions, func(p string) bool { return globMatch(strings.ToLower(p), strings.ToLower(req.action)) })
	if actionHit == st.notAction {
		return false, nil, nil
	}
	var missing []string
	resourceHit := slices.ContainsFunc(st.resources, func(p string) bool {
		pattern, unknown := substituteVariables(p, req.vars)
		if unknown != "" {
			missing = append(missing, unknown)
			return false
		}
		return globMatch(pattern, req.resource)
	})
	if resourceHit == st.notResource {
		return false, missing, nil
	}
	for _, c := range st.conditions {
		if req.context[strings.ToLower(c.key)] {
			return false, nil, invalidInput("The sandbox does not evaluate condition operators against context values: "+
				"statement %d of %s tests %s with %s. Leave %s out of ContextEntries to simulate its absence.",
				slices.Index(st.policy.statements, st)+1, st.policy.id, c.key, c.operator, c.key)
		}
		if !absentSatisfies(c) {
			return false, append(missing, c.key), nil
		}
	}
	return true, missing, nil
}

// absentSatisfies is what a condition is when its key has no value: true for
// …IfExists operators, ForAllValues: (vacuously) and Null: true; false for
// every other operator, as in AWS.
func absentSatisfies(c condition) bool {
	op := c.operator
	switch {
	case strings.HasSuffix(op, "IfExists"), strings.HasPrefix(op, "ForAllValues:"):
		return true
	case op == "Null":
		return len(c.values) > 0 && strings.EqualFold(c.values[0], "true")
	}
	return false
}
