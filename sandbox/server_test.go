package sandbox

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// startSandbox serves a sandbox over real HTTP for one test, with the fake
// services below ahead of the real ones.
func startSandbox(tb testing.TB, opts Options) (*Server, string) {
	tb.Helper()
	srv, err := New(opts)
	if err != nil {
		tb.Fatalf("starting sandbox: %v", err)
	}
	srv.apis = append([]*awsproto.API{fakeJSONService(), fakeRESTService()}, srv.apis...)
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			tb.Errorf("closing sandbox: %v", err)
		}
	})
	return srv, ts.URL
}

// fakeJSONService and fakeRESTService stand in for a JSON 1.1 and a REST-JSON
// service, so the router's protocol handling is tested apart from any real
// service's operations (and a handler can panic on purpose).
func fakeJSONService() *awsproto.API {
	return &awsproto.API{
		Name: "fakejson", ID: "fakejson", Codec: awsproto.JSON{Version: "1.1", TargetPrefix: "fakejson"},
		Operations: map[string]awsproto.Operation{
			"Echo": {Handle: func(r *awsproto.Request) (any, error) {
				var in struct{ Name string }
				if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
					return nil, err
				}
				return map[string]string{"Name": in.Name, "Account": r.Caller.Account}, nil
			}},
			"Panic": {Handle: func(*awsproto.Request) (any, error) { panic("deliberate") }},
		},
	}
}

func fakeRESTService() *awsproto.API {
	return &awsproto.API{
		Name: "fakerest", ID: "fakerest",
		Codec: awsproto.RESTJSON{PathPrefix: "/fake/", Route: func(method, path string) (string, map[string]string, bool) {
			rest, ok := strings.CutPrefix(path, "/fake/things/")
			if !ok || method != http.MethodGet {
				return "", nil, false
			}
			return "GetThing", map[string]string{"Name": rest}, true
		}},
		Operations: map[string]awsproto.Operation{
			"GetThing": {Handle: func(r *awsproto.Request) (any, error) {
				return map[string]string{"Name": r.PathParams["Name"]}, nil
			}},
		},
	}
}

// apiError is an error answer decoded from any of the three protocols.
type apiError struct {
	Status      int
	Code        string
	Message     string
	ContentType string
}

func decodeAPIError(t *testing.T, resp *http.Response) apiError {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	e := apiError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type")}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("%d answer has no x-amzn-RequestId: %s", resp.StatusCode, body)
	}
	if strings.HasPrefix(e.ContentType, "text/xml") {
		var x struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if err := xml.Unmarshal(body, &x); err != nil {
			t.Fatalf("XML error body does not decode: %v\n%s", err, body)
		}
		e.Code, e.Message = x.Code, x.Message
		return e
	}
	var j struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		t.Fatalf("%s error body does not decode: %v\n%s", e.ContentType, err, body)
	}
	e.Code, e.Message = j.Type, j.Message
	return e
}

// rawRequest is a hand-built request for the robustness table.
type rawRequest struct {
	method, path, body string
	header             map[string]string
}

