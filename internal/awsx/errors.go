package awsx

import (
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"
)

// Error classes. Classify attaches one to an AWS error so callers can test it
// with errors.Is while errors.As still reaches the SDK's typed error.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrThrottled     = errors.New("throttled")
	ErrAccessDenied  = errors.New("access denied")
	ErrConflict      = errors.New("conflict")
)

// errorClasses maps AWS error codes (smithy.APIError.ErrorCode, the code on the
// wire, which the SDK's typed errors report too) of the services gatehouse
// calls to a class.
var errorClasses = map[string]error{
	// IAM, Organizations, Secrets Manager, SES, SESv2
	"NoSuchEntity":                        ErrNotFound,
	"ResourceNotFoundException":           ErrNotFound,
	"NotFoundException":                   ErrNotFound,
	"AccountNotFoundException":            ErrNotFound,
	"ParentNotFoundException":             ErrNotFound,
	"OrganizationalUnitNotFoundException": ErrNotFound,
	"ChildNotFoundException":              ErrNotFound,

	"EntityAlreadyExists":                  ErrAlreadyExists,
	"AlreadyExistsException":               ErrAlreadyExists,
	"ResourceExistsException":              ErrAlreadyExists,
	"DuplicateOrganizationalUnitException": ErrAlreadyExists,
	"DuplicateAccountException":            ErrAlreadyExists,

	"Throttling":                             ErrThrottled,
	"ThrottlingException":                    ErrThrottled,
	"ThrottledException":                     ErrThrottled,
	"TooManyRequestsException":               ErrThrottled,
	"RequestThrottledException":              ErrThrottled,
	"RequestThrottled":                       ErrThrottled,
	"RequestLimitExceeded":                   ErrThrottled,
	"SlowDown":                               ErrThrottled,
	"ProvisionedThroughputExceededException": ErrThrottled,

	"AccessDenied":                ErrAccessDenied,
	"AccessDeniedException":       ErrAccessDenied,
	"UnauthorizedOperation":       ErrAccessDenied,
	"AuthorizationError":          ErrAccessDenied,
	"InvalidClientTokenId":        ErrAccessDenied,
	"UnrecognizedClientException": ErrAccessDenied,
	"SignatureDoesNotMatch":       ErrAccessDenied,
	"ExpiredToken":                ErrAccessDenied,
	"ExpiredTokenException":       ErrAccessDenied,

	"DeleteConflict":                  ErrConflict,
	"ConcurrentModification":          ErrConflict,
	"ConcurrentModificationException": ErrConflict,
	"ConflictException":               ErrConflict,
	"EntityTemporarilyUnmodifiable":   ErrConflict,
	"ResourceInUseException":          ErrConflict,
}

// ClassOf returns the class of err (one of the Err* sentinels) or nil when err
// is nil or of no known class. It looks at smithy.APIError codes anywhere in
// the chain, the SDK's client-side retry quota error and HTTP 429 answers;
// never at message text.
func ClassOf(err error) error {
	if err == nil {
		return nil
	}
	for _, class := range []error{ErrNotFound, ErrAlreadyExists, ErrThrottled, ErrAccessDenied, ErrConflict} {
		if errors.Is(err, class) {
			return class
		}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if class, ok := errorClasses[apiErr.ErrorCode()]; ok {
			return class
		}
	}
	var quota ratelimit.QuotaExceededError
	if errors.As(err, &quota) {
		return ErrThrottled
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() == http.StatusTooManyRequests {
		return ErrThrottled
	}
	return nil
}

// Classify returns err with its class attached, so errors.Is(err, ErrNotFound)
// and friends work, errors.As still finds the SDK's error, and the message is
// unchanged. Errors of no known class, and nil, are returned as they are.
func Classify(err error) error {
	class := ClassOf(err)
	if class == nil || errors.Is(err, class) {
		return err
	}
	return &classifiedError{class: class, err: err}
}

type classifiedError struct {
	class error
	err   error
}

func (e *classifiedError) Error() string   { return e.err.Error() }
func (e *classifiedError) Unwrap() []error { return []error{e.err, e.class} }
