package runenv

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Channels are the delivery channels a run uses, each built (and its setup
// checked) before anything is created.
type Channels map[string]deliver.Channel

// Channels builds every channel the input's people need except none, which
// onboarding handles itself (the report carries the password), after
// checking every public key the file channel will encrypt to, and runs each
// channel's own check (SES: the sender is verified), so a run that could not
// deliver stops before it creates anyone. SES sends with the caller's own
// credentials and region. Bad setup is a UsageError. The channels are closed
// with the factory.
func (f *Factory) Channels(ctx context.Context, in *spec.Input) (Channels, error) {
	a, err := f.AWS(ctx, in.Role)
	if err != nil {
		return nil, err
	}
	chans, err := newChannels(f.Getenv, a, f.Settings.RateLimit, in)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	for name, ch := range chans {
		if f.channels == nil {
			f.channels = Channels{}
		}
		if old, ok := f.channels[name]; ok {
			_ = old.Close()
		}
		f.channels[name] = ch
	}
	f.mu.Unlock()
	return chans, chans.preflight(ctx)
}

func newChannels(getenv func(string) string, f *awsx.Factory, rateLimit float64, in *spec.Input) (Channels, error) {
	if err := checkPublicKeys(in); err != nil {
		return nil, &UsageError{Err: err}
	}
	deps := deliveryDeps(getenv, f, rateLimit, in.Delivery)
	deps.Welcome = in.Directory == spec.DirectoryIdentityCenter
	chans := Channels{}
	for _, p := range in.People {
		if p.Deliver == spec.ChannelNone || chans[p.Deliver] != nil {
			continue
		}
		if deps.Welcome && (p.Deliver == spec.ChannelClaim || p.Deliver == spec.ChannelFile) {
			// The spec refuses these for Identity Center; an input built
			// otherwise (an event) is refused here, before anyone is created.
			return nil, errors.Join(&UsageError{Err: fmt.Errorf("delivering by %s to Identity Center users: they have no password for it to carry; "+
				"send the welcome by ses, smtp or slack, or none", p.Deliver)}, chans.close())
		}
		ch, err := deliver.New(p.Deliver, deps)
		if err != nil {
			return nil, errors.Join(&UsageError{Err: err}, chans.close())
		}
		chans[p.Deliver] = ch
	}
	return chans, nil
}

// deliveryDeps is what the channels are built from: the spec's delivery
// section, the caller's AWS configuration and the secrets in the environment:
// secrets never come from flags (process lists, shell history) or specs.
// SES paces its mail through the caller's account's own SES limiter, at the
// rate its quota allows, or --rate-limit's when that is lower.
func deliveryDeps(getenv func(string) string, f *awsx.Factory, rateLimit float64, d spec.Delivery) deliver.Deps {
	deps := deliver.FromSpec(d, f.Base())
	deps.Limit = func(service string, perSecond float64, burst int) {
		if rateLimit > 0 {
			perSecond = min(perSecond, rateLimit)
		}
		f.Limit("", service, perSecond, burst)
	}
	deps.SMTP.Password = getenv(spec.EnvSMTPPassword)
	deps.Slack.Token = getenv(spec.EnvSlackToken)
	deps.Claim.Token = getenv(spec.EnvClaimToken)
	return deps
}

// checkPublicKeys checks the key of everyone the file channel delivers to,
// one problem per person, so a bad key stops the run before any user exists.
func checkPublicKeys(in *spec.Input) error {
	var probs []string
	for _, p := range in.People {
		if p.Deliver != spec.ChannelFile {
			continue
		}
		if _, err := deliver.CheckPublicKey(p.PublicKey); err != nil {
			probs = append(probs, fmt.Sprintf("  %s: public key of %s: %v", p.Pos, cmpOr(p.UserName, p.Email), err))
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%d public key(s) cannot be encrypted to; nothing was changed:\n%s", len(probs), strings.Join(probs, "\n"))
}

// preflight runs each channel's own check (SES: the sender is verified),
// so a run that could not deliver stops before it creates anyone.
func (c Channels) preflight(ctx context.Context) error {
	var errs []error
	for _, ch := range c {
		if err := deliver.Preflight(ctx, ch); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); errors.Is(err, deliver.ErrRejected) {
		return &UsageError{Err: fmt.Errorf("%w\nnothing was changed", err)}
	} else if err != nil {
		return err
	}
	return nil
}

// Get returns the channel called name.
func (c Channels) Get(name string) (deliver.Channel, error) {
	ch, ok := c[name]
	if !ok {
		return nil, fmt.Errorf("delivery channel %q was not set up", name)
	}
	return ch, nil
}

func (c Channels) close() error {
	var errs []error
	for _, ch := range c {
		errs = append(errs, ch.Close())
	}
	return errors.Join(errs...)
}
