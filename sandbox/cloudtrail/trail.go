// Package cloudtrail records the mutating calls made to a service as
// CloudTrail management events and hands each to the account's default
// event bus, as AWS does with "AWS API Call via CloudTrail" events: so an
// `aws iam create-user` against the sandbox reaches an EventBridge rule's
// queue or topic as it would in AWS.
//
// It is a hook around a service's operations (Trail), wired in
// sandbox/services.go; neither the traced service nor EventBridge knows of
// it, and it imports only their data packages.
package cloudtrail

import (
	"encoding/json"
	"net"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Bus puts an event on its account's default bus in its region
// (eventbridge.PutEvent). It runs under the world's write lock.
type Bus func(w *state.World, e *eventstate.Event)

// region is where the events of global services (IAM) are delivered.
const region = "us-east-1"

// DetailType is the detail-type of the events CloudTrail puts on buses.
const DetailType = "AWS API Call via CloudTrail"

// Trail returns def with every mutating operation recorded: after the
// operation has run, successful or not, its CloudTrail record goes to bus
// as an event from "aws.SERVICE". Read-only calls are not recorded: AWS
// does not send them to event buses by default.
func Trail(def service.Definition, bus Bus) service.Definition {
	apis := make([]*awsproto.API, len(def.APIs))
	for i, api := range def.APIs {
		traced := *api
		traced.Operations = map[string]awsproto.Operation{}
		for name, op := range api.Operations {
			if op.Mutating {
				op.Handle = record(api.Name, op.Handle, bus)
			}
			traced.Operations[name] = op
		}
		apis[i] = &traced
	}
	def.APIs = apis
	return def
}

func record(service string, h awsproto.Handler, bus Bus) awsproto.Handler {
	return func(r *awsproto.Request) (any, error) {
		out, err := h(r)
		detail, merr := json.Marshal(newRecord(r, service, out, err))
		if merr == nil {
			bus(r.World, eventstate.NewEvent(uuid.NewString(), r.Caller.Account, region, "aws."+service, DetailType, detail, time.Now()))
		}
		return out, err
	}
}

// Record is a CloudTrail record of one API call, its fields in CloudTrail's
// order.
type Record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       Identity        `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  any             `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements,omitempty"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
}

func newRecord(r *awsproto.Request, service string, out any, err error) *Record {
	rec := &Record{
		EventVersion: "1.08", UserIdentity: identity(r), EventTime: time.Now().UTC().Format(eventstate.TimeFormat),
		EventSource: service + ".amazonaws.com", EventName: r.Action, AWSRegion: region,
		SourceIPAddress: sourceIP(r), UserAgent: r.HTTP.UserAgent(), RequestParameters: requestParameters(r),
		RequestID: r.RequestID, EventID: uuid.NewString(), EventType: "AwsApiCall", ManagementEvent: true,
		RecipientAccountID: r.Caller.Account, EventCategory: "Management",
	}
	if err != nil {
		// A failed call has an error and no response elements.
		e := awsproto.AsError(err)
		rec.ErrorCode, rec.ErrorMessage = errorCode(e.Code), e.Message
		return rec
	}
	rec.ResponseElements = json.RawMessage("null")
	if elems := responseElements(out); elems != nil {
		if b, merr := json.Marshal(elems); merr == nil {
			rec.ResponseElements = b
		}
	}
	return rec
}

// errorCode is the error as CloudTrail names it: the model's exception
// shape (EntityAlreadyExistsException for the wire's EntityAlreadyExists).
func errorCode(code string) string {
	switch {
	case code == "ValidationError":
		return "ValidationException"
	case code == "AccessDenied" || len(code) > 9 && code[len(code)-9:] == "Exception":
		return code
	}
	return code + "Exception"
}

func sourceIP(r *awsproto.Request) string {
	host, _, err := net.SplitHostPort(r.HTTP.RemoteAddr)
	if err != nil {
		return r.HTTP.RemoteAddr
	}
	return host
}
