package deliver

import (
	"errors"
	"flag"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testPassword holds every one of IAM's 20 symbols, so escaping shows.
const testPassword = `Xq7vR2mK9pL4!@#$%^&*()_+-=[]{}|'`

func testCredential(lang string) Credential {
	c := Credential{
		Account: "111122223333", AccountAlias: "example-prod", UserName: "alice@example.com", Email: "alice@example.com",
		DisplayName: "Alice Example", Password: testPassword, SignInURL: "https://example-prod.signin.aws.amazon.com/console",
		ResetRequired: true, Language: lang,
	}
	if lang == spec.LanguageJapanese {
		c.UserName, c.Email, c.DisplayName = "hanako@example.com", "hanako@example.com", "山田 花子"
	}
	return c
}

func TestBuiltinTemplatesGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range spec.Languages {
		m, err := Render(lang, spec.Template{}, "", testCredential(lang))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for ext, got := range map[string]string{"subject": m.Subject + "\n", "txt": m.Text, "html": m.HTML} {
			golden(t, filepath.Join("testdata", lang+"."+ext), got)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestBuiltinTemplatesCarryEveryField(t *testing.T) {
	t.Parallel()
	notice := map[string]string{"en": "You must choose a new password when you first sign in.", "ja": "初回サインイン時に、新しいパスワードの設定が必要です。"}
	subject := map[string]string{"en": "Your AWS sign-in details for example-prod", "ja": "AWS アカウントのサインイン情報（example-prod）"}
	for _, lang := range spec.Languages {
		c := testCredential(lang)
		m, err := Render(lang, spec.Template{}, "", c)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != subject[lang] {
			t.Errorf("%s subject = %q", lang, m.Subject)
		}
		for _, want := range []string{c.SignInURL, c.UserName, c.Password, c.DisplayName, c.AccountAlias, c.Account, notice[lang]} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("%s text lacks %q", lang, want)
			}
			if esc := htmlEscaped(want); !strings.Contains(m.HTML, esc) {
				t.Errorf("%s HTML lacks %q", lang, esc)
			}
		}
		c.ResetRequired = false
		m, _ = Render(lang, spec.Template{}, "", c)
		if strings.Contains(m.Text, notice[lang]) || strings.Contains(m.HTML, notice[lang]) {
			t.Errorf("%s: the reset notice shows although no reset is required", lang)
		}
	}
}

// htmlEscaped is s as html/template writes it into an element's text.
func htmlEscaped(s string) string {
	var b strings.Builder
	_ = htmltemplate.Must(htmltemplate.New("").Parse("{{.}}")).Execute(&b, s)
	return b.String()
}

func TestHTMLEscapesHostileInput(t *testing.T) {
	t.Parallel()
	c := testCredential("en")
	c.DisplayName = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	c.SignInURL = "javascript:alert(1)"
	for _, lang := range spec.Languages {
		m, err := Render(lang, spec.Template{}, "", c)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<script", "<img", `href="javascript:`} {
			if strings.Contains(m.HTML, bad) {
				t.Errorf("%s HTML contains %q", lang, bad)
			}
		}
		if !strings.Contains(m.HTML, "&lt;script&gt;") {
			t.Errorf("%s HTML does not show the escaped name", lang)
		}
		if !strings.Contains(m.Text, c.DisplayName) {
			t.Errorf("%s text should show the name as it is", lang)
		}
	}
}

func TestRenderUnknownLanguage(t *testing.T) {
	t.Parallel()
	_, err := Render("fr", spec.Template{}, "", testCredential("en"))
	if err == nil || !strings.Contains(err.Error(), `"fr"`) || !strings.Contains(err.Error(), "en, ja") || !errors.Is(err, ErrRejected) {
		t.Errorf("Render(fr) = %v", err)
	}
	if m, err := Render("", spec.Template{}, "", testCredential("en")); err != nil || !strings.HasPrefix(m.Subject, "Your AWS") {
		t.Errorf("Render(\"\") = %+v, %v; want English", m, err)
	}
}

func TestRenderOverrides(t *testing.T) {
	t.Parallel()
	c := testCredential("en")
	c.DisplayName = "Alice\r\nBcc: eve@example.com"
	tests := []struct {
		name        string
		tmpl        spec.Template
		subject     string
		wantSubject string
		wantText    string
		wantHTML    string
	}{
		{"subject only", spec.Template{}, "Welcome, {{.Name}}", "Welcome, Alice Bcc: eve@example.com", "Sign-in URL:", "<html"},
		{"text only", spec.Template{Text: "{{.UserName}} / {{.Password}}"}, "", "Your AWS sign-in details for example-prod", "alice@example.com / " + testPassword, ""},
		{"html only", spec.Template{HTML: "<p>{{.Name}} {{.Password}}</p>"}, "", "Your AWS sign-in details for example-prod", "", "<p>Alice\r\nBcc: eve@example.com "},
		{"both", spec.Template{Text: "t {{.AccountName}} {{.Password}}", HTML: "<b>{{.Subject}}</b> {{.Password}}"}, "S", "S", "t example-prod", "<b>S</b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Render("en", tt.tmpl, tt.subject, c)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.wantSubject || !strings.Contains(m.Text, tt.wantText) || !strings.Contains(m.HTML, tt.wantHTML) ||
				(tt.wantText == "") != (m.Text == "") || (tt.wantHTML == "") != (m.HTML == "") {
				t.Errorf("got %+v", m)
			}
		})
	}
}

func TestOverrideErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tmpl    spec.Template
		subject string
		want    []string
	}{
		{"text parse", spec.Template{Text: "Hi\n{{.UserName"}, "", []string{"delivery.template.text does not parse", "delivery.template.text:2"}},
		{"html parse", spec.Template{HTML: "<p>{{if .Name}}</p>"}, "", []string{"delivery.template.html does not parse", "delivery.template.html:1"}},
		{"subject parse", spec.Template{}, "{{end}}", []string{"delivery.subject does not parse"}},
		{"unknown field", spec.Template{Text: "{{.Nope}}"}, "", []string{"rendering the delivery.template.text template", "Nope", "fields: .Name"}},
		{"empty subject", spec.Template{}, "{{if false}}x{{end}}", []string{"the subject is empty"}},
		// text/template quotes the value in this error: redaction must catch it.
		{"password in error", spec.Template{Text: `{{printf "%s" .Password | call}}`}, "", []string{"rendering the delivery.template.text template", "non-function [password]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Render("en", tt.tmpl, tt.subject, testCredential("en"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testPassword) || !errors.Is(err, ErrRejected) {
				t.Errorf("error %q: holds the password or is not ErrRejected", err)
			}
			if CheckTemplates(tt.tmpl, tt.subject) == nil {
				t.Error("CheckTemplates accepted the broken override")
			}
		})
	}
	if err := CheckTemplates(spec.Template{Text: "{{.UserName}} {{.Password}}"}, "Hi {{.Name}}"); err != nil {
		t.Errorf("CheckTemplates(good) = %v", err)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	pw := `a&b'c<d>"e+f`
	for _, form := range []string{pw, htmltemplate.HTMLEscapeString(pw), htmltemplate.JSEscapeString(pw)} {
		err := redact(reject(errors.New("boom: "+form)), pw)
		if strings.Contains(err.Error(), form) || !strings.Contains(err.Error(), "boom: [password]") || !errors.Is(err, ErrRejected) {
			t.Errorf("redact(%q) = %q", form, err)
		}
	}
	plain := errors.New("no secret here")
	if redact(plain, pw) != plain {
		t.Error("redact changed an error without the secret")
	}
}
