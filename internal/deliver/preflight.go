package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// Preflighter is a channel that can check with a call, before anyone is
// onboarded, that it will be able to deliver — so a sender SES will refuse
// stops the run before a thousand users exist without their passwords.
type Preflighter interface {
	Preflight(ctx context.Context) error
}

// Preflight runs ch's check when it has one.
func Preflight(ctx context.Context, ch Channel) error {
	if p, ok := ch.(Preflighter); ok {
		return p.Preflight(ctx)
	}
	return nil
}

// Screener is a channel whose provider limits whom, and how much, a run may
// send to: SES's daily quota and its sending sandbox. A run's plan asks it
// about the messages it would send, so that a run SES would refuse halfway
// stops before anyone is created.
type Screener interface {
	// Screen checks a run's messages, given as the recipient of each (an
	// address appears once per message), after the channel's preflight.
	Screen(ctx context.Context, recipients []string) ([]Refusal, error)
}

// Refusal is a message, or a whole run, the channel's provider would
// refuse, with what to do about it.
type Refusal struct {
	Recipient string // "" when it is the run as a whole
	Reason    string // why, and how to fix it
}

// Screen asks ch about a run's messages when it can tell.
func Screen(ctx context.Context, ch Channel, recipients []string) ([]Refusal, error) {
	if s, ok := ch.(Screener); ok {
		return s.Screen(ctx, recipients)
	}
	return nil, nil
}

// identityAPI is the part of SESv2 the sender check calls.
type identityAPI interface {
	GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, optFns ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
}

var _ identityAPI = (*sesv2.Client)(nil)

// Preflight checks that the sender's address, or its domain, is an identity
// SES has verified for sending in the channel's region, then reads the
// account's sending quota and paces SendEmail below its rate. A caller
// without permission to read identities or the quota is let through: the
// first message will say.
func (s *sesChannel) Preflight(ctx context.Context) error {
	if s.identities == nil {
		return nil
	}
	if err := s.checkSender(ctx); err != nil {
		return err
	}
	if s.account == nil {
		return nil
	}
	return s.readQuota(ctx)
}

// checkSender checks that the sender, or its domain, may send.
func (s *sesChannel) checkSender(ctx context.Context) error {
	addr, err := mail.ParseAddress(s.from)
	if err != nil {
		return reject(fmt.Errorf("checking the SES sender %q: %w", s.from, err))
	}
	domain := addr.Address[strings.LastIndex(addr.Address, "@")+1:]
	for _, identity := range []string{addr.Address, domain} {
		out, err := s.identities.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(identity)})
		var (
			notFound *types.NotFoundException
			apiErr   smithy.APIError
		)
		switch {
		case errors.As(err, &notFound):
			continue
		case errors.As(err, &apiErr) && strings.Contains(apiErr.ErrorCode(), "AccessDenied"):
			return nil
		case err != nil:
			return fmt.Errorf("checking the SES sender %s in %s: %w", addr.Address, s.region, err)
		case out.VerifiedForSendingStatus:
			return nil
		}
		return reject(fmt.Errorf("checking the SES sender %s in %s: %w", addr.Address, s.region, notSendable(identity, out)))
	}
	return reject(fmt.Errorf("checking the SES sender %s in %s: neither the address nor the domain %s is an identity in SES there: "+
		"verify one of them in the SES console (or check AWS_REGION), or choose a verified --from", addr.Address, s.region, domain))
}

// notSendable explains an identity whose VerifiedForSendingStatus is false,
// the field SES decides by. VerificationStatus is reported beside it: some
// backends (moto, LocalStack) answer SUCCESS there and false here, and a
// message that read "not verified (status SUCCESS)" contradicted itself.
func notSendable(identity string, out *sesv2.GetEmailIdentityOutput) error {
	if out.VerificationStatus == types.VerificationStatusSuccess {
		return fmt.Errorf("the identity %s cannot send: its VerifiedForSendingStatus is false although its VerificationStatus is SUCCESS, "+
			"and SES sends only from identities whose VerifiedForSendingStatus is true: check the identity in the SES console "+
			"(on a local emulator, whether it sets that field), or choose another --from", identity)
	}
	status := string(out.VerificationStatus)
	if status == "" {
		status = "not given"
	}
	return fmt.Errorf("the identity %s cannot send yet: its VerifiedForSendingStatus is false and its VerificationStatus is %s: "+
		"finish its verification in the SES console, or choose a verified --from", identity, status)
}