func (rr rawRequest) send(t *testing.T, base string) *http.Response {
	t.Helper()
	method := rr.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, base+rr.path, strings.NewReader(rr.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// scope is an Authorization header naming a service's credential scope
// (non-strict mode does not check the signature).
func scope(service string) map[string]string {
	return map[string]string{
		"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20250101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=00",
		"Content-Type":  "application/x-www-form-urlencoded; charset=utf-8",
	}
}

func jsonTarget(target string) map[string]string {
	return map[string]string{"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
}

func TestBadRequestsGetAWSErrors(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, Options{})
	huge := strings.Repeat("a", maxBody+10)
	tests := []struct {
		name   string
		req    rawRequest
		status int
		code   string
	}{
		{"unknown Query action", rawRequest{path: "/", body: "Action=StealEverything&Version=2010-05-08", header: scope("iam")}, 400, "InvalidAction"},
		{"unknown unsigned action of a known API version", rawRequest{path: "/", body: "Action=StealEverything&Version=2010-05-08"}, 400, "InvalidAction"},
		{"missing Action", rawRequest{path: "/", body: "Version=2010-05-08&UserName=x", header: scope("iam")}, 400, "MissingParameter"},
		{"wrong API version", rawRequest{path: "/", body: "Action=ListUsers&Version=2099-01-01", header: scope("iam")}, 400, "InvalidAction"},
		{"malformed form body", rawRequest{path: "/", body: "Action=ListUsers&%zz", header: scope("iam")}, 400, "MalformedQueryString"},
		{"missing required parameter", rawRequest{path: "/", body: "Action=CreateUser&Version=2010-05-08", header: scope("iam")}, 400, "ValidationError"},
		{"invalid parameter", rawRequest{path: "/", body: "Action=CreateUser&Version=2010-05-08&UserName=" + url.QueryEscape("no spaces"), header: scope("iam")}, 400, "ValidationError"},
		{"invalid UTF-8 parameter", rawRequest{path: "/", body: "Action=GetUser&Version=2010-05-08&UserName=%FF%FE", header: scope("iam")}, 400, "ValidationError"},
		{"JSON body to a Query service", rawRequest{path: "/", body: `{"Action":"ListUsers"}`, header: scope("iam")}, 400, "MissingParameter"},
		{"huge body", rawRequest{path: "/", body: huge, header: scope("iam")}, 413, "RequestEntityTooLarge"},
		{"malformed JSON", rawRequest{path: "/", body: `{"Name":`, header: jsonTarget("fakejson.Echo")}, 400, "SerializationException"},
		{"JSON of the wrong type", rawRequest{path: "/", body: `{"Name":42}`, header: jsonTarget("fakejson.Echo")}, 400, "SerializationException"},
		{"unknown JSON field", rawRequest{path: "/", body: `{"Nmae":"x"}`, header: jsonTarget("fakejson.Echo")}, 400, "SerializationException"},
		{"trailing JSON", rawRequest{path: "/", body: `{} {}`, header: jsonTarget("fakejson.Echo")}, 400, "SerializationException"},
		{"form body to a JSON service", rawRequest{path: "/", body: "Name=x", header: jsonTarget("fakejson.Echo")}, 400, "SerializationException"},
		{"unknown JSON operation", rawRequest{path: "/", body: `{}`, header: jsonTarget("fakejson.Nope")}, 400, "UnknownOperationException"},
		{"target without operation", rawRequest{path: "/", body: `{}`, header: jsonTarget("fakejson")}, 400, "UnknownOperationException"},
		{"unknown REST method", rawRequest{method: "PATCH", path: "/fake/things/a"}, 404, "UnknownOperationException"},
		{"unknown service", rawRequest{path: "/", body: "Action=Nope", header: scope("s3")}, 400, "UnknownService"},
		{"empty request", rawRequest{method: "GET", path: "/"}, 400, "UnknownService"},
		{"handler panic", rawRequest{path: "/", body: `{}`, header: jsonTarget("fakejson.Panic")}, 500, "InternalFailure"},
		{"garbage Authorization", rawRequest{path: "/", body: "Action=Nope&Version=2010-05-08", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=,,,=,Signature"}}, 400, "InvalidAction"},
		{"non-SigV4 Authorization", rawRequest{path: "/", body: "Action=Nope&Version=2010-05-08", header: map[string]string{"Authorization": "Bearer abc"}}, 400, "InvalidAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := decodeAPIError(t, tt.req.send(t, base))
			if e.Status != tt.status || e.Code != tt.code || e.Message == "" {
				t.Errorf("answer = %d %s %q, want %d %s with a message", e.Status, e.Code, e.Message, tt.status, tt.code)
			}
		})
	}
}

func TestGoodRequestsThroughFakes(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, Options{})
	resp := rawRequest{path: "/", body: `{"Name":"x"}`, header: jsonTarget("fakejson.Echo")}.send(t, base)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"Account":"123456789012","Name":"x"}` {
		t.Errorf("Echo = %d %s", resp.StatusCode, body)
	}
	resp = rawRequest{method: "GET", path: "/fake/things/a%40b"}.send(t, base)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"Name":"a%40b"}` {
		t.Errorf("GetThing = %d %s", resp.StatusCode, body)
	}
}

// TestUnservedRequestsAreAnsweredInTheClientsProtocol: a JSON client given an
// XML error shows raw XML and a bare status, so requests no API takes are
// answered in the protocol they were written in.
func TestUnservedRequestsAreAnsweredInTheClientsProtocol(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, Options{})
	signedJSON := func(service, target, version string) map[string]string {
		h := scope(service)
		h["X-Amz-Target"], h["Content-Type"] = target, "application/x-amz-json-"+version
		return h
	}
	signedREST := func(service string) map[string]string {
		h := scope(service)
		h["Content-Type"] = "application/json"
		return h
	}
	tests := []struct {
		name        string
		req         rawRequest
		status      int
		code        string
		contentType string
	}{
		{"JSON 1.1 service", rawRequest{path: "/", body: `{}`, header: signedJSON("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", "1.1")}, 400, "UnknownService", "application/x-amz-json-1.1"},
		{"JSON 1.0 service", rawRequest{path: "/", body: `{}`, header: signedJSON("dynamodb", "DynamoDB_20120810.ListTables", "1.0")}, 400, "UnknownService", "application/x-amz-json-1.0"},
		{"REST-JSON operation of a served API", rawRequest{method: "GET", path: "/v2/email/configuration-sets", header: signedREST("ses")}, 404, "UnknownOperationException", "application/json"},
		{"REST-JSON service", rawRequest{method: "GET", path: "/2015-03-31/functions/", header: signedREST("lambda")}, 400, "UnknownService", "application/json"},
		{"Query service", rawRequest{path: "/", body: "Action=ListBuckets", header: scope("s3")}, 400, "UnknownService", "text/xml"},
		{"huge JSON body", rawRequest{path: "/", body: strings.Repeat("a", maxBody+10), header: signedJSON("organizations", "AWSOrganizationsV20161128.ListRoots", "1.1")}, 413, "RequestEntityTooLarge", "application/x-amz-json-1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := tt.req.send(t, base)
			errorType := resp.Header.Get("x-amzn-ErrorType")
			e := decodeAPIError(t, resp)
			if e.Status != tt.status || e.Code != tt.code || e.ContentType != tt.contentType || e.Message == "" {
				t.Errorf("answer = %d %s %q (%s), want %d %s in %s", e.Status, e.Code, e.Message, e.ContentType, tt.status, tt.code, tt.contentType)
			}
			if tt.contentType == "application/json" && errorType != tt.code {
				t.Errorf("x-amzn-ErrorType = %q, want %q", errorType, tt.code)
			}
		})
	}
}
