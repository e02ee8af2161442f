package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Hook is an endpoint a service adds to the /_sandbox/ inspection API: what
// tests need and AWS has no API for (registering a passkey, checking a
// password, reading the mail SES sent). It is not AWS and is named so.
type Hook struct {
	Method string
	// Path is below /_sandbox/ and begins with the service's name:
	// "iam/mfa-devices".
	Path string
	// Writes hooks run under the world's write lock, and the world is saved
	// when they succeed; the others run under the read lock.
	Writes bool
	// Handle answers the call; its result is sent as JSON.
	Handle func(w *state.World, in *HookRequest) (any, error)
}

// HookRequest is what an inspection call sent.
type HookRequest struct {
	Query url.Values
	Body  []byte
}

// Decode reads the JSON body into v, refusing fields v does not have.
func (r *HookRequest) Decode(v any) error {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return HookErrorf(http.StatusBadRequest, "decoding JSON body: %v", err)
	}
	return nil
}

// HookError is a failed inspection call: its HTTP status and what to say.
type HookError struct {
	Status  int
	Message string
}

func (e *HookError) Error() string { return e.Message }

// HookErrorf builds a HookError with a formatted message.
func HookErrorf(status int, format string, args ...any) *HookError {
	return &HookError{Status: status, Message: fmt.Sprintf(format, args...)}
}
