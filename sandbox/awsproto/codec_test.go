package awsproto

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newRequest(method, path, body string, header map[string]string) *Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return &Request{HTTP: r, Body: []byte(body), RequestID: "req-1"}
}

func TestCodecsWriteErrorsAsTheirClientsParseThem(t *testing.T) {
	t.Parallel()
	notFound := &Error{Status: 400, Code: "QueueDoesNotExist", Message: "gone", QueryCode: "AWS.SimpleQueueService.NonExistentQueue"}
	tests := []struct {
		name        string
		codec       Codec
		e           *Error
		contentType string
		body        string
		headers     map[string]string
	}{
		{"Query", Query{Namespace: "https://iam.amazonaws.com/doc/2010-05-08/"}, &Error{Status: 404, Code: "NoSuchEntity", Message: "no"}, "text/xml",
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`, nil},
		{"Query server fault", Query{}, InternalFailure(), "text/xml", "<Type>Receiver</Type>", nil},
		{"JSON 1.1", JSON{Version: "1.1"}, &Error{Status: 400, Code: "InvalidInputException", Message: "bad"}, "application/x-amz-json-1.1",
			`{"__type":"InvalidInputException","message":"bad"}`, map[string]string{"x-amzn-query-error": ""}},
		{"JSON 1.1 with the error's members", JSON{Version: "1.1"},
			&Error{Status: 400, Code: "ResourceNotFoundException", Message: "USER not found.", Fields: map[string]any{"ResourceType": "USER", "ResourceId": "u-1"}},
			"application/x-amz-json-1.1", `{"ResourceId":"u-1","ResourceType":"USER","__type":"ResourceNotFoundException","message":"USER not found."}`, nil},
		{"JSON 1.0, Query-compatible", JSON{Version: "1.0"}, notFound, "application/x-amz-json-1.0",
			`{"__type":"QueueDoesNotExist","message":"gone"}`, map[string]string{"x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"}},
		{"REST-JSON", RESTJSON{}, &Error{Status: 404, Code: "NotFoundException", Message: "no"}, "application/json",
			`{"__type":"NotFoundException","message":"no"}`, map[string]string{"x-amzn-ErrorType": "NotFoundException"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			tt.codec.WriteError(rec, newRequest("POST", "/", "", nil), tt.e)
			if rec.Code != tt.e.Status || rec.Header().Get("Content-Type") != tt.contentType || rec.Header().Get("x-amzn-RequestId") != "req-1" {
				t.Errorf("answer = %d %q, request ID %q; want %d %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("x-amzn-RequestId"), tt.e.Status, tt.contentType)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body = %s\nwant it to contain %s", rec.Body, tt.body)
			}
			for k, v := range tt.headers {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestCodecsWriteResults(t *testing.T) {
	t.Parallel()
	req := newRequest("POST", "/", "", nil)
	req.Action = "GetThing"
	for _, tc := range []struct {
		codec             Codec
		contentType, body string
	}{
		{Query{Namespace: "ns"}, "text/xml", `<GetThingResponse xmlns="ns"><GetThingResult><Name>x</Name></GetThingResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetThingResponse>`},
		{JSON{Version: "1.0"}, "application/x-amz-json-1.0", `{"Name":"x"}`},
		{JSON{Version: "1.1"}, "application/x-amz-json-1.1", `{"Name":"x"}`},
		{RESTJSON{}, "application/json", `{"Name":"x"}`},
	} {
		rec := httptest.NewRecorder()
		tc.codec.WriteResult(rec, req, struct{ Name string }{"x"})
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tc.contentType || !strings.HasSuffix(rec.Body.String(), tc.body) {
			t.Errorf("%T: %d %q %s; want 200 %q %s", tc.codec, rec.Code, rec.Header().Get("Content-Type"), rec.Body, tc.contentType, tc.body)
		}
	}
}

func TestCodecsMatchTheirRequests(t *testing.T) {
	t.Parallel()
	iamAPI := &API{Name: "iam", Operations: map[string]Operation{"ListUsers": {}}}
	iamCodec := Query{Version: "2010-05-08"}
	sqs := &API{Name: "sqs"}
	sqsCodec := JSON{Version: "1.0", TargetPrefix: "AmazonSQS"}
	rest := &API{Name: "ses"}
	restCodec := RESTJSON{PathPrefix: "/v2/email/"}
	tests := []struct {
		name  string
		req   *Request
		api   *API
		codec Codec
		want  int
	}{
		{"Query signed for the API", withScope(newRequest("POST", "/", "Action=ListUsers", nil), "iam"), iamAPI, iamCodec, Certain},
		{"Query signed for another API", withScope(newRequest("POST", "/", "Action=ListUsers", nil), "sts"), iamAPI, iamCodec, 0},
		{"Query unsigned, action and version", newRequest("POST", "/", "Action=ListUsers&Version=2010-05-08", nil), iamAPI, iamCodec, 3},
		{"Query unsigned, version only", newRequest("POST", "/", "Action=Nope&Version=2010-05-08", nil), iamAPI, iamCodec, 1},
		{"Query never takes X-Amz-Target", newRequest("POST", "/", "", map[string]string{"X-Amz-Target": "AmazonSQS.ListQueues"}), iamAPI, iamCodec, 0},
		{"JSON by target prefix", newRequest("POST", "/", "{}", map[string]string{"X-Amz-Target": "AmazonSQS.ListQueues"}), sqs, sqsCodec, Certain},
		{"JSON, another prefix", newRequest("POST", "/", "{}", map[string]string{"X-Amz-Target": "AmazonSQSX.ListQueues"}), sqs, sqsCodec, 0},
		{"REST by path", withScope(newRequest("GET", "/v2/email/identities", "", nil), "ses"), rest, restCodec, Certain},
		{"REST, a path it does not route", withScope(newRequest("GET", "/v2/email/account", "", nil), "ses"), rest, restCodec, Certain},
		{"REST, outside its prefix", withScope(newRequest("GET", "/v1/email/identities", "", nil), "ses"), rest, restCodec, 0},
		{"REST signed for another service", withScope(newRequest("GET", "/v2/email/identities", "", nil), "iam"), rest, restCodec, 0},
	}
	for _, tt := range tests {
		if got := tt.codec.Match(tt.api, tt.req); got != tt.want {
			t.Errorf("%s: Match = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func withScope(r *Request, service string) *Request {
	r.SigningName = service
	return r
}

func TestSpokenIsTheClientsProtocol(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  *Request
		want Codec
	}{
		{"JSON 1.0", newRequest("POST", "/", "{}", map[string]string{"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"}), JSON{Version: "1.0"}},
		{"JSON 1.1", newRequest("POST", "/", "{}", map[string]string{"X-Amz-Target": "AWSIdentityStore.ListUsers", "Content-Type": "application/x-amz-json-1.1; charset=utf-8"}), JSON{Version: "1.1"}},
		{"target without content type", newRequest("POST", "/", "{}", map[string]string{"X-Amz-Target": "X.Y"}), JSON{Version: "1.1"}},
		{"REST path", newRequest("GET", "/v2/email/account", "", nil), RESTJSON{}},
		{"JSON body to the root", newRequest("POST", "/", "{}", map[string]string{"Content-Type": "application/json"}), RESTJSON{}},
		{"form", newRequest("POST", "/", "Action=ListBuckets", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), Query{}},
		{"bare GET", newRequest("GET", "/", "", nil), Query{}},
	} {
		// %#v, as a RESTJSON holds a func and cannot be compared with ==.
		if got := Spoken(tc.req); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tc.want) {
			t.Errorf("%s: Spoken = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
