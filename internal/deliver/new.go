package deliver

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// Deps is what channels are built from. Each channel uses the fields it needs.
type Deps struct {
	// AWS is the configuration SES sends with: the account and region whose
	// verified identities may send.
	AWS aws.Config
	// Limit, when set, fixes the rate of an AWS service's calls (the SDK's
	// service ID, "SESv2") in the account AWS acts in: SES's preflight reads
	// the account's maximum send rate and paces SendEmail below it through
	// it (awsx.Factory.Limit). Nil: SES's calls are not paced by the channel.
	Limit func(service string, perSecond float64, burst int)
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

	SMTP  SMTPConfig
	Slack SlackConfig
	Claim ClaimConfig
	File  FileConfig
	// HTTPClient is what the slack and claim channels call out with; nil is
	// http.DefaultClient's settings with a timeout.
	HTTPClient *http.Client
	// Welcome says the channel carries Identity Center welcomes (no
	// password): its templates are checked with a welcome, so an override
	// need not mention a password that does not exist.
	Welcome bool

	// carriesClaimLinks is set by the claim channel on the Deps of the
	// channel carrying its links, whose messages hold a link, not a password.
	carriesClaimLinks bool
}

// SMTPConfig is how the smtp channel reaches the mail server.
type SMTPConfig struct {
	Addr     string // host:port
	User     string // empty: no authentication
	Password string // from GATEHOUSE_SMTP_PASSWORD; never logged
	TLS      string // starttls (default) | tls | none
	// RootCAs verifies the server's certificate; nil: the system's roots.
	RootCAs *x509.CertPool
}

// SlackConfig is how the slack channel reaches Slack's Web API.
type SlackConfig struct {
	Token  string // a bot token (xoxb-…) from GATEHOUSE_SLACK_TOKEN; never logged
	APIURL string // default https://slack.com/api/
}

// ClaimConfig is how the claim channel stores a sealed credential with
// gatehouse serve and which channel carries the link.
type ClaimConfig struct {
	URL   string        // the public base address of gatehouse serve (--claim-url)
	Token string        // the API token gatehouse serve accepts (GATEHOUSE_CLAIM_TOKEN); never logged
	TTL   time.Duration // how long a link works; default 72h
	Via   string        // the channel that carries the link: ses | smtp | slack
}

// FileConfig is where the file channel writes encrypted credentials.
type FileConfig struct {
	Dir string // created 0700 when missing; files are written 0600
}

// Names lists the channels New builds, in the order messages show them.
func Names() []string {
	return []string{spec.ChannelSES, spec.ChannelSMTP, spec.ChannelSlack, spec.ChannelClaim, spec.ChannelFile, spec.ChannelNone}
}

// New builds the channel called name, checking its setup (sender, region,
// templates) so a mistake is reported before any user is created. Every
// channel but none is a Batcher, unless its template override shows one
// account (never mentions .Credentials).
func New(name string, deps Deps) (Channel, error) {
	ch, err := build(name, deps)
	if err != nil {
		return nil, err
	}
	return batchingIfItCan(ch), nil
}

func build(name string, deps Deps) (Channel, error) {
	switch name {
	case spec.ChannelSES:
		return newSES(deps)
	case spec.ChannelSMTP:
		return newSMTP(deps)
	case spec.ChannelSlack:
		return newSlack(deps)
	case spec.ChannelFile:
		return newFile(deps)
	case spec.ChannelClaim:
		return newClaim(deps)
	case spec.ChannelNone:
		return noneChannel{}, nil
	}
	return nil, fmt.Errorf("unknown delivery channel %q: choose one of %s", name, strings.Join(Names(), ", "))
}

// FromSpec is the Deps a spec's delivery section describes, sending with cfg.
// Secrets (the SMTP password, the Slack and claim tokens) are not in specs:
// the caller fills them in from the environment.
func FromSpec(d spec.Delivery, cfg aws.Config) Deps {
	return Deps{
		AWS: cfg, From: d.From, ReplyTo: d.ReplyTo, Subject: d.Subject, Template: d.Template, Language: d.Language,
		SMTP:  SMTPConfig{Addr: d.SMTP.Addr, User: d.SMTP.User, TLS: d.SMTP.TLS},
		Slack: SlackConfig{APIURL: d.Slack.APIURL},
		Claim: ClaimConfig{URL: d.Claim.URL, TTL: d.Claim.TTL, Via: d.Claim.Via},
		File:  FileConfig{Dir: d.File.Dir},
	}
}
