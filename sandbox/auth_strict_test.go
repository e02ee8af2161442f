package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// signedQuery signs an IAM Query request as the strict world's root, with
// the payload hash given (the body's, unless the test says otherwise), at
// the given time.
func signedQuery(t *testing.T, url, body, payloadHash string, header map[string]string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "root-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, "iam", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestStrictAuthSignsTheBodyNotTheHeader: a captured signed ListUsers must not
// carry another body, whatever X-Amz-Content-Sha256 claims.
func TestStrictAuthSignsTheBodyNotTheHeader(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	// Of one length, so the signed Content-Length holds for either.
	createUser := "Action=CreateUser&Version=2010-05-08&UserName=planted"
	listUsers := "Action=ListUsers&Version=2010-05-08&PathPrefix=%2F"
	listUsers += strings.Repeat("a", len(createUser)-len(listUsers)-3) + "%2F"
	for _, tc := range []struct {
		name, claimed string
	}{
		{"header with the signed body's hash", sha256Hex(listUsers)},
		{"header saying UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := signedQuery(t, url, listUsers, tc.claimed, map[string]string{"X-Amz-Content-Sha256": tc.claimed}, time.Now())
			swapped, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(createUser))
			swapped.Header = req.Header.Clone()
			e := decodeAPIError(t, sendRaw(t, swapped))
			if e.Status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" {
				t.Errorf("signed ListUsers carrying a CreateUser body: %d %s (%s), want 403 SignatureDoesNotMatch", e.Status, e.Code, e.Message)
			}
		})
	}
	_, err := iam.NewFromConfig(sdkConfig(url, "111111111111", "root-secret", "")).GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("planted")})
	expectCode(t, "the planted user", err, "NoSuchEntity", 404)

	// The body's own hash in the header is what S3-style clients send: fine.
	req := signedQuery(t, url, listUsers, sha256Hex(listUsers), map[string]string{"X-Amz-Content-Sha256": sha256Hex(listUsers)}, time.Now())
	if resp := sendRaw(t, req); resp.StatusCode != http.StatusOK {
		t.Errorf("a request whose header states its body's hash: %s", resp.Status)
	}
}

// TestStrictAuthRefusesSkewedClocks: AWS accepts a signature dated within 15
// minutes of its clock; IAM answers others SignatureDoesNotMatch with
// "Signature expired" or "Signature not yet current".
func TestStrictAuthRefusesSkewedClocks(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	body := "Action=ListUsers&Version=2010-05-08"
	for _, tc := range []struct {
		name    string
		at      func() time.Time // when the request is signed; called just before it is sent
		ok      bool
		message string
	}{
		{"2001", func() time.Time { return time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC) }, false, "Signature expired: 20010101T000000Z is now earlier than "},
		{"16 minutes ago", func() time.Time { return time.Now().Add(-16 * time.Minute) }, false, "Signature expired: "},
		{"16 minutes ahead", func() time.Time { return time.Now().Add(16 * time.Minute) }, false, "Signature not yet current: "},
		{"14 minutes ago", func() time.Time { return time.Now().Add(-14 * time.Minute) }, true, ""},
		{"14 minutes ahead", func() time.Time { return time.Now().Add(14 * time.Minute) }, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := sendRaw(t, signedQuery(t, url, body, sha256Hex(body), nil, tc.at()))
			if tc.ok {
				if resp.StatusCode != http.StatusOK {
					t.Errorf("signed %s: %s, want 200", tc.name, resp.Status)
				}
				resp.Body.Close()
				return
			}
			e := decodeAPIError(t, resp)
			if e.Status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" || !strings.HasPrefix(e.Message, tc.message) {
				t.Errorf("signed %s: %d %s %q, want 403 SignatureDoesNotMatch %q…", tc.name, e.Status, e.Code, e.Message, tc.message)
			}
		})
	}
}

func sendRaw(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestStrictAuthSkewInEachProtocol: the JSON services answer a skewed clock
// InvalidSignatureException; a presigned URL lasts X-Amz-Expires seconds.
func TestStrictAuthSkewInEachProtocol(t *testing.T) {
	t.Parallel()
	_, url := startStrict(t)
	creds := aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "root-secret"}
	body := `{}`
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetRandomPassword")
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "secretsmanager", "us-east-1", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if e := decodeAPIError(t, sendRaw(t, req)); e.Code != "InvalidSignatureException" || !strings.HasPrefix(e.Message, "Signature expired: ") {
		t.Errorf("JSON request signed an hour ago: %d %s %q, want InvalidSignatureException", e.Status, e.Code, e.Message)
	}

	for _, tc := range []struct {
		name    string
		ago     time.Duration
		expires time.Duration
		status  int
	}{
		{"within its expiry", 30 * time.Second, time.Minute, http.StatusOK},
		{"past its expiry", 2 * time.Minute, time.Minute, http.StatusForbidden},
		{"without an expiry, within 15 minutes", 10 * time.Minute, 0, http.StatusOK},
		{"without an expiry, past 15 minutes", 16 * time.Minute, 0, http.StatusForbidden},
	} {
		get, _ := http.NewRequest(http.MethodGet, url+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		if tc.expires > 0 {
			q := get.URL.Query()
			q.Set("X-Amz-Expires", fmt.Sprint(int(tc.expires.Seconds())))
			get.URL.RawQuery = q.Encode()
		}
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, get, sha256Hex(""), "sts", "us-east-1", time.Now().Add(-tc.ago))
		if err != nil {
			t.Fatal(err)
		}
		presigned, _ := http.NewRequest(http.MethodGet, signed, nil)
		resp := sendRaw(t, presigned)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("presigned GetCallerIdentity %s: %s, want %d", tc.name, resp.Status, tc.status)
		}
	}
}
