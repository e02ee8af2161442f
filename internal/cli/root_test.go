package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/logtest"
)

// lockedBuffer is a buffer safe for a writer goroutine and a reading test.
type lockedBuffer = logtest.Buffer

func testIO() (*IO, *bytes.Buffer, *bytes.Buffer) {
	out, errb := &bytes.Buffer{}, &bytes.Buffer{}
	// No environment: a developer's GATEHOUSE_* variables must not leak into tests.
	return &IO{In: strings.NewReader(""), Out: out, Err: errb, Getenv: func(string) string { return "" }}, out, errb
}

func TestMainExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
		err  string
	}{
		{"version", []string{"version"}, ExitOK, ""},
		{"unknown command", []string{"frobnicate"}, ExitUsage, "unknown command"},
		{"unknown flag", []string{"sandbox", "serve", "--nope"}, ExitUsage, "unknown flag"},
		{"bad duration", []string{"sandbox", "serve", "--latency", "soon"}, ExitUsage, "invalid argument"},
		{"extra args", []string{"version", "x"}, ExitUsage, "unknown command"},
		{"bad fault rate", []string{"sandbox", "serve", "--error-rate", "2", "--addr", "127.0.0.1:0"}, ExitUsage, "between 0 and 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, errb := testIO()
			if got := Main(context.Background(), streams, tt.args); got != tt.want {
				t.Errorf("exit code = %d, want %d (stderr %q)", got, tt.want, errb.String())
			}
			if !strings.Contains(errb.String(), tt.err) {
				t.Errorf("stderr = %q, want it to contain %q", errb.String(), tt.err)
			}
		})
	}
}

func TestVersionPrintsVersion(t *testing.T) {
	t.Parallel()
	streams, out, _ := testIO()
	if err := runVersion(&VersionOptions{IO: streams}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "gatehouse "+Version) {
		t.Errorf("version output = %q", out.String())
	}
}

func TestSandboxServeFlags(t *testing.T) {
	t.Parallel()
	streams, _, _ := testIO()
	var got *SandboxServeOptions
	cmd := NewCmdSandboxServe(streams, func(_ context.Context, o *SandboxServeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--addr", "127.0.0.1:9999", "--state", "/tmp/s", "--fixture", "w.yaml", "--strict-auth",
		"--latency", "50ms", "--jitter", "5ms", "--rate-limit", "20", "--burst", "5", "--throttle-rate", "0.2",
		"--error-rate", "0.03", "--seed", "7"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := SandboxServeOptions{IO: streams, Addr: "127.0.0.1:9999", StateDir: "/tmp/s", Fixture: "w.yaml", StrictAuth: true,
		Latency: 50 * time.Millisecond, Jitter: 5 * time.Millisecond, RateLimit: 20, Burst: 5, Throttle: 0.2, ErrorRate: 0.03, Seed: 7}
	if *got != want {
		t.Errorf("options = %+v, want %+v", *got, want)
	}
}

func TestSandboxServeStopsOnCancel(t *testing.T) {
	t.Parallel()
	errb := &lockedBuffer{}
	streams := &IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: errb}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runSandboxServe(ctx, &SandboxServeOptions{IO: streams, Addr: "127.0.0.1:0"}) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if !strings.Contains(errb.String(), "sandbox stopped") {
		t.Errorf("stderr = %q, want the stop notice", errb.String())
	}
}
