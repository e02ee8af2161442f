package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

func TestFaultDecisionsAreReproducibleWithASeed(t *testing.T) {
	t.Parallel()
	cfg := FaultConfig{JitterMS: 50, ThrottleRate: 0.3, ErrorRate: 0.3, Seed: 42}
	run := func(cfg FaultConfig) (out []string) {
		f := newFaults(cfg)
		for range 200 {
			d, k := f.decide("123456789012")
			out = append(out, d.String()+"/"+string(rune('0'+k)))
		}
		return out
	}
	a, b := run(cfg), run(cfg)
	cfg.Seed = 43
	c := run(cfg)
	same, kinds := 0, map[string]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("decision %d differs with the same seed: %s vs %s", i, a[i], b[i])
		}
		if a[i] == c[i] {
			same++
		}
		kinds[a[i][len(a[i])-1:]] = true
	}
	if same == len(a) {
		t.Error("seeds 42 and 43 made identical decisions")
	}
	if len(kinds) != 4 {
		t.Errorf("200 decisions at 30%%/30%% produced fault kinds %v, want none, throttle, 500 and 503", kinds)
	}
}

func TestFaultLatencyAndJitterBounds(t *testing.T) {
	t.Parallel()
	f := newFaults(FaultConfig{LatencyMS: 100, JitterMS: 20, Seed: 1})
	seen := map[time.Duration]bool{}
	for range 100 {
		d, k := f.decide("123456789012")
		if d < 100*time.Millisecond || d > 120*time.Millisecond || k != faultNone {
			t.Fatalf("decision = %v %v, want 100..120ms and no fault", d, k)
		}
		seen[d] = true
	}
	if len(seen) < 5 {
		t.Errorf("jitter produced only %d distinct delays in 100 requests", len(seen))
	}
}

func TestFaultRateLimitIsPerAccount(t *testing.T) {
	t.Parallel()
	f := newFaults(FaultConfig{RateLimit: 0.01, Burst: 2})
	for i, want := range []faultKind{faultNone, faultNone, faultThrottle, faultThrottle} {
		if _, k := f.decide("111111111111"); k != want {
			t.Errorf("account A request %d: %v, want %v", i+1, k, want)
		}
	}
	if _, k := f.decide("222222222222"); k != faultNone {
		t.Errorf("account B was throttled by account A's traffic")
	}
	f.set(FaultConfig{RateLimit: 0.01, Burst: 2})
	if _, k := f.decide("111111111111"); k != faultNone {
		t.Errorf("replacing the fault config did not refill account A's bucket")
	}
}

func TestFaultConfigValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []FaultConfig{{LatencyMS: -1}, {JitterMS: -5}, {RateLimit: -1}, {Burst: -1}, {ThrottleRate: 1.5}, {ErrorRate: -0.1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
	if err := (FaultConfig{LatencyMS: 5, RateLimit: 10, ThrottleRate: 1, ErrorRate: 0}).Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

func TestLatencyAppliesToAPIButNotInspection(t *testing.T) {
	t.Parallel()
	_, url := startSandbox(t, Options{Faults: FaultConfig{LatencyMS: 200}})
	client := iam.NewFromConfig(sdkConfig(url, "123456789012", "s", ""))
	start := time.Now()
	if _, err := client.ListUsers(context.Background(), &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("ListUsers took %v with 200ms latency injected", d)
	}
	start = time.Now()
	resp, err := http.Get(url + "/_sandbox/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("/_sandbox/health took %v: inspection must not be delayed", d)
	}
}

func TestRateLimitAnswersEachProtocolsThrottlingError(t *testing.T) {
	t.Parallel()
	_, url := startSandbox(t, Options{Faults: FaultConfig{RateLimit: 0.001, Burst: 1}})
	ctx := context.Background()
	calls := []struct {
		protocol, code string
		status         int
		call           func(aws.Config) error
	}{
		{"Query", "Throttling", 400, func(c aws.Config) error {
			_, err := iam.NewFromConfig(c).ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
		{"JSON", "ThrottlingException", 400, func(c aws.Config) error {
			_, err := secretsmanager.NewFromConfig(c).GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
			return err
		}},
		{"REST-JSON", "TooManyRequestsException", 429, func(c aws.Config) error {
			_, err := sesv2.NewFromConfig(c).GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("x@example.com")})
			return err
		}},
	}
	for i, c := range calls {
		account := sdkConfig(url, "30000000000"+string(rune('1'+i)), "s", "")
		first := c.call(account)
		if code, _ := errorCode(first); code == c.code {
			t.Errorf("%s: the first request of a fresh account was throttled", c.protocol)
		}
		expectCode(t, c.protocol+" second request", c.call(account), c.code, c.status)
		other := sdkConfig(url, "40000000000"+string(rune('1'+i)), "s", "")
		if code, _ := errorCode(c.call(other)); code == c.code {
			t.Errorf("%s: another account was throttled by this one's traffic", c.protocol)
		}
	}
}

// retryingConfig is an SDK config with the standard retryer, enough attempts,
// short backoff and no client-side retry quota, so a test runs quickly.
func retryingConfig(url, account string) aws.Config {
	cfg := sdkConfig(url, account, "s", "")
	cfg.RetryMaxAttempts = 0
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 12
			o.MaxBackoff = 5 * time.Millisecond
			o.RateLimiter = ratelimit.None
		})
	}
	return cfg
}

