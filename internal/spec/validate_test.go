package spec

import (
	"strings"
	"testing"
)

// yamlCase is a spec and the problems it must produce (nil: none), each given
// by its start, position included.
type yamlCase struct {
	name string
	src  string
	want []string
}

func runYAMLCases(t *testing.T, tests []yamlCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.yaml", []byte(tt.src), Flags{})
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

// Rules about people: names, addresses, duplicates, IAM names, tags.
func TestPersonRules(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 60) + "@example.com" // 72 characters
	runYAMLCases(t, []yamlCase{
		{"user name characters", withPeople(
			"  - email: a@example.com",
			"    user_name: a b"),
			[]string{`user name "a b" at t.yaml:4: IAM user names are 1–64 characters from A-Z a-z 0-9 + = , . @ _ -`}},
		{"user name from a long e-mail", withPeople("  - email: " + long),
			[]string{`user name "` + long + `" at t.yaml:3: IAM user names are 1–64 characters from A-Z a-z 0-9 + = , . @ _ -; ` +
				`this one is the e-mail address, so set a user_name for this person`}},
		{"user name of 64 characters", withPeople("  - email: a@example.com", "    user_name: "+strings.Repeat("u", 64)), nil},
		{"user name of 65 characters", withPeople("  - email: a@example.com", "    user_name: "+strings.Repeat("u", 65)),
			[]string{`user name "` + strings.Repeat("u", 65) + `" at t.yaml:4: IAM user names are 1–64 characters`}},
		{"user name from a long e-mail, fixed", withPeople("  - email: "+long, "    user_name: a.long.one"), nil},
		{"e-mail with a display name", withPeople(`  - email: "Alice <alice@example.com>"`),
			[]string{`e-mail address "Alice <alice@example.com>" at t.yaml:3: write a bare address like name@example.com`}},
		{"e-mail domain without a dot", withPeople("  - email: alice@localhost"),
			[]string{`e-mail address "alice@localhost" at t.yaml:3: write a bare address`}},
		{"e-mail with an IP address for a domain", withPeople("  - email: a@[192.0.2.1]"),
			[]string{`e-mail address "a@[192.0.2.1]" at t.yaml:3: write a bare address`}},
		{"e-mail with a comment", withPeople("  - email: a@example.com (Alice)"),
			[]string{`e-mail address "a@example.com (Alice)" at t.yaml:3: write a bare address`}},
		{"e-mail in Japanese needs an IAM user name", withPeople("  - email: 山田@example.com"),
			[]string{`user name "山田@example.com" at t.yaml:3: IAM user names are 1–64 characters from A-Z a-z 0-9 + = , . @ _ -; ` +
				`this one is the e-mail address, so set a user_name for this person`}},
		{"e-mail in Japanese with a user name", withPeople("  - email: 山田@example.com", "    user_name: yamada"), nil},
		{"e-mail without @", withPeople("  - email: alice.example.com"),
			[]string{`e-mail address "alice.example.com" at t.yaml:3: write a bare address`}},
		{"e-mail not usable as a tag value", withPeople("  - email: o'brien@example.com", "    user_name: obrien"),
			[]string{`e-mail address "o'brien@example.com" at t.yaml:3: gatehouse tags the IAM user with the address`}},
		{"person without e-mail or user name", withPeople("  - name: Nobody"),
			[]string{`a person at t.yaml:3: needs an email (the user name defaults to it) or a user_name`}},
		{"ses person without e-mail", withPeople("  - user_name: svc"),
			[]string{`person "svc" at t.yaml:3: has no e-mail address, so ses cannot deliver to them`}},
		{"person without e-mail, deliver none", withPeople("  - user_name: svc", "    deliver: none"), nil},
		{"duplicate user name, any case", withPeople(
			"  - email: alice@example.com",
			"  - email: alice2@example.com",
			"    user_name: ALICE@example.com"),
			[]string{`user name "ALICE@example.com" at t.yaml:5: already used at t.yaml:3 (IAM user names ignore case)`}},
		{"duplicate e-mail", withPeople(
			"  - email: alice@example.com",
			"  - email: Alice@Example.com",
			"    user_name: alice2"),
			[]string{`e-mail address "Alice@Example.com" at t.yaml:4: already used at t.yaml:3; each person appears once`}},
		{"IAM names and ARNs", withPeople(
			"  - email: a@example.com",
			"    groups: [ok-group, \"bad group\"]",
			"    policies: [ReadOnlyAccess, job-function/ViewOnlyAccess, \"arn:aws:iam::aws:policy/ReadOnlyAccess\", \"arn:aws:s3:::bucket\"]",
			"    boundary: \"arn:aws:iam::12345:policy/B\"",
			"    path: staff"),
			[]string{
				`group name "bad group" at t.yaml:4: IAM group names are 1–128 characters`,
				`policy "arn:aws:s3:::bucket" at t.yaml:5: use a managed policy's ARN`,
				`permissions boundary "arn:aws:iam::12345:policy/B" at t.yaml:6: use a managed policy's ARN`,
				`path "staff" at t.yaml:7: IAM paths start and end with /`,
			}},
		{"tags", lines(
			"delivery: {from: noreply@example.com}",
			"defaults:",
			"  tags: {\"aws:owner\": x}",
			"people:",
			"  - email: a@example.com",
			"    tags:",
			"      team: platform",
			"      Team: infra",
			"      \"bad!key\": x",
			"      note: \"semi;colon\""),
			[]string{
				`tag key "aws:owner" at t.yaml:3: keys starting with aws: are reserved by AWS`,
				`tag key "Team" at t.yaml:8: already set at t.yaml:7 (IAM tag keys ignore case)`,
				`tag key "bad!key" at t.yaml:9: tag keys are 1–128 letters`,
				`value of tag "note" "semi;colon" at t.yaml:10: tag values are up to 256 letters`,
			}},
		{"too many tags with the defaults", lines(
			"delivery: {from: noreply@example.com}",
			"defaults: {tags: {"+tagList(0, 40)+"}}",
			"people:",
			"  - email: a@example.com",
			"    tags: {"+tagList(40, 49)+"}"),
			[]string{`person "a@example.com" at t.yaml:4: has more than 48 tags with the defaults`}},
		{"name on one line", withPeople("  - email: a@example.com", "    name: \"Alice\\nSmith\""),
			[]string{`name "Alice\nSmith" at t.yaml:4: keep it to one line of at most 256 characters`}},
	})
}

