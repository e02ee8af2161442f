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
// and LocalStack for what they do not implement) is asked three times, not
// ten over twenty seconds, and the error names the action; a 500 that
// changes, or goes away, is still retried.
func TestIdenticalServerErrorsStopEarly(t *testing.T) {
	t.Parallel()
	var calls, flaky atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		switch r.Form.Get("Action") {
		case "ListServiceSpecificCredentials":
			calls.Add(1)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"))
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
}
