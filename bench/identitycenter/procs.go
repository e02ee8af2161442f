package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"time"
)

// sandbox is a `gatehouse sandbox serve` process.
type sandbox struct {
	url string
	cmd *exec.Cmd
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startSandbox runs the sandbox on a free port with a fixture and flags.
func startSandbox(bin, fixture string, flags ...string) (*sandbox, error) {
	cmd := exec.Command(bin, append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--fixture", fixture}, flags...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case url := <-found:
		return &sandbox{url: url, cmd: cmd}, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("the sandbox did not start")
	}
}

func (s *sandbox) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

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
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+"/_sandbox/"+path, rd)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s /_sandbox/%s: %s: %s", method, path, resp.Status, b)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
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
