package delivertest

import (
	"maps"
	"testing"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/deliver/slacktest"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// TestPasswordInReadsTheBuiltInTemplates renders every built-in message the
// way the channels do and finds the password in it as a person would.
func TestPasswordInReadsTheBuiltInTemplates(t *testing.T) {
	t.Parallel()
	const password = `Pw0-!@#$%^&*()_+-=[]{}|'`
	for _, lang := range spec.Languages {
		c := deliver.Credential{Account: "111122223333", UserName: "alice", Email: "alice@example.com", Password: password,
			SignInURL: "https://example.signin.aws.amazon.com/console", Language: lang}
		m, err := deliver.Render(lang, spec.Template{}, "", c)
		if err != nil {
			t.Fatal(err)
		}
		slack, err := deliver.RenderSlack(lang, spec.Template{}, "", c)
		if err != nil {
			t.Fatal(err)
		}
		for name, text := range map[string]string{"text": m.Text, "slack": slacktest.Unescape(slack)} {
			if got := PasswordIn(text); got != password {
				t.Errorf("%s %s: PasswordIn = %q, want %q", lang, name, got, password)
			}
		}
		if got := PasswordIn("Hello,\nno password here\n"); got != "" {
			t.Errorf("PasswordIn without a password line = %q", got)
		}
	}
}

// TestAccountsInReadsTheBuiltInListTemplates renders every built-in message
// for several accounts as the channels do and finds each account's password
// in it as a person would; in the claim-link form, the accounts alone.
func TestAccountsInReadsTheBuiltInListTemplates(t *testing.T) {
	t.Parallel()
	for _, lang := range spec.Languages {
		cs := deliver.SampleCredentials(lang)
		cs[1].Password = "Pw1-!@#$%^&*()_+-=[]{}|'"
		want := map[string]string{}
		for _, c := range cs {
			want[c.Account] = c.Password
		}
		m, err := deliver.RenderAll(lang, spec.Template{}, "", cs)
		if err != nil {
			t.Fatal(err)
		}
		slack, err := deliver.RenderSlackAll(lang, spec.Template{}, "", cs)
		if err != nil {
			t.Fatal(err)
		}
		links, err := deliver.RenderAll(lang, spec.Template{}, "", deliver.SampleClaimCredentials(lang))
		if err != nil {
			t.Fatal(err)
		}
		for name, text := range map[string]string{"text": m.Text, "slack": slacktest.Unescape(slack)} {
			if got := AccountsIn(text); !maps.Equal(got, want) {
				t.Errorf("%s %s: AccountsIn = %q, want %q", lang, name, got, want)
			}
		}
		if got := AccountsIn(links.Text); len(got) != 3 || got[cs[2].Account] != "" {
			t.Errorf("%s claim link: AccountsIn = %q, want three accounts without passwords", lang, got)
		}
	}
}

func TestLinkIn(t *testing.T) {
	t.Parallel()
	const link = "http://127.0.0.1:8080/c/AAAAAAAAAAAAAAAAAAAAAA#BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	for _, text := range []string{"open " + link + "\n", "<" + link + ">", "<" + link + "|the link>"} {
		if got := LinkIn(text); got != link {
			t.Errorf("LinkIn(%q) = %q", text, got)
		}
	}
	if got := LinkIn("http://127.0.0.1:8080/c/short#key"); got != "" {
		t.Errorf("LinkIn of a malformed link = %q", got)
	}
}

func TestFoundInNamesTheForm(t *testing.T) {
	t.Parallel()
	const secret = `a&b<c>'d"e f`
	tests := map[string]string{
		"x " + secret + " y":                   "as written",
		`a&amp;b&lt;c&gt;&#39;d&#34;e f`:       "HTML-escaped",
		`{"p":"a\u0026b\u003cc\u003e'd\"e f"}`: "JSON-encoded",
		"q=a%26b%3Cc%3E%27d%22e+f":             "URL-encoded",
		"a&amp;b&lt;c&gt;'d\"e f in mrkdwn":    "mrkdwn-escaped",
		"nothing to see":                       "",
		"a&b<c> then 'd\"e f on another word":  "",
	}
	for text, want := range tests {
		if got := foundIn(text, secret); got != want {
			t.Errorf("foundIn(%q) = %q, want %q", text, got, want)
		}
	}
}
