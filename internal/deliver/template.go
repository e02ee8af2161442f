package deliver

import (
	"cmp"
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
	".Account .AccountAlias .AccountName .Language .Subject .ClaimURL .ClaimExpires .ClaimExpiresText .Welcome " +
	".Credentials (every account of the message, each with the fields above but .Subject)"

// credentialData is one credential as a template sees it: its fields plus
// conveniences.
type credentialData struct {
	Credential
	Name        string // DisplayName, else UserName
	AccountName string // AccountAlias, else Account
	// ClaimExpiresText is ClaimExpires as people read it, in UTC
	// ("2026-11-24 09:30 UTC"); empty without a claim link.
	ClaimExpiresText string
}

// templateData is what a template sees: the message's first credential at
// the top, as templates written for one account expect, and every one of
// them in Credentials.
type templateData struct {
	credentialData
	Subject     string // the rendered subject (bodies only)
	Credentials []credentialData
}

func newTemplateData(cs []Credential) templateData {
	all := make([]credentialData, len(cs))
	for i, c := range cs {
		d := credentialData{Credential: c, Name: cmp.Or(c.DisplayName, c.UserName), AccountName: cmp.Or(c.AccountAlias, c.Account)}
		if !c.ClaimExpires.IsZero() {
			d.ClaimExpiresText = c.ClaimExpires.UTC().Format("2006-01-02 15:04 UTC")
		}
		all[i] = d
	}
	return templateData{credentialData: all[0], Credentials: all}
}

// Render renders the message for c in lang ("en", "ja"; "" means "en").
// tmpl overrides the bodies: the parts it sets replace the built-in ones and
// the parts it leaves empty are not sent; with neither set, the built-in text
// and HTML bodies are used. subject, when set, overrides the built-in subject.
// Overrides are Go templates (text/template for the subject and text,
// html/template for HTML) over the fields in TemplateFields.
func Render(lang string, tmpl spec.Template, subject string, c Credential) (Message, error) {
	return RenderAll(lang, tmpl, subject, []Credential{c})
}

// RenderAll renders the one message that carries cs, one person's
// credentials in several accounts, as Render does for one. Overrides that
// never mention .Credentials are for one account and cannot render it.
func RenderAll(lang string, tmpl spec.Template, subject string, cs []Credential) (Message, error) {
	set, err := compile(lang, tmpl, subject)
	if err != nil {
		return Message{}, err
	}
	return set.render(cs...)
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
// field, or a body without the secret, shows only when run) and, where the
// templates can carry several, with three; and returns them with the
// default language (deps.Language, else English).
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
			err = set.check(deps.samples(l))
		}
		if err != nil {
			return "", nil, err
		}
		sets[l] = set
	}
	return lang, sets, nil
}

// check renders the sample credentials one by one and, where the set can
// carry several, all in one message.
func (s *templateSet) check(samples []Credential) error {
	if _, err := s.render(samples[0]); err != nil {
		return err
	}
	if s.list == nil || len(samples) == 1 {
		return nil
	}
	_, err := s.render(samples...)
	return err
}

// carriesSeveral says whether every language's templates can put several
// credentials in one message: the built-in ones can, and overrides that
// mention .Credentials.
func carriesSeveral(sets map[string]*templateSet) bool {
	for _, s := range sets {
		if s.list == nil {
			return false
		}
	}
	return len(sets) > 0
}

// renderIn renders cs (one person's, in one message) with the templates of
// their language, else lang (the channel's default). An unknown language is
// rejected; render errors are rejected and never contain a password.
func renderIn(sets map[string]*templateSet, lang string, cs ...Credential) (Message, error) {
	if len(cs) > 0 && cs[0].Language != "" {
		lang = cs[0].Language
	}
	set, ok := sets[lang]
	if !ok {
		return Message{}, reject(fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", ")))
	}
	return set.render(cs...)
}

