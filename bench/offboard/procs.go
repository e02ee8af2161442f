package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"regexp"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// sandbox is a `gatehouse sandbox serve` process. With -v it logs every AWS
// request as it ends; the log is kept so a measurement can lay the calls out
// in time.
type sandbox struct {
	url string
	cmd *exec.Cmd

	mu       sync.Mutex
	requests []loggedRequest
}

// loggedRequest is one AWS request as the sandbox logged it when it ended.
type loggedRequest struct {
	end     time.Time
	account string
	action  string
	failed  bool
}

var (
	// slog's text handler: time=2026-11-21T05:01:02.123+00:00 level=DEBUG msg=request account=… service=iam action=GetUser failed=false
	requestLine = regexp.MustCompile(`^time=(\S+) level=DEBUG msg=request account=(\S*) service=\S* action=(\S+) failed=(\S+)`)
)

// startSandbox runs the sandbox on a free port with a fixture and flags,
// keeping what it logs of each request.
func startSandbox(bin, fixture string, flags ...string) (*sandbox, error) {
	s := &sandbox{}
	url, cmd, err := measure.StartSandbox(bin, append([]string{"--fixture", fixture}, flags...), func(line string) {
		m := requestLine.FindStringSubmatch(line)
		if m == nil {
			return
		}
		if end, err := time.Parse("2006-01-02T15:04:05.000Z07:00", m[1]); err == nil {
			s.mu.Lock()
			s.requests = append(s.requests, loggedRequest{end: end, account: m[2], action: m[3], failed: m[4] == "true"})
			s.mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	s.url, s.cmd = url, cmd
	return s, nil
}

func (s *sandbox) stop() { measure.Stop(s.cmd, 10*time.Second) }

// logged returns the requests logged so far that ended within [from, to].
func (s *sandbox) logged(from, to time.Time) []loggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []loggedRequest
	for _, r := range s.requests {
		if !r.end.Before(from) && !r.end.After(to) {
			out = append(out, r)
		}
	}
	return out
}

func (s *sandbox) get(path string, v any) error {
	return measure.Inspect(s.url, http.MethodGet, path, nil, v)
}

// counts is GET /_sandbox/requests.
type counts struct {
	Total    int `json:"total"`
	Mutating int `json:"mutating"`
	Errors   int `json:"errors"`
	Counts   []struct {
		Account  string `json:"account"`
		Action   string `json:"action"`
		Mutating bool   `json:"mutating"`
		Count    int    `json:"count"`
		Errors   int    `json:"errors"`
	} `json:"counts"`
}

// accountCalls is what one account was asked.
type accountCalls struct {
	calls, refused, mutating int // all calls; answered with an error (throttled above all); mutating
}

func (c counts) perAccount() map[string]accountCalls {
	out := map[string]accountCalls{}
	for _, row := range c.Counts {
		a := out[row.Account]
		a.calls += row.Count
		a.refused += row.Errors
		if row.Mutating {
			a.mutating += row.Count
		}
		out[row.Account] = a
	}
	return out
}

// mutatingActions are the actions the sandbox counted as mutating.
func (c counts) mutatingActions() map[string]bool {
	out := map[string]bool{}
	for _, row := range c.Counts {
		if row.Mutating {
			out[row.Action] = true
		}
	}
	return out
}

// world is the part of GET /_sandbox/state the measurements check.
type world struct {
	Accounts map[string]*struct {
		Users map[string]*struct {
			Name string `json:"name"`
			ID   string `json:"id"`
		} `json:"users"`
		VirtualMFA map[string]json.RawMessage `json:"virtual_mfa"`
	} `json:"accounts"`
}

// remaining counts users and virtual MFA devices left in the accounts.
func (w world) remaining(accounts []string) (users, devices int) {
	for _, a := range accounts {
		if acct := w.Accounts[a]; acct != nil {
			users += len(acct.Users)
			devices += len(acct.VirtualMFA)
		}
	}
	return users, devices
}
