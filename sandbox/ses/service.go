// Package ses is the sandbox's Amazon SES, both APIs: v1 (Query protocol) and
// v2 (REST-JSON), sharing one set of identities per account and region.
//
// Nobody can click a verification link or publish a DNS record in the sandbox, so
// VerifyEmailIdentity, VerifyDomainIdentity and CreateEmailIdentity mark the
// identity verified at once. What the sandbox does enforce is the rule that bites
// in production: mail from an address that is not verified — neither itself nor
// its domain — is rejected with MessageRejected. Every message accepted is kept in
// World.Mail with its raw MIME, for GET /_sandbox/ses/messages.
package ses

import (
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

const (
	namespace = "http://ses.amazonaws.com/doc/2010-12-01/"
	version   = "2010-12-01"
)

// read and write mark what an operation does to the world.
var read, write = awsproto.Read, awsproto.Write

// Service is SES: SESv2 first (both sign as "ses", and v2 claims only
// /v2/email/… paths, while v1 would take any), then v1, and the identities
// of every account, which the two share.
func Service() service.Definition {
	return service.Definition{
		APIs:    []*awsproto.API{apiV2(), apiV1()},
		State:   []state.Slot{slot},
		Fixture: []fixture.Section{fixtureSection()},
		Hooks:   hooks(),
	}
}

// apiV1 is SES v1 (email, 2010-12-01). Sending is mutating: a message is a
// delivery, which a dry run must never make.
func apiV1() *awsproto.API {
	return &awsproto.API{
		Name: "ses", ID: "ses",
		Codec: awsproto.Query{Namespace: namespace, Version: version},
		Operations: map[string]awsproto.Operation{
			"SendEmail":                         write(sendEmailV1),
			"SendRawEmail":                      write(sendRawEmailV1),
			"VerifyEmailIdentity":               write(verifyEmailIdentity),
			"VerifyDomainIdentity":              write(verifyDomainIdentity),
			"ListIdentities":                    read(listIdentities),
			"GetIdentityVerificationAttributes": read(getIdentityVerificationAttributes),
			"DeleteIdentity":                    write(deleteIdentity),
			"GetSendQuota":                      read(getSendQuota),
		},
	}
}

// apiV2 is SESv2 (2019-09-27).
func apiV2() *awsproto.API {
	return &awsproto.API{
		Name: "ses", ID: "sesv2",
		Codec: awsproto.RESTJSON{PathPrefix: "/v2/email/", Route: routeV2},
		Operations: map[string]awsproto.Operation{
			"SendEmail":           write(sendEmailV2),
			"CreateEmailIdentity": write(createEmailIdentity),
			"GetEmailIdentity":    read(getEmailIdentity),
			"ListEmailIdentities": read(listEmailIdentities),
			"DeleteEmailIdentity": write(deleteEmailIdentity),
			"GetAccount":          read(getAccount),
		},
	}
}

// dialect is how each API words the errors both share.
type dialect struct {
	api       string // "ses" or "sesv2", as recorded on sent mail
	invalid   func(format string, args ...any) error
	throttled func(msg string) error // over the maximum send rate
	overQuota func(msg string) error // over the 24-hour quota
}

var (
	v1 = dialect{api: "ses", invalid: invalidParameterValue, throttled: throttlingV1, overQuota: throttlingV1}
	v2 = dialect{api: "sesv2", invalid: badRequest, throttled: tooManyRequests, overQuota: limitExceeded}
)

func invalidParameterValue(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}

func badRequest(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "BadRequestException", format, args...)
}

func notFound(format string, args ...any) error {
	return awsproto.Errorf(http.StatusNotFound, "NotFoundException", format, args...)
}

func messageRejected(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "MessageRejected", format, args...)
}
