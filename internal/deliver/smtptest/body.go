package smtptest

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
	"strings"
)

// Body is the part of the message of mediaType ("text/plain", "text/html"),
// decoded as a mail client shows it: from a multipart message, the first
// part of that type; from a single-part one, the whole body when it is of
// that type.
func (m Message) Body(mediaType string) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", err
	}
	return findPart(msg.Header, msg.Body, mediaType)
}

// header is the lookup that mail.Header and a part's header share.
type header interface{ Get(string) string }

func findPart(h header, body io.Reader, want string) (string, error) {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return "", fmt.Errorf("Content-Type %q: %w", h.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		if mediaType != want {
			return "", fmt.Errorf("the message is %s, not %s", mediaType, want)
		}
		switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body) // ignores line breaks
		}
		b, err := io.ReadAll(body)
		return string(b), err
	}
	parts := multipart.NewReader(body, params["boundary"])
	for {
		part, err := parts.NextRawPart()
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("the message has no %s part", want)
		}
		if err != nil {
			return "", err
		}
		if text, err := findPart(part.Header, part, want); err == nil {
			return text, nil
		}
	}
}
