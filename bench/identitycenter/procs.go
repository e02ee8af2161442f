package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"time"

	"github.com/gatehouse/gatehouse/bench/internal/measure"
)

// sandbox is a `gatehouse sandbox serve` process.
type sandbox struct {
	url string
	cmd *exec.Cmd
}

// startSandbox runs the sandbox on a free port with a fixture and flags.
func startSandbox(bin, fixture string, flags ...string) (*sandbox, error) {
	url, cmd, err := measure.StartSandbox(bin, append([]string{"--fixture", fixture}, flags...), nil)
	if err != nil {
		return nil, err
	}
	return &sandbox{url: url, cmd: cmd}, nil
}

func (s *sandbox) stop() { measure.Stop(s.cmd, 10*time.Second) }

// restart zeroes the request counters and restarts the instance's quotas
// (a full bucket, zeroed stats), so each run is measured alone.
func (s *sandbox) restart() error {
	if err := s.call(http.MethodDelete, "requests", nil, nil); err != nil {
		return err
	}
	if err := s.call(http.MethodPut, "sso-admin/quotas", map[string]any{"requests_per_second": rate, "burst": burst}, nil); err != nil {
		return err
	}
	return nil
}

func (s *sandbox) get(path string, v any) error { return s.call(http.MethodGet, path, nil, v) }

func (s *sandbox) call(method, path string, body, v any) error {
	return measure.Inspect(s.url, method, path, body, v)
}

// quotas is the instance's entry of GET /_sandbox/sso-admin/quotas.
type quotas struct {
	Stats struct {
		Requests          int `json:"requests"`
		Throttled         int `json:"throttled"`
		RefusedInProgress int `json:"refused_in_progress"`
		PeakInProgress    int `json:"peak_in_progress"`
	} `json:"stats"`
}

// UnmarshalJSON takes the endpoint's list of one instance.
func (q *quotas) UnmarshalJSON(b []byte) error {
	type one quotas
	var all []one
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	if len(all) != 1 {
		return fmt.Errorf("quotas of %d instances, want 1", len(all))
	}
	*q = quotas(all[0])
	return nil
}

// counts is GET /_sandbox/requests.
type counts struct {
	Total    int `json:"total"`
	Mutating int `json:"mutating"`
	Counts   []struct {
		Service  string `json:"service"`
		Action   string `json:"action"`
		Mutating bool   `json:"mutating"`
		Count    int    `json:"count"`
		Errors   int    `json:"errors"`
	} `json:"counts"`
}

// action sums one action's calls and failures.
func (c counts) action(name string) (calls, failed int) {
	for _, row := range c.Counts {
		if row.Action == name {
			calls += row.Count
			failed += row.Errors
		}
	}
	return calls, failed
}
