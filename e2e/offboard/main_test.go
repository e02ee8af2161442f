// Package offboard_test holds the offboarding acceptance tests that need
// whole runs: the gatehouse binary, built once, runs as a subprocess against
// `gatehouse sandbox serve --state DIR` (another subprocess, our local AWS)
// over real HTTP, and is killed with SIGKILL the way a crash, an OOM kill or
// a closed laptop would end it.
package offboard_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// gatehouseBin is the gatehouse binary built for this run.
var gatehouseBin string

func TestMain(m *testing.M) {
	bin, cleanup, err := harness.Build("gatehouse-e2e-offboard-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gatehouseBin = bin
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// sandbox is a `gatehouse sandbox serve` subprocess, stopped when the test
// ends, with this suite's readings of its inspection API.
type sandbox struct{ *harness.Sandbox }

// startSandbox runs the sandbox on a free port with fixture and extra flags,
// its log written to logPath.
func startSandbox(t *testing.T, fixture, logPath string, flags ...string) *sandbox {
	t.Helper()
	return &sandbox{harness.StartSandbox(t, gatehouseBin, fixture, logPath, flags...)}
}

// requestCounts is GET /_sandbox/requests.
type requestCounts struct {
	Total    int `json:"total"`
	Mutating int `json:"mutating"`
	Counts   []struct {
		Account  string `json:"account"`
		Action   string `json:"action"`
		Mutating bool   `json:"mutating"`
		Count    int    `json:"count"`
		Errors   int    `json:"errors"`
	} `json:"counts"`
}

func (s *sandbox) requests(t testing.TB) requestCounts {
	t.Helper()
	var c requestCounts
	s.Inspect(t, http.MethodGet, "requests", nil, &c)
	return c
}

// mutations is how many mutating calls the sandbox has answered so far,
// without failing the test: it is polled while gatehouse runs.
func (s *sandbox) mutations() (int, error) {
	resp, err := http.Get(s.URL + "/_sandbox/requests")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var c requestCounts
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return 0, err
	}
	return c.Mutating, nil
}

// action sums an action's calls over every account.
func (c requestCounts) action(name string) int {
	n := 0
	for _, row := range c.Counts {
		if row.Action == name {
			n += row.Count
		}
	}
	return n
}

// newGatehouse prepares a gatehouse runner with the management account's
// root credentials and its own HOME, XDG folders and TMPDIR under home.
func newGatehouse(t *testing.T, home string) *harness.Gatehouse {
	t.Helper()
	return harness.NewGatehouse(t, gatehouseBin, home, management)
}