// Rules about accounts and the role.
func TestAccountAndRoleRules(t *testing.T) {
	t.Parallel()
	runYAMLCases(t, []yamlCase{
		{"account IDs", lines(
			"accounts:",
			`  - "12345678901"`,
			"  - 1234567890ab",
			"  - {ou: ou-ab12-cd34ef56}",
			"  - {ou: ou-AB-1}",
			"delivery: {from: noreply@example.com}",
			"people: [a@example.com]"),
			[]string{
				`account ID "12345678901" at t.yaml:2: AWS account IDs are exactly 12 digits`,
				`account ID "1234567890ab" at t.yaml:3: AWS account IDs are exactly 12 digits`,
				`OU ID "ou-AB-1" at t.yaml:5: OU IDs look like ou-ab12-cd34ef56`,
			}},
		{"account ID as a YAML number keeps its leading zero", lines(
			"accounts: [012345678901]",
			"delivery: {from: noreply@example.com}",
			"people: [a@example.com]"), nil},
		{"all inside a list", lines("accounts: [all, \"111122223333\"]", "delivery: {from: n@example.com}", "people: [a@example.com]"),
			[]string{`all in a list of accounts at t.yaml:1: write accounts: all on its own`}},
		{"person account outside the selection", lines(
			`accounts: ["111122223333"]`,
			"delivery: {from: noreply@example.com}",
			"people:",
			"  - email: a@example.com",
			`    accounts: ["444455556666"]`),
			[]string{`account "444455556666" at t.yaml:5: a person's accounts must be among the selected ones, ` +
				`and the spec selects 111122223333; add it to the spec's accounts (or --account), or remove it here`}},
		{"person account with all accounts", lines(
			"accounts: all", "delivery: {from: noreply@example.com}", "people:",
			"  - email: a@example.com", `    accounts: ["444455556666"]`), nil},
		{"role name and ARN together", lines(
			"role:",
			"  name: Admin",
			"  arn: arn:aws:iam::{account}:role/Admin",
			"people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`role with both name "Admin" and arn "arn:aws:iam::{account}:role/Admin" at t.yaml:3: set one`}},
		{"role ARN template without {account}", lines(
			`accounts: ["111122223333", "444455556666"]`,
			"role: {arn: \"arn:aws:iam::111122223333:role/Admin\"}",
			"people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`role ARN template "arn:aws:iam::111122223333:role/Admin" at t.yaml:2: it has no {account}`}},
		{"fixed role ARN for its one account", lines(
			`accounts: ["111122223333"]`,
			"role: {arn: \"arn:aws-cn:iam::111122223333:role/path/Admin\"}",
			"people: [a@example.com]", "delivery: {from: n@example.com}"), nil},
		{"role ARN malformed", lines("role: {arn: \"arn:aws:sts::{account}:role/Admin\"}", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`role ARN template "arn:aws:sts::{account}:role/Admin" at t.yaml:1: write arn:aws:iam::{account}:role/NAME`}},
		{"role settings without a role", lines("role: {external_id: x-1234, session_name: me}", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{
				`a role setting "x-1234" at t.yaml:1: it is used only when assuming a role`,
				`a role setting "me" at t.yaml:1: it is used only when assuming a role`,
			}},
		{"role names and IDs", lines("role: {name: \"a b\", external_id: \"x\", session_name: \"has space\"}", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{
				`role name "a b" at t.yaml:1: IAM role names are 1–64 characters`,
				`external ID "x" at t.yaml:1: external IDs are 2–1224 characters`,
				`session name "has space" at t.yaml:1: role session names are 2–64 characters`,
			}},
	})
}

// Rules about password and delivery settings.
func TestSettingsRules(t *testing.T) {
	t.Parallel()
	runYAMLCases(t, []yamlCase{
		{"enums", lines(
			"password: {source: vault}",
			"delivery: {channel: sms, language: fr, from: noreply@example.com}",
			"defaults: {deliver: pigeon}",
			"people:",
			"  - email: a@example.com",
			"    language: de"),
			[]string{
				`password source "vault" at t.yaml:1: use one of: crypto, secretsmanager`,
				`delivery channel "sms" at t.yaml:2: use one of: ses, smtp, slack, claim, file, none`,
				`language "fr" at t.yaml:2: use one of: en, ja`,
				`deliver "pigeon" at t.yaml:3: use one of: ses, smtp, slack, claim, file, none`,
				`language "de" at t.yaml:6: use one of: en, ja`,
			}},
		{"enums ignore case", lines("delivery: {channel: SES, language: JA, from: n@example.com}", "people: [a@example.com]"), nil},
		{"password length", lines("password:", "  length: 12", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`password length 12 at t.yaml:2: use 20 to 128`}},
		{"password length bounds", lines("password: {length: 20}", "people: [a@example.com]", "delivery: {from: n@example.com}"), nil},
		{"password length upper bound", lines("password: {length: 128}", "people: [a@example.com]", "delivery: {from: n@example.com}"), nil},
		{"password length too long", lines("password: {length: 129}", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`password length 129 at t.yaml:1: use 20 to 128`}},
		{"password length not a number", lines("password: {length: long}", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`password length "long" at t.yaml:1: expected a whole number; use 20 to 128`}},
		{"reset_required not a boolean", lines("password: {reset_required: sometimes}", "people: [a@example.com]", "delivery: {from: n@example.com}"),
			[]string{`reset_required "sometimes" at t.yaml:1: write true or false`}},
		{"delivery settings", lines(
			"delivery:",
			"  from: not-an-address",
			"  reply_to: \"help <help@example.com>\"",
			"  subject: \"two\\nlines\"",
			"  template:",
			"    text: \"Hello {{.UserName\"",
			"    html: |",
			"      <p>{{if .Password}}</p>",
			"people: [a@example.com]"),
			[]string{
				`sender address "not-an-address" at t.yaml:2: write an address like noreply@example.com`,
				`subject "two\nlines" at t.yaml:4: keep it to one line of at most 200 characters`,
				`text template at t.yaml:6: it does not parse as a Go template: template: text:1: unclosed action`,
				`html template at t.yaml:7: it does not parse as a Go template:`,
			}},
		{"subject that does not parse", lines("delivery:", "  from: it@example.com", "  subject: \"Welcome {{.UserName\"", "people: [a@example.com]"),
			[]string{`subject at t.yaml:3: it does not parse as a Go template: template: subject:1: unclosed action`}},
		{"ses without a sender", lines("people: [a@example.com]"),
			[]string{`delivery by ses in t.yaml: it needs a sender address: set delivery.from in the spec, or pass --from`}},
		{"no sender needed without ses", lines("delivery: {channel: none}", "people: [a@example.com]"), nil},
		{"version", lines("version: 2", "delivery: {from: n@example.com}", "people: [a@example.com]"),
			[]string{`version 2 at t.yaml:1: this gatehouse reads version 1 specs`}},
		{"empty people", lines("delivery: {from: n@example.com}", "people: []"),
			[]string{`t.yaml:2: no people: add at least one entry under people:`}},
	})
}

// Unknown fields, repeated fields and values of the wrong shape.
func TestFileShapeRules(t *testing.T) {
	t.Parallel()
	runYAMLCases(t, []yamlCase{
		{"unknown top-level field", lines("delivery: {from: noreply@example.com}", "poeple: [a@example.com]"),
			[]string{
				`unknown field "poeple" at t.yaml:2: did you mean "people"? the spec has the fields accounts, checks, defaults, delivery, directory, events, identity_center, okta, password, people, role, version`,
				`t.yaml: no people: add at least one entry under people:`,
			}},
		{"unknown person field", withPeople("  - email: a@example.com", "    group: [x]"),
			[]string{`unknown field "group" at t.yaml:4: did you mean "groups"? a person has the fields accounts, assignments, boundary,`}},
		{"unknown nested fields", lines(
			"role: {name: R, externalid: x}",
			"password: {size: 30}",
			"delivery: {from: noreply@example.com, template: {body: x}}",
			"defaults: {user_name: x}",
			"accounts: [{ou: ou-ab12-cd34ef56, id: x}]",
			"people: [a@example.com]"),
			[]string{
				`unknown field "externalid" at t.yaml:1: did you mean "external_id"? role has the fields arn, external_id, name, session_name`,
				`unknown field "size" at t.yaml:2: password has the fields length, reset_required, source`,
				`unknown field "body" at t.yaml:3: template has the fields html, text`,
				`unknown field "user_name" at t.yaml:4: defaults has the fields assignments, boundary, deliver, groups, language, path, policies, tags`,
				`unknown field "id" at t.yaml:5: an accounts entry has the fields ou`,
			}},
		{"field given twice", withPeople("  - email: a@example.com", "    email: b@example.com"),
			[]string{`field "email" at t.yaml:4: already set at t.yaml:3; keep one`}},
		{"wrong shapes", lines(
			"accounts: {id: 1}",
			"role: [a]",
			"delivery: {from: [a@example.com]}",
			"people:",
			"  - email: a@example.com",
			"    groups: developers",
			"    tags: [a]"),
			[]string{
				`accounts at t.yaml:1: expected all, or a list of 12-digit account IDs and {ou: ou-…} entries, not a mapping`,
				`role at t.yaml:2: expected a mapping of key: value pairs, not a list`,
				`from at t.yaml:3: expected a single value, not a list`,
				`groups at t.yaml:6: expected a list, not a single value; write [a, b] or one "- a" per line`,
				`tags at t.yaml:7: expected a mapping of tag keys to values, not a list`,
				`delivery by ses in t.yaml: it needs a sender address`,
			}},
		{"top level not a mapping", "- a@example.com\n",
			[]string{`the top level at t.yaml:1: expected a mapping with people:`}},
		{"merge keys", withPeople("  - <<: {email: a@example.com}"),
			[]string{
				`unknown field "<<" at t.yaml:3: merge keys are not supported; put shared settings under defaults`,
				`a person at t.yaml:3: needs an email`,
			}},
		{"aliases are followed", lines(
			"defaults: {groups: &g [developers]}",
			"delivery: {from: n@example.com}",
			"people:", "  - email: a@example.com", "    groups: *g"), nil},
	})
}

// tagList renders "k0: v, k1: v, …" for keys from..to-1.
func tagList(from, to int) string {
	var parts []string
	for i := from; i < to; i++ {
		parts = append(parts, "k"+itoa(i)+": v")
	}
	return strings.Join(parts, ", ")
}

// The brief's own example, word for word.
func TestUserNameMessage(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("\n", 10) + withPeople("  - {email: a@example.com, user_name: a b}")
	_, err := Parse("team.yaml", []byte(src), Flags{})
	got := problemStrings(t, err)
	want := `user name "a b" at team.yaml:13: IAM user names are 1–64 characters from A-Z a-z 0-9 + = , . @ _ -`
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// Problems are all collected: a file with many problems reports each of them,
// in line order.
func TestProblemsAreCollectedInLineOrder(t *testing.T) {
	t.Parallel()
	src := withPeople(
		"  - email: bad1",
		"  - email: ok@example.com",
		"    user_name: \"bad 2\"",
		"  - email: bad3",
	)
	_, err := Parse("t.yaml", []byte(src), Flags{Accounts: Set([]string{"1"})})
	assertProblems(t, err, []string{
		`account ID "1" from --account: AWS account IDs are exactly 12 digits`,
		`e-mail address "bad1" at t.yaml:3:`,
		`user name "bad 2" at t.yaml:5:`,
		`e-mail address "bad3" at t.yaml:6:`,
	})
}
