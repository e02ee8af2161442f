package awsproto

import (
	"net/http"
	"strings"
)

// RESTJSON is the REST-JSON protocol: the action in the method and path, a
// JSON body both ways (SESv2).
type RESTJSON struct {
	// PathPrefix is where every path of the API begins ("/v2/email/"): the API
	// takes them all and answers those it does not route with
	// UnknownOperationException, in JSON.
	PathPrefix string
	// Route maps a request to an action and its path parameters, from the
	// model's requestUri templates.
	Route func(method, path string) (action string, pathParams map[string]string, ok bool)
}

// Match takes requests, unsigned or signed for the API, under its path prefix.
func (rj RESTJSON) Match(api *API, req *Request) int {
	if req.target() != "" || (req.SigningName != "" && req.SigningName != api.Name) {
		return 0
	}
	if !strings.HasPrefix(req.HTTP.URL.EscapedPath(), rj.PathPrefix) {
		return 0
	}
	return Certain
}

// Speaks recognises a JSON body or a path other than the root (Query and JSON
// requests go to "/").
func (RESTJSON) Speaks(req *Request) bool {
	path := req.HTTP.URL.EscapedPath()
	return req.target() == "" && (mediaType(req) == "application/json" || (path != "" && path != "/"))
}

// Decode routes the method and path to an action.
func (rj RESTJSON) Decode(req *Request) error {
	r := req.HTTP
	action, pathParams, ok := rj.Route(r.Method, r.URL.EscapedPath())
	if !ok {
		return Errorf(http.StatusNotFound, "UnknownOperationException", "no %s operation at %s %s", req.Service, r.Method, r.URL.Path)
	}
	req.Action, req.PathParams = action, pathParams
	return nil
}

// UnknownOperation is UnknownOperationException.
func (RESTJSON) UnknownOperation(action string) *Error { return unknownOperation(action) }

// Throttling is TooManyRequestsException, HTTP 429.
func (RESTJSON) Throttling() *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Too Many Requests"}
}

// UnrecognizedKeyCode is UnrecognizedClientException.
func (RESTJSON) UnrecognizedKeyCode() string { return "UnrecognizedClientException" }

// WriteResult writes the result as the JSON body.
func (RESTJSON) WriteResult(w http.ResponseWriter, req *Request, result any) {
	writeJSONBody(w, "application/json", req.RequestID, result)
}

// WriteError writes {"__type", "message"} with the code also in x-amzn-ErrorType.
func (RESTJSON) WriteError(w http.ResponseWriter, req *Request, e *Error) {
	w.Header().Set("x-amzn-ErrorType", e.Code)
	writeJSONError(w, "application/json", req.RequestID, e)
}
