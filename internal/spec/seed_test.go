package spec

import (
	"reflect"
	"testing"
)

// Seed 000's execution input, exactly as its article shows it.
const seed000Input = `{
    "IAMUserNames": [
        "flupino@metalmental.net",
        "nekotto-chan@metalmental.net"
    ]
}`

// Seed 001's execution input shape, with its placeholders filled in.
const seed001Input = `{ "AccountId": "111122223333", "UserNames": [ "dev-user-01", "ops.lead@example.com" ] }`

func TestSeed000(t *testing.T) {
	t.Parallel()
	in := mustParse(t, "input.json", seed000Input, fromFlag)
	want := []Person{
		{Email: "flupino@metalmental.net", UserName: "flupino@metalmental.net", Path: "/",
			Groups: []string{Seed000Group}, Deliver: ChannelSES, Language: LanguageEnglish,
			Pos: Pos{File: "input.json", Line: 3}},
		{Email: "nekotto-chan@metalmental.net", UserName: "nekotto-chan@metalmental.net", Path: "/",
			Groups: []string{Seed000Group}, Deliver: ChannelSES, Language: LanguageEnglish,
			Pos: Pos{File: "input.json", Line: 4}},
	}
	if in.Format != FormatSeed000 || in.Delivery.Channel != ChannelSES || !in.Password.ResetRequired {
		t.Fatalf("format %q, channel %q, reset %v", in.Format, in.Delivery.Channel, in.Password.ResetRequired)
	}
	if !reflect.DeepEqual(in.People, want) {
		t.Fatalf("people\n%+v\nwant\n%+v", in.People, want)
	}
	if !reflect.DeepEqual(in.Accounts, AccountSelector{}) {
		t.Fatalf("accounts %+v, want the caller's own", in.Accounts)
	}
}

func TestSeed000GroupFlag(t *testing.T) {
	t.Parallel()
	in := mustParse(t, "input.json", seed000Input, Flags{From: fromFlag.From, Groups: Set([]string{"staff"})})
	if got := in.People[1].Groups; !reflect.DeepEqual(got, []string{"staff"}) {
		t.Fatalf("groups %q, want --group to replace seed 000's group", got)
	}
}

func TestSeed001(t *testing.T) {
	t.Parallel()
	in := mustParse(t, "input.json", seed001Input, Flags{Role: Set("CrossAccountIAMRole"), Groups: Set([]string{"members"})})
	if in.Format != FormatSeed001 || in.Delivery.Channel != ChannelNone {
		t.Fatalf("format %q channel %q, want seed001 and none (seed 001 returns the credentials)", in.Format, in.Delivery.Channel)
	}
	if !reflect.DeepEqual(in.Accounts.IDs, []string{"111122223333"}) || in.Role.Name != "CrossAccountIAMRole" {
		t.Fatalf("accounts %q role %+v", in.Accounts.IDs, in.Role)
	}
	want := []Person{
		{UserName: "dev-user-01", Path: "/", Groups: []string{"members"}, Deliver: ChannelNone,
			Language: LanguageEnglish, Pos: Pos{File: "input.json", Line: 1}},
		{Email: "ops.lead@example.com", UserName: "ops.lead@example.com", Path: "/", Groups: []string{"members"},
			Deliver: ChannelNone, Language: LanguageEnglish, Pos: Pos{File: "input.json", Line: 1}},
	}
	if !reflect.DeepEqual(in.People, want) {
		t.Fatalf("people\n%+v\nwant\n%+v", in.People, want)
	}
}

// --account replaces seed 001's AccountId, like any flag replaces the file.
func TestSeed001AccountFlag(t *testing.T) {
	t.Parallel()
	in := mustParse(t, "input.json", seed001Input, Flags{Accounts: Set([]string{"444455556666"})})
	if !reflect.DeepEqual(in.Accounts.IDs, []string{"444455556666"}) {
		t.Fatalf("accounts %q", in.Accounts.IDs)
	}
}

func TestSeedProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		flags Flags
		want  []string
	}{
		{"seed 000 with a stray key", lines(`{"IAMUserNames": ["a@example.com"],`, ` "GroupName": "x"}`), fromFlag,
			[]string{`unknown field "GroupName" at t.json:2: seed 000's input has the fields IAMUserNames`}},
		{"seed 000 names must be addresses", lines(`{"IAMUserNames": [`, `"a@example.com",`, `"bob"]}`), fromFlag,
			[]string{`e-mail address "bob" at t.json:3: write a bare address`}},
		{"seed 000 empty", `{"IAMUserNames": []}`, fromFlag,
			[]string{`t.json:1: no people: list e-mail addresses in IAMUserNames`}},
		{"seed 000 mails, so needs a sender", seed000Input, Flags{},
			[]string{`delivery by ses in t.json: it needs a sender address`}},
		{"seed 001 mixed with seed 000", lines(`{"AccountId": "111122223333",`, ` "IAMUserNames": ["a@example.com"],`, ` "UserNames": ["b"]}`), Flags{},
			[]string{`unknown field "IAMUserNames" at t.json:2: seed 001's input has the fields AccountId, UserNames`}},
		{"seed 001 bad account and user name", lines(`{"AccountId": "<メンバーアカウントID>",`, ` "UserNames": ["<ユーザー名>"]}`), Flags{},
			[]string{
				`account ID "<メンバーアカウントID>" at t.json:1: AWS account IDs are exactly 12 digits`,
				`user name "<ユーザー名>" at t.json:2: IAM user names are 1–64 characters`,
			}},
		{"seed 001 user names without addresses cannot take ses", seed001Input, Flags{Deliver: Set("ses"), From: fromFlag.From},
			[]string{`person "dev-user-01" at t.json:1: has no e-mail address, so ses cannot deliver to them`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.json", []byte(tt.src), tt.flags)
			assertProblems(t, err, tt.want)
		})
	}
}

// The seed forms are recognised by their keys, so they work in YAML too.
func TestSeedFormInYAML(t *testing.T) {
	t.Parallel()
	in := mustParse(t, "t.yaml", "AccountId: \"111122223333\"\nUserNames:\n  - alice\n", Flags{})
	if in.Format != FormatSeed001 || in.People[0].UserName != "alice" || in.People[0].Pos.Line != 3 {
		t.Fatalf("got %+v", in)
	}
}