// templateSet is one language's compiled templates.
type templateSet struct {
	subject *texttemplate.Template
	text    *texttemplate.Template // nil: no text body
	html    *htmltemplate.Template // nil: no HTML body
	// list renders a message for several credentials: the built-in
	// templates for a list, or the same overrides when they mention
	// .Credentials. Nil when they do not: they are written for one
	// account, and each credential gets a message of its own.
	list *templateSet
	// welcome renders an Identity Center user's welcome (Credential.Welcome):
	// the built-in welcome templates, or the same overrides. Nil in a
	// welcome set itself. A person has one identity store, so it has no list.
	welcome *templateSet
}

func compile(lang string, tmpl spec.Template, subject string) (*templateSet, error) {
	if lang == "" {
		lang = spec.LanguageEnglish
	}
	if !validLanguage(lang) {
		return nil, reject(fmt.Errorf("unknown template language %q: choose one of %s", lang, strings.Join(spec.Languages, ", ")))
	}
	one, err := compileParts(lang, "", tmpl, subject)
	if err != nil {
		return nil, err
	}
	if one.welcome, err = compileParts(lang, welcomePrefix, tmpl, subject); err != nil {
		return nil, err
	}
	overridden := tmpl.Text != "" || tmpl.HTML != ""
	if overridden && !mentionsCredentials(one.text, one.html) {
		return one, nil
	}
	if one.list, err = compileParts(lang, listPrefix, tmpl, subject); err != nil {
		return nil, err
	}
	return one, nil
}

// welcomePrefix begins the names of the built-in templates for an Identity
// Center user's welcome (welcome-text.tmpl): no password, the access portal.
const welcomePrefix = "welcome-"

// listPrefix begins the names of the built-in templates for a message with
// several credentials (list-text.tmpl).
const listPrefix = "list-"

// compileParts compiles the overrides and, for the parts they leave to the
// built-in templates, the built-in ones whose names begin with prefix.
func compileParts(lang, prefix string, tmpl spec.Template, subject string) (*templateSet, error) {
	builtinName := "built-in " + lang + " " + strings.ReplaceAll(prefix, "-", " ")
	textName, htmlName, subjectName := textField, htmlField, subjectField
	if tmpl.Text == "" && tmpl.HTML == "" {
		tmpl = spec.Template{Text: builtinPart(lang, prefix+"text"), HTML: builtinPart(lang, prefix+"html")}
		textName, htmlName = builtinName+"text", builtinName+"HTML"
	}
	if subject == "" {
		subject, subjectName = builtinPart(lang, prefix+"subject"), builtinName+"subject"
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

// render executes the set for cs — one credential, or one person's several
// in one message — within the render budget (budget.go) and checks where
// the secrets went. Errors never contain a secret.
func (s *templateSet) render(cs ...Credential) (Message, error) {
	switch {
	case len(cs) == 0:
		return Message{}, reject(errors.New("rendering a message: no credential to put in it"))
	case cs[0].Welcome && s.welcome != nil:
		return s.welcome.render(cs...)
	case len(cs) > 1 && s.list == nil:
		return Message{}, reject(fmt.Errorf("%s never mentions .Credentials, so it shows one account; "+
			"range over .Credentials to put several in one message, or send one message per account (--message-per-account, delivery.per_account)", s.bodyName()))
	case len(cs) > 1:
		s = s.list
	}
	data := newTemplateData(cs)
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
			return "", redactSecrets(reject(fmt.Errorf("rendering the %s template: %w (fields: %s)", name, err, TemplateFields)), cs)
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
	return m, s.checkSecrets(cs, m)
}

// bodyName names the set's body template for messages.
func (s *templateSet) bodyName() string {
	if s.text != nil {
		return s.text.Name()
	}
	return s.html.Name()
}

func validLanguage(lang string) bool {
	for _, l := range spec.Languages {
		if l == lang {
			return true
		}
	}
	return false
}
