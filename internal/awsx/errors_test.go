package awsx

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "message text " + code}
}

func httpErr(status int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err,
	}}
}

func TestClassOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"IAM NoSuchEntity typed", &iamtypes.NoSuchEntityException{}, ErrNotFound},
		{"IAM EntityAlreadyExists typed", &iamtypes.EntityAlreadyExistsException{}, ErrAlreadyExists},
		{"IAM DeleteConflict typed", &iamtypes.DeleteConflictException{}, ErrConflict},
		{"IAM ConcurrentModification typed", &iamtypes.ConcurrentModificationException{}, ErrConflict},
		{"Secrets Manager not found typed", &smtypes.ResourceNotFoundException{}, ErrNotFound},
		{"Organizations access denied typed", &orgtypes.AccessDeniedException{}, ErrAccessDenied},
		{"Organizations too many requests typed", &orgtypes.TooManyRequestsException{}, ErrThrottled},
		{"Throttling", apiErr("Throttling"), ErrThrottled},
		{"ThrottlingException", apiErr("ThrottlingException"), ErrThrottled},
		{"TooManyRequestsException", apiErr("TooManyRequestsException"), ErrThrottled},
		{"AccessDenied", apiErr("AccessDenied"), ErrAccessDenied},
		{"ExpiredToken", apiErr("ExpiredToken"), ErrAccessDenied},
		{"wrapped twice", fmt.Errorf("creating IAM user (a): %w", fmt.Errorf("x: %w", apiErr("NoSuchEntity"))), ErrNotFound},
		{"after max attempts", &retry.MaxAttemptsError{Attempt: 10, Err: apiErr("Throttling")}, ErrThrottled},
		{"retry quota", fmt.Errorf("failed to get rate limit token, %w", ratelimit.QuotaExceededError{Available: 0, Requested: 5}), ErrThrottled},
		{"HTTP 429 without a code", httpErr(http.StatusTooManyRequests, errors.New("no body")), ErrThrottled},
		{"HTTP 500", httpErr(http.StatusInternalServerError, errors.New("boom")), nil},
		{"unknown code", apiErr("MalformedPolicyDocument"), nil},
		{"message text is ignored", errors.New("NoSuchEntity: AccessDenied Throttling"), nil},
		{"already classified", fmt.Errorf("ctx: %w", ErrConflict), ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ClassOf(tc.err); got != tc.want {
				t.Errorf("ClassOf(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestClassifyKeepsTheSDKError(t *testing.T) {
	t.Parallel()
	orig := fmt.Errorf("getting IAM user (bob): %w", &iamtypes.NoSuchEntityException{Message: stringPtr("The user with name bob cannot be found.")})
	err := Classify(orig)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is(Classify(err), ErrNotFound) = false")
	}
	for _, other := range []error{ErrAlreadyExists, ErrThrottled, ErrAccessDenied, ErrConflict} {
		if errors.Is(err, other) {
			t.Errorf("Classify(NoSuchEntity) is also %v", other)
		}
	}
	var typed *iamtypes.NoSuchEntityException
	if !errors.As(err, &typed) {
		t.Error("errors.As no longer finds the SDK's typed error")
	}
	if err.Error() != orig.Error() {
		t.Errorf("message changed: %q, was %q", err, orig)
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
	plain := errors.New("disk full")
	if Classify(plain) != plain {
		t.Error("Classify changed an unclassified error")
	}
	if again := Classify(err); again != err {
		t.Error("Classify wrapped an already classified error again")
	}
}

func stringPtr(s string) *string { return &s }
