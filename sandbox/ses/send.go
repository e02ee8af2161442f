package ses

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// maxRecipients is SES's limit of To, Cc and Bcc addresses per message.
const maxRecipients = 50

var messageTagRule = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// simpleMail is Simple (structured) content from either API.
type simpleMail struct {
	action              string
	source              string
	to, cc, bcc         []string
	replyTo             []string
	subject, text, html string
	extra               []header
}

// sendSimple validates, checks the sender, composes the MIME and records it.
func (d dialect) sendSimple(r *awsproto.Request, s simpleMail) (string, error) {
	from, err := d.address(s.source)
	if err != nil {
		return "", err
	}
	to, cc, bcc, replyTo := d.addresses(s.to, &err), d.addresses(s.cc, &err), d.addresses(s.bcc, &err), d.addresses(s.replyTo, &err)
	if err != nil {
		return "", err
	}
	dests := bare(to, cc, bcc)
	if err := d.checkRecipients(len(dests)); err != nil {
		return "", err
	}
	if err := checkSenders(r, identitiesToVerify(r, []string{from.Address}, dests)...); err != nil {
		return "", err
	}
	if err := d.admit(r, len(dests)); err != nil {
		return "", err
	}
	now := r.World.Now()
	id := newMessageID(now)
	raw := compose(composed{from: from, to: to, cc: cc, replyTo: replyTo, subject: s.subject, text: s.text, html: s.html, messageID: id, date: now, extra: s.extra})
	d.record(r, &state.Message{ID: id, Action: s.action, Source: from.Address, Destinations: dests,
		Subject: s.subject, Text: s.text, HTML: s.html, Raw: raw, Timestamp: now})
	return id, nil
}

// sendRaw sends a raw MIME message: the sender is Source (or the From header),
// the recipients are destinations (or the To, Cc and Bcc headers). Both Source
// and every From address must be verified.
func (d dialect) sendRaw(r *awsproto.Request, action, source string, destinations []string, data []byte) (string, error) {
	p, err := parseRaw(data)
	if err != nil {
		return "", d.invalid("%s", err.Error())
	}
	senders := bare(p.from)
	if source != "" {
		a, err := d.address(source)
		if err != nil {
			return "", err
		}
		senders = append([]string{a.Address}, senders...)
	}
	if len(senders) == 0 {
		return "", d.invalid("Missing required header 'From'.")
	}
	dests := bare(p.to, p.cc, p.bcc)
	if len(destinations) > 0 {
		list := d.addresses(destinations, &err)
		if err != nil {
			return "", err
		}
		dests = bare(list)
	}
	if len(dests) == 0 {
		return "", d.invalid("Missing required header 'To'.")
	}
	if err := d.checkRecipients(len(dests)); err != nil {
		return "", err
	}
	if err := checkSenders(r, identitiesToVerify(r, senders, dests)...); err != nil {
		return "", err
	}
	if err := d.admit(r, len(dests)); err != nil {
		return "", err
	}
	now := r.World.Now()
	id := newMessageID(now)
	d.record(r, &state.Message{ID: id, Action: action, Source: senders[0], Destinations: dests,
		Subject: p.subject, Text: p.text, HTML: p.html, Raw: string(data), Timestamp: now})
	return id, nil
}

func (d dialect) record(r *awsproto.Request, m *state.Message) {
	m.Account, m.Region, m.API = r.Caller.Account, r.Region, d.api
	r.World.Mail = append(r.World.Mail, m)
}

func (d dialect) checkRecipients(n int) error {
	switch {
	case n == 0:
		return d.invalid("Missing required header 'To'.")
	case n > maxRecipients:
		return d.invalid("Recipient count exceeds %d.", maxRecipients)
	}
	return nil
}

// checkSenders rejects the message unless every sender (and, in the sending
// sandbox, every recipient) is verified in the account and region, naming the
// ones that are not as SES does.
func checkSenders(r *awsproto.Request, senders ...string) error {
	ids := identitiesIn(r)
	var failed []string
	seen := map[string]bool{}
	for _, s := range senders {
		if !seen[strings.ToLower(s)] && !senderVerified(ids, s) {
			failed = append(failed, s)
		}
		seen[strings.ToLower(s)] = true
	}
	if len(failed) == 0 {
		return nil
	}
	return messageRejected("Email address is not verified. The following identities failed the check in region %s: %s",
		strings.ToUpper(r.Region), strings.Join(failed, ", "))
}

// address parses one address (a display name and RFC 2047 words are allowed),
// answering malformed ones with SES's wording.
func (d dialect) address(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err == nil && validDomain(a.Address[strings.LastIndexByte(a.Address, '@')+1:]) {
		return a, nil
	}
	switch at := strings.LastIndexByte(s, '@'); {
	case at < 0:
		return nil, d.invalid("Missing final '@domain'")
	case strings.TrimSpace(strings.TrimLeft(s[:at], "<")) == "":
		return nil, d.invalid("Missing local name")
	}
	return nil, d.invalid("Illegal address: %s", s)
}

// addresses parses a list, keeping the first error in *err.
func (d dialect) addresses(list []string, err *error) []*mail.Address {
	out := make([]*mail.Address, 0, len(list))
	for _, s := range list {
		a, e := d.address(s)
		if e != nil {
			if *err == nil {
				*err = e
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func bare(lists ...[]*mail.Address) []string {
	out := []string{}
	for _, l := range lists {
		for _, a := range l {
			out = append(out, a.Address)
		}
	}
	return out
}

// checkMessageTags applies SES's rule for message tag names and values.
func (d dialect) checkMessageTags(tags [][2]string) error {
	for _, t := range tags {
		for _, s := range t {
			if !messageTagRule.MatchString(s) {
				return d.invalid("Invalid message tag %q: tag names and values may hold only ASCII letters, numbers, underscores and dashes (1 to 256 characters).", s)
			}
		}
	}
	return nil
}

// newMessageID returns an ID in SES's shape: 0100 + millisecond clock, a UUID, 000000.
func newMessageID(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("0100%012x-%s-%s-%s-%s-%s-000000", now.UnixMilli(), h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
