package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// docKind says which grammar a policy document is checked against: identity
// policies (inline and managed) name resources and no principal; trust policies
// name a principal and no resource.
type docKind int

const (
	inlineDoc  docKind = iota // PutUserPolicy, PutGroupPolicy, PutRolePolicy
	managedDoc                // CreatePolicy, CreatePolicyVersion: Version 2012-10-17 required
	trustDoc                  // CreateRole, UpdateAssumeRolePolicy
)

// policyDocRule is the model's policyDocumentType.
var policyDocRule = awsproto.NewRule(1, 131072, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)

// IAM's MalformedPolicyDocument messages.
const (
	msgSyntax           = "Syntax errors in policy."
	msgInvalidJSON      = "This policy contains invalid Json"
	msgOldVersion       = "Policy document must be version 2012-10-17 or greater."
	msgLegacy           = "The policy failed legacy parsing"
	msgNoActions        = "Policy statement must contain actions."
	msgNoResources      = "Policy statement must contain resources."
	msgPrincipal        = "Policy document should not specify a principal."
	msgDuplicateSid     = "Statement IDs (SID) in a single policy must be unique."
	msgVendor           = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgTrustResource    = "Has prohibited field Resource"
	msgTrustPrincipal   = "Missing required field Principal"
	msgTrustActions     = "AssumeRole policy may only specify STS AssumeRole actions."
	awsPolicyVersion    = "2012-10-17"
	legacyPolicyVersion = "2008-10-17"
)

var statementKeys = map[string]bool{
	"Sid": true, "Effect": true, "Action": true, "NotAction": true, "Resource": true,
	"NotResource": true, "Principal": true, "NotPrincipal": true, "Condition": true,
}

var trustActions = map[string]bool{
	"sts:AssumeRole": true, "sts:AssumeRoleWithSAML": true, "sts:AssumeRoleWithWebIdentity": true,
	"sts:TagSession": true, "sts:SetSourceIdentity": true, "sts:SetContext": true, "*": true, "sts:*": true,
}

// checkPolicyDocument validates a policy document the way IAM does before it
// stores one, returning MalformedPolicyDocument with IAM's message. The checks run
// in IAM's order: grammar of every statement, version, legacy parsing, statement
// IDs, actions, then the rules of the document kind.
func checkPolicyDocument(doc string, kind docKind) error {
	top, err := parsePolicyJSON(doc)
	if err != nil {
		if kind == trustDoc {
			return malformedPolicy(msgInvalidJSON)
		}
		return malformedPolicy(msgSyntax)
	}
	statements, err := policyStatements(top)
	if err != nil {
		return err
	}
	if kind == managedDoc && top["Version"] != awsPolicyVersion {
		return malformedPolicy(msgOldVersion)
	}
	if err := checkStatementsCommon(statements); err != nil {
		return err
	}
	for _, st := range statements {
		check := checkIdentityStatement
		if kind == trustDoc {
			check = checkTrustStatement
		}
		if err := check(st); err != nil {
			return err
		}
	}
	return nil
}

// checkStatementsCommon applies what every kind of document shares: legacy
// parsing of Effect (case-sensitive, where the grammar was not), unique statement
// IDs and the presence of actions.
func checkStatementsCommon(statements []map[string]any) error {
	for _, st := range statements {
		if st["Effect"] != "Allow" && st["Effect"] != "Deny" {
			return malformedPolicy(msgLegacy)
		}
	}
	sids := map[string]bool{}
	for _, st := range statements {
		if sid, _ := st["Sid"].(string); sid != "" {
			if sids[sid] {
				return malformedPolicy(msgDuplicateSid)
			}
			sids[sid] = true
		}
	}
	for _, st := range statements {
		if st["Action"] == nil && st["NotAction"] == nil {
			return malformedPolicy(msgNoActions)
		}
	}
	return nil
}

// parsePolicyJSON decodes one JSON object and nothing after it.
func parsePolicyJSON(doc string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil || top == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data")
	}
	return top, nil
}

// policyStatements checks the top-level elements and returns the statements.
func policyStatements(top map[string]any) ([]map[string]any, error) {
	for k := range top {
		if k != "Version" && k != "Id" && k != "Statement" {
			return nil, malformedPolicy(msgSyntax)
		}
	}
	version, hasVersion := top["Version"]
	if hasVersion && version != awsPolicyVersion && version != legacyPolicyVersion {
		return nil, malformedPolicy(msgSyntax)
	}
	var list []any
	switch s := top["Statement"].(type) {
	case map[string]any:
		list = []any{s}
	case []any:
		list = s
	}
	if len(list) == 0 {
		return nil, malformedPolicy(msgSyntax)
	}
	out := make([]map[string]any, len(list))
	for i, item := range list {
		st, ok := item.(map[string]any)
		if !ok {
			return nil, malformedPolicy(msgSyntax)
		}
		if err := checkStatementSyntax(st); err != nil {
			return nil, err
		}
		out[i] = st
	}
	return out, nil
}

