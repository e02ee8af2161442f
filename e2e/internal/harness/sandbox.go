package harness

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
	"testing"
	"time"
)

// Sandbox is a `gatehouse sandbox serve` subprocess, stopped when the test ends.
type Sandbox struct {
	URL     string
	LogPath string // its standard error
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// StartSandbox runs binary's sandbox on a free port with fixture and extra
// flags, its log written to logPath, and waits until it listens.
func StartSandbox(t *testing.T, binary, fixture, logPath string, flags ...string) *Sandbox {
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
	s := &Sandbox{LogPath: logPath}
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

// Inspect calls the sandbox's inspection API and decodes the answer into v
// (may be nil).
func (s *Sandbox) Inspect(t testing.TB, method, path string, body, v any) {
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
