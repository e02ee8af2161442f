package awsproto

import (
	"net/http"
	"strings"
)

// JSON is the JSON protocol: the action in X-Amz-Target ("Prefix.Action"), a
// JSON body both ways, the version in the content type
// (application/x-amz-json-1.0 or -1.1, the model's jsonVersion).
type JSON struct {
	// Version is the model's jsonVersion, "1.0" or "1.1".
	Version string
	// TargetPrefix is what X-Amz-Target holds before the dot (the model's targetPrefix).
	TargetPrefix string
}

func (j JSON) contentType() string { return "application/x-amz-json-" + j.Version }

// Match takes requests whose X-Amz-Target names the API's prefix, signed or not.
func (j JSON) Match(_ *API, req *Request) int {
	target := req.target()
	if prefix, _, _ := strings.Cut(target, "."); target != "" && prefix == j.TargetPrefix {
		return Certain
	}
	return 0
}

// Speaks recognises X-Amz-Target; JSON 1.0 also needs its content type, as
// every other JSON request is answered in 1.1.
func (j JSON) Speaks(req *Request) bool {
	return req.target() != "" && (j.Version != "1.0" || mediaType(req) == j.contentType())
}

// Decode takes the action from X-Amz-Target; operations decode the body into
// their own request types with DecodeJSON.
func (JSON) Decode(req *Request) error {
	_, req.Action, _ = strings.Cut(req.target(), ".")
	return nil
}

// UnknownOperation is UnknownOperationException.
func (JSON) UnknownOperation(action string) *Error { return unknownOperation(action) }

// Throttling is ThrottlingException.
func (JSON) Throttling() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}

// UnrecognizedKeyCode is UnrecognizedClientException.
func (JSON) UnrecognizedKeyCode() string { return "UnrecognizedClientException" }

// WriteResult writes the result as the JSON body.
func (j JSON) WriteResult(w http.ResponseWriter, req *Request, result any) {
	writeJSONBody(w, j.contentType(), req.RequestID, result)
}

// WriteError writes {"__type", "message"}. An error with a QueryCode also
// carries x-amzn-query-error, which clients of services that were Query
// services before (the model's awsQueryCompatible, e.g. SQS) read the
// error code from.
func (j JSON) WriteError(w http.ResponseWriter, req *Request, e *Error) {
	if e.QueryCode != "" {
		w.Header().Set("x-amzn-query-error", e.QueryCode+";"+faultType(e))
	}
	writeJSONError(w, j.contentType(), req.RequestID, e)
}
