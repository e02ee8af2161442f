package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The AWS CLI v2 costs about a second of CPU to start, and the suite makes hundreds of
// calls. Debian's CLI is a Python program whose /usr/bin/aws does nothing but call
// awscli.clidriver.AWSCLIEntryPoint().main(args); testdata/cli_runner.py calls that
// same entry point for one request after another in a long-lived process, with the
// request's environment, so every call still runs the real CLI's parsing, signing,
// retries, parsing of responses and output formatting. GATEHOUSE_CLI_EXEC=1 runs
// every call as its own `aws` process instead.

// cliPool hands out runner processes.
type cliPool struct {
	python string
	script string
	idle   chan *cliWorker
}

type cliWorker struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

type cliRequest struct {
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
}

type cliResponse struct {
	RC     int    `json:"rc"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
}

var (
	pool     *cliPool
	poolOnce sync.Once
)

// runnerPool returns the pool, or nil when calls must exec the binary (the CLI is
// not a Python script, or GATEHOUSE_CLI_EXEC is set).
func runnerPool() *cliPool {
	poolOnce.Do(func() {
		if os.Getenv("GATEHOUSE_CLI_EXEC") != "" {
			return
		}
		python := pythonOf(awsBinary)
		if python == "" {
			return
		}
		script, err := filepath.Abs(filepath.Join("testdata", "cli_runner.py"))
		if err != nil {
			return
		}
		n := max(2, runtime.NumCPU())
		pool = &cliPool{python: python, script: script, idle: make(chan *cliWorker, n)}
		for i := 0; i < n; i++ {
			pool.idle <- nil // started lazily
		}
	})
	return pool
}

// pythonOf returns the interpreter of a Python `aws` script, or "".
func pythonOf(bin string) string {
	f, err := os.Open(bin)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if !strings.HasPrefix(line, "#!") || !strings.Contains(line, "python") {
		return ""
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return ""
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		p, err := exec.LookPath(fields[1])
		if err != nil {
			return ""
		}
		return p
	}
	return fields[0]
}

func (p *cliPool) start() (*cliWorker, error) {
	cmd := exec.Command(p.python, p.script)
	// The same environment an exec'd `aws` gets from cliEnv, fixed before awscli is
	// imported: it reads AWS_DATA_PATH and the home directory's ~/.aws/models then,
	// so neither the caller's HOME nor its Python variables may leak in.
	home := filepath.Join(workDir, "runner-home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_DATA_PATH=" + modelsDir}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the AWS CLI runner: %w", err)
	}
	return &cliWorker{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}, nil
}

// run executes one CLI call in a runner process.
func (p *cliPool) run(args []string, env []string) (cliResponse, error) {
	w := <-p.idle
	var err error
	if w == nil {
		if w, err = p.start(); err != nil {
			p.idle <- nil
			return cliResponse{}, err
		}
	}
	req := cliRequest{Args: args, Env: map[string]string{}}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		req.Env[k] = v
	}
	line, _ := json.Marshal(req)
	var resp cliResponse
	if _, err = w.in.Write(append(line, '\n')); err == nil {
		var raw []byte
		if raw, err = w.out.ReadBytes('\n'); err == nil {
			err = json.Unmarshal(raw, &resp)
		}
	}
	if err != nil {
		_ = w.cmd.Process.Kill()
		_ = w.cmd.Wait()
		p.idle <- nil
		return cliResponse{}, fmt.Errorf("AWS CLI runner: %w", err)
	}
	p.idle <- w
	return resp, nil
}

// stopAll ends the runner processes.
func (p *cliPool) stopAll() {
	for i := 0; i < cap(p.idle); i++ {
		if w := <-p.idle; w != nil {
			_ = w.in.Close()
			_ = w.cmd.Wait()
		}
	}
}

// execCLI runs the CLI as a process of its own.
func execCLI(args []string, env []string) (stdout, stderr string, err error) {
	cmd := exec.Command(awsBinary, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// TestRunnerMatchesExec proves the runner and a separate `aws` process give the same
// outputs, errors and exit statuses for the same calls.
func TestRunnerMatchesExec(t *testing.T) {
	cli := newCLI(t)
	if runnerPool() == nil {
		t.Skip("the CLI runs as a process per call here; nothing to compare")
	}
	proc := cli.Exec()
	cli.Run("iam", "create-user", "--user-name", "same", "--tags", "Key=k,Value=v")
	viaRunner := cli.Try("iam", "get-user", "--user-name", "same")
	viaExec := proc.Try("iam", "get-user", "--user-name", "same")
	if viaRunner.Raw != viaExec.Raw || (viaRunner.Err == nil) != (viaExec.Err == nil) {
		t.Errorf("get-user differs:\nrunner: %s\nexec:   %s", viaRunner.Raw, viaExec.Raw)
	}
	// --all-users is only in the IAM model the suite carries: both ways must load it.
	carriedRunner := cli.Try("iam", "list-service-specific-credentials", "--all-users")
	carriedExec := proc.Try("iam", "list-service-specific-credentials", "--all-users")
	if carriedRunner.Err != nil || carriedExec.Err != nil || carriedRunner.Raw != carriedExec.Raw {
		t.Errorf("a call of the carried model differs:\nrunner: %v %s%s\nexec:   %v %s%s", carriedRunner.Err, carriedRunner.Raw, carriedRunner.Stderr, carriedExec.Err, carriedExec.Raw, carriedExec.Stderr)
	}
	failRunner := cli.Try("iam", "create-user", "--user-name", "SAME")
	failExec := proc.Try("iam", "create-user", "--user-name", "SAME")
	if failRunner.Code != "EntityAlreadyExists" || failRunner.Code != failExec.Code || failRunner.Message != failExec.Message {
		t.Errorf("errors differ: runner %q %q, exec %q %q", failRunner.Code, failRunner.Message, failExec.Code, failExec.Message)
	}
	usageRunner := cli.Try("iam", "create-user")
	usageExec := proc.Try("iam", "create-user")
	if usageRunner.Err == nil || usageExec.Err == nil || usageRunner.Err.Error() != usageExec.Err.Error() {
		t.Errorf("usage error statuses differ: runner %v, exec %v", usageRunner.Err, usageExec.Err)
	}
}

// TestPythonOfFollowsTheScript pins where the runner's interpreter comes from: the
// CLI script's own shebang, so an absolute one (Debian's /usr/bin/aws) wins over
// whatever python3 comes first on PATH, and an env one resolves as the script would.
func TestPythonOfFollowsTheScript(t *testing.T) {
	dir := t.TempDir()
	decoy := filepath.Join(dir, "python3")
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o700); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("python3", "#!/bin/sh\nexit 1\n")
	t.Setenv("PATH", dir)
	for _, tc := range []struct{ name, script, want string }{
		{"absolute", "#!/usr/bin/python3\nimport awscli\n", "/usr/bin/python3"},
		{"env", "#!/usr/bin/env python3\nimport awscli\n", decoy},
		{"shell", "#!/bin/sh\nexec aws \"$@\"\n", ""},
		{"binary", "\x7fELF\x02\x01\x01", ""},
	} {
		if got := pythonOf(write("aws-"+tc.name, tc.script)); got != tc.want {
			t.Errorf("pythonOf(%s shebang) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := pythonOf(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("pythonOf(missing file) = %q, want \"\"", got)
	}
}
