package spec

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const schemaPath = "../../schema/gatehouse-spec.schema.json"

// schemaDoc is the published JSON Schema, decoded.
type schemaDoc map[string]any

func loadSchema(t *testing.T) schemaDoc {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc schemaDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the schema is not valid JSON: %v", err)
	}
	return doc
}

// at walks the schema by keys ("$defs", "person", "properties", …).
func (s schemaDoc) at(t *testing.T, path ...string) map[string]any {
	t.Helper()
	cur := map[string]any(s)
	for i, key := range path {
		next, ok := cur[key].(map[string]any)
		if !ok {
			t.Fatalf("schema has no object at %s", strings.Join(path[:i+1], "."))
		}
		cur = next
	}
	return cur
}

// The schema's objects accept exactly the keys the decoder accepts, and reject
// others as the decoder does.
func TestSchemaKeysMatchDecoder(t *testing.T) {
	t.Parallel()
	doc := loadSchema(t)
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", doc["$schema"])
	}
	tests := []struct {
		path    []string
		decoder []string
	}{
		{nil, specFields.keys()},
		{[]string{"$defs", "role"}, roleFields.keys()},
		{[]string{"$defs", "password"}, passwordFields.keys()},
		{[]string{"$defs", "delivery"}, deliveryFields.keys()},
		{[]string{"$defs", "delivery", "properties", "template"}, templateFields.keys()},
		{[]string{"$defs", "defaults"}, defaultsFields.keys()},
		{[]string{"$defs", "person"}, personFields.keys()},
		{[]string{"$defs", "ouEntry"}, ouFields.keys()},
		{[]string{"$defs", "smtp"}, smtpFields.keys()},
		{[]string{"$defs", "slack"}, slackFields.keys()},
		{[]string{"$defs", "claim"}, claimFields.keys()},
		{[]string{"$defs", "file"}, fileFields.keys()},
		{[]string{"$defs", "events"}, eventsFields.keys()},
		{[]string{"$defs", "checks"}, checksFields.keys()},
		{[]string{"$defs", "events", "properties", "complete_on_tag"}, completeFields.keys()},
		{[]string{"$defs", "rule"}, ruleFields.keys()},
		{[]string{"$defs", "rule", "properties", "match"}, matchFields.keys()},
		{[]string{"$defs", "okta"}, oktaFields.keys()},
		{[]string{"$defs", "oktaGrant"}, grantFields.keys()},
	}
	for _, tt := range tests {
		obj := doc.at(t, tt.path...)
		var props []string
		for k := range doc.at(t, append(tt.path, "properties")...) {
			props = append(props, k)
		}
		slices.Sort(props)
		if !reflect.DeepEqual(props, tt.decoder) {
			t.Errorf("%s: schema has %q, decoder accepts %q", strings.Join(tt.path, "."), props, tt.decoder)
		}
		if obj["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties must be false: the decoder rejects unknown fields", strings.Join(tt.path, "."))
		}
	}
}

func TestSchemaEnumsAndLimitsMatchGo(t *testing.T) {
	t.Parallel()
	doc := loadSchema(t)
	enums := []struct {
		path []string
		want []string
	}{
		{[]string{"$defs", "channel"}, Channels},
		{[]string{"$defs", "language"}, Languages},
		{[]string{"$defs", "password", "properties", "source"}, PasswordSources},
		{[]string{"$defs", "smtp", "properties", "tls"}, TLSModes},
		{[]string{"$defs", "claim", "properties", "via"}, ClaimVias},
	}
	for _, tt := range enums {
		var got []string
		for _, v := range doc.at(t, tt.path...)["enum"].([]any) {
			got = append(got, v.(string))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: enum %q, Go accepts %q", strings.Join(tt.path, "."), got, tt.want)
		}
	}
	length := doc.at(t, "$defs", "password", "properties", "length")
	if length["minimum"] != float64(MinPasswordLength) || length["maximum"] != float64(MaxPasswordLength) {
		t.Errorf("password length %v..%v, Go accepts %d..%d", length["minimum"], length["maximum"], MinPasswordLength, MaxPasswordLength)
	}
	if got := doc.at(t, "$defs", "tags")["maxProperties"]; got != float64(MaxUserTags) {
		t.Errorf("tags maxProperties %v, Go allows %d", got, MaxUserTags)
	}
	if got := doc.at(t, "properties", "version")["const"]; got != float64(1) {
		t.Errorf("version const %v, Go accepts 1", got)
	}
}

