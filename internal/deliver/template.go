package deliver

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"text/template/parse"
	"time"

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
// a sample credential in the form the channel sends (an override's unknown
// field, or a body without the secret, shows only when run), and returns
// them with the default language (deps.Language, else English).
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
			_, err = set.render(deps.sample(l))
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
	textName, htmlName, subjectName := textField, htmlField, subjectField
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
		if set.html, err = parseHTML(htmlName, tmpl.HTML); err != nil {
			return nil, err
		}
	}
	return &set, nil
}

// builtinPart reads an embedded template; TestBuiltinTemplates renders every one.
func builtinPart(lang, part string) string {
	b, _ := builtin.ReadFile("templates/" + lang + "/" + part + ".tmpl")
	return string(b)
}

// The overridable parts, named as the spec names them: messages about an
// override say where to look ("delivery.subject:1: unclosed action").
const (
	subjectField = "delivery.subject"
	textField    = "delivery.template.text"
	htmlField    = "delivery.template.html"
)

// parseText parses a text/template with the budget's functions and checks
// its work (budget.go).
func parseText(name, src string) (*texttemplate.Template, error) {
	t, err := texttemplate.New(name).Option("missingkey=error").Funcs(budgetFuncs).Parse(src)
	if err != nil {
		return nil, reject(fmt.Errorf("%s does not parse as a Go template: %w", name, err))
	}
	trees := map[string]*parse.Tree{}
	for _, d := range t.Templates() {
		trees[d.Name()] = d.Tree
	}
	if err := checkWork(name, trees); err != nil {
		return nil, reject(err)
	}
	return t, nil
}

// parseHTML is parseText for html/template.
func parseHTML(name, src string) (*htmltemplate.Template, error) {
	t, err := htmltemplate.New(name).Option("missingkey=error").Funcs(budgetFuncs).Parse(src)
	if err != nil {
		return nil, reject(fmt.Errorf("%s does not parse as a Go template: %w", name, err))
	}
	trees := map[string]*parse.Tree{}
	for _, d := range t.Templates() {
		trees[d.Name()] = d.Tree
	}
	if err := checkWork(name, trees); err != nil {
		return nil, reject(err)
	}
	return t, nil
}

// render executes the set for c within the render budget (budget.go) and
// checks where the secret went. Errors never contain the secret.
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
	deadline := time.Now().Add(renderTimeout)
	exec := func(name, part string, limit int, execute func(io.Writer) error) (string, error) {
		w := &budgetWriter{max: limit, deadline: deadline}
		err := execute(w)
		switch {
		case errors.Is(err, errTooLong):
			return "", reject(fmt.Errorf("%s: the %s would be longer than %d bytes", name, part, limit))
		case errors.Is(err, errTooSlow):
			return "", reject(fmt.Errorf("%s: rendering the %s took longer than %s", name, part, renderTimeout))
		case err != nil:
			err = reject(fmt.Errorf("rendering the %s template: %w (fields: %s)", name, err, TemplateFields))
			return "", redact(redact(err, c.Password), c.ClaimURL)
		}
		return w.b.String(), nil
	}
	var (
		m   Message
		err error
	)
	if m.Subject, err = exec(s.subject.Name(), "subject", maxSubjectBytes, func(w io.Writer) error { return s.subject.Execute(w, data) }); err != nil {
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
		if m.Text, err = exec(s.text.Name(), "message", maxBodyBytes, func(w io.Writer) error { return s.text.Execute(w, data) }); err != nil {
			return Message{}, err
		}
	}
	if s.html != nil {
		if m.HTML, err = exec(s.html.Name(), "message", maxBodyBytes, func(w io.Writer) error { return s.html.Execute(w, data) }); err != nil {
			return Message{}, err
		}
	}
	return m, s.checkSecret(c, m)
}

// checkSecret refuses a message whose subject holds the secret (the
// password, or the claim link that opens it), which mail lists, previews
// and logs show, or whose bodies lack it: the person would receive no
// credential, yet the delivery would be recorded as done.
func (s *templateSet) checkSecret(c Credential, m Message) error {
	secret, what, field := c.Password, "the password", "{{.Password}}"
	if c.ClaimURL != "" {
		secret, what, field = c.ClaimURL, "the claim link", "{{.ClaimURL}}"
	}
	if secret == "" {
		return nil
	}
	inSubject := strings.Contains(m.Subject, secret)
	if key := secret[strings.Index(secret, "#")+1:]; c.ClaimURL != "" && key != "" {
		inSubject = inSubject || strings.Contains(m.Subject, key)
	}
	if inSubject {
		return reject(fmt.Errorf("%s puts %s in the subject, which mail lists, previews and logs show: put %s in the body alone",
			s.subject.Name(), what, field))
	}
	lacks := func(name string) error {
		return reject(fmt.Errorf("%s does not contain %s (%s): the person would receive no credential", name, what, field))
	}
	if s.text != nil && !strings.Contains(m.Text, secret) {
		return lacks(s.text.Name())
	}
	if s.html != nil && !containsInHTML(m.HTML, secret) {
		return lacks(s.html.Name())
	}
	return nil
}

// htmlText escapes a value as html/template does in an element's text.
var htmlText = htmltemplate.Must(htmltemplate.New("").Parse("{{.}}"))

// containsInHTML says whether html shows secret: as it is (in a link),
// or escaped as html/template writes text and attribute values.
func containsInHTML(html, secret string) bool {
	var b strings.Builder
	_ = htmlText.Execute(&b, secret)
	return strings.Contains(html, secret) || strings.Contains(html, b.String()) ||
		strings.Contains(html, htmltemplate.HTMLEscapeString(secret))
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

// SampleClaimCredential is SampleCredential as the claim channel hands it to
// the channel carrying the link: a made-up link instead of the password.
func SampleClaimCredential(lang string) Credential {
	c := sampleCredential(lang)
	c.Password = ""
	c.ClaimURL = "https://claims.example.com/c/3q2-7wEAAAB1Wb8fZ1Xk#sample-key-not-a-real-one"
	c.ClaimExpires = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	return c
}

// sample is the credential deps' channel checks its templates with: the
// claim-link form for the channel that carries claim links.
func (d Deps) sample(lang string) Credential {
	if d.carriesClaimLinks {
		return SampleClaimCredential(lang)
	}
	return sampleCredential(lang)
}

// sampleCredential is what CheckTemplates renders with.
func sampleCredential(lang string) Credential {
	return Credential{
		Account: "111122223333", AccountAlias: "example", UserName: "alice@example.com", Email: "alice@example.com",
		DisplayName: "Alice Example", Password: "sample-password", SignInURL: "https://example.signin.aws.amazon.com/console",
		ResetRequired: true, Language: lang,
	}
}
