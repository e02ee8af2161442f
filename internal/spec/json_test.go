package spec

import (
	"reflect"
	"testing"
	"time"
)

// The JSON form of the spec is read like the YAML one, with lines computed from
// the decoder's offsets.
func TestJSONProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown fields, each with its line", lines(
			`{`,
			`  "delivery": {"from": "noreply@example.com", "colour": "blue"},`,
			`  "people": [`,
			`    {"email": "a@example.com"},`,
			`    {"email": "b@example.com",`,
			`     "nickname": "b"}`,
			`  ]`,
			`}`),
			[]string{
				`unknown field "colour" at t.json:2: delivery has the fields channel, claim, file, from,`,
				`unknown field "nickname" at t.json:6: a person has the fields`,
			}},
		{"validation lines", lines(
			`{"accounts": ["111122223333",`,
			`              "12"],`,
			`  "delivery": {"from": "noreply@example.com"},`,
			`  "people": [{"email": "a@example.com", "user_name": "a b"}]}`),
			[]string{
				`account ID "12" at t.json:2: AWS account IDs are exactly 12 digits`,
				`user name "a b" at t.json:4: IAM user names are 1–64 characters`,
			}},
		{"a key given twice", lines(
			`{"people": ["a@example.com"],`,
			` "delivery": {"channel": "none"},`,
			` "people": ["b@example.com"]}`),
			[]string{`field "people" at t.json:3: already set at t.json:1; keep one`}},
		{"syntax error", lines(
			`{`,
			`  "people": [`,
			`    {"email": "a@example.com",}`,
			`  ]`,
			`}`),
			[]string{`t.json:3: not valid JSON: invalid character '}' looking for beginning of object key string`}},
		{"cut short", `{"people": [` + "\n" + `"a@example.com"`,
			[]string{`t.json:2: not valid JSON: the JSON ends early; close every { and [`}},
		{"data after the object", lines(`{"people": ["a@example.com"], "delivery": {"channel": "none"}}`, `{}`),
			[]string{`t.json:2: unexpected data after the JSON object`}},
		{"numbers and booleans where text goes", lines(
			`{"delivery": {"channel": true, "from": "n@example.com"},`,
			` "password": {"length": 20.5, "reset_required": "yes"},`,
			` "people": [{"email": 42}]}`),
			[]string{
				`delivery channel "true" at t.json:1: use one of: ses, smtp, slack, claim, file, none`,
				`password length "20.5" at t.json:2: expected a whole number`,
				`reset_required "yes" at t.json:2: write true or false`,
				`e-mail address "42" at t.json:3: write a bare address`,
			}},
		{"a top-level list", `["a@example.com"]`,
			[]string{`the top level at t.json:1: expected a mapping with people:`}},
		{"null values are absent", `{"delivery": {"from": "n@example.com", "subject": null}, "people": ["a@example.com"], "role": null}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.json", []byte(tt.src), Flags{})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected problems:\n%v", err)
				}
				return
			}
			assertProblems(t, err, tt.want)
		})
	}
}

// The same spec in YAML and in JSON gives the same Input.
func TestJSONAndYAMLAgree(t *testing.T) {
	t.Parallel()
	yamlSrc := lines(
		"accounts: [\"111122223333\", {ou: ou-ab12-cd34ef56}]",
		"role: {arn: \"arn:aws:iam::{account}:role/Onboarding\", external_id: ext-1}",
		"password: {length: 32, source: secretsmanager, reset_required: false}",
		"delivery: {from: it@example.com, language: ja, subject: Welcome, template: {text: \"Hi {{.UserName}}\"},",
		"  smtp: {addr: \"smtp.example.com:587\", user: u}, slack: {api_url: \"https://slack.example.com/api/\"},",
		"  claim: {url: \"https://claims.example.com\", via: smtp, ttl: 2d}, file: {dir: out}}",
		"defaults: {groups: [staff], tags: {team: a}}",
		"people:",
		"  - {email: a@example.com, groups: [dev], tags: {team: b}, deliver: file, public_key: "+ageKey+"}",
		"  - b@example.com")
	jsonSrc := `{"accounts": ["111122223333", {"ou": "ou-ab12-cd34ef56"}],
 "role": {"arn": "arn:aws:iam::{account}:role/Onboarding", "external_id": "ext-1"},
 "password": {"length": 32, "source": "secretsmanager", "reset_required": false},
 "delivery": {"from": "it@example.com", "language": "ja", "subject": "Welcome", "template": {"text": "Hi {{.UserName}}"},
   "smtp": {"addr": "smtp.example.com:587", "user": "u"}, "slack": {"api_url": "https://slack.example.com/api/"},
   "claim": {"url": "https://claims.example.com", "via": "smtp", "ttl": "2d"}, "file": {"dir": "out"}},
 "defaults": {"groups": ["staff"], "tags": {"team": "a"}},
 "people": [{"email": "a@example.com", "groups": ["dev"], "tags": {"team": "b"}, "deliver": "file", "public_key": "` + ageKey + `"}, "b@example.com"]}`
	y := mustParse(t, "t.yaml", yamlSrc, Flags{})
	j := mustParse(t, "t.json", jsonSrc, Flags{})
	if y.Format != FormatYAML || j.Format != FormatJSON {
		t.Fatalf("formats %q and %q, want yaml and json", y.Format, j.Format)
	}
	y.Source, y.Format, j.Source, j.Format = "", "", "", ""
	for i := range y.People {
		y.People[i].Pos, j.People[i].Pos = Pos{}, Pos{}
	}
	if !reflect.DeepEqual(y, j) {
		t.Fatalf("YAML and JSON differ:\n%+v\n%+v", y, j)
	}
	if j.Password.ResetRequired || j.Password.Length != 32 || j.People[0].Tags["team"] != "b" ||
		j.Delivery.Claim.TTL != 48*time.Hour || j.People[0].PublicKey != ageKey {
		t.Fatalf("settings not read: %+v", j)
	}
}

func TestLineIndex(t *testing.T) {
	t.Parallel()
	idx := newLineIndex([]byte("ab\ncd\r\n\nx"))
	for _, tt := range []struct {
		offset int64
		line   int
	}{{-1, 1}, {0, 1}, {2, 1}, {3, 2}, {6, 2}, {7, 3}, {8, 4}, {100, 4}} {
		if got := idx.at(tt.offset); got != tt.line {
			t.Errorf("at(%d) = %d, want %d", tt.offset, got, tt.line)
		}
	}
}