// Every pattern in the schema is the one Go validates with, so an editor's
// squiggle and gatehouse's message agree.
func TestSchemaPatternsMatchGo(t *testing.T) {
	t.Parallel()
	doc := loadSchema(t)
	tests := []struct {
		path []string
		re   *regexp.Regexp
	}{
		{[]string{"$defs", "accountId"}, accountIDRule.re},
		{[]string{"$defs", "ouEntry", "properties", "ou"}, ouIDRule.re},
		{[]string{"$defs", "person", "properties", "user_name"}, userNameRule.re},
		{[]string{"$defs", "groups", "items"}, groupRule.re},
		{[]string{"$defs", "checks", "properties", "deny_iam_groups", "items"}, groupRule.re},
		{[]string{"$defs", "role", "properties", "name"}, roleNameRule.re},
		{[]string{"$defs", "role", "properties", "arn"}, roleARNRule.re},
		{[]string{"$defs", "role", "properties", "session_name"}, sessionNameRule.re},
		{[]string{"$defs", "policy"}, policyRule.re},
		{[]string{"$defs", "path"}, pathRule.re},
		{[]string{"$defs", "smtp", "properties", "addr"}, smtpAddrRule.re},
		{[]string{"$defs", "person", "properties", "public_key"}, publicKeyRe},
	}
	for _, tt := range tests {
		got, _ := doc.at(t, tt.path...)["pattern"].(string)
		if got != tt.re.String() {
			t.Errorf("%s: schema pattern\n%s\nGo pattern\n%s", strings.Join(tt.path, "."), got, tt.re)
		}
	}
	// The Go rules count tag lengths apart from their patterns (see rules.go).
	for _, tt := range []struct {
		path       []string
		rule       rule
		from, want string
	}{
		{[]string{"$defs", "tags", "propertyNames"}, tagKeyRule, "+$", "{1,128}$"},
		{[]string{"$defs", "tags", "additionalProperties"}, tagValueRule, "*$", "{0,256}$"},
	} {
		got, _ := doc.at(t, tt.path...)["pattern"].(string)
		want := strings.TrimSuffix(tt.rule.re.String(), tt.from) + tt.want
		if got != want || tt.rule.max != atoiOrZero(tt.want) {
			t.Errorf("%s: schema pattern %s, Go rule %s with max %d", strings.Join(tt.path, "."), got, want, tt.rule.max)
		}
	}
	// Go's regexp cannot count to 1224, so the Go rule checks that length apart.
	ext, _ := doc.at(t, "$defs", "role", "properties", "external_id")["pattern"].(string)
	want := strings.Replace(externalIDRule.re.String(), "{2,}", "{2,"+itoa(externalIDRule.max)+"}", 1)
	if ext != want {
		t.Errorf("external_id: schema pattern %s, Go rule %s", ext, want)
	}
}

// atoiOrZero reads the upper bound of a "{min,max}$" suffix.
func atoiOrZero(suffix string) int {
	_, rest, _ := strings.Cut(suffix, ",")
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Where Go checks a value with code rather than a pattern (addresses,
// durations), the schema's pattern agrees with it on every sample.
func TestSchemaPatternsAgreeWithGoChecks(t *testing.T) {
	t.Parallel()
	doc := loadSchema(t)
	validURL := func(b baseURL) func(string) bool {
		return func(s string) bool {
			var probs Problems
			b.check(setVal(s, Pos{}), &probs)
			return len(probs) == 0
		}
	}
	urls := []string{
		"https://claims.example.com", "https://claims.example.com/", "https://example.com:8443/gatehouse",
		"http://127.0.0.1:8080", "http://localhost:9000/claims", "http://[::1]:80",
		"http://claims.example.com", "https://", "claims.example.com", "ftp://example.com",
		"https://claims.example.com/?a=b", "https://claims.example.com/#x", "https://u:p@claims.example.com",
		"https://a b.example.com", "/relative",
	}
	tests := []struct {
		path    []string
		accepts func(string) bool
		samples []string
	}{
		{[]string{"$defs", "claim", "properties", "url"}, validURL(claimURL), urls},
		{[]string{"$defs", "slack", "properties", "api_url"}, validURL(slackAPIURL), urls},
		{[]string{"$defs", "claim", "properties", "ttl"}, func(s string) bool {
			// The schema checks the form; the range (at most 30 days) is Go's alone.
			d, ok := parseDuration(s)
			return ok && d > 0
		}, []string{
			"72h", "3d", "1d12h", "90m", "1h30m", "1.5h", "500ms", "30d",
			"72", "3 days", "1w", "", "-1h", "d", "3d-1h", "3D", "h", "1d 2h",
		}},
	}
	for _, tt := range tests {
		pattern, _ := doc.at(t, tt.path...)["pattern"].(string)
		re, err := regexp.Compile(pattern)
		if err != nil {
			t.Fatalf("%s: pattern %q: %v", strings.Join(tt.path, "."), pattern, err)
		}
		for _, s := range tt.samples {
			if got, want := re.MatchString(s), tt.accepts(s); got != want {
				t.Errorf("%s: schema accepts %q: %v, gatehouse: %v", strings.Join(tt.path, "."), s, got, want)
			}
		}
	}
}
