package awsx

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// newHTTPClient is what LoadDefaultConfig starts from: the SDK's buildable
// client (so AWS_CA_BUNDLE and the like can still be applied to it) with a pool
// sized for many concurrent requests to one host.
func newHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 64
	})
}

// sharedHTTPClient hides the buildable client once the configuration is loaded.
//
// Given a *BuildableClient, every NewFromConfig copies it (WithDialerOptions /
// WithTransportOptions) and so builds a transport of its own; gatehouse makes a
// client per person and account, which made thousands of transports, each
// holding idle connections open. A client the SDK cannot rebuild is used as it
// is, so every AWS client of a Factory shares one transport and its pool.
type sharedHTTPClient struct {
	aws.HTTPClient
}
