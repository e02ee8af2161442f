package differential

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// motoServer is the moto_server subprocess every scenario shares; each scenario
// acts in an account of its own (x-moto-account-id), so they run in parallel.
type motoServer struct {
	url     string
	version string
	cmd     *exec.Cmd
	waited  <-chan error // receives when the process has exited
	out     lockedLogs
	mu      sync.Mutex
	logs    bytes.Buffer
}

var (
	moto       *motoServer // nil when moto_server is unavailable
	motoAbsent error       // why it is unavailable
)

func TestMain(m *testing.M) {
	flag.Parse()
	moto, motoAbsent = startMoto()
	if motoAbsent != nil {
		fmt.Fprintf(os.Stderr, "sandbox/differential: skipping the moto differential suite: %v\n", motoAbsent)
	}
	code := m.Run()
	if moto != nil {
		moto.stop()
		if code == 0 {
			code = settleDocument(moto.version)
		}
	}
	os.Exit(code)
}

// requireMoto skips the test, with the reason, when moto_server is unavailable.
func requireMoto(t *testing.T) {
	t.Helper()
	if moto == nil {
		t.Skipf("moto_server unavailable, differential scenario not run: %v", motoAbsent)
	}
}

// motoExecutable finds moto_server: $GATEHOUSE_MOTO_SERVER, else PATH.
func motoExecutable() (string, error) {
	if p := os.Getenv("GATEHOUSE_MOTO_SERVER"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("moto_server")
	if err != nil {
		return "", errors.New("moto_server is not on PATH (pip install 'moto[server]' to run this suite, or set GATEHOUSE_MOTO_SERVER)")
	}
	return p, nil
}

// startMoto runs moto_server on a free loopback port and waits until it answers.
func startMoto() (*motoServer, error) {
	bin, err := motoExecutable()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("finding a free port for moto_server: %w", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	s := &motoServer{url: "http://127.0.0.1:" + port}
	s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	s.out.s = s
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a pyenv shim may start it as a child
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case werr := <-exited:
			return nil, fmt.Errorf("%s exited before answering (%v): %s", bin, werr, s.tail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill(exited)
			return nil, fmt.Errorf("%s did not answer on %s within 30 s: %s", bin, s.url, s.tail())
		}
	}
	s.waited = exited
	s.version = motoVersion(bin)
	return s, nil
}

// lockedLogs is the subprocess's output, written from os/exec's copying goroutine.
type lockedLogs struct{ s *motoServer }

func (l *lockedLogs) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if l.s.logs.Len() < 1<<20 {
		l.s.logs.Write(p)
	}
	return len(p), nil
}

func (s *motoServer) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := strings.TrimSpace(s.logs.String())
	if len(out) > 600 {
		out = "…" + out[len(out)-600:]
	}
	return out
}

// stop interrupts moto_server's process group and kills it if it lingers.
func (s *motoServer) stop() { s.kill(s.waited) }

func (s *motoServer) kill(exited <-chan error) {
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
}

// motoVersion asks the Python that runs moto_server for moto's version.
func motoVersion(bin string) string {
	python := "python3"
	if line := shebang(bin); strings.Contains(line, "python") {
		python = strings.Fields(line)[0]
	} else if out, err := exec.Command("pyenv", "which", "moto_server").Output(); err == nil {
		if line := shebang(strings.TrimSpace(string(out))); strings.Contains(line, "python") {
			python = strings.Fields(line)[0]
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", "import moto; print(moto.__version__)").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func shebang(path string) string {
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if !strings.HasPrefix(line, "#!") {
		return ""
	}
	return strings.TrimSpace(line[2:])
}
