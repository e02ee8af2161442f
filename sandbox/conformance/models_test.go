package conformance

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
)

// modelsSource holds the service models the suite carries (see its README.md):
// the AWS CLI v2 a machine has may be older than the actions the sandbox supports.
const modelsSource = "testdata/models"

// modelsDir is where installModels unpacked them; the CLI finds them through
// AWS_DATA_PATH, which botocore searches before its own data.
var modelsDir string

// installModels unpacks testdata/models into dir/models as plain .json files, the
// only form older CLIs' loaders read, and returns that directory.
func installModels(dir string) (string, error) {
	dest := filepath.Join(dir, "models")
	err := filepath.WalkDir(modelsSource, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json.gz") {
			return err
		}
		rel, err := filepath.Rel(modelsSource, strings.TrimSuffix(path, ".gz"))
		if err != nil {
			return err
		}
		return gunzipFile(path, filepath.Join(dest, rel))
	})
	if err != nil {
		return "", fmt.Errorf("installing the service models from %s: %w", modelsSource, err)
	}
	return dest, nil
}

func gunzipFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return fmt.Errorf("unpacking %s: %w", src, err)
	}
	return out.Close()
}

// TestModelsCoverSandbox names a supported action that a carried model lacks,
// so adding one says which file to refresh instead of failing on "invalid
// choice". Every API the suite carries a model for is checked.
func TestModelsCoverSandbox(t *testing.T) {
	t.Parallel()
	carried := 0
	for _, svc := range sandbox.Services() {
		for _, api := range svc.APIs {
			versions, _ := filepath.Glob(filepath.Join(modelsDir, api.ID, "*", "service-2.json"))
			for _, path := range versions {
				carried++
				checkModelCovers(t, path, api.Operations)
			}
		}
	}
	if carried < 3 {
		t.Errorf("found %d carried models, want iam, identitystore and sso-admin", carried)
	}
}

func checkModelCovers[T any](t *testing.T, path string, operations map[string]T) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var model struct{ Operations map[string]json.RawMessage }
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatalf("decoding the carried model %s: %v", path, err)
	}
	rel, _ := filepath.Rel(modelsDir, path)
	for action := range operations {
		if _, ok := model.Operations[action]; !ok {
			t.Errorf("the sandbox supports %s but %s/%s.gz lacks it: refresh it from a current botocore (see its README.md)", action, modelsSource, rel)
		}
	}
}
