package awsx

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// Retry and rate defaults; Options fields left at zero take these.
const (
	DefaultMaxAttempts = 10
	DefaultBaseDelay   = 100 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
)

// newRetryer returns the retryer every client uses: the SDK's standard
// retryer (throttling codes such as Throttling, ThrottlingException and
// TooManyRequestsException, HTTP 429 and 5xx, connection errors) with more
// attempts, capped full-jitter backoff, and without the client-side retry
// quota: that token bucket is shared by every call of a client and runs dry
// when many goroutines meet throttling at once, failing calls that a retry
// would have completed. The per-account rate limiter keeps gatehouse polite
// instead, and slows down when AWS throttles (see limiter).
func newRetryer(o Options) func() aws.Retryer {
	backoff := jitterBackoff{base: o.BaseDelay, max: o.MaxBackoff}
	return func() aws.Retryer {
		return retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = o.MaxAttempts
			so.MaxBackoff = o.MaxBackoff
			so.Backoff = backoff
			so.RateLimiter = ratelimit.None
			// The first retryable with an answer decides: a repeated server
			// error is final whatever its status says.
			so.Retryables = append([]retry.IsErrorRetryable{notRetryingRepeats}, so.Retryables...)
			so.Retryables = append(so.Retryables, retry.RetryableHTTPStatusCode{
				Codes: map[int]struct{}{http.StatusTooManyRequests: {}},
			})
		})
	}
}

// jitterBackoff is capped exponential backoff with full jitter: before retry n
// (1-based) it waits a uniform random time in [0, min(max, base·2^(n-1))).
type jitterBackoff struct {
	base, max time.Duration
}

func (b jitterBackoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	ceiling := b.max
	if shift := attempt - 1; shift >= 0 && shift < 32 && b.base<<shift < b.max && b.base<<shift > 0 {
		ceiling = b.base << shift
	}
	if ceiling <= 0 {
		return 0, nil
	}
	return rand.N(ceiling), nil
}

// rateLimitMiddleware waits for the limiter of the call's service in the
// account before every attempt, retries included, and tells it when AWS
// throttled the attempt. It sits right after the SDK's retry middleware and
// before signing, so a long wait never makes a signature stale.
type rateLimitMiddleware struct {
	budgets *budgets
}

func (rateLimitMiddleware) ID() string { return "GatehouseRateLimit" }

func (m rateLimitMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	lim := m.budgets.of(awsmiddleware.GetServiceID(ctx))
	if err := lim.Wait(ctx); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the account's request rate limit: %w", err)
	}
	out, md, err := next.HandleFinalize(ctx, in)
	if err != nil && ClassOf(err) == ErrThrottled {
		lim.throttled()
	}
	return out, md, err
}

// withRateLimit returns an API option adding the account's limiters to a
// client's stack.
func withRateLimit(b *budgets) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		mw := rateLimitMiddleware{budgets: b}
		retryID := (&retry.Attempt{}).ID()
		if _, found := stack.Finalize.Get(retryID); !found {
			// A stack without the retry middleware: limit its single attempt.
			return stack.Finalize.Add(mw, middleware.Before)
		}
		return stack.Finalize.Insert(mw, retryID, middleware.After)
	}
}
