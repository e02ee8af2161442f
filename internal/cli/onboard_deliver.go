package cli

import (
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// channels are the delivery channels a run uses, each built (and its setup
// checked) before anything is created.
type channels map[string]deliver.Channel

// newChannels builds every channel the input's people need except none,
// which onboard handles itself (the report carries the password). SES sends
// with the caller's own credentials and region.
func newChannels(f *awsx.Factory, in *spec.Input) (channels, error) {
	chans := channels{}
	for _, p := range in.People {
		if p.Deliver == spec.ChannelNone || chans[p.Deliver] != nil {
			continue
		}
		ch, err := deliver.New(p.Deliver, deliver.FromSpec(in.Delivery, f.Base()))
		if err != nil {
			return nil, errors.Join(&UsageError{Err: err}, chans.close())
		}
		chans[p.Deliver] = ch
	}
	return chans, nil
}

// get returns the channel called name.
func (c channels) get(name string) (deliver.Channel, error) {
	ch, ok := c[name]
	if !ok {
		return nil, fmt.Errorf("delivery channel %q was not set up", name)
	}
	return ch, nil
}

func (c channels) close() error {
	var errs []error
	for _, ch := range c {
		errs = append(errs, ch.Close())
	}
	return errors.Join(errs...)
}
