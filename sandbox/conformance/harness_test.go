package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	workDir   string // the suite's temporary directory, removed when it ends
	binary    string // the gatehouse binary built for this run
	shared    *server
	awsBinary string
	awsErr    error
	nextAcct  atomic.Int64
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	binary = filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", binary, "github.com/gatehouse/gatehouse/cmd/gatehouse")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gatehouse:", err)
		os.Exit(1)
	}
	if modelsDir, err = installModels(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	awsBinary, awsErr = findAWSCLIv2()
	code := m.Run()
	if code == 0 {
		code = judgeCoverage()
	}
	if pool != nil {
		pool.stopAll()
	}
	if shared != nil {
		shared.stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// findAWSCLIv2 picks the AWS CLI v2 among the `aws` executables on PATH (pyenv may
// put a v1 first) and the Debian package's /usr/bin/aws. Nothing else is looked up:
// the runner's Python is the one in that script's shebang (pythonOf) and the IAM
// model comes from testdata, so the python3 first on PATH plays no part.
func findAWSCLIv2() (string, error) {
	candidates := []string{}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		candidates = append(candidates, filepath.Join(dir, "aws"))
	}
	candidates = append(candidates, "/usr/bin/aws", "/usr/local/bin/aws")
	for _, c := range candidates {
		out, err := exec.Command(c, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return c, nil
		}
	}
	return "", fmt.Errorf("no AWS CLI v2 on PATH or at /usr/bin/aws (install Debian's awscli package)")
}

// server is a `gatehouse sandbox serve` subprocess.
type server struct {
	url   string
	token string // the inspection API's, as the sandbox printed it ("" when open)
	cmd   *exec.Cmd
	logs  *bytes.Buffer
}

// startServer runs the sandbox binary with extra flags on a free port.
func startServer(tb testing.TB, flags ...string) *server {
	tb.Helper()
	return startServerEnv(tb, nil, flags...)
}

// startServerEnv is startServer with extra environment variables.
func startServerEnv(tb testing.TB, env []string, flags ...string) *server {
	tb.Helper()
	args := append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0"}, flags...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting sandbox: %v", err)
	}
	s := &server{cmd: cmd, logs: &bytes.Buffer{}}
	sc := bufio.NewScanner(stderr)
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	token := regexp.MustCompile(`^inspection API token: (\S+)`)
	deadline := time.After(20 * time.Second)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			if m := token.FindStringSubmatch(line); m != nil {
				s.token = m[1] // printed before the address, so read before found
			}
			if m := addr.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.url = <-found:
	case <-deadline:
		cmd.Process.Kill()
		tb.Fatalf("sandbox did not start")
	}
	return s
}

// inspect calls /_sandbox/PATH with the server's token, if it has one.
func (s *server) inspect(method, path string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(method, s.url+"/_sandbox/"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	return http.DefaultClient.Do(req)
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

var sharedOnce sync.Once

// sharedServer is one sandbox for every test that needs no special flags.
func sharedServer(tb testing.TB) *server {
	sharedOnce.Do(func() { shared = startServer(tb) })
	if shared == nil {
		tb.Fatal("shared sandbox failed to start")
	}
	return shared
}

// CLI runs the AWS CLI v2 as one account against one sandbox.
type CLI struct {
	t       testing.TB
	srv     *server
	Account string
	env     []string
	exec    bool // run as a process of its own, not in a runner
}

// newCLI returns a CLI acting in a fresh account of its own on the shared server.
func newCLI(t *testing.T) *CLI {
	t.Helper()
	t.Parallel()
	return newCLIFor(t, sharedServer(t), freshAccount())
}

// freshAccount hands out distinct 12-digit account IDs.
func freshAccount() string {
	return fmt.Sprintf("%012d", 200000000000+nextAcct.Add(1))
}

func newCLIFor(t testing.TB, srv *server, account string) *CLI {
	t.Helper()
	if awsErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("AWS CLI v2 is required in CI: %v", awsErr)
		}
		t.Skipf("skipping AWS CLI conformance: %v", awsErr)
	}
	home := t.TempDir()
	return &CLI{t: t, srv: srv, Account: account, env: cliEnv(home, account, "sandbox-secret")}
}

