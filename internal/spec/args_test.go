package spec

import (
	"reflect"
	"testing"
)

func TestFromArgs(t *testing.T) {
	t.Parallel()
	flags := Flags{
		Accounts: Set([]string{"111122223333", "444455556666", "111122223333"}),
		Role:     Set("OrganizationAccountAccessRole"),
		Groups:   Set([]string{"developers", "Developers", "on-call"}),
		From:     Set("noreply@example.com"),
	}
	in, err := FromArgs([]string{"a@example.com", " b@example.com "}, flags)
	if err != nil {
		t.Fatal(err)
	}
	want := &Input{Directory: DirectoryIAM,
		Source:   "arguments",
		Format:   FormatArguments,
		Accounts: AccountSelector{IDs: []string{"111122223333", "444455556666"}},
		Role:     Role{Name: "OrganizationAccountAccessRole", SessionName: DefaultSessionName},
		Password: Password{Length: 20, Source: SourceCrypto, ResetRequired: true},
		Delivery: withChannelDefaults(Delivery{Channel: ChannelSES, From: "noreply@example.com", Language: LanguageEnglish}),
		People: []Person{
			{Email: "a@example.com", UserName: "a@example.com", Path: "/", Groups: []string{"developers", "on-call"},
				Deliver: ChannelSES, Language: LanguageEnglish, Pos: Pos{Arg: 1}},
			{Email: "b@example.com", UserName: "b@example.com", Path: "/", Groups: []string{"developers", "on-call"},
				Deliver: ChannelSES, Language: LanguageEnglish, Pos: Pos{Arg: 2}},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", in, want)
	}
}

func TestFromArgsProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		emails []string
		flags  Flags
		want   []string
	}{
		{"bad and repeated addresses", []string{"a@example.com", "not-an-address", "A@example.com"}, fromFlag,
			[]string{
				`e-mail address "not-an-address" at argument 2: write a bare address`,
				`user name "A@example.com" at argument 3: already used at argument 1 (IAM user names ignore case)`,
				`e-mail address "A@example.com" at argument 3: already used at argument 1`,
			}},
		{"none at all", nil, fromFlag,
			[]string{`no people: give at least one e-mail address, or -f FILE`}},
		{"no sender for ses", []string{"a@example.com"}, Flags{},
			[]string{`delivery by ses: it needs a sender address: set delivery.from in the spec, or pass --from`}},
		{"no sender needed with --deliver none", []string{"a@example.com"}, Flags{Deliver: Set("none")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromArgs(tt.emails, tt.flags)
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
