package sandboxtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// AWSCLI finds the AWS CLI v2 — an independent client of the sandbox. pyenv
// may put a v1 first on PATH, so each candidate's --version decides. Without
// one the test is skipped, visibly; in CI it fails: Debian's awscli is
// installed there.
func AWSCLI(tb testing.TB) string {
	tb.Helper()
	if bin := findAWSCLI(); bin != "" {
		return bin
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("the AWS CLI v2 is required in CI (install Debian's awscli package)")
	}
	tb.Skip("SKIP: no AWS CLI v2 on PATH or in /usr/bin (Debian's awscli package)")
	return ""
}

// findAWSCLI looks once per process: each --version costs a second.
var findAWSCLI = sync.OnceValue(func() string {
	for _, dir := range append([]string{"/usr/bin", "/usr/local/bin"}, filepath.SplitList(os.Getenv("PATH"))...) {
		bin := filepath.Join(dir, "aws")
		if out, err := exec.Command(bin, "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return bin
		}
	}
	return ""
})

// CLI runs the AWS CLI v2 against the sandbox as the root of account and
// returns its output; a failure fails the test.
func (s *Sandbox) CLI(tb testing.TB, account string, args ...string) string {
	tb.Helper()
	bin := AWSCLI(tb)
	home := tb.TempDir()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", s.URL, "--output", "json", "--no-cli-pager"}, args...)...)
	cmd.Env = []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=" + account, "AWS_SECRET_ACCESS_KEY=sandbox-secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
