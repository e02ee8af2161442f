package spec

import (
	"reflect"
	"strings"
	"testing"
)

func TestCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, in *Input)
	}{
		{"Japanese names, lists and tags", lines(
			"email,user_name,name,groups,policies,accounts,language,tags,path,boundary,deliver",
			"taro@example.com,taro,山田 太郎,dev; ops,ReadOnlyAccess,111122223333,ja,team=基盤;cost=42,/staff/,PowerUserAccess,none"),
			func(t *testing.T, in *Input) {
				want := Person{
					Email: "taro@example.com", UserName: "taro", DisplayName: "山田 太郎", Path: "/staff/",
					Groups: []string{"dev", "ops"}, Policies: []string{"ReadOnlyAccess"}, Boundary: "PowerUserAccess",
					Tags: map[string]string{"team": "基盤", "cost": "42"}, Accounts: []string{"111122223333"},
					Deliver: "none", Language: "ja", Pos: Pos{File: "t.csv", Line: 2},
				}
				if !reflect.DeepEqual(in.People[0], want) {
					t.Fatalf("person\n%+v\nwant\n%+v", in.People[0], want)
				}
			}},
		{"byte order mark and CRLF", "\ufeffEmail,Name\r\na@example.com,Alice\r\nb@example.com,Bob\r\n",
			func(t *testing.T, in *Input) {
				if got := userNames(in); !reflect.DeepEqual(got, []string{"a@example.com", "b@example.com"}) {
					t.Fatalf("user names %q", got)
				}
				if in.People[1].DisplayName != "Bob" || in.People[1].Pos.Line != 3 {
					t.Fatalf("second person %+v", in.People[1])
				}
			}},
		{"header names are forgiving", lines(" E-Mail , User Name ", "a@example.com,alice"),
			func(t *testing.T, in *Input) {
				if in.People[0].UserName != "alice" {
					t.Fatalf("user name %q, want alice", in.People[0].UserName)
				}
			}},
		{"comments, blank and empty rows, quoted commas", lines(
			"# exported from HR",
			"email,name",
			"",
			"a@example.com,\"Smith, Alice\"",
			",",
			"\"b@example.com\",\"Bob \"\"B\"\" Jones\""),
			func(t *testing.T, in *Input) {
				if len(in.People) != 2 || in.People[0].DisplayName != "Smith, Alice" || in.People[1].DisplayName != `Bob "B" Jones` {
					t.Fatalf("people %+v", in.People)
				}
				if in.People[0].Pos.Line != 4 || in.People[1].Pos.Line != 6 {
					t.Fatalf("lines %d and %d, want 4 and 6", in.People[0].Pos.Line, in.People[1].Pos.Line)
				}
			}},
		{"public keys, one in a quoted cell over several lines", lines(
			"email,deliver,Public Key",
			"a@example.com,file,"+ageKey,
			"b@example.com,file,\""+strings.TrimSpace(pgpKey)+"\""),
			func(t *testing.T, in *Input) {
				if in.People[0].PublicKey != ageKey || in.People[1].PublicKey != strings.TrimSpace(pgpKey) {
					t.Fatalf("public keys %q and %q", in.People[0].PublicKey, in.People[1].PublicKey)
				}
			}},
		{"the email column alone", "email\na@example.com\n",
			func(t *testing.T, in *Input) {
				if in.Format != FormatCSV || len(in.People) != 1 {
					t.Fatalf("format %q, %d people", in.Format, len(in.People))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := mustParse(t, "t.csv", tt.src, Flags{From: fromFlag.From, Accounts: Set([]string{"111122223333"})})
			if in.Format != FormatCSV {
				t.Fatalf("format %q, want csv", in.Format)
			}
			tt.check(t, in)
		})
	}
}

func TestCSVProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown and repeated columns", lines("email,team,name,Name", "a@example.com,x,A,B"),
			[]string{
				`unknown column "team" at t.csv:1: the columns are accounts, boundary,`,
				`column "name" at t.csv:1: appears twice in the header; keep one`,
			}},
		{"a misspelt column", lines("email,usr_name", "a@example.com,a"),
			[]string{`unknown column "usr_name" at t.csv:1: did you mean "user_name"?`}},
		{"rows of the wrong width", lines("email,name", "a@example.com,Smith, Alice", "b@example.com"),
			[]string{
				`a row at t.csv:2: 3 fields but the header has 2 columns; quote values that contain commas`,
				`a row at t.csv:3: 1 field but the header has 2 columns`,
			}},
		{"validation with row lines", lines(
			"email,user_name,accounts,tags",
			"a@example.com,,1111,team=x",
			"b@example.com,A@EXAMPLE.COM,,novalue",
			"c@example,,,"),
			[]string{
				`account ID "1111" at t.csv:2: AWS account IDs are exactly 12 digits`,
				`tag "novalue" at t.csv:3: write tags as key=value, separated by ;`,
				`user name "A@EXAMPLE.COM" at t.csv:3: already used at t.csv:2`,
				`e-mail address "c@example" at t.csv:4: write a bare address`,
			}},
		{"the file channel without keys", lines("email,deliver,public_key", "a@example.com,file,", "b@example.com,file,"+ageSecret),
			[]string{
				`person "a@example.com" at t.csv:2: has no public key, so file cannot encrypt their credentials: add a public_key (or public_key_file) column`,
				`public_key at t.csv:3: this is a private key`,
			}},
		{"a bad quote", lines("email,name", `a@example.com,"Alice`, "b@example.com,Bob"),
			[]string{`t.csv:2: not valid CSV: extraneous or missing " in quoted-field`}},
		{"header only", "email,name\r\n",
			[]string{`t.csv:1: no people: add one row per person under the header`}},
		{"not UTF-8 (Shift_JIS from Excel)", "email,name\na@example.com,\x8eR\x93c\n",
			[]string{`t.csv:2: the file is not UTF-8 text; save it as UTF-8 (in Excel: CSV UTF-8)`}},
		{"UTF-16", "\xff\xfee\x00m\x00",
			[]string{`t.csv: the file is UTF-16 text; save it as UTF-8`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.csv", []byte(tt.src), fromFlag)
			assertProblems(t, err, tt.want)
		})
	}
}

// A quoted value may span lines; the problem is reported on the line the value
// starts.
func TestCSVMultilineFieldLines(t *testing.T) {
	t.Parallel()
	src := "email,name,groups\na@example.com,\"Alice\nSmith\",\"bad group\"\n"
	_, err := Parse("t.csv", []byte(src), fromFlag)
	got := strings.Join(problemStrings(t, err), "\n")
	for _, want := range []string{`name "Alice\nSmith" at t.csv:2:`, `group name "bad group" at t.csv:3:`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems\n%s\nlack %s", got, want)
		}
	}
}
