package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/cli"
)

// crashEnv makes the test binary, run again by TestCrashNeverExitsTwo, crash
// in the way it names instead of running the tests.
const crashEnv = "GATEHOUSE_TEST_CRASH"

func TestMain(m *testing.M) {
	switch os.Getenv(crashEnv) {
	case "":
		os.Exit(m.Run())
	case "panic":
		prepareForCrash()
		os.Exit(run(func(context.Context, *cli.IO, []string) int { panic("a bug in a command") }))
	case "goroutine":
		prepareForCrash()
		os.Exit(run(func(context.Context, *cli.IO, []string) int {
			go func() { panic("a bug in a worker") }()
			time.Sleep(time.Minute)
			return cli.ExitOK
		}))
	case "fatal":
		// A Go runtime fatal error, like running out of memory: not a
		// panic, and never recoverable.
		prepareForCrash()
		os.Exit(run(func(context.Context, *cli.IO, []string) int {
			debug.SetMaxStack(1 << 20)
			return recurse(0)
		}))
	}
	os.Exit(99)
}

func recurse(n int) int {
	var pad [512]byte
	return recurse(n+int(pad[n%512])) + 1
}

// Exit code 2 means "bad input, nothing was changed". A crash must never say
// that: a panic in the command exits 70 with a message that says it is a
// bug; a panic in another goroutine, or a fatal error of the Go runtime,
// which cannot be recovered, ends the process with SIGABRT (and no core
// file, which would hold passwords).
func TestCrashNeverExitsTwo(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("exit by signal is Unix's")
	}
	for _, tt := range []struct {
		crash  string
		code   int            // want this exit code, or
		signal syscall.Signal // this signal
		want   string
	}{
		{"panic", 70, 0, "gatehouse: internal error"},
		{"goroutine", 0, syscall.SIGABRT, "a bug in a worker"},
		{"fatal", 0, syscall.SIGABRT, "stack overflow"},
	} {
		t.Run(tt.crash, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), crashEnv+"="+tt.crash, "GOTRACEBACK=single")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the crash ended with %v:\n%s", err, out)
			}
			status := exit.Sys().(syscall.WaitStatus)
			switch {
			case status.Exited() && status.ExitStatus() == cli.ExitUsage:
				t.Fatalf("a crash exited %d, the bad-input code:\n%.2000s", cli.ExitUsage, out)
			case tt.code != 0 && (!status.Exited() || status.ExitStatus() != tt.code):
				t.Errorf("exit status %v, want exit code %d", status, tt.code)
			case tt.signal != 0 && (!status.Signaled() || status.Signal() != tt.signal):
				t.Errorf("exit status %v, want signal %v", status, tt.signal)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("the output lacks %q:\n%.2000s", tt.want, out)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("the crash left %s in its working directory (a core file holds passwords)", entries[0].Name())
			}
		})
	}
}
