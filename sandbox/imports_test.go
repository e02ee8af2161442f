package sandbox

import (
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
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
	listed := map[string]bool{}
	for _, line := range lines {
		listed[strings.Fields(line)[0]] = true
	}
	// A package go list leaves out (a nested module, a build tag) would not
	// be checked: every directory of Go files must be listed.
	for _, dir := range goPackageDirs(t) {
		if path := module + "/sandbox" + dir; !listed[path] {
			t.Errorf("%s is not among the packages checked", path)
		}
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

// goPackageDirs lists the directories under sandbox/ that hold Go files, as
// "" for sandbox/ itself and "/iam/iamstate" for the others.
func goPackageDirs(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	var dirs []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || (d.IsDir() && d.Name() == "testdata") {
			if err == nil {
				err = filepath.SkipDir
			}
			return err
		}
		if dir := filepath.ToSlash(filepath.Dir(p)); strings.HasSuffix(p, ".go") && !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, strings.TrimPrefix("/"+dir, "/."))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestSandboxLayers keeps the dependency direction that lets services use
// each other's data without import cycles (docs/sandbox.md, "Adding a
// service"): state imports no other sandbox package; awsproto, fixture and a
// service's data package (iam/iamstate) import only state; a service imports
// those, package service and other services' data packages, never another
// service's operations or the server.
func TestSandboxLayers(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module+"/sandbox")
		for _, dep := range fields[1:] {
			if rel, ok := strings.CutPrefix(dep, module+"/sandbox/"); ok && !layerAllows(strings.TrimPrefix(pkg, "/"), rel) {
				t.Errorf("sandbox%s imports sandbox/%s, which its layer may not", pkg, rel)
			}
		}
	}
}

// layerAllows reports whether the sandbox package pkg ("iam", "iam/iamstate",
// "" for the server) may import the sandbox package dep.
func layerAllows(pkg, dep string) bool {
	isData := func(p string) bool { return strings.Contains(p, "/") && strings.HasSuffix(p, "state") }
	switch {
	case pkg == "" || pkg == "sandboxtest" || pkg == "conformance" || pkg == "differential":
		return true // the server and the suites see everything
	case pkg == "state":
		return false
	case pkg == "awsproto" || pkg == "fixture" || isData(pkg):
		return dep == "state"
	case pkg == "service":
		return dep == "state" || dep == "awsproto" || dep == "fixture"
	}
	// A service package.
	return dep == "state" || dep == "awsproto" || dep == "fixture" || dep == "service" || isData(dep) || path.Dir(dep) == pkg
}

func TestLayerAllows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pkg, dep string
		want     bool
	}{
		{"sts", "iam/iamstate", true},
		{"sts", "iam", false},
		{"organizations", "organizations/orgstate", true},
		{"iam", "sandboxtest", false},
		{"iam/iamstate", "state", true},
		{"iam/iamstate", "organizations/orgstate", false},
		{"state", "awsproto", false},
		{"fixture", "awsproto", false},
		{"service", "fixture", true},
		{"", "iam", true},
	} {
		if got := layerAllows(tc.pkg, tc.dep); got != tc.want {
			t.Errorf("layerAllows(%q, %q) = %v, want %v", tc.pkg, tc.dep, got, tc.want)
		}
	}
}