func TestSDKRetriesThroughInjectedFaults(t *testing.T) {
	t.Parallel()
	_, url := startSandbox(t, Options{Faults: FaultConfig{ThrottleRate: 0.3, ErrorRate: 0.3, Seed: 7}})
	ctx := context.Background()
	cfg := retryingConfig(url, "555555555555")
	for i := range 15 {
		if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("Query call %d failed through retries: %v", i, err)
		}
		if _, err := secretsmanager.NewFromConfig(cfg).GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{}); err != nil {
			t.Fatalf("JSON call %d failed through retries: %v", i, err)
		}
		_, err := sesv2.NewFromConfig(cfg).GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("x@example.com")})
		if code, _ := errorCode(err); code != "NotFoundException" {
			t.Fatalf("REST-JSON call %d: %v, want NotFoundException after retries", i, err)
		}
	}
	// Every REST-JSON call ends in one NotFoundException; the other errors are
	// injected faults the SDK retried through.
	counts := requestCounts(t, url, "555555555555")
	if injected := counts.Errors - 15; injected < 10 {
		t.Errorf("%d injected faults in %d requests: the retryer was barely exercised", injected, counts.Total)
	}
}

func requestCounts(t *testing.T, url, account string) RequestCounts {
	t.Helper()
	var out RequestCounts
	inspectJSON(t, http.MethodGet, url+"/_sandbox/requests?account="+account, nil, http.StatusOK, &out)
	return out
}

// inspectJSON calls the inspection API, checks the status and decodes the answer.
func inspectJSON(t *testing.T, method, url string, body any, status int, out any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, url, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, data, status)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, url, data, err)
		}
	}
}

func TestFaultsInspectionAPI(t *testing.T) {
	t.Parallel()
	_, url := startSandbox(t, Options{Faults: FaultConfig{LatencyMS: 3}})
	var got FaultConfig
	inspectJSON(t, http.MethodGet, url+"/_sandbox/faults", nil, 200, &got)
	if got.LatencyMS != 3 {
		t.Errorf("initial faults = %+v, want the flags' latency", got)
	}
	want := FaultConfig{LatencyMS: 1, JitterMS: 2, RateLimit: 5, Burst: 3, ThrottleRate: 0.1, ErrorRate: 0.2, Seed: 9}
	inspectJSON(t, http.MethodPut, url+"/_sandbox/faults", want, 200, &got)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/faults", nil, 200, &got)
	if got != want {
		t.Errorf("after PUT faults = %+v, want %+v", got, want)
	}
	for _, bad := range []string{`{"latency_ms":-1}`, `{"throttle_rate":2}`, `{"error_rate":-1}`, `{"rate_limit":-3}`, `{"latency":"5ms"}`, `{"latency_ms":`, `[]`} {
		var e map[string]string
		inspectJSON(t, http.MethodPut, url+"/_sandbox/faults", bad, 400, &e)
		if e["error"] == "" {
			t.Errorf("PUT %s: no error message", bad)
		}
	}
	inspectJSON(t, http.MethodGet, url+"/_sandbox/faults", nil, 200, &got)
	if got != want {
		t.Errorf("a refused PUT changed the faults to %+v", got)
	}
	inspectJSON(t, http.MethodDelete, url+"/_sandbox/faults", nil, 405, nil)
}

func TestSeededFaultsRepeatAcrossServers(t *testing.T) {
	t.Parallel()
	outcomes := func() string {
		_, url := startSandbox(t, Options{Faults: FaultConfig{ThrottleRate: 0.4, ErrorRate: 0.2, Seed: 2024}})
		client := iam.NewFromConfig(sdkConfig(url, "123456789012", "s", ""))
		var b strings.Builder
		for range 40 {
			_, err := client.ListUsers(context.Background(), &iam.ListUsersInput{})
			code, _ := errorCode(err)
			b.WriteString(code + ",")
		}
		return b.String()
	}
	first, second := outcomes(), outcomes()
	if first != second {
		t.Errorf("the same seed gave different outcomes:\n%s\n%s", first, second)
	}
	if !strings.Contains(first, "Throttling") || !strings.Contains(first, "InternalFailure") || !strings.Contains(first, ",,") {
		t.Errorf("40 requests at 40%%/20%% faults = %s; want throttling, 5xx and successes", first)
	}
}
