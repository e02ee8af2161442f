// Package sts is the sandbox's AWS Security Token Service: AssumeRole with the
// role's trust policy evaluated against the caller (principals, actions, Deny
// before Allow, conditions such as sts:ExternalId and aws:MultiFactorAuthPresent),
// and GetCallerIdentity. The temporary ASIA… keys AssumeRole hands out are kept in
// World.Sessions, so later requests signed with them act as the role in its account.
package sts

import (
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/service"
)

const (
	namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	version   = "2011-06-15"
)

var read = awsproto.Read

// session records a session: write lock and persistence, but no resource changes.
func session(h awsproto.Handler) awsproto.Operation {
	return awsproto.Operation{Writes: true, Handle: h}
}

// Service is STS. It keeps no state of its own: sessions are the world's, as
// every request is authenticated with them, and roles are IAM's.
func Service() service.Definition {
	return service.Definition{APIs: []*awsproto.API{api()}}
}

// api is the STS API.
//
// GetSessionToken is not offered: a state.Session always acts as an assumed role,
// so a session for a user or root could not be represented faithfully.
func api() *awsproto.API {
	return &awsproto.API{
		Name: "sts", ID: "sts",
		Codec: awsproto.Query{Namespace: namespace, Version: version},
		Operations: map[string]awsproto.Operation{
			"AssumeRole":        session(assumeRole),
			"GetCallerIdentity": read(getCallerIdentity),
		},
	}
}

// accessDenied is STS's refusal, worded as AWS words it.
func accessDenied(callerARN, action, resource string) error {
	return awsproto.Errorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: %s on resource: %s", callerARN, action, resource)
}

type callerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string
	Arn     string
}

func getCallerIdentity(r *awsproto.Request) (any, error) {
	return callerIdentity{UserID: r.Caller.UserID, Account: r.Caller.Account, Arn: r.Caller.ARN}, nil
}
