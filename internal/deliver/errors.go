package deliver

import (
	"errors"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// errNoSecret is what claim links and encrypted files answer a welcome:
// they exist to carry a secret, and an Identity Center user has none.
var errNoSecret = errors.New("an IAM Identity Center user has no password to seal or encrypt; " +
	"send the welcome (the access portal's address) by ses, smtp or slack, or deliver none to have it in the report")

// rejectedError marks err as one that retrying will not fix (ErrRejected)
// without changing its text.
type rejectedError struct{ err error }

func reject(err error) error { return &rejectedError{err: err} }

func (e *rejectedError) Error() string        { return e.err.Error() }
func (e *rejectedError) Unwrap() error        { return e.err }
func (e *rejectedError) Is(target error) bool { return target == ErrRejected }

// redact makes sure err's text does not contain the secret, in plain, HTML-
// or JavaScript-escaped form. An error without it passes unchanged (and stays
// inspectable with errors.As); one with it is replaced by its cleaned text,
// keeping only whether it was ErrRejected — the original holds the secret.
func redact(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	msg := err.Error()
	clean := msg
	for _, form := range []string{secret, htmltemplate.HTMLEscapeString(secret), texttemplate.JSEscapeString(secret)} {
		clean = strings.ReplaceAll(clean, form, "[password]")
	}
	if clean == msg {
		return err
	}
	if errors.Is(err, ErrRejected) {
		return reject(errors.New(clean))
	}
	return errors.New(clean)
}
