// Package harness is what the end-to-end suites share: the gatehouse binary,
// built once per test binary; `gatehouse sandbox serve` as a subprocess; and
// gatehouse runs in a clean environment, to the end or killed with SIGKILL.
package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Build builds cmd/gatehouse into a new temporary directory named after
// prefix, returning the binary's path and a function that removes the
// directory. The compiler's output goes to standard error.
func Build(prefix string) (string, func(), error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	binary := filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", binary, "github.com/gatehouse/gatehouse/cmd/gatehouse")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("building gatehouse: %w", err)
	}
	return binary, cleanup, nil
}
