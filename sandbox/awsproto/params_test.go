package awsproto

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestParseQueryRefusesAmbiguousForms: a Query request names each parameter
// once and numbers list members 1, 2, 3…; anything else is a form no SDK
// sends, and taking a guess at it (the first Action, a member numbered -1)
// hides what the client meant.
func TestParseQueryRefusesAmbiguousForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, query string
		bad               string // a parameter the message must name; "" when the form is fine
	}{
		{"members 1 and 2", "Action=X&Tags.member.1.Key=a&Tags.member.1.Value=b&Tags.member.2.Key=c&Tags.member.2.Value=d", "", ""},
		{"flat list", "Action=X&Keys.member.1=a&Keys.member.2=b", "", ""},
		{"nested lists", "Action=X&A.member.1.B.member.1=x&A.member.1.B.member.2=y&A.member.2.B.member.1=z", "", ""},
		{"map entries", "Action=X&Attributes.entry.1.key=k&Attributes.entry.1.value=v", "", ""},
		{"presigned GET", "", "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Date=20250101T000000Z", ""},
		{"member 0", "Action=X&Tags.member.0.Key=a&Tags.member.0.Value=b", "", "Tags.member.0.Key"},
		{"member -1", "Action=X&Tags.member.-1.Key=a&Tags.member.-1.Value=b", "", "Tags.member.-1.Key"},
		{"member x", "Action=X&Keys.member.x=a", "", "Keys.member.x"},
		{"member +1", "Action=X&Keys.member.%2B1=a", "", "Keys.member.+1"},
		{"member 01", "Action=X&Keys.member.01=a", "", "Keys.member.01"},
		{"member without index", "Action=X&Keys.member.=a", "", "Keys.member."},
		{"huge member", "Action=X&Keys.member.99999999999999999999999=a", "", "Keys.member.99999999999999999999999"},
		{"a gap", "Action=X&Keys.member.1=a&Keys.member.3=c", "", "Keys.member.3"},
		{"a gap in a nested list", "Action=X&A.member.1.B.member.2=y", "", "A.member.1.B.member.2"},
		{"map entry 0", "Action=X&Attributes.entry.0.key=k", "", "Attributes.entry.0.key"},
		{"two Actions", "Action=ListUsers&Action=CreateUser&UserName=x", "", "Action"},
		{"Action in the URL and the body", "Action=CreateUser&UserName=x", "Action=ListUsers", "Action"},
		{"a member twice", "Action=X&Keys.member.1=a&Keys.member.1=b", "", "Keys.member.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/", RawQuery: tc.query}}
			_, err := ParseQuery(r, []byte(tc.body))
			switch {
			case tc.bad == "" && err != nil:
				t.Errorf("ParseQuery(%q): %v, want no error", tc.body, err)
			case tc.bad == "":
			case err == nil:
				t.Errorf("ParseQuery(%q) accepted the form; want MalformedQueryString naming %s", tc.body, tc.bad)
			default:
				e := AsError(err)
				if e.Code != "MalformedQueryString" || e.Status != http.StatusBadRequest || !strings.Contains(e.Message, "'"+tc.bad+"'") {
					t.Errorf("ParseQuery(%q) = %d %s %q, want 400 MalformedQueryString naming '%s'", tc.body, e.Status, e.Code, e.Message, tc.bad)
				}
			}
		})
	}
}
