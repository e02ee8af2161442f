// Package onboard_test holds the onboarding acceptance tests that need whole
// runs: the gatehouse binary, built once, runs as a subprocess against
// `gatehouse sandbox serve` (another subprocess, our local AWS) over real
// HTTP, and is killed, faulted and searched the way a person would.
package onboard_test

import (
	"bytes"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// binary is the gatehouse binary built for this run.
var binary string

func TestMain(m *testing.M) { harness.Main(m, "gatehouse-e2e-onboard-", &binary) }

// requireOnboard skips (visibly) when the binary has no onboard command yet.
func requireOnboard(t *testing.T) {
	t.Helper()
	out, err := exec.Command(binary, "onboard", "--help").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--journal")) {
		t.Skipf("gatehouse onboard is not built yet (%v): %s", err, firstLine(string(out)))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// sandbox is a `gatehouse sandbox serve` subprocess, stopped when the test
// ends, with this suite's readings of its inspection API.
type sandbox struct{ *harness.Sandbox }

// startSandbox runs the sandbox on a free port with fixture and extra flags,
// its log written to logPath.
func startSandbox(t *testing.T, fixture, logPath string, flags ...string) *sandbox {
	t.Helper()
	return &sandbox{harness.StartSandbox(t, binary, fixture, logPath, flags...)}
}

// requestCounts is GET /_sandbox/requests.
type requestCounts struct {
	Total    int            `json:"total"`
	Mutating int            `json:"mutating"`
	Errors   int            `json:"errors"`
	Counts   []requestCount `json:"counts"`
}

type requestCount struct {
	Account  string `json:"account"`
	Service  string `json:"service"`
	Action   string `json:"action"`
	Mutating bool   `json:"mutating"`
	Count    int    `json:"count"`
	Errors   int    `json:"errors"`
}

func (s *sandbox) requests(t testing.TB) requestCounts {
	t.Helper()
	var c requestCounts
	s.Inspect(t, http.MethodGet, "requests", nil, &c)
	return c
}

// action sums an action's rows over every account: calls and failed calls.
func (c requestCounts) action(name string) (calls, failed int) {
	for _, row := range c.Counts {
		if row.Action == name {
			calls += row.Count
			failed += row.Errors
		}
	}
	return calls, failed
}

// message is one mail the sandbox's SES accepted.
type message struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Destinations []string  `json:"destinations"`
	Subject      string    `json:"subject"`
	Text         string    `json:"text"`
	HTML         string    `json:"html"`
	Timestamp    time.Time `json:"timestamp"`
}

// messages are the mails sent so far, in the order SES accepted them.
func (s *sandbox) messages(t testing.TB) []message {
	t.Helper()
	var out struct {
		Messages []message `json:"messages"`
	}
	s.Inspect(t, http.MethodGet, "ses/messages", nil, &out)
	return out.Messages
}

// signsIn asks the sandbox whether password signs user in to account, and
// whether a new password must be chosen then.
func (s *sandbox) signsIn(t testing.TB, account, user, password string) (valid, resetRequired bool) {
	t.Helper()
	var out struct {
		Valid         bool `json:"valid"`
		ResetRequired bool `json:"password_reset_required"`
	}
	s.Inspect(t, http.MethodPost, "iam/check-password", map[string]string{"account": account, "user": user, "password": password}, &out)
	return out.Valid, out.ResetRequired
}

// world is the part of GET /_sandbox/state the tests read.
type world struct {
	Accounts map[string]struct {
		Users map[string]stateUser `json:"users"` // keyed by lower-cased name
	} `json:"accounts"`
}

type stateUser struct {
	Name             string   `json:"name"`
	Tags             []tag    `json:"tags"`
	Groups           []string `json:"groups"`
	AttachedPolicies []string `json:"attached_policies"`
	LoginProfile     *struct {
		ResetRequired bool `json:"reset_required"`
	} `json:"login_profile"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (s *sandbox) world(t testing.TB) world {
	t.Helper()
	var w world
	s.Inspect(t, http.MethodGet, "state", nil, &w)
	return w
}

// newGatehouse prepares a gatehouse runner with the management account's
// root credentials and its own HOME, XDG folders and TMPDIR under home.
func newGatehouse(t *testing.T, home string) *harness.Gatehouse {
	t.Helper()
	return harness.NewGatehouse(t, binary, home, management)
}
