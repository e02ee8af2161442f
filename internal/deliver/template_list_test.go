package deliver

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// testCredentials are testCredential's person in three accounts, each with a
// password of its own; the second account has no alias.
func testCredentials(lang string) []Credential {
	first := testCredential(lang)
	second, third := first, first
	second.Account, second.AccountAlias, second.Password = "222233334444", "", `Pw2-<&>"'-9xZ!`
	second.SignInURL = "https://222233334444.signin.aws.amazon.com/console"
	third.Account, third.AccountAlias, third.Password = "333344445555", "example-dev", "Pw3-[]{}|-Kq7$"
	third.SignInURL, third.UserName = "https://example-dev.signin.aws.amazon.com/console", "alice.dev"
	return []Credential{first, second, third}
}

func TestBuiltinListTemplatesGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range spec.Languages {
		m, err := RenderAll(lang, spec.Template{}, "", testCredentials(lang))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for ext, got := range map[string]string{"subject": m.Subject + "\n", "txt": m.Text, "html": m.HTML} {
			golden(t, filepath.Join("testdata", lang+"-list."+ext), got)
		}
		links, err := RenderAll(lang, spec.Template{}, "", claimCredentials(testCredentials(lang)))
		if err != nil {
			t.Fatalf("%s, claim link: %v", lang, err)
		}
		golden(t, filepath.Join("testdata", lang+"-list-claim.txt"), links.Text)
	}
}

// claimCredentials are cs as the claim channel hands them to its carrier:
// one link for them all instead of the passwords.
func claimCredentials(cs []Credential) []Credential {
	out := make([]Credential, len(cs))
	for i, c := range cs {
		out[i] = claimCredential(c)
	}
	return out
}

// A message for three accounts shows each account with its own sign-in URL,
// user name and password, once, and a subject without any of them.
func TestBuiltinListTemplatesCarryEveryAccount(t *testing.T) {
	t.Parallel()
	notice := map[string]string{"en": "You must choose a new password when you first sign in to each account.", "ja": "各アカウントへの初回サインイン時に"}
	subject := map[string]string{"en": "Your AWS sign-in details for 3 accounts", "ja": "AWS アカウントのサインイン情報（3 アカウント）"}
	for _, lang := range spec.Languages {
		cs := testCredentials(lang)
		m, err := RenderAll(lang, spec.Template{}, "", cs)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != subject[lang] {
			t.Errorf("%s subject = %q", lang, m.Subject)
		}
		slack, err := RenderSlackAll(lang, spec.Template{}, "", cs)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			for _, want := range []string{c.SignInURL, c.UserName, c.Password, c.Account, notice[lang]} {
				if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, htmlEscaped(want)) || !strings.Contains(slack, mrkdwnEscape(want)) {
					t.Errorf("%s: the text, HTML or Slack message lacks %q", lang, want)
				}
			}
			if n := strings.Count(m.Text, c.Password); n != 1 {
				t.Errorf("%s: the text shows account %s's password %d times", lang, c.Account, n)
			}
		}
		for _, alias := range []string{"example-prod (111122223333)", "example-dev (333344445555)"} {
			if lang == "en" && !strings.Contains(m.Text, "AWS account: "+alias) {
				t.Errorf("the text does not name the account %q", alias)
			}
		}
	}
}

// The claim carrier's message for several accounts lists them and shows the
// one link, once, and no password line.
func TestBuiltinListTemplatesCarryOneLink(t *testing.T) {
	t.Parallel()
	for _, lang := range spec.Languages {
		cs := claimCredentials(testCredentials(lang))
		m, err := RenderAll(lang, spec.Template{}, "", cs)
		if err != nil {
			t.Fatal(err)
		}
		slack, err := RenderSlackAll(lang, spec.Template{}, "", cs)
		if err != nil {
			t.Fatal(err)
		}
		for name, text := range map[string]string{"text": m.Text, "Slack": slack} {
			if n := strings.Count(text, cs[0].ClaimURL); n != 1 {
				t.Errorf("%s %s shows the link %d times", lang, name, n)
			}
			for _, label := range []string{"Password:", "パスワード："} {
				if strings.Contains(text, "\n"+label) || strings.Contains(text, "• "+label) {
					t.Errorf("%s %s has a password line", lang, name)
				}
			}
			for _, c := range cs {
				if !strings.Contains(text, c.Account) {
					t.Errorf("%s %s does not list account %s", lang, name, c.Account)
				}
			}
		}
	}
}

// An override that never mentions .Credentials is for one account: it
// renders one, refuses several, and its channel sends a message per
// account. One that does must show every password, in every body, and none
// in the subject.
func TestOverridesForSeveralAccounts(t *testing.T) {
	t.Parallel()
	const list = "{{range .Credentials}}{{.AccountName}}: {{.Password}}\n{{end}}"
	tests := []struct {
		name    string
		tmpl    spec.Template
		subject string
		want    string // "" for accepted
	}{
		{"one account's template", spec.Template{Text: "Hello {{.Name}}: {{.Password}}"}, "", "never mentions .Credentials, so it shows one account"},
		{"a list", spec.Template{Text: list}, "", ""},
		{"a list in a defined template", spec.Template{Text: `{{define "all"}}{{range $.Credentials}}{{.Password}} {{end}}{{end}}{{template "all" .}}`}, "", ""},
		{"a list, with a subject of its own", spec.Template{Text: list}, "{{len .Credentials}} accounts for {{.Name}}", ""},
		{"a list that forgets passwords", spec.Template{Text: "{{range .Credentials}}{{.Account}} {{end}}{{.Password}}"}, "",
			"does not contain the password of account (222233334444) ({{.Password}} within {{range .Credentials}})"},
		{"a list in the text alone", spec.Template{Text: list, HTML: "<p>{{.Password}}</p>"}, "", "delivery.template.html does not contain the password of account (222233334444)"},
		{"a password in the subject", spec.Template{Text: list}, "{{(index .Credentials 2).Password}}", "delivery.subject puts the password of account (333344445555) in the subject"},
		{"only a comment", spec.Template{Text: "{{/* .Credentials */}}{{.Password}}"}, "", "never mentions .Credentials"},
		{"a budget of MaxBatch, not of a string", spec.Template{Text: "{{range .Credentials}}{{.Password}}{{range 500}}.{{end}}{{end}}"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := testCredentials("en")
			if _, err := Render("en", tt.tmpl, tt.subject, cs[0]); err != nil && tt.want == "" {
				t.Fatalf("one account: %v", err)
			}
			_, err := RenderAll("en", tt.tmpl, tt.subject, cs)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("three accounts: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrRejected) {
				t.Fatalf("RenderAll = %v, want a rejection with %q", err, tt.want)
			}
			for _, c := range cs {
				if strings.Contains(err.Error(), c.Password) {
					t.Errorf("the error shows a password: %v", err)
				}
			}
		})
	}
}
