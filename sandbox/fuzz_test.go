package sandbox

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// The fuzzers' seed corpora live in testdata/fuzz/<Fuzzer>/ and run in every
// `go test`; run one for real with e.g.
//
//	go test ./sandbox -run '^$' -fuzz '^FuzzQueryRequest$' -fuzztime 60s

func FuzzParseQuery(f *testing.F) {
	f.Add("Action=CreateUser&UserName=a&Tags.member.1.Key=k&Tags.member.1.Value=v", "")
	f.Add("A=%zz", "x=1")
	f.Add("L.member.2=b&L.member.1=a&L.member.x=c&S.member.1.=&S.member..K=v", "L.member.3=c")
	f.Fuzz(func(t *testing.T, body, rawQuery string) {
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/", RawQuery: rawQuery}}
		p, err := awsproto.ParseQuery(r, []byte(body))
		if err != nil {
			if e := awsproto.AsError(err); e.Status != http.StatusBadRequest {
				t.Fatalf("ParseQuery error %v is not a 400", err)
			}
			return
		}
		for name := range p {
			if !p.Has(name) {
				t.Fatalf("Has(%q) is false for a parsed parameter", name)
			}
			_ = p.List(name)
			_ = p.Structs(name)
			_, _, _ = p.Int(name)
			_, _, _ = p.Bool(name)
			var v awsproto.Validator
			v.Check(name, p.Get(name), awsproto.NewRule(1, 64, `[\w+=,.@-]+`))
		}
	})
}

// fuzzServer is a fresh in-memory sandbox (with the fake services) per input,
// so every failure reproduces from its input alone.
func fuzzServer(t *testing.T) *Server {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.apis = append([]*awsproto.API{fakeJSONService(), fakeRESTService()}, srv.apis...)
	return srv
}

// serve sends one request through the whole router and checks that the answer
// is well-formed: no 5xx (no faults are configured), an AWS request ID, and a
// body in the protocol's format.
func serve(t *testing.T, srv *Server, req *http.Request) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if rec.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s", req.Method, req.URL, rec.Code, body)
	}
	if rec.Header().Get("x-amzn-RequestId") == "" {
		t.Fatalf("answer %d has no request ID: %s", rec.Code, body)
	}
	switch ct := rec.Header().Get("Content-Type"); {
	case strings.HasPrefix(ct, "text/xml"):
		var anyXML struct{ XMLName xml.Name }
		if err := xml.Unmarshal(body, &anyXML); err != nil {
			t.Fatalf("answer %d is not XML: %v\n%s", rec.Code, err, body)
		}
	case strings.Contains(ct, "json"):
		if !json.Valid(body) {
			t.Fatalf("answer %d is not JSON: %s", rec.Code, body)
		}
	default:
		t.Fatalf("answer %d has content type %q", rec.Code, ct)
	}
}

var fuzzScopes = []string{"", "iam", "sts", "ses", "organizations", "s3"}

func FuzzQueryRequest(f *testing.F) {
	f.Add(uint8(1), "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=/a/&Tags.member.1.Key=k&Tags.member.1.Value=v")
	f.Add(uint8(1), "Action=ListUsers&Version=2010-05-08&MaxItems=0&Marker=%FF")
	f.Add(uint8(2), "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=s&DurationSeconds=-1")
	f.Add(uint8(3), "Action=SendEmail&Version=2010-12-01&Source=a@b.c&Destination.ToAddresses.member.1=x&Message.Subject.Data=s")
	f.Add(uint8(0), "Action=GetCallerIdentity&Version=2011-06-15")
	f.Fuzz(func(t *testing.T, scopeIndex uint8, body string) {
		srv := fuzzServer(t)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if s := fuzzScopes[int(scopeIndex)%len(fuzzScopes)]; s != "" {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20250101/us-east-1/"+s+"/aws4_request, SignedHeaders=host, Signature=00")
		}
		serve(t, srv, req)
	})
}

func FuzzJSONRequest(f *testing.F) {
	f.Add("secretsmanager.GetRandomPassword", `{"PasswordLength":12,"ExcludeCharacters":"abc"}`)
	f.Add("AWSOrganizationsV20161128.CreateOrganization", `{"FeatureSet":"ALL"}`)
	f.Add("AWSOrganizationsV20161128.CreateAccount", `{"Email":"a@b.c","AccountName":"x"}`)
	f.Add("AWSOrganizationsV20161128.ListAccounts", `{"MaxResults":0,"NextToken":"\u0000"}`)
	f.Add("fakejson.Echo", `{"Name":"\ud800"}`)
	f.Fuzz(func(t *testing.T, target, body string) {
		if strings.HasSuffix(target, ".Panic") {
			return // the fake's deliberate panic
		}
		srv := fuzzServer(t)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		serve(t, srv, req)
	})
}

func FuzzRESTRequest(f *testing.F) {
	f.Add("POST", "/v2/email/identities", `{"EmailIdentity":"a@example.com"}`)
	f.Add("GET", "/v2/email/identities/a%40example.com", "")
	f.Add("DELETE", "/v2/email/identities/example.com", "")
	f.Add("POST", "/v2/email/outbound-emails", `{"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.com"]},"Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"t"}}}}}`)
	f.Add("GET", "/v2/email/identities?PageSize=0&NextToken=%ZZ", "")
	f.Fuzz(func(t *testing.T, method, path, body string) {
		req, err := http.NewRequest(method, "http://sandbox"+path, strings.NewReader(body))
		if err != nil || req.URL.Host != "sandbox" {
			return // not a request a client could send
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20250101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=00")
		serve(t, fuzzServer(t), req)
	})
}

func FuzzParseSignature(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "", "20250101T000000Z")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Date=2", "")
	f.Add("AWS4-HMAC-SHA256 ,,,==,Credential=////,SignedHeaders=;;;", "a=%&b", "x")
	f.Fuzz(func(t *testing.T, auth, rawQuery, date string) {
		req := &http.Request{Method: "GET", Host: "h", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Header: http.Header{}}
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Date", date)
		sig, ok := parseSignature(req)
		if ok && sig.AccessKeyID == "" {
			t.Fatalf("signed request without an access key ID: %+v", sig)
		}
		if ok && verifySignature(req, nil, sig, "secret") && sig.Signature == "" {
			t.Fatalf("an empty signature verified: %+v", sig)
		}
	})
}
