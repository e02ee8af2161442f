package deliver

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// Deps is what channels are built from. Each channel uses the fields it needs.
type Deps struct {
	// AWS is the configuration SES sends with: the account and region whose
	// verified identities may send.
	AWS aws.Config
	// From is the sender address ("Ops <ops@example.com>"); SES requires it.
	From string
	// ReplyTo is where replies go; empty: to From.
	ReplyTo string
	// Subject overrides the built-in subject (a text/template).
	Subject string
	// Template overrides the built-in bodies (see Render).
	Template spec.Template
	// Language is the template language for credentials that name none; "" is English.
	Language string
}

// Names lists the channels New builds, in the order messages show them.
func Names() []string { return []string{spec.ChannelSES, spec.ChannelNone} }

// New builds the channel called name, checking its setup (sender, region,
// templates) so a mistake is reported before any user is created.
func New(name string, deps Deps) (Channel, error) {
	switch name {
	case spec.ChannelSES:
		return newSES(deps)
	case spec.ChannelNone:
		return noneChannel{}, nil
	}
	return nil, fmt.Errorf("unknown delivery channel %q: choose one of %s", name, strings.Join(Names(), ", "))
}

// FromSpec is the Deps a spec's delivery section describes, sending with cfg.
func FromSpec(d spec.Delivery, cfg aws.Config) Deps {
	return Deps{AWS: cfg, From: d.From, ReplyTo: d.ReplyTo, Subject: d.Subject, Template: d.Template, Language: d.Language}
}
