package awsproto

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Protocol is the wire protocol a service speaks.
type Protocol int

// The protocols of the services the sandbox serves.
const (
	Query Protocol = iota
	JSON
	RESTJSON
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
	Ctx        context.Context
	HTTP       *http.Request
	Body       []byte
	Service    string
	Action     string
	Region     string
	RequestID  string
	Caller     Caller
	Params     Params            // Query protocol parameters
	PathParams map[string]string // REST-JSON path parameters
	World      *state.World
}

// Account is the account the call acts in.
func (r *Request) Account() *state.Account { return r.World.Account(r.Caller.Account) }

// Operation is one API action.
type Operation struct {
	// Mutating operations change AWS resources: they run under the write lock, are
	// persisted, and are counted as mutating by /_sandbox/requests.
	Mutating bool
	// Writes marks operations that change sandbox state without changing a
	// resource (STS AssumeRole records a session): write lock and persistence,
	// but not counted as mutating.
	Writes bool
	Handle func(*Request) (any, error)
}

// Service describes one AWS service endpoint.
type Service struct {
	// Name is the SigV4 credential-scope name clients sign with (iam, sts, ses, …);
	// ID tells apart services that share it (ses vs sesv2).
	Name string
	ID   string
	// Protocol selects the codec.
	Protocol Protocol
	// Namespace and Version are the Query protocol's XML namespace and API version.
	Namespace string
	Version   string
	// TargetPrefix is the JSON protocol's X-Amz-Target prefix (before the dot).
	TargetPrefix string
	// Route maps a REST-JSON request to an action and its path parameters.
	Route func(method, path string) (action string, pathParams map[string]string, ok bool)
	// Operations by action name.
	Operations map[string]Operation
}
