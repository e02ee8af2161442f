package sandbox

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/gatehouse/gatehouse"

// forbiddenDeps returns the gatehouse packages outside sandbox/ that a package
// depends on. The sandbox is an independent oracle (DESIGN.md): sharing code
// with gatehouse's lifecycle packages would hide the bugs it is there to catch.
func forbiddenDeps(deps []string) []string {
	var bad []string
	for _, d := range deps {
		d, _, _ = strings.Cut(d, " [")
		d = strings.TrimSuffix(strings.TrimSuffix(d, ".test"), "_test")
		if d == module || (strings.HasPrefix(d, module+"/") && !isSandbox(d)) {
			bad = append(bad, d)
		}
	}
	return bad
}

func isSandbox(path string) bool {
	return path == module+"/sandbox" || strings.HasPrefix(path, module+"/sandbox/")
}

func TestSandboxImportsNoGatehousePackages(t *testing.T) {
	t.Parallel()
	// Every package under sandbox/, with its tests, and everything it depends on.
	out, err := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 8 {
		t.Fatalf("go list found only %d packages under sandbox/:\n%s", len(lines), out)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		if bad := forbiddenDeps(fields[1:]); len(bad) > 0 {
			t.Errorf("%s depends on %s; the sandbox must not import gatehouse's own packages", fields[0], strings.Join(bad, ", "))
		}
	}
}

func TestForbiddenDepsCatchesLifecyclePackages(t *testing.T) {
	t.Parallel()
	deps := []string{
		"fmt", module + "/sandbox/iam", module + "/sandbox/state [" + module + "/sandbox/state.test]",
		module + "/sandbox_test [" + module + "/sandbox.test]",
		module + "/internal/password", module + "/internal/cli [" + module + "/sandbox.test]", module + "/cmd/gatehouse",
		"github.com/gatehouse/gatehouse-other/x", module + "/sandboxes",
	}
	got := strings.Join(forbiddenDeps(deps), ",")
	want := module + "/internal/password," + module + "/internal/cli," + module + "/cmd/gatehouse," + module + "/sandboxes"
	if got != want {
		t.Errorf("forbiddenDeps = %s\nwant %s", got, want)
	}
}
