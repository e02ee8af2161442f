package spec

import (
	"reflect"
	"testing"
	"time"
)

// overrideSpec sets everything a flag can override.
var overrideSpec = lines(
	`accounts: ["111122223333", {ou: ou-ab12-cd34ef56}]`,
	`role: {arn: "arn:aws:iam::{account}:role/FromFile", external_id: file-ext, session_name: file-session}`,
	`password: {length: 30, source: secretsmanager, reset_required: true}`,
	`delivery: {channel: ses, from: file@example.com, language: en,`,
	`  smtp: {addr: "file.example.com:25", user: file-user, tls: tls},`,
	`  claim: {url: "https://file.example.com", via: slack, ttl: 24h}, file: {dir: file-dir}}`,
	`defaults: {groups: [file-group], policies: [FilePolicy], boundary: FileBoundary, language: en}`,
	`people:`,
	`  - email: a@example.com`,
	`    groups: [own-group]`,
	`    language: en`,
	`    deliver: ses`,
	`    boundary: OwnBoundary`,
	`  - email: b@example.com`,
)

func TestFlagsOverrideTheFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags Flags
		check func(t *testing.T, in *Input)
	}{
		{"nothing given leaves the file alone", Flags{
			// Values without Set are what an unparsed flag holds: ignored.
			Accounts: Opt[[]string]{Value: []string{"999999999999"}}, Groups: Opt[[]string]{Value: []string{"x"}},
			PasswordLength: Opt[int]{Value: 5}, ResetRequired: Opt[bool]{Value: false},
		}, func(t *testing.T, in *Input) {
			want := AccountSelector{IDs: []string{"111122223333"}, OUs: []string{"ou-ab12-cd34ef56"}}
			if !reflect.DeepEqual(in.Accounts, want) || in.Password.Length != 30 || !in.Password.ResetRequired {
				t.Fatalf("accounts %+v password %+v", in.Accounts, in.Password)
			}
			if g := in.People[1].Groups; !reflect.DeepEqual(g, []string{"file-group"}) {
				t.Fatalf("groups %q", g)
			}
		}},
		{"--account replaces accounts and OUs", Flags{Accounts: Set([]string{"444455556666"})}, func(t *testing.T, in *Input) {
			if want := (AccountSelector{IDs: []string{"444455556666"}}); !reflect.DeepEqual(in.Accounts, want) {
				t.Fatalf("accounts %+v", in.Accounts)
			}
		}},
		{"--all-accounts", Flags{AllAccounts: Set(true)}, func(t *testing.T, in *Input) {
			if want := (AccountSelector{All: true}); !reflect.DeepEqual(in.Accounts, want) {
				t.Fatalf("accounts %+v", in.Accounts)
			}
		}},
		{"--ou", Flags{OUs: Set([]string{"ou-zz99-abcdefgh"})}, func(t *testing.T, in *Input) {
			if want := (AccountSelector{OUs: []string{"ou-zz99-abcdefgh"}}); !reflect.DeepEqual(in.Accounts, want) {
				t.Fatalf("accounts %+v", in.Accounts)
			}
		}},
		{"--role NAME replaces the file's ARN", Flags{Role: Set("FromFlag"), ExternalID: Set("flag-ext"), SessionName: Set("flag-session")},
			func(t *testing.T, in *Input) {
				want := Role{Name: "FromFlag", ExternalID: "flag-ext", SessionName: "flag-session"}
				if in.Role != want {
					t.Fatalf("role %+v", in.Role)
				}
			}},
		{"--role ARN", Flags{Role: Set("arn:aws-us-gov:iam::{account}:role/Gov")}, func(t *testing.T, in *Input) {
			want := Role{ARNTemplate: "arn:aws-us-gov:iam::{account}:role/Gov", ExternalID: "file-ext", SessionName: "file-session"}
			if in.Role != want {
				t.Fatalf("role %+v", in.Role)
			}
		}},
		{"--group, --policy and --boundary replace the defaults", Flags{
			Groups: Set([]string{"flag-group"}), Policies: Set([]string{"FlagPolicy"}), Boundary: Set("FlagBoundary"),
		}, func(t *testing.T, in *Input) {
			a, b := in.People[0], in.People[1]
			if !reflect.DeepEqual(a.Groups, []string{"flag-group", "own-group"}) || !reflect.DeepEqual(b.Groups, []string{"flag-group"}) {
				t.Fatalf("groups %q and %q", a.Groups, b.Groups)
			}
			if !reflect.DeepEqual(b.Policies, []string{"FlagPolicy"}) || a.Boundary != "OwnBoundary" || b.Boundary != "FlagBoundary" {
				t.Fatalf("policies %q, boundaries %q and %q", b.Policies, a.Boundary, b.Boundary)
			}
		}},
		{"--language replaces the default, not a person's own", Flags{Language: Set("ja")}, func(t *testing.T, in *Input) {
			if in.People[0].Language != "en" || in.People[1].Language != "ja" || in.Delivery.Language != "ja" {
				t.Fatalf("languages %q and %q", in.People[0].Language, in.People[1].Language)
			}
		}},
		{"--deliver none reaches everyone", Flags{Deliver: Set("none")}, func(t *testing.T, in *Input) {
			if in.Delivery.Channel != "none" || in.People[0].Deliver != "none" || in.People[1].Deliver != "none" {
				t.Fatalf("channel %q, people %q and %q", in.Delivery.Channel, in.People[0].Deliver, in.People[1].Deliver)
			}
		}},
		{"the channels' settings come from the file", Flags{}, func(t *testing.T, in *Input) {
			d := in.Delivery
			if d.SMTP != (SMTP{Addr: "file.example.com:25", User: "file-user", TLS: TLSImplicit}) ||
				d.Claim != (Claim{URL: "https://file.example.com", Via: ChannelSlack, TTL: 24 * time.Hour}) || d.File.Dir != "file-dir" {
				t.Fatalf("delivery %+v", d)
			}
		}},
		{"the channels' flags replace the file's settings", Flags{
			SMTPAddr: Set("flag.example.com:587"), SMTPUser: Set(""), SMTPTLS: Set("STARTTLS"),
			ClaimURL: Set("https://flag.example.com/"), ClaimVia: Set("smtp"), ClaimTTL: Set(48 * time.Hour),
			FileDir: Set("flag-dir"),
		}, func(t *testing.T, in *Input) {
			d := in.Delivery
			if d.SMTP != (SMTP{Addr: "flag.example.com:587", TLS: TLSStartTLS}) ||
				d.Claim != (Claim{URL: "https://flag.example.com", Via: ChannelSMTP, TTL: 48 * time.Hour}) || d.File.Dir != "flag-dir" {
				t.Fatalf("delivery %+v", d)
			}
		}},
		{"--from and the password flags", Flags{
			From: Set("flag@example.com"), PasswordLength: Set(64), PasswordSource: Set("crypto"), ResetRequired: Set(false),
		}, func(t *testing.T, in *Input) {
			want := Password{Length: 64, Source: "crypto", ResetRequired: false}
			if in.Delivery.From != "flag@example.com" || in.Password != want {
				t.Fatalf("from %q password %+v", in.Delivery.From, in.Password)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, mustParse(t, "t.yaml", overrideSpec, tt.flags))
		})
	}
}

func TestFlagProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags Flags
		want  []string
	}{
		{"--all-accounts with --account and --ou", Flags{
			AllAccounts: Set(true), Accounts: Set([]string{"111122223333"}), OUs: Set([]string{"ou-ab12-cd34ef56"}),
		}, []string{
			`--all-accounts with --account: choose one`,
			`--all-accounts with --ou: choose one`,
		}},
		{"password length below 20", Flags{PasswordLength: Set(19)},
			[]string{`password length 19 from --password-length: use 20 to 128`}},
		{"password length above 128", Flags{PasswordLength: Set(129)},
			[]string{`password length 129 from --password-length: use 20 to 128`}},
		{"password length zero, given", Flags{PasswordLength: Set(0)},
			[]string{`password length 0 from --password-length: use 20 to 128`}},
		{"enums", Flags{Deliver: Set("mail"), Language: Set("de"), PasswordSource: Set("kms")},
			[]string{
				`password source "kms" from --password-source: use one of: crypto, secretsmanager`,
				`delivery channel "mail" from --deliver: use one of: ses, smtp, slack, claim, file, none`,
				`language "de" from --language: use one of: en, ja`,
			}},
		{"values", Flags{
			Accounts: Set([]string{"111122223333", "abc"}), OUs: Set([]string{"ou-1"}), Role: Set("bad role"),
			Groups: Set([]string{"bad group"}), Policies: Set([]string{"arn:aws:iam::aws:role/x"}), Boundary: Set("a b"),
			From: Set("nobody"), ExternalID: Set("x"), SessionName: Set("s"),
		}, []string{
			`account ID "abc" from --account:`,
			`OU ID "ou-1" from --ou:`,
			`role name "bad role" from --role:`,
			`external ID "x" from --external-id:`,
			`session name "s" from --session-name:`,
			`sender address "nobody" from --from:`,
			`permissions boundary "a b" from --boundary:`,
			`group name "bad group" from --group:`,
			`policy "arn:aws:iam::aws:role/x" from --policy:`,
		}},
		{"--role ARN without {account} for many accounts", Flags{
			Role: Set("arn:aws:iam::111122223333:role/R"), Accounts: Set([]string{"111122223333", "444455556666"}),
		}, []string{`role ARN template "arn:aws:iam::111122223333:role/R" from --role: it has no {account}`}},
		{"--external-id without a role", Flags{ExternalID: Set("ext-id")},
			[]string{`a role setting "ext-id" from --external-id: it is used only when assuming a role`}},
		{"the channels' settings", Flags{
			SMTPAddr: Set("nohost"), SMTPUser: Set("me"), SMTPTLS: Set("none"), ClaimURL: Set("claims.example.com"),
			ClaimVia: Set("none"), ClaimTTL: Set(721 * time.Hour), FileDir: Set(" "),
		}, []string{
			`smtp addr "nohost" from --smtp-addr: write host:port`,
			`smtp tls none with a user from --smtp-tls: the password would cross the network unencrypted`,
			`claim url "claims.example.com" from --claim-url: write an absolute https:// address`,
			`claim via "none" from --claim-via: use one of: ses, smtp, slack`,
			`claim ttl 721h0m0s from --claim-ttl: use more than 0 and at most 720h (30 days)`,
			`file dir from --file-dir: name the directory the encrypted files go to`,
		}},
		{"--claim-ttl zero, given", Flags{ClaimTTL: Set(time.Duration(0))},
			[]string{`claim ttl 0s from --claim-ttl: use more than 0`}},
		{"--deliver smtp needs a server", Flags{Deliver: Set("smtp")},
			[]string{`delivery by smtp in t.yaml: it needs the mail server: set delivery.smtp.addr in the spec (host:port, e.g. smtp.example.com:587), or pass --smtp-addr`}},
		{"--deliver claim needs a url", Flags{Deliver: Set("claim")},
			[]string{`delivery by claim in t.yaml: it needs the public address of gatehouse serve for the links: set delivery.claim.url in the spec (e.g. https://claims.example.com), or pass --claim-url`}},
		{"--deliver file needs keys", Flags{Deliver: Set("file")},
			[]string{`person "a@example.com" at t.yaml:3: has no public key, so file cannot encrypt their credentials`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("t.yaml", []byte(withPeople("  - a@example.com")), tt.flags)
			assertProblems(t, err, tt.want)
		})
	}
}

