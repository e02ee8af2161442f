// Package awsproto holds the contract between the sandbox's router and its APIs
// (API, Operation, Request) and one Codec per wire protocol: Query (form-encoded
// requests, XML responses), JSON 1.0 and 1.1 (X-Amz-Target) and REST-JSON.
// Service packages return typed results and *Error values; the codecs turn them
// into bytes exactly as AWS's service models describe.
package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS API error: the code clients classify on, the message a person
// reads, and the HTTP status the service model assigns to that code.
type Error struct {
	Status  int
	Code    string
	Message string
	// Receiver marks server-side faults (Query protocol <Type>Receiver</Type>).
	Receiver bool
	// QueryCode is the code a service that used to speak Query (the model's
	// awsQueryCompatible, e.g. SQS) still gives the error; JSON answers carry it
	// in x-amzn-query-error.
	QueryCode string
	// Fields are members of the error's structure beyond its code and
	// message — identitystore's ConflictException Reason,
	// ResourceNotFoundException ResourceType and ResourceId — which JSON
	// answers carry beside them, named as the model names them, and SDKs read
	// into the typed error.
	Fields map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an error with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ValidationError is the Query services' parameter validation failure (HTTP 400).
func ValidationError(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

// InvalidAction reports an action the service does not know.
func InvalidAction(action, version string) *Error {
	return Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
}

// MissingParameter reports a required protocol-level parameter that is absent.
func MissingParameter(name string) *Error {
	return Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s", name)
}

// InternalFailure is what a handler bug is answered with instead of a bare 500.
func InternalFailure() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: "The request processing has failed because of an unknown error, exception or failure.", Receiver: true}
}

// AsError converts any error into an *Error, hiding internal details.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalFailure()
}
