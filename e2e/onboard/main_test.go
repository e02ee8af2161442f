// Package onboard_test holds the onboarding acceptance tests that need whole
// runs: the gatehouse binary, built once, runs as a subprocess against
// `gatehouse sandbox serve` (another subprocess, our local AWS) over real
// HTTP, and is killed, faulted and searched the way a person would.
package onboard_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/gatehousebin"
)

// binary is the gatehouse binary built for this run.
var binary string

func TestMain(m *testing.M) {
	bin, cleanup, err := gatehousebin.Build("gatehouse-e2e-onboard-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = bin
	code := m.Run()
	cleanup()
	os.Exit(code)
}

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

// sandbox is a `gatehouse sandbox serve` subprocess, stopped when the test ends.
type sandbox struct {
	URL     string
	LogPath string // its standard error
	cmd     *exec.Cmd
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startSandbox runs the sandbox on a free port with fixture and extra flags,
// its log written to logPath.
func startSandbox(t *testing.T, fixture, logPath string, flags ...string) *sandbox {
	t.Helper()
	args := append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--fixture", fixture}, flags...)
	cmd := exec.Command(binary, args...)
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sandbox: %v", err)
	}
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	s := &sandbox{LogPath: logPath, cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		<-copied
		logFile.Close()
	})
	select {
	case s.URL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("the sandbox did not start; its log is in %s", logPath)
	}
	return s
}

// inspect calls the sandbox's inspection API and decodes the answer into v (may be nil).
func (s *sandbox) inspect(t testing.TB, method, path string, body, v any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+"/_sandbox/"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /_sandbox/%s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s /_sandbox/%s: %s: %s", method, path, resp.Status, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("decoding /_sandbox/%s: %v", path, err)
		}
	}
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
	s.inspect(t, http.MethodGet, "requests", nil, &c)
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
	s.inspect(t, http.MethodGet, "ses/messages", nil, &out)
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
	s.inspect(t, http.MethodPost, "iam/check-password", map[string]string{"account": account, "user": user, "password": password}, &out)
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
	s.inspect(t, http.MethodGet, "state", nil, &w)
	return w
}

// gatehouse runs the binary with a clean environment of its own: the
// management account's root credentials, no shared config, and HOME, XDG
// and TMPDIR inside home so anything it writes stays where the tests look.
type gatehouse struct {
	home string
	env  []string
}

func newGatehouse(t *testing.T, home string) *gatehouse {
	t.Helper()
	for _, d := range []string{"", "state", "config", "cache", "tmp"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return &gatehouse{home: home, env: []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + filepath.Join(home, "tmp"),
		"AWS_ACCESS_KEY_ID=" + management,
		"AWS_SECRET_ACCESS_KEY=x",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config", "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "config", "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}}
}

// result is a finished gatehouse run.
type result struct {
	Code           int
	Stdout, Stderr string
	Took           time.Duration
}

// run runs gatehouse to the end (within five minutes) and returns its outcome.
func (g *gatehouse) run(t testing.TB, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = g.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running gatehouse %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustRun runs gatehouse and fails the test unless it exits with want.
func (g *gatehouse) mustRun(t testing.TB, want int, args ...string) result {
	t.Helper()
	r := g.run(t, args...)
	if r.Code != want {
		t.Fatalf("gatehouse %s: exit code %d, want %d\nstdout (tail):\n%s\nstderr (tail):\n%s",
			strings.Join(args, " "), r.Code, want, tail(r.Stdout, 40), tail(r.Stderr, 40))
	}
	return r
}

// killable is a gatehouse run that a test kills with SIGKILL.
type killable struct {
	cmd    *exec.Cmd
	done   chan struct{}
	mu     sync.Mutex
	exited bool
	code   int
	output bytes.Buffer
}

func (g *gatehouse) start(t testing.TB, args ...string) *killable {
	t.Helper()
	k := &killable{done: make(chan struct{})}
	k.cmd = exec.Command(binary, args...)
	k.cmd.Env = g.env
	k.cmd.Stdout, k.cmd.Stderr = &k.output, &k.output
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("starting gatehouse: %v", err)
	}
	go func() {
		err := k.cmd.Wait()
		k.mu.Lock()
		k.exited = true
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			k.code = exit.ExitCode()
		}
		k.mu.Unlock()
		close(k.done)
	}()
	return k
}

// killAfter sends SIGKILL after d unless the run ended first; it reports
// whether the kill landed (false: the run had already finished with code).
func (k *killable) killAfter(d time.Duration) (killed bool, code int) {
	select {
	case <-k.done:
		return false, k.code
	case <-time.After(d):
	}
	err := k.cmd.Process.Signal(syscall.SIGKILL)
	<-k.done
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil || k.cmd.ProcessState.Success() || k.code > 0 {
		return false, k.code // finished between the timer and the signal
	}
	return true, -1
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = append([]string{fmt.Sprintf("… %d lines before", len(parts)-lines)}, parts[len(parts)-lines:]...)
	}
	return strings.Join(parts, "\n")
}
