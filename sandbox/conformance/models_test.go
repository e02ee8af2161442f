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

	"github.com/gatehouse/gatehouse/sandbox/iam"
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

// TestModelsCoverSandbox names a supported IAM action that the carried model lacks,
// so adding one says which file to refresh instead of failing on "invalid choice".
func TestModelsCoverSandbox(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(modelsDir, "iam", "2010-05-08", "service-2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var model struct{ Operations map[string]json.RawMessage }
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatalf("decoding the carried IAM model: %v", err)
	}
	for action := range iam.Service().APIs[0].Operations {
		if _, ok := model.Operations[action]; !ok {
			t.Errorf("the sandbox supports IAM %s but %s/iam/2010-05-08/service-2.json.gz lacks it: refresh it from a current botocore (see its README.md)", action, modelsSource)
		}
	}
}
