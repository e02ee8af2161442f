package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// sesAPI is the part of SESv2 the ses channel calls.
type sesAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ sesAPI = (*sesv2.Client)(nil)

// sesChannel mails the credential with SESv2 SendEmail: Simple content, a
// text and an HTML body, UTF-8 throughout.
type sesChannel struct {
	api        sesAPI
	identities identityAPI // nil: no sender check (tests with a fake)
	from       string
	replyTo    []string
	region     string
	lang       string
	sets       map[string]*templateSet // by language
	transport  *http.Transport         // the channel's own, closed by Close; nil: the configuration's
}

func newSES(deps Deps) (Channel, error) {
	if deps.AWS.Region == "" {
		return nil, errors.New("setting up SES delivery: no AWS region; set AWS_REGION or a region in the AWS profile")
	}
	cfg := deps.AWS
	var own *http.Transport
	if cfg.HTTPClient == nil {
		// The SDK would build a client nobody can close; with one of its
		// own, Close closes this channel's connections. A configuration's
		// client (the runtime's, shared by every AWS call) is not the
		// channel's to close.
		own = awshttp.NewBuildableClient().GetTransport()
		cfg.HTTPClient = &http.Client{Transport: own}
	}
	client := sesv2.NewFromConfig(cfg)
	ch, err := newSESWith(client, deps)
	if err != nil {
		return nil, err // not a nil *sesChannel in a non-nil Channel
	}
	ch.identities, ch.transport = client, own
	return ch, nil
}

// newSESWith builds the channel on api, checking the sender and the
// templates in every language.
func newSESWith(api sesAPI, deps Deps) (*sesChannel, error) {
	if deps.From == "" {
		return nil, errors.New("setting up SES delivery: no sender address; set delivery.from in the spec or --from")
	}
	if _, err := mail.ParseAddress(deps.From); err != nil {
		return nil, fmt.Errorf("setting up SES delivery: sender address %q: %w", deps.From, err)
	}
	s := &sesChannel{api: api, from: deps.From, region: deps.AWS.Region, lang: deps.Language, sets: map[string]*templateSet{}}
	if deps.ReplyTo != "" {
		if _, err := mail.ParseAddress(deps.ReplyTo); err != nil {
			return nil, fmt.Errorf("setting up SES delivery: reply-to address %q: %w", deps.ReplyTo, err)
		}
		s.replyTo = []string{deps.ReplyTo}
	}
	var err error
	if s.lang, s.sets, err = compileAll(deps); err != nil {
		return nil, fmt.Errorf("setting up SES delivery: %w", err)
	}
	return s, nil
}

func (s *sesChannel) Name() string { return spec.ChannelSES }

// Close closes the connections the channel opened with a client of its own.
func (s *sesChannel) Close() error {
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
	return nil
}

// Deliver renders the message in the credential's language (else the
// channel's) and sends it to the person alone.
func (s *sesChannel) Deliver(ctx context.Context, c Credential) (Receipt, error) {
	return s.send(ctx, []Credential{c})
}

// DeliverAll sends one person's credentials in one mail that lists every
// account.
func (s *sesChannel) DeliverAll(ctx context.Context, cs []Credential) (Receipt, error) {
	if err := checkBatch(cs); err != nil {
		return Receipt{}, fmt.Errorf("sending sign-in details through SES: %w", err)
	}
	return s.send(ctx, cs)
}

func (s *sesChannel) carriesSeveral() bool { return carriesSeveral(s.sets) }

// send renders cs's message and sends it.
func (s *sesChannel) send(ctx context.Context, cs []Credential) (Receipt, error) {
	c := cs[0]
	where := fmt.Sprintf("sending sign-in details for %s to %s through SES", who(cs), c.Email)
	if c.Email == "" {
		return Receipt{}, reject(fmt.Errorf("%s: the person has no e-mail address", where))
	}
	msg, err := renderIn(s.sets, s.lang, cs...)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", where, err)
	}
	out, err := s.api.SendEmail(ctx, s.input(c, msg))
	if err != nil {
		return Receipt{}, redactSecrets(s.sendError(where, err), cs)
	}
	id := aws.ToString(out.MessageId)
	return Receipt{Channel: spec.ChannelSES, MessageID: id, Detail: fmt.Sprintf("SES message %s to %s", id, c.Email)}, nil
}

func (s *sesChannel) input(c Credential, msg Message) *sesv2.SendEmailInput {
	content := func(data string) *types.Content {
		return &types.Content{Data: aws.String(data), Charset: aws.String("UTF-8")}
	}
	body := &types.Body{}
	if msg.Text != "" {
		body.Text = content(msg.Text)
	}
	if msg.HTML != "" {
		body.Html = content(msg.HTML)
	}
	// mail.Address quotes or MIME-encodes the display name, so any name is one safe header value.
	to := (&mail.Address{Name: c.DisplayName, Address: c.Email}).String()
	return &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		ReplyToAddresses: s.replyTo,
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content:          &types.EmailContent{Simple: &types.Message{Subject: content(msg.Subject), Body: body}},
	}
}

// sendError wraps a SendEmail error with what was being sent and, for the
// errors a person must fix, how to fix them.
func (s *sesChannel) sendError(where string, err error) error {
	where += " from " + s.from
	var (
		rejected  *types.MessageRejected
		mailFrom  *types.MailFromDomainNotVerifiedException
		suspended *types.AccountSuspendedException
		paused    *types.SendingPausedException
		notFound  *types.NotFoundException
		bad       *types.BadRequestException
	)
	switch {
	case errors.As(err, &rejected):
		return reject(fmt.Errorf("%s: %w; check that the sender %s is a verified identity in SES in %s (and, while the SES account is in the SES sandbox, that the recipient is verified too)",
			where, err, s.from, s.region))
	case errors.As(err, &mailFrom):
		return reject(fmt.Errorf("%s: %w; verify the MAIL FROM domain of the sender %s in SES in %s", where, err, s.from, s.region))
	case errors.As(err, &suspended), errors.As(err, &paused):
		return reject(fmt.Errorf("%s: %w; SES sending is stopped for this account in %s: see the SES console's account dashboard", where, err, s.region))
	case errors.As(err, &notFound), errors.As(err, &bad):
		return reject(fmt.Errorf("%s: %w", where, err))
	}
	return fmt.Errorf("%s: %w", where, err)
}
