package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Accounts of the workload. The sandbox takes the account from the 12-digit access
// key ID; moto_server from the x-moto-account-id header. Every request carries both,
// so the two servers get the same requests from the same client.
const (
	readAccount   = "111111111111" // 100 seeded users: GetUser and ListUsers
	createAccount = "222222222222" // CreateUser
)

// newHTTPClient is one pooled HTTP client shared by every worker.
func newHTTPClient(workers int) *http.Client {
	tr := awshttp.NewBuildableClient().GetTransport()
	tr.MaxIdleConns = 4 * workers
	tr.MaxIdleConnsPerHost = 4 * workers
	tr.IdleConnTimeout = time.Minute
	return &http.Client{Transport: ownedBody{tr}, Timeout: 60 * time.Second}
}

// ownedBody gives net/http a request body of its own. smithy-go closes the
// request body as soon as the response headers arrive, racing net/http's
// writeLoop, which then closes the connection and the response body with it:
// "use of closed network connection" (aws/aws-sdk-go-v2#2737). It happens with
// any server — a static net/http one too — about once in a thousand requests
// under concurrency. The SDK's default retryer retries it; with retries off
// (every error should count) the client avoids it instead.
type ownedBody struct{ next http.RoundTripper }

func (o ownedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return o.next.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return o.next.RoundTrip(r)
}

// newIAM returns an IAM client acting as the root of account on url.
func newIAM(url, account string, hc aws.HTTPClient) *iam.Client {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(account, "bench-secret", ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   hc,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} }, // every error counts
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) {
		o.APIOptions = append(o.APIOptions, accountHeader(account))
	})
}

// accountHeader adds x-moto-account-id, which moto_server reads to pick the account
// (the sandbox reads the access key ID and ignores the header).
func accountHeader(account string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("MotoAccountID",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set("x-moto-account-id", account)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}
