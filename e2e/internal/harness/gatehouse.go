package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Gatehouse runs the binary with a clean environment of its own: an
// account's root credentials, no shared config, and HOME, XDG and TMPDIR
// inside Home so anything it writes stays where the tests look.
type Gatehouse struct {
	Binary string
	Home   string
	Env    []string
}

// NewGatehouse prepares Home's folders and the environment, signing as
// account (a 12-digit access key ID means that account in the sandbox).
func NewGatehouse(t *testing.T, binary, home, account string) *Gatehouse {
	t.Helper()
	for _, d := range []string{"", "state", "config", "cache", "tmp"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return &Gatehouse{Binary: binary, Home: home, Env: []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + filepath.Join(home, "tmp"),
		"AWS_ACCESS_KEY_ID=" + account,
		"AWS_SECRET_ACCESS_KEY=x",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config", "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "config", "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}}
}

// Result is a finished gatehouse run.
type Result struct {
	Code           int
	Stdout, Stderr string
	Took           time.Duration
}

// Run runs gatehouse to the end (within five minutes) and returns its outcome.
func (g *Gatehouse) Run(t testing.TB, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.Binary, args...)
	cmd.Env = g.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running gatehouse %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// MustRun runs gatehouse and fails the test unless it exits with want.
func (g *Gatehouse) MustRun(t testing.TB, want int, args ...string) Result {
	t.Helper()
	r := g.Run(t, args...)
	if r.Code != want {
		t.Fatalf("gatehouse %s: exit code %d, want %d\nstdout (tail):\n%s\nstderr (tail):\n%s",
			strings.Join(args, " "), r.Code, want, Tail(r.Stdout, 40), Tail(r.Stderr, 40))
	}
	return r
}

// Process is a gatehouse run that a test may kill with SIGKILL.
type Process struct {
	Started time.Time
	cmd     *exec.Cmd
	done    chan struct{}
	mu      sync.Mutex
	code    int
	output  lockedBuffer
}

// lockedBuffer is the process's output, which a test may read while the
// process still writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Output is what the run wrote so far, standard output and error together.
func (p *Process) Output() string { return p.output.String() }

// Start starts gatehouse and returns at once.
func (g *Gatehouse) Start(t testing.TB, args ...string) *Process {
	t.Helper()
	p := &Process{done: make(chan struct{})}
	p.cmd = exec.Command(g.Binary, args...)
	p.cmd.Env = g.Env
	p.cmd.Stdout, p.cmd.Stderr = &p.output, &p.output
	p.Started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting gatehouse: %v", err)
	}
	go func() {
		err := p.cmd.Wait()
		p.mu.Lock()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			p.code = exit.ExitCode()
		}
		p.mu.Unlock()
		close(p.done)
	}()
	return p
}

// Exited reports whether the run has ended by itself.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL unless the run ended first; it reports whether the kill
// landed (false: the run had already finished, with code).
func (p *Process) Kill() (killed bool, code int) {
	if p.Exited() {
		return false, p.code
	}
	err := p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil || p.cmd.ProcessState.Success() || p.code > 0 {
		return false, p.code // finished between the check and the signal
	}
	return true, -1
}

// Stop sends SIGTERM, as a service manager would, and waits up to a minute
// for the run to end (then kills it); it returns the exit code.
func (p *Process) Stop(t testing.TB) int {
	t.Helper()
	if !p.Exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		p.Kill()
		t.Errorf("gatehouse did not stop within a minute of SIGTERM")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.code
}

// KillAfter waits d, unless the run ends first, then kills it (see Kill).
func (p *Process) KillAfter(d time.Duration) (killed bool, code int) {
	select {
	case <-p.done:
		return false, p.code
	case <-time.After(d):
	}
	return p.Kill()
}

// Tail is the last lines of s, saying how many came before.
func Tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = append([]string{fmt.Sprintf("… %d lines before", len(parts)-lines)}, parts[len(parts)-lines:]...)
	}
	return strings.Join(parts, "\n")
}
