package spec

import (
	"reflect"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"JSON object", "\n  {\"people\": []}", FormatJSON},
		{"JSON list", "[1]", FormatJSON},
		{"YAML", "# comment\npeople: []\n", FormatYAML},
		{"YAML flow list first", "- a\n", FormatYAML},
		{"CSV", "email,name\n", FormatCSV},
		{"CSV after a comment", "# from HR\nname,EMAIL\n", FormatCSV},
		{"CSV with a quoted header", "\"name\",\"email\"\r\n", FormatCSV},
		{"YAML key named email", "email: a@example.com\n", FormatYAML},
		{"comma list without an email column", "name,groups\n", FormatYAML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := detect([]byte(tt.src)); got != tt.want {
				t.Fatalf("detect = %q, want %q", got, tt.want)
			}
		})
	}
}

// A full YAML spec becomes an Input with every default and precedence rule
// applied.
func TestParseYAMLSpec(t *testing.T) {
	t.Parallel()
	src := lines(
		"version: 1",
		"accounts: all",
		"role: {name: OrganizationAccountAccessRole}",
		"delivery:",
		"  from: \"IT <it@example.com>\"",
		"  language: ja",
		"defaults:",
		"  groups: [staff]",
		"  policies: [ReadOnlyAccess]",
		"  tags: {team: platform, site: tokyo}",
		"  path: /people/",
		"people:",
		"  - email: hanako@example.com",
		"    name: 佐藤 花子",
		"    groups: [dev, STAFF]",
		"    tags: {Team: infra}",
		"  - email: john@example.com",
		"    user_name: john",
		"    language: en",
		"    path: /contractors/",
		"    deliver: none",
	)
	in := mustParse(t, "team.yaml", src, Flags{})
	want := &Input{Directory: DirectoryIAM,
		Source:   "team.yaml",
		Format:   FormatYAML,
		Accounts: AccountSelector{All: true},
		Role:     Role{Name: "OrganizationAccountAccessRole", SessionName: "gatehouse"},
		Password: Password{Length: 20, Source: "crypto", ResetRequired: true},
		Delivery: withChannelDefaults(Delivery{Channel: "ses", From: "IT <it@example.com>", Language: "ja"}),
		People: []Person{
			{Email: "hanako@example.com", UserName: "hanako@example.com", DisplayName: "佐藤 花子", Path: "/people/",
				Groups: []string{"staff", "dev"}, Policies: []string{"ReadOnlyAccess"},
				Tags: map[string]string{"Team": "infra", "site": "tokyo"}, Deliver: "ses", Language: "ja",
				Pos: Pos{File: "team.yaml", Line: 13}},
			{Email: "john@example.com", UserName: "john", Path: "/contractors/",
				Groups: []string{"staff"}, Policies: []string{"ReadOnlyAccess"},
				Tags: map[string]string{"team": "platform", "site": "tokyo"}, Deliver: "none", Language: "en",
				Pos: Pos{File: "team.yaml", Line: 17}},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", in, want)
	}
}

// Encodings and line endings do not change what is read or the lines reported.
func TestParseYAMLEncodings(t *testing.T) {
	t.Parallel()
	base := withPeople("  - email: taro@example.com", "    name: 山田 太郎", "  - email: bad")
	for _, tt := range []struct{ name, src string }{
		{"LF", base},
		{"CRLF", strings.ReplaceAll(base, "\n", "\r\n")},
		{"BOM", "\ufeff" + base},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(base, "\n", "\r\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.yaml", []byte(tt.src), Flags{})
			assertProblems(t, err, []string{`e-mail address "bad" at t.yaml:5:`})
			in := mustParse(t, "t.yaml", strings.Replace(tt.src, "email: bad", "email: bad@example.com", 1), Flags{})
			if in.People[0].DisplayName != "山田 太郎" {
				t.Fatalf("name %q", in.People[0].DisplayName)
			}
		})
	}
}

func TestParseFileProblems(t *testing.T) {
	t.Parallel()
	bomb := lines(
		"a: &a [x, x, x, x, x, x, x, x, x, x]",
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
		"people: *f")
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"JSON nested too deep", `{"people": ` + strings.Repeat("[", 10_001), []string{`t.yaml:1: not valid JSON: nested more than 10000 levels deep`}},
		{"YAML nested too deep", `people: ` + strings.Repeat("[", 10_001), []string{`t.yaml: not valid YAML: exceeded max depth of 10000`}},
		{"empty", "", []string{`t.yaml: the file is empty`}},
		{"only blank lines", " \n\r\n", []string{`t.yaml: the file is empty`}},
		{"only comments", "# nothing yet\n", []string{`t.yaml: not valid YAML: there is no YAML document in it`}},
		{"YAML syntax error", lines("delivery: {channel: none}", "people:", "  - email: a@example.com", "    name: Smith: Alice"),
			[]string{`t.yaml:4: not valid YAML: mapping values are not allowed in this context`}},
		{"YAML string not closed", lines("people:", "  - email: a@example.com", `    name: "Alice`),
			[]string{`t.yaml:3: not valid YAML: found unexpected end of stream`}},
		{"YAML tab", "people:\n\t- a@example.com\n",
			[]string{`t.yaml:2: not valid YAML: found character that cannot start any token`}},
		{"two documents", lines("delivery: {channel: none}", "people: [a@example.com]", "---", "people: [b@example.com]"),
			[]string{`t.yaml:3: a second YAML document starts here`}},
		{"alias expansion", bomb, []string{`t.yaml: the document expands to more than 100`}},
		{"alias inside its own anchor", "people: &p [*p]\n", []string{`t.yaml: the document expands to more than 100016 values through aliases`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.yaml", []byte(tt.src), Flags{})
			assertProblems(t, err, tt.want)
		})
	}
}

// A successful parse never returns an error, and a failed one never an Input.
func TestParseResultShape(t *testing.T) {
	t.Parallel()
	in, err := Parse("t.yaml", []byte("people: [bad]\n"), Flags{})
	if in != nil || err == nil {
		t.Fatalf("bad input: in=%v err=%v", in, err)
	}
	in, err = Parse("t.yaml", []byte(withPeople("  - a@example.com")), Flags{})
	if in == nil || err != nil {
		t.Fatalf("good input: in=%v err=%v", in, err)
	}
}
