package awsproto

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"
)

// Query is the Query protocol: form-encoded parameters with an Action and a
// Version, answered in XML (IAM, STS, SES v1, SNS).
type Query struct {
	// Namespace is the XML namespace of responses; Version the API version
	// requests name.
	Namespace string
	Version   string
}

// Match takes requests signed for the API. An unsigned request names no
// service, so it is a guess by its action and version: both matching is best,
// then the action alone, then the version alone (so an unknown action gets that
// API's InvalidAction).
func (q Query) Match(api *API, req *Request) int {
	if req.target() != "" {
		return 0
	}
	if req.SigningName != "" {
		if req.SigningName == api.Name {
			return Certain
		}
		return 0
	}
	p, err := req.parseForm()
	if err != nil {
		return 1 // a malformed form may be meant for any Query API; Decode says what is wrong
	}
	score := 0
	if _, ok := api.Operations[p.Get("Action")]; ok {
		score += 2
	}
	if v := p.Get("Version"); v != "" && v == q.Version {
		score++
	}
	return score
}

// Decode reads the parameters, takes the action and checks the API version.
func (q Query) Decode(req *Request) error {
	params, err := req.parseForm()
	if err != nil {
		return err
	}
	req.Params = params
	req.Action = params.Get("Action")
	if req.Action == "" {
		return MissingParameter("Action")
	}
	if v := params.Get("Version"); v != "" && v != q.Version {
		return InvalidAction(req.Action, v)
	}
	return nil
}

// Speaks is true of every request: the Query protocol is what an AWS endpoint
// answers a request in when nothing in it says otherwise.
func (Query) Speaks(*Request) bool { return true }

// UnknownOperation is InvalidAction, naming the API version.
func (q Query) UnknownOperation(action string) *Error { return InvalidAction(action, q.Version) }

// Throttling is the Query services' Throttling error.
func (Query) Throttling() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

// UnrecognizedKeyCode is InvalidClientTokenId.
func (Query) UnrecognizedKeyCode() string { return "InvalidClientTokenId" }

// WriteResult writes <ActionResponse xmlns=NS><ActionResult>…</ActionResult>
// <ResponseMetadata>…</ResponseMetadata></ActionResponse>. A nil result writes
// no Result element, as AWS does for actions without output.
func (q Query) WriteResult(w http.ResponseWriter, req *Request, result any) {
	b := bufferPool.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 1<<20 { // don't keep a huge listing's buffer around
			b.Reset()
			bufferPool.Put(b)
		}
	}()
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(b)
	start := xml.StartElement{Name: xml.Name{Local: req.Action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: q.Namespace}}}
	_ = enc.EncodeToken(start)
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: req.Action + "Result"}}); err != nil {
			q.WriteError(w, req, InternalFailure())
			return
		}
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{req.RequestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(start.End())
	_ = enc.Flush()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", req.RequestID)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// bufferPool recycles response buffers: a page of 100 users is about 20 KB.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type queryErrorBody struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// WriteError writes the Query protocol's ErrorResponse.
func (q Query) WriteError(w http.ResponseWriter, req *Request, e *Error) {
	out, _ := xml.Marshal(queryErrorBody{Xmlns: q.Namespace, Type: faultType(e), Code: e.Code, Message: e.Message, RequestID: req.RequestID})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", req.RequestID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
