package deliver

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/gatehouse/gatehouse/internal/spec"
)

//go:embed templates
var builtin embed.FS

// Message is a rendered message: a one-line subject and the text and HTML
// bodies. A body is empty when a template override leaves it out.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// TemplateFields lists what templates (built-in and overrides) can use.
const TemplateFields = ".Name .DisplayName .Email .UserName .Password .SignInURL .ResetRequired " +
	".Account .AccountAlias .AccountName .Language .Subject .ClaimURL .ClaimExpires .ClaimExpiresText"

// templateData is what a template sees: the credential plus conveniences.
type templateData struct {
	Credential
	Name        string // DisplayName, else UserName
	AccountName string // AccountAlias, else Account
	Subject     string // the rendered subject (bodies only)
	// ClaimExpiresText is ClaimExpires as people read it, in UTC
	// ("2026-11-24 09:30 UTC"); empty without a claim link.
	ClaimExpiresText string
}

// Render renders the message for c in lang ("en", "ja"; "" means "en").
// tmpl overrides the bodies: the parts it sets replace the built-in ones and
// the parts it leaves empty are not sent; with neither set, the built-in text
// and HTML bodies are used. subject, when set, overrides the built-in subject.
// Overrides are Go templates (text/template for the subject and text,
// html/template for HTML) over the fields in TemplateFields.
func Render(lang string, tmpl spec.Template, subject string, c Credential) (Message, error) {
	set, err := compile(lang, tmpl, subject)
	if err != nil {
		return Message{}, err
	}
	return set.render(c)
}

// CheckTemplates compiles the overrides and renders them in every language
// with a sample credential, so a broken override is reported before any
// user is created.
func CheckTemplates(tmpl spec.Template, subject string) error {
	for _, lang := range spec.Languages {
		if _, err := Render(lang, tmpl, subject, sampleCredential(lang)); err != nil {
			return err
		}
	}
	return nil
}

// compileAll compiles deps' templates in every language, rendering each with
// a sample credential (an override's unknown field shows only when run), and
// returns them with the default language (deps.Language, else English).
func compileAll(deps Deps) (string, map[string]*templateSet, error) {
	lang := deps.Language
	if lang == "" {
		lang = spec.LanguageEnglish
	}
	if !validLanguage(lang) {
		return "", nil, fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", "))
	}
	sets := map[string]*templateSet{}
	for _, l := range spec.Languages {
		set, err := compile(l, deps.Template, deps.Subject)
		if err == nil {
			_, err = set.render(sampleCredential(l))
		}
		if err != nil {
			return "", nil, err
		}
		sets[l] = set
	}
	return lang, sets, nil
}

// renderIn renders c with the templates of its language, else lang (the
// channel's default). An unknown language is rejected; render errors are
// rejected and never contain the password.
func renderIn(sets map[string]*templateSet, lang string, c Credential) (Message, error) {
	if c.Language != "" {
		lang = c.Language
	}
	set, ok := sets[lang]
	if !ok {
		return Message{}, reject(fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", ")))
	}
	return set.render(c)
}

// templateSet is one language's compiled templates.
type templateSet struct {
	subject *texttemplate.Template
	text    *texttemplate.Template // nil: no text body
	html    *htmltemplate.Template // nil: no HTML body
}

func compile(lang string, tmpl spec.Template, subject string) (*templateSet, error) {
	if lang == "" {
		lang = spec.LanguageEnglish
	}
	if !validLanguage(lang) {
		return nil, reject(fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", ")))
	}
	textName, htmlName, subjectName := "text override", "HTML override", "subject override"
	if tmpl.Text == "" && tmpl.HTML == "" {
		tmpl = spec.Template{Text: builtinPart(lang, "text"), HTML: builtinPart(lang, "html")}
		textName, htmlName = "built-in "+lang+" text", "built-in "+lang+" HTML"
	}
	if subject == "" {
		subject, subjectName = builtinPart(lang, "subject"), "built-in "+lang+" subject"
	}
	var (
		set templateSet
		err error
	)
	if set.subject, err = parseText(subjectName, subject); err != nil {
		return nil, err
	}
	if tmpl.Text != "" {
		if set.text, err = parseText(textName, tmpl.Text); err != nil {
			return nil, err
		}
	}
	if tmpl.HTML != "" {
		if set.html, err = htmltemplate.New(htmlName).Option("missingkey=error").Parse(tmpl.HTML); err != nil {
			return nil, reject(fmt.Errorf("parsing the %s template: %w", htmlName, err))
		}
	}
	return &set, nil
}

// builtinPart reads an embedded template; TestBuiltinTemplates renders every one.
func builtinPart(lang, part string) string {
	b, _ := builtin.ReadFile("templates/" + lang + "/" + part + ".tmpl")
	return string(b)
}

func parseText(name, src string) (*texttemplate.Template, error) {
	t, err := texttemplate.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, reject(fmt.Errorf("parsing the %s template: %w", name, err))
	}
	return t, nil
}

// render executes the set for c. Errors never contain the password.
func (s *templateSet) render(c Credential) (Message, error) {
	data := templateData{Credential: c, Name: c.DisplayName, AccountName: c.AccountAlias}
	if data.Name == "" {
		data.Name = c.UserName
	}
	if data.AccountName == "" {
		data.AccountName = c.Account
	}
	if !c.ClaimExpires.IsZero() {
		data.ClaimExpiresText = c.ClaimExpires.UTC().Format("2006-01-02 15:04 UTC")
	}
	var (
		m   Message
		b   strings.Builder
		err error
	)
	exec := func(name string, execute func() error) (string, error) {
		b.Reset()
		if err := execute(); err != nil {
			return "", redact(reject(fmt.Errorf("rendering the %s template: %w (fields: %s)", name, err, TemplateFields)), c.Password)
		}
		return b.String(), nil
	}
	if m.Subject, err = exec(s.subject.Name(), func() error { return s.subject.Execute(&b, data) }); err != nil {
		return Message{}, err
	}
	// One line: a subject is a mail header, and a name with a newline must not
	// start another header.
	m.Subject = strings.Join(strings.Fields(m.Subject), " ")
	if m.Subject == "" {
		return Message{}, reject(fmt.Errorf("rendering the %s template: the subject is empty", s.subject.Name()))
	}
	data.Subject = m.Subject
	if s.text != nil {
		if m.Text, err = exec(s.text.Name(), func() error { return s.text.Execute(&b, data) }); err != nil {
			return Message{}, err
		}
	}
	if s.html != nil {
		if m.HTML, err = exec(s.html.Name(), func() error { return s.html.Execute(&b, data) }); err != nil {
			return Message{}, err
		}
	}
	return m, nil
}

func validLanguage(lang string) bool {
	for _, l := range spec.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// SampleCredential is a made-up credential to render templates with
// (CheckTemplates, gatehouse template preview); its password is no secret.
func SampleCredential(lang string) Credential { return sampleCredential(lang) }

// sampleCredential is what CheckTemplates renders with.
func sampleCredential(lang string) Credential {
	return Credential{
		Account: "111122223333", AccountAlias: "example", UserName: "alice@example.com", Email: "alice@example.com",
		DisplayName: "Alice Example", Password: "sample-password", SignInURL: "https://example.signin.aws.amazon.com/console",
		ResetRequired: true, Language: lang,
	}
}
