// Package sandboxtest starts the sandbox in-process for Go tests and talks to its
// inspection API. Tests reach it over real HTTP, exactly as they would reach AWS.
package sandboxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gatehouse/gatehouse/sandbox"
)

// Sandbox is a running in-process sandbox.
type Sandbox struct {
	URL    string
	Server *sandbox.Server
}

// Start runs a sandbox on a free loopback port and stops it when the test ends.
func Start(tb testing.TB, opts sandbox.Options) *Sandbox {
	tb.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		tb.Fatalf("starting sandbox: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listening for sandbox: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("stopping sandbox: %v", err)
		}
	})
	return &Sandbox{URL: "http://" + ln.Addr().String(), Server: srv}
}

// Config returns an aws.Config that signs as the root of account (a 12-digit ID
// used as the access key ID) and sends every client to the sandbox.
func (s *Sandbox) Config(account string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(account, "sandbox-secret", ""),
		BaseEndpoint: aws.String(s.URL),
	}
}

// Get decodes GET /_sandbox/PATH into v.
func (s *Sandbox) Get(tb testing.TB, path string, v any) {
	tb.Helper()
	s.do(tb, http.MethodGet, path, nil, v)
}

// Post sends body as JSON to /_sandbox/PATH and decodes the answer into v (may be nil).
func (s *Sandbox) Post(tb testing.TB, path string, body, v any) {
	tb.Helper()
	s.do(tb, http.MethodPost, path, body, v)
}

// Put sends body as JSON with PUT.
func (s *Sandbox) Put(tb testing.TB, path string, body, v any) {
	tb.Helper()
	s.do(tb, http.MethodPut, path, body, v)
}

// Delete sends DELETE /_sandbox/PATH.
func (s *Sandbox) Delete(tb testing.TB, path string) {
	tb.Helper()
	s.do(tb, http.MethodDelete, path, nil, nil)
}

// Requests returns the request counters, optionally for one account.
func (s *Sandbox) Requests(tb testing.TB, account string) sandbox.RequestCounts {
	tb.Helper()
	var out sandbox.RequestCounts
	path := "requests"
	if account != "" {
		path += "?account=" + account
	}
	s.Get(tb, path, &out)
	return out
}

// SetFaults replaces the fault injection.
func (s *Sandbox) SetFaults(tb testing.TB, cfg sandbox.FaultConfig) {
	tb.Helper()
	s.Put(tb, "faults", cfg, nil)
}

// LoadFixture adds a YAML fixture to the world.
func (s *Sandbox) LoadFixture(tb testing.TB, yaml string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/_sandbox/fixture", bytes.NewBufferString(yaml))
	if err != nil {
		tb.Fatalf("loading fixture: %v", err)
	}
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := s.client().Do(req)
	if err != nil {
		tb.Fatalf("loading fixture: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("loading fixture: %s: %s", resp.Status, b)
	}
}

func (s *Sandbox) do(tb testing.TB, method, path string, body, v any) {
	tb.Helper()
	s.Inspect(tb, method, path, body, http.StatusOK, v)
}

// Inspect calls /_sandbox/PATH with body as JSON ([]byte is sent as it is),
// fails unless the answer has the given status, and decodes it into v (may be
// nil).
func (s *Sandbox) Inspect(tb testing.TB, method, path string, body any, status int, v any) {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(body)
		if err != nil {
			tb.Fatalf("encoding %s body: %v", path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+"/_sandbox/"+path, rd)
	if err != nil {
		tb.Fatalf("building %s %s: %v", method, path, err)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		tb.Fatalf("%s /_sandbox/%s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		tb.Fatalf("%s /_sandbox/%s: %s, want %d: %s", method, path, resp.Status, status, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			tb.Fatalf("decoding /_sandbox/%s: %v", path, fmt.Errorf("%w: %s", err, data))
		}
	}
}

// client calls the inspection API with the server's token, which a sandbox
// started with StrictAuth (or a token) requires.
func (s *Sandbox) client() *http.Client {
	return &http.Client{Transport: bearer{s.Server.InspectToken()}}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.token != "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return http.DefaultTransport.RoundTrip(req)
}
