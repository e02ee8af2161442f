package deliver

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// noneChannel sends nothing: the credential appears only in the command's
// output (seed 001's workflow output), which the person running gatehouse
// asked for.
type noneChannel struct{}

func (noneChannel) Name() string { return spec.ChannelNone }

func (noneChannel) Deliver(ctx context.Context, c Credential) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, err
	}
	return Receipt{Channel: spec.ChannelNone, Detail: "not sent: the credential appears only in the command's output"}, nil
}

func (noneChannel) Close() error { return nil }
