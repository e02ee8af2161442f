package onboard_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// Resources: onboarding many people holds a bounded number of open files —
// connections to AWS among them — not one per person and account. gatehouse
// onboards 150 people into three accounts (450 (person, account) pairs, 16 at
// a time) while its open file descriptors are sampled from /proc: with
// --concurrency 16 there is no need for more than a few dozen (16 requests in
// flight, the journal's files, standard streams). One connection kept per
// pair would exhaust a shell's `ulimit -n` of 256 (macOS's default) in a
// few hundred pairs, failing the rest with "socket: too many open files".
func TestOpenFilesStayBounded(t *testing.T) {
	requireOnboard(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/PID/fd: Linux only")
	}
	t.Parallel()
	dir := t.TempDir()
	sb := startSandbox(t, writeFixture(t, dir), filepath.Join(dir, "sandbox.log"))
	specPath, people := writeSpec(t, dir, "team.yaml", 0, 150, "ses")
	gh := newGatehouse(t, filepath.Join(dir, "home"))

	const concurrency, most = 16, 80
	cmd := exec.Command(binary, "onboard", "-f", specPath, "--journal", filepath.Join(dir, "journal.db"),
		"--endpoint-url", sb.URL, "--concurrency", strconv.Itoa(concurrency), "--rate-limit", "2000")
	cmd.Env = gh.Env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		fds := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "fd")
		for {
			if entries, err := os.ReadDir(fds); err == nil && int64(len(entries)) > peak.Load() {
				peak.Store(int64(len(entries)))
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-sampled
	if err != nil {
		t.Fatalf("gatehouse onboard: %v; the report and log end:\n%s", err, harness.Tail(out.String(), 15))
	}
	t.Logf("%d (person, account) pairs, --concurrency %d: at most %d open files", len(people)*len(members), concurrency, peak.Load())
	if peak.Load() > most {
		t.Errorf("gatehouse had %d files open at once, want at most %d: it keeps a connection (an HTTP transport) per (person, account) pair", peak.Load(), most)
	}
	checkUsersExistOnce(t, sb, people)
}