func cliEnv(home, key, secret string) []string {
	return []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
		"AWS_DATA_PATH=" + modelsDir, // the carried models before the CLI's own
	}
}

// WithEnv returns a copy of the CLI with extra environment (e.g. session credentials).
func (c *CLI) WithEnv(kv ...string) *CLI {
	cp := *c
	cp.env = append(append([]string{}, c.env...), kv...)
	return &cp
}

// Exec returns a copy of the CLI that runs every call as its own `aws` process.
func (c *CLI) Exec() *CLI {
	cp := *c
	cp.exec = true
	return &cp
}

// Result is a CLI run's outcome.
type Result struct {
	Out     map[string]any // decoded JSON output (nil when empty)
	Raw     string
	Code    string // AWS error code when the call failed
	Message string
	Stderr  string
	Err     error
}

var errLine = regexp.MustCompile(`An error occurred \(([^)]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)`)

// Try runs `aws --endpoint-url URL --output json ARGS…`.
func (c *CLI) Try(args ...string) Result {
	c.t.Helper()
	recordInvocation(args)
	full := append([]string{"--endpoint-url", c.srv.url, "--output", "json", "--no-cli-pager"}, args...)
	var r Result
	if p := runnerPool(); p != nil && !c.exec {
		resp, err := p.run(full, c.env)
		if err != nil {
			c.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		r = Result{Raw: resp.Stdout, Stderr: resp.Stderr}
		if resp.RC != 0 {
			r.Err = fmt.Errorf("aws exited with status %d", resp.RC)
		}
	} else {
		stdout, stderr, err := execCLI(full, c.env)
		r = Result{Raw: stdout, Stderr: stderr, Err: err}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			r.Err = fmt.Errorf("aws exited with status %d", exit.ExitCode())
		}
	}
	if m := errLine.FindStringSubmatch(r.Stderr); m != nil {
		r.Code, r.Message = m[1], strings.TrimSpace(m[2])
	}
	if strings.TrimSpace(r.Raw) != "" {
		if jerr := json.Unmarshal([]byte(r.Raw), &r.Out); jerr != nil {
			c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), jerr, r.Raw)
		}
	}
	return r
}

// Run runs the CLI and fails the test unless it succeeds.
func (c *CLI) Run(args ...string) map[string]any {
	c.t.Helper()
	r := c.Try(args...)
	if r.Err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), r.Err, r.Stderr)
	}
	return r.Out
}

// Fail runs the CLI, expects the AWS error code, and returns the message.
func (c *CLI) Fail(code string, args ...string) string {
	c.t.Helper()
	r := c.Try(args...)
	if r.Err == nil {
		c.t.Fatalf("aws %s: succeeded, want error %s\n%s", strings.Join(args, " "), code, r.Raw)
	}
	if r.Code != code {
		c.t.Fatalf("aws %s: error code %q, want %q\n%s", strings.Join(args, " "), r.Code, code, r.Stderr)
	}
	return r.Message
}

// Inspect decodes GET /_sandbox/PATH into v.
func (c *CLI) Inspect(path string, v any) {
	c.t.Helper()
	resp, err := c.srv.inspect(http.MethodGet, path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		c.t.Fatalf("decoding /_sandbox/%s: %v", path, err)
	}
}

// PostInspect sends JSON to /_sandbox/PATH and decodes the answer into v.
func (c *CLI) PostInspect(path string, body, v any) {
	c.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := c.srv.inspect(http.MethodPost, path, b)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		c.t.Fatalf("POST /_sandbox/%s: %s %v", path, resp.Status, e)
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			c.t.Fatalf("decoding /_sandbox/%s: %v", path, err)
		}
	}
}

// get walks a decoded JSON value: get(out, "User", "UserName").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// str is get as a string.
func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

// length is the length of a list at path.
func length(v any, path ...any) int {
	l, _ := get(v, path...).([]any)
	return len(l)
}

// free port helper for tests that need a fixed address.
func freePort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
