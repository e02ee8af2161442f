package awsx

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func testRetryer(t *testing.T) aws.Retryer {
	t.Helper()
	return newRetryer(Options{}.withDefaults())()
}

func TestRetryerRetriesThrottlingAnd5xx(t *testing.T) {
	t.Parallel()
	r := testRetryer(t)
	if r.MaxAttempts() != DefaultMaxAttempts {
		t.Errorf("MaxAttempts = %d, want %d", r.MaxAttempts(), DefaultMaxAttempts)
	}
	for _, tc := range []struct {
		name  string
		err   error
		retry bool
	}{
		{"Throttling", apiErr("Throttling"), true},
		{"ThrottlingException", apiErr("ThrottlingException"), true},
		{"TooManyRequestsException", apiErr("TooManyRequestsException"), true},
		{"HTTP 500", httpErr(http.StatusInternalServerError, errors.New("x")), true},
		{"HTTP 503", httpErr(http.StatusServiceUnavailable, errors.New("x")), true},
		{"HTTP 429", httpErr(http.StatusTooManyRequests, errors.New("x")), true},
		{"NoSuchEntity", &iamtypes.NoSuchEntityException{}, false},
		{"AccessDenied", apiErr("AccessDenied"), false},
		{"EntityAlreadyExists", &iamtypes.EntityAlreadyExistsException{}, false},
	} {
		if got := r.IsErrorRetryable(tc.err); got != tc.retry {
			t.Errorf("IsErrorRetryable(%s) = %v, want %v", tc.name, got, tc.retry)
		}
	}
}

// TestRetryerHasNoRetryQuota: the SDK's default quota (500 tokens, 5 per retry)
// refuses the 101st unrefunded retry; gatehouse's retryer must never refuse.
func TestRetryerHasNoRetryQuota(t *testing.T) {
	t.Parallel()
	r := testRetryer(t)
	ctx := context.Background()
	for i := range 10_000 {
		if _, err := r.GetRetryToken(ctx, apiErr("Throttling")); err != nil {
			t.Fatalf("retry %d refused: %v", i+1, err)
		}
	}
}

func TestBackoffIsCappedExponentialWithJitter(t *testing.T) {
	t.Parallel()
	b := jitterBackoff{base: 100 * time.Millisecond, max: 2 * time.Second}
	ceilings := map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
		5: 1600 * time.Millisecond, 6: 2 * time.Second, 40: 2 * time.Second, 1000: 2 * time.Second}
	for attempt, ceiling := range ceilings {
		var lo, hi time.Duration = ceiling, 0
		for range 2_000 {
			d, err := b.BackoffDelay(attempt, apiErr("Throttling"))
			if err != nil || d < 0 || d >= ceiling {
				t.Fatalf("BackoffDelay(%d) = %v, %v; want in [0, %v)", attempt, d, err, ceiling)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		// Full jitter: samples spread over the whole range, not one value.
		if lo > ceiling/10 || hi < ceiling*9/10 {
			t.Errorf("BackoffDelay(%d) spans [%v, %v]; want spread over [0, %v)", attempt, lo, hi, ceiling)
		}
	}
}
