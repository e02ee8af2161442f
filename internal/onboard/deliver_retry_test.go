package onboard

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver"
)

// flakyChannel fails its first len(errs) deliveries with errs, in order.
type flakyChannel struct {
	errs  []error
	calls int
}

func (f *flakyChannel) Name() string { return "flaky" }
func (f *flakyChannel) Close() error { return nil }
func (f *flakyChannel) Deliver(context.Context, deliver.Credential) (deliver.Receipt, error) {
	f.calls++
	if f.calls <= len(f.errs) {
		return deliver.Receipt{}, f.errs[f.calls-1]
	}
	return deliver.Receipt{Channel: "flaky", Detail: fmt.Sprintf("sent on call %d", f.calls)}, nil
}

func TestDeliverWithRetry(t *testing.T) {
	t.Parallel()
	transient := errors.New("connection reset")
	rejected := fmt.Errorf("recipient refused: %w", deliver.ErrRejected)
	for _, tt := range []struct {
		name         string
		errs         []error
		wantAttempts int
		wantErr      error
	}{
		{"first try", nil, 1, nil},
		{"two transient failures", []error{transient, transient}, 3, nil},
		{"transient every time", []error{transient, transient, transient, transient}, DeliveryAttempts, transient},
		{"rejected is not retried", []error{rejected, transient}, 1, deliver.ErrRejected},
		{"rejected after a transient failure", []error{transient, rejected}, 2, deliver.ErrRejected},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := &flakyChannel{errs: tt.errs}
			send := func(ctx context.Context) (deliver.Receipt, error) { return ch.Deliver(ctx, deliver.Credential{}) }
			receipt, attempts, err := retryDelivery(context.Background(), send, time.Millisecond)
			if attempts != tt.wantAttempts || ch.calls != tt.wantAttempts {
				t.Errorf("attempts = %d (channel called %d times), want %d", attempts, ch.calls, tt.wantAttempts)
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && receipt.Channel != "flaky" {
				t.Errorf("receipt = %+v, want the successful delivery's", receipt)
			}
		})
	}
}
