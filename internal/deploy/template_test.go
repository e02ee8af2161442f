package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The template passes cfn-lint, CloudFormation's own linter, both forms.
// Where cfn-lint is not installed the test says so in one line and skips.
func TestTemplatePassesCfnLint(t *testing.T) {
	t.Parallel()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH (pip install cfn-lint): the template's lint is not checked")
	}
	for _, opts := range []Options{{}, {Worker: true}, {Architecture: "x86_64"}} {
		body, err := Template(opts)
		if err != nil {
			t.Fatal(err)
		}
		var parsed map[string]any
		if err := json.Unmarshal(body, &parsed); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		path := filepath.Join(t.TempDir(), "gatehouse.json")
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(lint, "--regions", "us-east-1", "--", path).CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint %+v: %v\n%s", opts, err, out)
		}
	}
}

func TestTemplateRefusesUnknownArchitecture(t *testing.T) {
	t.Parallel()
	if _, err := Template(Options{Architecture: "sparc"}); err == nil {
		t.Error("want an error for an unknown architecture")
	}
}
