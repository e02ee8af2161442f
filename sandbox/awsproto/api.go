package awsproto

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Caller is the identity a request was signed as.
type Caller struct {
	Account     string
	AccessKeyID string
	// ARN is arn:aws:iam::ACCT:root, arn:aws:iam::ACCT:user/NAME or
	// arn:aws:sts::ACCT:assumed-role/ROLE/SESSION.
	ARN string
	// UserID is ACCT for root, the user's AIDA… ID, or ROLEID:SESSION.
	UserID string
}

// Request is one decoded API call handed to an operation. The router holds the
// world's lock (write lock for mutating operations) for the whole call, so
// operations read and change Request.World directly.
type Request struct {
	Ctx       context.Context
	HTTP      *http.Request
	Body      []byte
	Service   string // the API's ID
	Action    string
	Region    string
	RequestID string
	// SigningName is the service of the SigV4 credential scope, "" when unsigned.
	SigningName string
	Caller      Caller
	Params      Params            // Query protocol parameters
	PathParams  map[string]string // REST-JSON path parameters
	World       *state.World

	// The form is parsed once, though several Query codecs may look at it
	// while the router looks for the API an unsigned request is meant for.
	form    Params
	formErr error
	parsed  bool
}

// Account is the account the call acts in.
func (r *Request) Account() *state.Account { return r.World.Account(r.Caller.Account) }

// target is the JSON protocols' X-Amz-Target header: "Prefix.Action".
func (r *Request) target() string { return r.HTTP.Header.Get("X-Amz-Target") }

// parseForm decodes the Query parameters once.
func (r *Request) parseForm() (Params, error) {
	if !r.parsed {
		r.form, r.formErr = ParseQuery(r.HTTP, r.Body)
		r.parsed = true
	}
	return r.form, r.formErr
}

// Handler is an operation's code: it returns the result its API's codec
// writes, or an error (an *Error for what the client should see).
type Handler = func(*Request) (any, error)

// Operation is one API action.
type Operation struct {
	// Mutating operations change AWS resources: they run under the write lock, are
	// persisted, and are counted as mutating by /_sandbox/requests.
	Mutating bool
	// Writes marks operations that change sandbox state without changing a
	// resource (STS AssumeRole records a session): write lock and persistence,
	// but not counted as mutating.
	Writes bool
	Handle Handler
}

// Read is an operation that changes nothing: it runs under the read lock.
func Read(h Handler) Operation { return Operation{Handle: h} }

// Write is an operation that changes AWS resources.
func Write(h Handler) Operation { return Operation{Mutating: true, Handle: h} }

// API is one AWS API endpoint the sandbox serves. A service package may serve
// more than one (SES serves v1 and v2).
type API struct {
	// Name is the SigV4 credential-scope name clients sign with (iam, sts, ses, …);
	// ID tells apart APIs that share it (ses vs sesv2) and is the AWS CLI's name
	// for the API.
	Name string
	ID   string
	// Codec is the wire protocol the API speaks, configured for it.
	Codec Codec
	// Operations by action name.
	Operations map[string]Operation
}
