package awsx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/awsx"
)

// A backend that answers an action with the same HTML 500 every time (moto
// for what it does not implement) is asked three times, not ten over twenty
// seconds, and the error names the action (LocalStack's 501 is not retried
// at all); a 500
// that changes, or goes away, is still retried — and so is AWS's own
// InternalFailure, whose words never change: three of those in a row are a
// bad moment, not a missing action.
func TestIdenticalServerErrorsStopEarly(t *testing.T) {
	t.Parallel()
	var calls, flaky, internal, localstack atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		switch r.Form.Get("Action") {
		case "ListServiceSpecificCredentials":
			calls.Add(1)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"))
		case "GetAccountSummary": // AWS's own transient failure: the same words every time
			internal.Add(1)
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>` +
				`<Message>We encountered an internal error. Please try again.</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
		case "ListSSHPublicKeys": // LocalStack's answer for what it lacks
			localstack.Add(1)
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusNotImplemented)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Code>InternalFailure</Code><Message>API action 'ListSSHPublicKeys' for service 'iam' ` +
				`not yet implemented or pro feature</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
		case "ListAccountAliases":
			if flaky.Add(1) <= 3 { // three different 500s, then an answer
				w.Header().Set("Content-Type", "text/xml")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`<ErrorResponse><Error><Code>ServiceFailure</Code><Message>try ` + string(rune('0'+flaky.Load())) +
					`</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			_, _ = w.Write([]byte(`<ListAccountAliasesResponse><ListAccountAliasesResult><AccountAliases/><IsTruncated>false</IsTruncated>` +
				`</ListAccountAliasesResult></ListAccountAliasesResponse>`))
		}
	}))
	t.Cleanup(srv.Close)
	f, err := awsx.New(context.Background(), awsx.Options{Endpoint: srv.URL, Region: "us-east-1", RequestsPerSecond: -1,
		BaseDelay: time.Millisecond, Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	api := iam.NewFromConfig(f.Base())
	_, err = api.ListServiceSpecificCredentials(context.Background(), &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("u")})
	var rep *awsx.RepeatedServerError
	if !errors.As(err, &rep) || calls.Load() != awsx.MaxIdenticalServerErrors || rep.Operation != "ListServiceSpecificCredentials" ||
		!strings.Contains(err.Error(), "may not implement ListServiceSpecificCredentials") {
		t.Errorf("after %d calls: %v", calls.Load(), err)
	}
	if _, err := api.ListAccountAliases(context.Background(), &iam.ListAccountAliasesInput{}); err != nil || flaky.Load() != 4 {
		t.Errorf("changing 500s: %v after %d calls, want an answer at the fourth", err, flaky.Load())
	}
	_, err = api.ListSSHPublicKeys(context.Background(), &iam.ListSSHPublicKeysInput{UserName: aws.String("u")})
	if err == nil || localstack.Load() != 1 || !strings.Contains(err.Error(), "not yet implemented") {
		t.Errorf("LocalStack's 501 for what it lacks, after %d calls: %v; want it asked once (a 501 is not retried) and its words kept", localstack.Load(), err)
	}
	_, err = api.GetAccountSummary(context.Background(), &iam.GetAccountSummaryInput{})
	if errors.As(err, &rep) || err == nil || internal.Load() != awsx.DefaultMaxAttempts {
		t.Errorf("AWS's InternalFailure, the same each time: %v after %d calls, want every attempt (%d) made", err, internal.Load(), awsx.DefaultMaxAttempts)
	}
}