// checkStatementSyntax rejects unknown elements, wrong value types and exclusive pairs.
func checkStatementSyntax(st map[string]any) error {
	for k := range st {
		if !statementKeys[k] {
			return malformedPolicy(msgSyntax)
		}
	}
	effect, ok := st["Effect"].(string)
	if !ok || (!strings.EqualFold(effect, "Allow") && !strings.EqualFold(effect, "Deny")) {
		return malformedPolicy(msgSyntax)
	}
	if (st["Action"] != nil && st["NotAction"] != nil) || (st["Resource"] != nil && st["NotResource"] != nil) {
		return malformedPolicy(msgSyntax)
	}
	for _, k := range []string{"Action", "NotAction", "Resource", "NotResource"} {
		if v, present := st[k]; present && !isStringOrList(v) {
			return malformedPolicy(msgSyntax)
		}
	}
	if sid, present := st["Sid"]; present {
		if _, ok := sid.(string); !ok {
			return malformedPolicy(msgSyntax)
		}
	}
	if c, present := st["Condition"]; present && !isConditionBlock(c) {
		return malformedPolicy(msgSyntax)
	}
	return nil
}

func checkIdentityStatement(st map[string]any) error {
	if st["Principal"] != nil || st["NotPrincipal"] != nil {
		return malformedPolicy(msgPrincipal)
	}
	for _, a := range stringsOf(st["Action"], st["NotAction"]) {
		if a != "*" && !strings.Contains(a, ":") {
			return malformedPolicy(msgVendor)
		}
	}
	resources := stringsOf(st["Resource"], st["NotResource"])
	if len(resources) == 0 {
		return malformedPolicy(msgNoResources)
	}
	for _, r := range resources {
		if r != "*" && !strings.Contains(r, ":") {
			return malformedPolicy(`Resource %s must be in ARN format or "*".`, r)
		}
	}
	return nil
}

func checkTrustStatement(st map[string]any) error {
	if st["Resource"] != nil || st["NotResource"] != nil {
		return malformedPolicy(msgTrustResource)
	}
	if st["Principal"] == nil && st["NotPrincipal"] == nil {
		return malformedPolicy(msgTrustPrincipal)
	}
	for _, a := range stringsOf(st["Action"], st["NotAction"]) {
		if !trustActions[a] {
			return malformedPolicy(msgTrustActions)
		}
	}
	return checkPrincipal(st["Principal"])
}

// checkPrincipal accepts "*" or an object keyed by IAM's principal types.
func checkPrincipal(p any) error {
	switch v := p.(type) {
	case nil:
		return nil
	case string:
		if v == "*" {
			return nil
		}
	case map[string]any:
		for k, val := range v {
			if k != "AWS" && k != "Service" && k != "Federated" && k != "CanonicalUser" {
				return malformedPolicy("Invalid principal in policy: %q", k)
			}
			if !isStringOrList(val) || len(stringsOf(val)) == 0 {
				return malformedPolicy(msgSyntax)
			}
		}
		return nil
	}
	return malformedPolicy(msgSyntax)
}

func isStringOrList(v any) bool {
	switch t := v.(type) {
	case string:
		return true
	case []any:
		for _, item := range t {
			if _, ok := item.(string); !ok {
				return false
			}
		}
		return len(t) > 0
	}
	return false
}

// isConditionBlock checks {"Operator": {"key": value-or-values}}.
func isConditionBlock(v any) bool {
	ops, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, entries := range ops {
		if _, ok := entries.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// stringsOf flattens string-or-list values; absent values contribute nothing.
func stringsOf(values ...any) []string {
	var out []string
	for _, v := range values {
		switch t := v.(type) {
		case string:
			out = append(out, t)
		case []any:
			for _, item := range t {
				if s, ok := item.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// policySize is the size IAM counts against its quotas: white space is free.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// encodePolicy URL-encodes a document as IAM returns it (RFC 3986: every byte but
// the unreserved characters is percent-encoded).
func encodePolicy(doc string) string {
	var b bytes.Buffer
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
