// Package deliver gets a new credential to the one person it belongs to, through a
// channel (SES today; SMTP, Slack, claim links and encrypted files next).
package deliver

import "context"

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
}

// Receipt is a channel's confirmation that a credential was handed over.
type Receipt struct {
	Channel   string
	MessageID string // the channel's ID (SES MessageId, …); never contains the secret
}

// Channel delivers credentials.
type Channel interface {
	// Name is the channel's name in specs and flags ("ses", "none").
	Name() string
	// Deliver sends the credential; a nil error means the person has been sent it.
	Deliver(ctx context.Context, c Credential) (Receipt, error)
}
