package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a server process under measurement.
type server struct {
	name string
	url  string
	cmd  *exec.Cmd

	mu     sync.Mutex
	stderr bytes.Buffer // the process's stderr (gctrace lines for the sandbox)
}

func (s *server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.Write(p)
}

// logs returns what the process wrote to stderr so far.
func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startSandbox runs `gatehouse sandbox serve` and waits until it is healthy.
func startSandbox(ctx context.Context, bin string, env []string, args ...string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{name: "gatehouse sandbox serve", url: "http://" + addr}
	s.cmd = exec.Command(bin, append([]string{"sandbox", "serve", "--addr", addr}, args...)...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = s
	if err := s.start(ctx, s.url+"/_sandbox/health"); err != nil {
		return nil, err
	}
	return s, nil
}

// startMoto runs moto_server on a free loopback port and waits until it answers.
func startMoto(ctx context.Context, bin string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	s := &server{name: "moto_server", url: "http://" + addr}
	s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	s.cmd.Stderr = s
	if err := s.start(ctx, s.url+"/moto-api/"); err != nil {
		return nil, err
	}
	return s, nil
}

// start launches the process in its own process group and polls healthURL.
func (s *server) start(ctx context.Context, healthURL string) error {
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.name, err)
	}
	if _, err := waitHealthy(ctx, healthURL, 60*time.Second); err != nil {
		s.stop()
		return fmt.Errorf("waiting for %s: %w\n%s", s.name, err, s.logs())
	}
	return nil
}

var pollClient = &http.Client{Timeout: 2 * time.Second}

// waitHealthy polls url every millisecond until it answers 200 and returns when it did.
func waitHealthy(ctx context.Context, url string, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		resp, err := pollClient.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("no 200 from %s within %s (last error: %v)", url, limit, err)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// stop interrupts the process group (moto_server may run behind a pyenv shim) and
// kills it if it lingers.
func (s *server) stop() {
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
}

// memory is a process's resident memory from /proc/PID/status.
type memory struct {
	RSS, HWM int64 // bytes
}

func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			m.RSS = n << 10
		case "VmHWM":
			m.HWM = n << 10
		}
	}
	return m, sc.Err()
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
