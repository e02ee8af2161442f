package awsproto

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Params are the decoded parameters of a Query-protocol request.
type Params url.Values

// ParseQuery decodes a Query request: form body for POST, URL query otherwise.
func ParseQuery(r *http.Request, body []byte) (Params, error) {
	values := r.URL.Query()
	if len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, "MalformedQueryString", "the request body is not a valid form-encoded query string")
		}
		for k, vs := range form {
			values[k] = append(values[k], vs...)
		}
	}
	// url.ParseQuery returns substrings of its input: an operation that stores a
	// parameter (a user name, a tag) would keep the whole request alive with it —
	// about 200 bytes per user, 20 MB of 70 MB with 100,000 users. Copy them.
	for _, vs := range values {
		for i, v := range vs {
			vs[i] = strings.Clone(v)
		}
	}
	return Params(values), nil
}

// Has reports whether the parameter was sent at all (even empty).
func (p Params) Has(name string) bool {
	_, ok := p[name]
	return ok
}

// Get returns the parameter's first value, or "".
func (p Params) Get(name string) string {
	if vs := p[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Int returns an integer parameter; ok is false when absent.
func (p Params) Int(name string) (n int, ok bool, err error) {
	if !p.Has(name) {
		return 0, false, nil
	}
	n, err = strconv.Atoi(p.Get(name))
	if err != nil {
		return 0, true, ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a number", p.Get(name), lowerFirst(name))
	}
	return n, true, nil
}

// Bool returns a boolean parameter; ok is false when absent.
func (p Params) Bool(name string) (b bool, ok bool, err error) {
	if !p.Has(name) {
		return false, false, nil
	}
	switch strings.ToLower(p.Get(name)) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", p.Get(name), lowerFirst(name))
}

// List returns the members of a list parameter (Name.member.1, Name.member.2, …) in order.
func (p Params) List(name string) []string {
	prefix := name + ".member."
	type item struct {
		i int
		v string
	}
	var items []item
	for k, vs := range p {
		if !strings.HasPrefix(k, prefix) || len(vs) == 0 {
			continue
		}
		i, err := strconv.Atoi(k[len(prefix):])
		if err != nil {
			continue
		}
		items = append(items, item{i, vs[0]})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// Structs returns the members of a list of structures (Name.member.N.Field) in order.
func (p Params) Structs(name string) []map[string]string {
	prefix := name + ".member."
	byIndex := map[int]map[string]string{}
	for k, vs := range p {
		if !strings.HasPrefix(k, prefix) || len(vs) == 0 {
			continue
		}
		rest := k[len(prefix):]
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			continue
		}
		i, err := strconv.Atoi(rest[:dot])
		if err != nil {
			continue
		}
		if byIndex[i] == nil {
			byIndex[i] = map[string]string{}
		}
		byIndex[i][rest[dot+1:]] = vs[0]
	}
	idx := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]map[string]string, len(idx))
	for n, i := range idx {
		out[n] = byIndex[i]
	}
	return out
}

// QueryResponse writes a successful Query-protocol response:
// <ActionResponse xmlns=NS><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>.
// A nil result writes no Result element, as AWS does for actions without output.
func WriteQueryResponse(w http.ResponseWriter, namespace, action, requestID string, result any) {
	b := bufferPool.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 1<<20 { // don't keep a huge listing's buffer around
			b.Reset()
			bufferPool.Put(b)
		}
	}()
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(b)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: namespace}}}
	_ = enc.EncodeToken(start)
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			WriteQueryError(w, namespace, requestID, InternalFailure())
			return
		}
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(start.End())
	_ = enc.Flush()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
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

// WriteQueryError writes an error in the Query protocol's ErrorResponse form.
func WriteQueryError(w http.ResponseWriter, namespace, requestID string, e *Error) {
	typ := "Sender"
	if e.Receiver || e.Status >= 500 {
		typ = "Receiver"
	}
	out, _ := xml.Marshal(queryErrorBody{Xmlns: namespace, Type: typ, Code: e.Code, Message: e.Message, RequestID: requestID})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
