package onboard

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver"
)

// Delivery retries: a delivery that failed for a reason retrying can fix (a
// dropped connection, a mail server's 4xx, a throttled API) is tried
// DeliveryAttempts times in all, waiting DefaultDeliveryRetryDelay, then
// twice that, between tries. One the channel rejected (deliver.ErrRejected:
// an unknown recipient, a bad sender) is not retried.
const (
	DeliveryAttempts          = 3
	DefaultDeliveryRetryDelay = 2 * time.Second
)

// retryDelivery runs send, retrying as above, and returns the receipt, how
// many attempts it took, and the last error.
func retryDelivery(ctx context.Context, send func(context.Context) (deliver.Receipt, error), delay time.Duration) (deliver.Receipt, int, error) {
	var err error
	for attempt := 1; ; attempt++ {
		var receipt deliver.Receipt
		receipt, err = send(ctx)
		if err == nil || errors.Is(err, deliver.ErrRejected) || attempt == DeliveryAttempts {
			return receipt, attempt, err
		}
		select {
		case <-ctx.Done():
			return deliver.Receipt{}, attempt, errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
}
