package harness

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// PythonWithBoto3 returns a Python interpreter that imports boto3 — the
// python3 on PATH, else one of pyenv's — resolved to the interpreter itself
// (not a shim). Without one the test is skipped with one line saying so; in
// CI (CI set) it fails: .ci/run installs Debian's python3-boto3.
func PythonWithBoto3(t *testing.T) string {
	t.Helper()
	candidates := []string{"python3"}
	if home, err := os.UserHomeDir(); err == nil {
		found, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", "*", "bin", "python3"))
		sort.Sort(sort.Reverse(sort.StringSlice(found)))
		candidates = append(candidates, found...)
	}
	for _, c := range candidates {
		out, err := exec.Command(c, "-c", "import sys, boto3; print(sys.executable)").Output()
		if exe := strings.TrimSpace(string(out)); err == nil && exe != "" {
			return exe
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("no python3 that imports boto3 (tried %s): CI installs Debian's python3-boto3", strings.Join(candidates, ", "))
	}
	t.Skipf("SKIP: no python3 that imports boto3 (tried %s)", strings.Join(candidates, ", "))
	return ""
}
