// Package deliver gets a new credential to the one person it belongs to, through a
// channel: SES, SMTP, Slack, a one-time claim link, an encrypted file, or none.
package deliver

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Credential is what a person needs to sign in for the first time. Password is a
// secret: channels send it to the person and nowhere else (no logs, no errors).
type Credential struct {
	Account       string
	AccountAlias  string
	UserName      string
	Email         string
	DisplayName   string
	Password      string
	SignInURL     string
	ResetRequired bool
	Language      string // en | ja
	// PublicKey is what the file channel encrypts to: an age recipient
	// ("age1…", "ssh-ed25519 …") or an armored OpenPGP public key.
	PublicKey string
	// ClaimURL, when set, replaces the password in messages: the claim
	// channel puts the one-time link here and clears Password before handing
	// the credential to the channel that carries the link.
	ClaimURL     string
	ClaimExpires time.Time
	// Welcome says the credential has no secret: an IAM Identity Center
	// user's welcome, whose Password is empty, SignInURL the AWS access
	// portal and Account the identity store. Its messages use the welcome
	// templates; claim links and encrypted files, which exist to carry a
	// secret, refuse it.
	Welcome bool
}

// Receipt is a channel's confirmation that a credential was handed over.
type Receipt struct {
	Channel   string
	MessageID string // the channel's ID (SES MessageId, …); never contains the secret
	// Detail says where the credential went, for reports and the journal
	// ("SES message 0100… to alice@example.com"); never contains the secret.
	Detail string
	// ClaimServer is, for a claim link, the gatehouse serve it lives on
	// (MessageID is then the claim's ID): what withdrawing it needs.
	ClaimServer string
}

// String is the receipt as one line: the detail, else the message ID.
func (r Receipt) String() string {
	if r.Detail != "" {
		return r.Detail
	}
	return r.MessageID
}

// Channel delivers credentials.
type Channel interface {
	// Name is the channel's name in specs and flags ("ses", "none").
	Name() string
	// Deliver sends the credential; a nil error means the person has been sent it.
	// Errors never contain the password; those that retrying cannot fix wrap
	// ErrRejected.
	Deliver(ctx context.Context, c Credential) (Receipt, error)
	// Close releases what the channel holds (connections, clients). The
	// channel is not used after Close.
	Close() error
}

// ErrRejected marks a delivery error that retrying will not fix: the channel
// refused the message or its setup (an unverified sender, an unknown recipient,
// a template that does not render). Other errors (throttling, a dropped
// connection) may succeed when retried.
var ErrRejected = errors.New("rejected")

// withoutRedirects is a copy of hc that does not follow redirects. The
// channels that call out with a bearer token (slack, and claim through
// claim.Client) must not let it travel on: Go's client keeps Authorization
// on a redirect to the same host on another port or scheme.
func withoutRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
