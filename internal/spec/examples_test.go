package spec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const examplesDir = "../../examples/onboard"

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Every shipped example parses, in the format its content says, with the flags
// the README shows for it.
func TestExamplesParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		flags  Flags
		format string
		people int
	}{
		{"team.yaml", Flags{}, FormatYAML, 6},
		{"team.csv", Flags{
			Accounts: Set([]string{"222222222222", "333333333333"}), Role: Set("OrganizationAccountAccessRole"),
			From: Set("noreply@example.com"),
		}, FormatCSV, 5},
		{"seed000.json", Flags{From: Set("noreply@example.com")}, FormatSeed000, 2},
		{"seed001.json", Flags{Role: Set("OrganizationAccountAccessRole"), Groups: Set([]string{"developers"})}, FormatSeed001, 2},
		{"smtp.yaml", Flags{}, FormatYAML, 2},
		{"slack.yaml", Flags{}, FormatYAML, 2},
		{"claim.yaml", Flags{}, FormatYAML, 2},
		{"file.yaml", Flags{}, FormatYAML, 3},
		{"identity-center.yaml", Flags{}, FormatYAML, 3},
		{"seed004.json", Flags{}, FormatSeed004, 1},
	}
	if files := exampleFiles(t); len(files) != len(tests) {
		t.Errorf("examples/onboard has %d files and this test knows %d: add the new ones here", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			// The path, not the bare name: public_key_file is relative to it.
			in := mustParse(t, filepath.Join(examplesDir, tt.file), string(readExample(t, tt.file)), tt.flags)
			if in.Format != tt.format || len(in.People) != tt.people {
				t.Fatalf("format %q with %d people, want %q with %d", in.Format, len(in.People), tt.format, tt.people)
			}
		})
	}
}

// exampleFiles lists the examples, leaving out directories (keys/).
func exampleFiles(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// Each channel's example sets up that channel, and everything the channel
// needs is there: an address or a public key for everyone.
func TestChannelExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		channel string
		check   func(t *testing.T, in *Input)
	}{
		{"smtp.yaml", ChannelSMTP, func(t *testing.T, in *Input) {
			if in.Delivery.SMTP != (SMTP{Addr: "smtp.example.com:587", User: "gatehouse@example.com", TLS: TLSStartTLS}) {
				t.Fatalf("smtp %+v", in.Delivery.SMTP)
			}
		}},
		{"slack.yaml", ChannelSlack, func(t *testing.T, in *Input) {
			if in.Delivery.Slack.APIURL != DefaultSlackAPIURL {
				t.Fatalf("slack %+v", in.Delivery.Slack)
			}
		}},
		{"claim.yaml", ChannelClaim, func(t *testing.T, in *Input) {
			want := Claim{URL: "https://claims.example.com", Via: ChannelSES, TTL: 72 * time.Hour}
			if in.Delivery.Claim != want {
				t.Fatalf("claim %+v, want %+v", in.Delivery.Claim, want)
			}
		}},
		{"file.yaml", ChannelFile, func(t *testing.T, in *Input) {
			prefixes := []string{"age1", "ssh-ed25519 ", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"}
			for i, p := range in.People {
				if !strings.HasPrefix(p.PublicKey, prefixes[i]) {
					t.Errorf("%s: public key %.40q, want one starting %q", p.UserName, p.PublicKey, prefixes[i])
				}
			}
			if !strings.HasSuffix(in.People[2].PublicKey, "-----END PGP PUBLIC KEY BLOCK-----") {
				t.Errorf("the key from keys/taro.asc is cut short")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			in := mustParse(t, filepath.Join(examplesDir, tt.file), string(readExample(t, tt.file)), Flags{})
			for _, p := range in.People {
				if p.Deliver != tt.channel {
					t.Fatalf("%s is delivered by %q, want %q", p.UserName, p.Deliver, tt.channel)
				}
			}
			tt.check(t, in)
		})
	}
}

// team.yaml shows what the brief asks of it: English and Japanese people,
// groups, per-person accounts, and the schema comment for editors.
func TestTeamExample(t *testing.T) {
	t.Parallel()
	data := readExample(t, "team.yaml")
	first, _, _ := strings.Cut(string(data), "\n")
	const comment = "# yaml-language-server: $schema="
	if !strings.HasPrefix(first, comment) {
		t.Fatalf("first line %q lacks the yaml-language-server comment", first)
	}
	schema := filepath.Join(examplesDir, strings.TrimPrefix(first, comment))
	if _, err := os.Stat(schema); err != nil {
		t.Fatalf("the schema the comment names does not exist: %v", err)
	}
	in := mustParse(t, "team.yaml", string(data), Flags{})
	languages := map[string]int{}
	groups := map[string]bool{}
	for _, p := range in.People {
		languages[p.Language]++
		for _, g := range p.Groups {
			groups[g] = true
		}
	}
	if languages["en"] == 0 || languages["ja"] == 0 || len(groups) < 2 {
		t.Fatalf("languages %v, groups %v: want English and Japanese people and at least two groups", languages, groups)
	}
	if !slices.ContainsFunc(in.People, func(p Person) bool { return p.DisplayName == "山田 太郎" }) {
		t.Fatal("no Japanese name read from team.yaml")
	}
	for _, p := range in.People {
		if slices.Contains(p.Policies, "arn:aws:iam::aws:policy/IAMUserChangePassword") {
			t.Fatalf("%s lists IAMUserChangePassword, which the engine attaches by itself", p.UserName)
		}
	}
}
