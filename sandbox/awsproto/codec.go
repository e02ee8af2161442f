package awsproto

import (
	"net/http"
	"strings"
)

// Codec is one AWS wire protocol as an API speaks it: it recognises the API's
// requests, decodes their action and parameters, and encodes results and
// errors exactly as that protocol's clients parse them. The router knows no
// protocol: it asks each API's codec.
//
// The sandbox's codecs are Query (form in, XML out: IAM, STS, SES v1, SNS),
// JSON with its version (X-Amz-Target: JSON 1.0 for SQS, JSON 1.1 for Secrets
// Manager, Organizations, EventBridge, identitystore and sso-admin) and
// RESTJSON (SESv2).
type Codec interface {
	// Match says how surely req is addressed to api: 0 when it is not,
	// Certain when the request names the API (signing scope, X-Amz-Target or
	// path), something in between for a guess. The first API with the
	// highest score serves the request.
	Match(api *API, req *Request) int
	// Decode sets req.Action and the protocol's parameters (req.Params or
	// req.PathParams); it is called once an API has been chosen.
	Decode(req *Request) error
	// UnknownOperation is the error for an action the API does not offer.
	UnknownOperation(action string) *Error
	// Throttling is the protocol's throttling error, which SDK retryers recognise.
	Throttling() *Error
	// UnrecognizedKeyCode is the error code for an access key the service does
	// not know.
	UnrecognizedKeyCode() string
	// WriteResult writes a successful answer carrying result.
	WriteResult(w http.ResponseWriter, req *Request, result any)
	// WriteError writes e as the protocol's error answer.
	WriteError(w http.ResponseWriter, req *Request, e *Error)
	// Speaks reports whether req is written in this protocol, whichever
	// service it is for: requests no API takes are answered in the protocol
	// their client parses (see Spoken).
	Speaks(req *Request) bool
}

// Spoken is the codec of the protocol req is written in, for answering a
// request no API takes (a service or an operation the sandbox does not
// serve): a JSON client given an XML error would show raw XML and a bare
// HTTP status. The most specific protocol that recognises req answers.
func Spoken(req *Request) Codec {
	for _, c := range []Codec{JSON{Version: "1.0"}, JSON{Version: "1.1"}, RESTJSON{}} {
		if c.Speaks(req) {
			return c
		}
	}
	return Query{}
}

// mediaType is the request's content type without parameters, lower-cased.
func mediaType(req *Request) string {
	mt, _, _ := strings.Cut(req.HTTP.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// Certain is the Match score of a request that names the API.
const Certain = 100

// unknownOperation is the JSON protocols' answer to an action the API lacks.
func unknownOperation(action string) *Error {
	return Errorf(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", action)
}

// faultType is who caused an error, as Query errors and x-amzn-query-error say.
func faultType(e *Error) string {
	if e.Receiver || e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}
