package awsx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// MaxIdenticalServerErrors is how many times a call may get the same
// "cannot answer this" server error before it stops retrying: an action
// moto does not implement answers an HTML 500, LocalStack's a 501 saying it
// is not implemented — ten attempts over twenty seconds only hide that.
// AWS's own transient 5xx (InternalFailure, ServiceUnavailable, …) are
// well-formed errors with a fixed message, so they repeat to the letter
// too; those keep the retryer's full attempts (see unanswerable).
const MaxIdenticalServerErrors = 3

// RepeatedServerError is a server error a call got MaxIdenticalServerErrors
// times in a row, the same each time. It is not retried further.
type RepeatedServerError struct {
	Service   string // "IAM"
	Operation string // "ListServiceSpecificCredentials"
	Status    int    // the HTTP status
	Times     int
	Err       error // the last attempt's error
}

func (e *RepeatedServerError) Error() string {
	return fmt.Sprintf("%s %s answered HTTP %d %d times, the same each time: the backend may not implement %s (last: %v)",
		e.Service, e.Operation, e.Status, e.Times, e.Operation, e.Err)
}

func (e *RepeatedServerError) Unwrap() error { return e.Err }

// repeats is one call's record of its attempts' server errors, kept in its
// context by repeatTracker and updated by repeatMiddleware.
type repeats struct {
	last  string
	count int
}

type repeatsKey struct{}

// repeatTracker gives every call (all its attempts) a fresh record.
type repeatTracker struct{}

func (repeatTracker) ID() string { return "GatehouseRepeatTracker" }

func (repeatTracker) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	return next.HandleInitialize(middleware.WithStackValue(ctx, repeatsKey{}, &repeats{}), in)
}

// repeatMiddleware runs inside the retry loop, once per attempt: the third
// identical "cannot answer this" server error in a row becomes a
// RepeatedServerError, which the retryer does not retry.
type repeatMiddleware struct{}

func (repeatMiddleware) ID() string { return "GatehouseRepeatedServerError" }

func (repeatMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	out, md, err := next.HandleFinalize(ctx, in)
	r, _ := middleware.GetStackValue(ctx, repeatsKey{}).(*repeats)
	status := serverStatus(err)
	if r == nil || status == 0 || !unanswerable(status, err) {
		return out, md, err
	}
	sig := strconv.Itoa(status) + " " + errorSignature(err)
	if sig == r.last {
		r.count++
	} else {
		r.last, r.count = sig, 1
	}
	if r.count >= MaxIdenticalServerErrors {
		err = &RepeatedServerError{Service: awsmiddleware.GetServiceID(ctx), Operation: awsmiddleware.GetOperationName(ctx),
			Status: status, Times: r.count, Err: err}
	}
	return out, md, err
}

// serverStatus is the HTTP status of err when it is a 5xx answer, else 0.
func serverStatus(err error) int {
	var resp *smithyhttp.ResponseError
	if err == nil || !errors.As(err, &resp) || resp.HTTPStatusCode() < 500 {
		return 0
	}
	return resp.HTTPStatusCode()
}

// unanswerable says whether a server error looks like a backend that lacks
// the action rather than a passing fault: HTTP 501, an answer that is not
// an AWS error at all (an HTML page), or an AWS error whose message says
// the action is not implemented.
func unanswerable(status int, err error) bool {
	if status == http.StatusNotImplemented {
		return true
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return true
	}
	var generic *smithy.GenericAPIError
	if errors.As(err, &generic) && generic.Code == "" {
		return true // no error code could be read from the answer
	}
	msg := strings.ToLower(apiErr.ErrorMessage())
	return strings.Contains(msg, "not implemented") || strings.Contains(msg, "not yet implemented") ||
		strings.Contains(msg, "has not been implemented") || strings.Contains(apiErr.ErrorCode(), "NotImplemented")
}

// errorSignature is what makes two server errors the same: the AWS error
// code and message, or, for an answer that is not an AWS error at all (an
// HTML page), the reason it could not be read. Request IDs are left out.
func errorSignature(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Err != nil {
		return resp.Err.Error()
	}
	return err.Error()
}

// notRetryingRepeats tells the retryer that a RepeatedServerError is final.
var notRetryingRepeats = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	var rep *RepeatedServerError
	if errors.As(err, &rep) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
})

// withRepeatLimit adds the tracker and the per-attempt check to a stack.
func withRepeatLimit(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(repeatTracker{}, middleware.Before); err != nil {
		return err
	}
	retryID := (&retry.Attempt{}).ID()
	if _, found := stack.Finalize.Get(retryID); !found {
		return nil
	}
	return stack.Finalize.Insert(repeatMiddleware{}, retryID, middleware.After)
}
