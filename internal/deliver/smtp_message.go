package deliver

import (
	"crypto/rand"
	"net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// message is the MIME message for one person: UTF-8 throughout (the subject
// and names MIME-encoded), the text and HTML bodies as multipart/alternative
// when both are there, and a Message-ID in the sender's domain.
func (s *smtpChannel) message(to *mail.Address, m Message) *gomail.Msg {
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	if s.replyTo != nil {
		msg.ReplyToMailAddress(s.replyTo)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(rand.Text() + "@" + domain(s.from.Address))
	msg.SetDate()
	msg.SetUserAgent("gatehouse")
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	}
	return msg
}

// domain is the part of an address after the last @.
func domain(address string) string {
	return address[strings.LastIndex(address, "@")+1:]
}