// A role name and an ARN template together conflict in the file; --role
// replaces both, so the flag resolves the conflict.
func TestRoleConflictResolvedByFlag(t *testing.T) {
	t.Parallel()
	src := lines("role: {name: A, arn: \"arn:aws:iam::{account}:role/B\"}", "delivery: {channel: none}", "people: [a@example.com]")
	if _, err := Parse("t.yaml", []byte(src), Flags{}); err == nil {
		t.Fatal("name and arn together: no problem reported")
	}
	in := mustParse(t, "t.yaml", src, Flags{Role: Set("C")})
	if in.Role.Name != "C" || in.Role.ARNTemplate != "" {
		t.Fatalf("role %+v", in.Role)
	}
}

func TestMarkChanged(t *testing.T) {
	t.Parallel()
	var f Flags
	changed := map[string]bool{FlagAccount: true, FlagResetRequired: true, FlagPasswordLength: true}
	f.MarkChanged(func(name string) bool { return changed[name] })
	if !f.Accounts.Set || !f.ResetRequired.Set || !f.PasswordLength.Set {
		t.Fatalf("changed flags not marked: %+v", f)
	}
	if f.Groups.Set || f.Role.Set || f.AllAccounts.Set || f.Deliver.Set {
		t.Fatalf("unchanged flags marked: %+v", f)
	}
	if n := len(f.setters()); n != reflect.TypeOf(f).NumField() {
		t.Fatalf("MarkChanged knows %d flags, Flags has %d fields", n, reflect.TypeOf(f).NumField())
	}
}

// The flags give everything a channel needs when the input has no file.
func TestChannelFlagsForArguments(t *testing.T) {
	t.Parallel()
	flags := Flags{
		Deliver: Set("claim"), From: Set("it@example.com"), ClaimURL: Set("http://127.0.0.1:8080"),
		ClaimVia: Set("smtp"), SMTPAddr: Set("127.0.0.1:2525"),
	}
	in, err := FromArgs([]string{"a@example.com"}, flags)
	if err != nil {
		t.Fatal(err)
	}
	if in.People[0].Deliver != ChannelClaim || in.Delivery.Claim.Via != ChannelSMTP || in.Delivery.SMTP.Addr != "127.0.0.1:2525" {
		t.Fatalf("delivery %+v, person %+v", in.Delivery, in.People[0])
	}
	flags.SMTPAddr = Opt[string]{}
	_, err = FromArgs([]string{"a@example.com"}, flags)
	assertProblems(t, err, []string{`delivery by claim (via smtp): it needs the mail server`})
	_, err = FromArgs([]string{"a@example.com"}, Flags{Deliver: Set("file")})
	assertProblems(t, err, []string{`person "a@example.com" at argument 1: has no public key, so file cannot encrypt ` +
		`their credentials: this input cannot carry public keys; list the people in a spec with public_key, or choose another --deliver`})
}
