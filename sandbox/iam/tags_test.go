package iam_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// queryCall posts a hand-written IAM Query form (what no SDK would send) as
// the root of 111111111111 and returns the status and the error code, if any.
func queryCall(t *testing.T, sb *sandboxtest.Sandbox, form string) (status int, code, message string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, sb.URL+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111111111111/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	_ = xml.Unmarshal(body, &e)
	return resp.StatusCode, e.Code, e.Message
}

// TestTagsAsIAMReadsThem: IAM's Tag requires Key and Value, so a tag without
// its value is refused, naming it, not stored or dropped; list members
// numbered 0 or -1 and a second Action are refused before any change.
func TestTagsAsIAMReadsThem(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	const create = "Action=CreateUser&Version=2010-05-08&UserName="
	for _, tc := range []struct {
		name, form, code, mention string
	}{
		{"tag without a value", create + "novalue&Tags.member.1.Key=team", "ValidationError", "tags.1.member.value"},
		{"second tag without a value", create + "novalue2&Tags.member.1.Key=a&Tags.member.1.Value=b&Tags.member.2.Key=team", "ValidationError", "tags.2.member.value"},
		{"tag numbered -1", create + "minus&Tags.member.-1.Key=team&Tags.member.-1.Value=x", "MalformedQueryString", "Tags.member.-1.Key"},
		{"tag numbered 0", create + "zero&Tags.member.0.Key=team&Tags.member.0.Value=x", "MalformedQueryString", "Tags.member.0.Key"},
		{"two Actions", "Action=ListUsers&Action=CreateUser&Version=2010-05-08&UserName=second", "MalformedQueryString", "Action"},
	} {
		status, code, msg := queryCall(t, sb, tc.form)
		if status != http.StatusBadRequest || code != tc.code || !strings.Contains(msg, tc.mention) {
			t.Errorf("%s: %d %s %q, want 400 %s naming %s", tc.name, status, code, msg, tc.code, tc.mention)
		}
	}
	var users struct {
		Names []string `xml:"ListUsersResult>Users>member>UserName"`
	}
	req, _ := http.NewRequest(http.MethodGet, sb.URL+"/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111111111111/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if err := xml.Unmarshal(body, &users); err != nil || resp.StatusCode != http.StatusOK || len(users.Names) != 0 {
		t.Errorf("after refused requests the account holds users %v (%v)", users.Names, err)
	}
}
