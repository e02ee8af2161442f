package conformance

import (
	"net/http"
	"sync"
	"testing"
)

// faultCLI starts a sandbox with fault flags for one test and returns a CLI
// acting in a fresh account, with the retry settings given.
func faultCLI(t *testing.T, retryEnv []string, flags ...string) *CLI {
	t.Helper()
	t.Parallel()
	srv := startServer(t, flags...)
	t.Cleanup(srv.stop)
	return newCLIFor(t, srv, freshAccount()).WithEnv(retryEnv...)
}

var (
	noRetries       = []string{"AWS_MAX_ATTEMPTS=1"}
	standardRetries = []string{"AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=8"}
)

func TestCLISeesEachProtocolsThrottlingError(t *testing.T) {
	cli := faultCLI(t, noRetries, "--throttle-rate", "1")
	if msg := cli.Fail("Throttling", "iam", "list-users"); msg != "Rate exceeded" {
		t.Errorf("Query throttling message = %q", msg)
	}
	cli.Fail("ThrottlingException", "secretsmanager", "get-random-password")
	cli.Fail("TooManyRequestsException", "sesv2", "get-email-identity", "--email-identity", "a@example.com")
}

func TestCLIRetriesThroughThrottlingAnd5xx(t *testing.T) {
	cli := faultCLI(t, standardRetries, "--throttle-rate", "0.35", "--error-rate", "0.35", "--seed", "3")
	cli.Run("iam", "create-user", "--user-name", "retried")
	cli.Run("iam", "get-user", "--user-name", "retried")
	cli.Run("secretsmanager", "get-random-password", "--password-length", "20")
	cli.Fail("NotFoundException", "sesv2", "get-email-identity", "--email-identity", "a@example.com")
	var counts struct{ Total, Errors int }
	getJSON(t, cli.srv, "requests?account="+cli.Account, &counts)
	// One NotFoundException is the answer; every other error was injected and retried.
	if counts.Errors-1 < 2 {
		t.Errorf("requests = %+v: the seed injected too few faults to exercise the CLI's retries", counts)
	}
}

func TestCLIRetriesThroughPerAccountRateLimit(t *testing.T) {
	cli := faultCLI(t, standardRetries, "--rate-limit", "1", "--burst", "1")
	// Four CLI processes at once in one account: the bucket admits one request
	// a second, so most first attempts are throttled and must be retried.
	results := make([]Result, 4)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = cli.Try("iam", "list-users") })
	}
	wg.Wait()
	for i, r := range results {
		if r.Err != nil {
			t.Errorf("CLI %d did not get through the rate limit: %v\n%s", i, r.Err, r.Stderr)
		}
	}
	var counts struct{ Total, Errors int }
	getJSON(t, cli.srv, "requests?account="+cli.Account, &counts)
	if counts.Errors == 0 {
		t.Errorf("requests = %+v: nothing was throttled", counts)
	}
	other := newCLIFor(t, cli.srv, freshAccount()).WithEnv(noRetries...)
	other.Run("iam", "list-users") // another account has a bucket of its own
}

func TestFaultsChangeAtRunTime(t *testing.T) {
	cli := faultCLI(t, noRetries)
	cli.Run("iam", "list-users")
	sandboxCall(t, cli.srv, http.MethodPut, "faults", map[string]any{"throttle_rate": 1}, 200, nil)
	cli.Fail("Throttling", "iam", "list-users")
	sandboxCall(t, cli.srv, http.MethodPut, "faults", map[string]any{"error_rate": 7}, 400, nil)
	sandboxCall(t, cli.srv, http.MethodPut, "faults", map[string]any{}, 200, nil)
	cli.Run("iam", "list-users")
}
