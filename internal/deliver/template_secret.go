package deliver

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
)

// redactSecrets is err without any of cs's passwords and claim links.
func redactSecrets(err error, cs []Credential) error {
	for _, c := range cs {
		err = redact(redact(err, c.Password), c.ClaimURL)
	}
	return err
}

// checkSecrets refuses a message whose subject holds a secret (a password,
// or the claim link that opens them), which mail lists, previews and logs
// show, or whose bodies lack one: the person would not receive that
// credential, yet its delivery would be recorded as done.
func (s *templateSet) checkSecrets(cs []Credential, m Message) error {
	for _, c := range cs {
		if c.Welcome {
			if err := s.checkPortal(c, m); err != nil {
				return err
			}
			continue
		}
		secret, what, field := c.Password, "the password", "{{.Password}}"
		if c.ClaimURL != "" {
			secret, what, field = c.ClaimURL, "the claim link", "{{.ClaimURL}}"
		} else if len(cs) > 1 {
			what, field = fmt.Sprintf("the password of account (%s)", c.Account), "{{.Password}} within {{range .Credentials}}"
		}
		if err := s.checkSecret(secret, c.ClaimURL != "", what, field, m); err != nil {
			return err
		}
	}
	return nil
}

// checkPortal refuses a welcome whose bodies lack the access portal's
// address: there is no password to demand, but without the address the
// person would not know where to sign in.
func (s *templateSet) checkPortal(c Credential, m Message) error {
	if c.SignInURL == "" {
		return reject(errors.New("a welcome needs the access portal's address (SignInURL), and it has none"))
	}
	lacks := func(name string) error {
		return reject(fmt.Errorf("%s does not contain the access portal's address ({{.SignInURL}}): the person would not know where to sign in", name))
	}
	if s.text != nil && !strings.Contains(m.Text, c.SignInURL) {
		return lacks(s.text.Name())
	}
	if s.html != nil && !containsInHTML(m.HTML, c.SignInURL) {
		return lacks(s.html.Name())
	}
	return nil
}

// checkSecret refuses m when its subject holds secret (for a claim link,
// its key too) or a body lacks it.
func (s *templateSet) checkSecret(secret string, isLink bool, what, field string, m Message) error {
	if secret == "" {
		return nil
	}
	inSubject := strings.Contains(m.Subject, secret)
	if key := secret[strings.Index(secret, "#")+1:]; isLink && key != "" {
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
