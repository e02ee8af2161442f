package ses

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// header is one extra header of a composed message (SESv2 Simple.Headers).
type header struct{ Name, Value string }

// composed is what compose needs to build a message.
type composed struct {
	from                *mail.Address
	to, cc, replyTo     []*mail.Address
	subject, text, html string
	messageID           string
	date                time.Time
	extra               []header
}

// compose renders Simple content as SES would send it: an RFC 5322 message with
// MIME-encoded (UTF-8) headers and a multipart/alternative body whose parts are
// quoted-printable UTF-8. Bcc recipients are not shown in the headers.
func compose(m composed) string {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	writePart(mw, "text/plain", m.text, m.text != "" || m.html == "")
	writePart(mw, "text/html", m.html, m.html != "")
	_ = mw.Close()

	var b strings.Builder
	put := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	put("From", m.from.String())
	if len(m.to) > 0 {
		put("To", addressList(m.to))
	}
	if len(m.cc) > 0 {
		put("Cc", addressList(m.cc))
	}
	if len(m.replyTo) > 0 {
		put("Reply-To", addressList(m.replyTo))
	}
	// Fold between encoded-words so long non-ASCII subjects keep lines short.
	put("Subject", strings.ReplaceAll(mime.BEncoding.Encode("UTF-8", m.subject), "?= =?", "?=\r\n =?"))
	put("Message-ID", "<"+m.messageID+"@email.amazonses.com>")
	put("Date", m.date.Format(time.RFC1123Z))
	for _, h := range m.extra {
		put(h.Name, mime.QEncoding.Encode("UTF-8", h.Value))
	}
	put("MIME-Version", "1.0")
	put("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.String()
}

func writePart(mw *multipart.Writer, mediaType, content string, include bool) {
	if !include {
		return
	}
	w, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mediaType + "; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	qp := quotedprintable.NewWriter(w)
	_, _ = qp.Write([]byte(content))
	_ = qp.Close()
}

func addressList(list []*mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

// parsed is what the sandbox reads out of a raw message.
type parsed struct {
	from, to, cc, bcc []*mail.Address
	subject           string
	text, html        string
}

// parseRaw reads a raw RFC 5322 message: its address headers, decoded subject,
// and the first text/plain and text/html parts that are not attachments.
func parseRaw(data []byte) (*parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the raw message is not an RFC 5322 message (%v)", err)
	}
	p := &parsed{}
	for _, f := range []struct {
		name string
		dst  *[]*mail.Address
	}{{"From", &p.from}, {"To", &p.to}, {"Cc", &p.cc}, {"Bcc", &p.bcc}} {
		list, err := msg.Header.AddressList(f.name)
		if err != nil && !errors.Is(err, mail.ErrHeaderNotPresent) {
			return nil, fmt.Errorf("header '%s' holds an invalid address list (%v)", f.name, err)
		}
		*f.dst = list
	}
	dec := mime.WordDecoder{}
	if p.subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		p.subject = msg.Header.Get("Subject")
	}
	err = p.readBody(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return p, err
}

func (p *parsed) readBody(contentType, encoding string, body io.Reader, depth int) error {
	if depth > 10 {
		return errors.New("MIME parts are nested more than 10 deep")
	}
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("invalid Content-Type %q (%v)", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("malformed multipart body (%v)", err)
			}
			if strings.HasPrefix(strings.ToLower(part.Header.Get("Content-Disposition")), "attachment") {
				continue
			}
			if err := p.readBody(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, depth+1); err != nil {
				return err
			}
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil
	}
	text, err := decodeText(body, encoding, params["charset"])
	if err != nil {
		return err
	}
	if mediaType == "text/plain" && p.text == "" {
		p.text = text
	} else if mediaType == "text/html" && p.html == "" {
		p.html = text
	}
	return nil
}

// decodeText undoes the transfer encoding and converts Latin-1 to UTF-8; other
// charsets are kept as sent.
func decodeText(body io.Reader, encoding, charset string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return "", fmt.Errorf("undecodable %s body (%v)", encoding, err)
	}
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1":
		runes := make([]rune, len(raw))
		for i, c := range raw {
			runes[i] = rune(c)
		}
		return string(runes), nil
	}
	return string(raw), nil
}
