package cloudtrail

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// hidden is what CloudTrail writes in place of a secret parameter.
const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// secretParams are request parameters CloudTrail never shows.
var secretParams = map[string]bool{"Password": true, "NewPassword": true, "OldPassword": true,
	"AuthenticationCode1": true, "AuthenticationCode2": true, "SecretString": true, "SecretBinary": true}

// secretFields are result fields left out of responseElements: the secrets
// a call returns once (an access key's secret, a service password, a
// virtual MFA device's seed).
var secretFields = map[string]bool{"SecretAccessKey": true, "ServicePassword": true, "Base32StringSeed": true,
	"QRCodePNG": true, "SessionToken": true, "SecretString": true}

// typedParams are Query parameters CloudTrail shows as booleans or numbers.
var typedParams = map[string]bool{"PasswordResetRequired": true, "MaxSessionDuration": true, "SetAsDefault": true,
	"MinimumPasswordLength": true, "RequireSymbols": true, "RequireNumbers": true, "RequireUppercaseCharacters": true,
	"RequireLowercaseCharacters": true, "AllowUsersToChangePassword": true, "MaxPasswordAge": true,
	"PasswordReusePrevention": true, "HardExpiry": true, "CredentialAgeDays": true, "DurationSeconds": true}

// requestParameters are the call's parameters with CloudTrail's
// lowerCamelCase names: a Query call's Tags.member.1.Key becomes
// "tags": [{"key": …}]; a JSON call's body keeps its shape. Secrets are
// hidden; null when there are none.
func requestParameters(r *awsproto.Request) any {
	if r.Params == nil {
		var body map[string]any
		if json.Unmarshal(r.Body, &body) != nil || len(body) == 0 {
			return nil
		}
		return lowerKeys(body)
	}
	root := map[string]any{}
	keys := make([]string, 0, len(r.Params))
	for k := range r.Params {
		if k != "Action" && k != "Version" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	for _, k := range keys {
		put(root, strings.Split(k, "."), paramValue(k, r.Params.Get(k)))
	}
	return listify(root)
}

func paramValue(key, v string) any {
	name := key[strings.LastIndexByte(key, '.')+1:]
	switch {
	case secretParams[name]:
		return hidden
	case typedParams[name] && (v == "true" || v == "false"):
		return v == "true"
	case typedParams[name]:
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return v
}

// put sets path (Query's dotted name) in a tree of maps; "member" levels
// become maps keyed by index, which listify turns into lists.
func put(node map[string]any, path []string, v any) {
	name := path[0]
	if name != "member" && name != "entry" {
		if _, err := strconv.Atoi(name); err != nil {
			name = lowerFirst(name)
		}
	}
	if len(path) == 1 {
		node[name] = v
		return
	}
	child, ok := node[name].(map[string]any)
	if !ok {
		child = map[string]any{}
		node[name] = child
	}
	put(child, path[1:], v)
}

// listify turns {"member": {"1": a, "2": b}} into [a, b].
func listify(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if members, ok := m["member"].(map[string]any); ok && len(m) == 1 {
		idx := make([]int, 0, len(members))
		for k := range members {
			n, _ := strconv.Atoi(k)
			idx = append(idx, n)
		}
		sort.Ints(idx)
		list := make([]any, 0, len(idx))
		for _, n := range idx {
			list = append(list, listify(members[strconv.Itoa(n)]))
		}
		return list
	}
	for k, child := range m {
		m[k] = listify(child)
	}
	return m
}

func lowerKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, child := range v {
			if secretParams[k] {
				out[lowerFirst(k)] = hidden
				continue
			}
			out[lowerFirst(k)] = lowerKeys(child)
		}
		return out
	case []any:
		for i := range v {
			v[i] = lowerKeys(v[i])
		}
	}
	return v
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// responseElements is the result's main entities in lowerCamelCase
// ({"user": {"path", "userName", "userId", "arn", "createDate"}}), dates as
// CloudTrail writes them for IAM ("Dec 5, 2026 9:59:58 AM"), secrets left
// out; nil for an operation without output.
func responseElements(out any) any {
	v := reflect.ValueOf(out)
	if !v.IsValid() {
		return nil
	}
	elems := element(v)
	if m, ok := elems.(map[string]any); ok && len(m) == 0 {
		return nil
	}
	return elems
}

var timeType = reflect.TypeFor[time.Time]()

func element(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timeType:
		return v.Interface().(time.Time).UTC().Format("Jan 2, 2006 3:04:05 PM")
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8:
		list := make([]any, v.Len())
		for i := range list {
			list[i] = element(v.Index(i))
		}
		return list
	case v.Kind() == reflect.Struct:
		return structElement(v)
	}
	return v.Interface()
}

// structElement converts a result struct by its XML names; a list wrapper
// (a struct whose one field is the XML "member" list) becomes the list.
func structElement(v reflect.Value) any {
	t := v.Type()
	out := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		name, opts, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" || secretFields[f.Name] || secretFields[name] {
			continue
		}
		if name == "member" && t.NumField() == 1 {
			return element(v.Field(i))
		}
		fv := v.Field(i)
		if (strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer) && fv.IsZero() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		name, _, _ = strings.Cut(name, ">")
		out[lowerFirst(name)] = element(fv)
	}
	return out
}
