package identitystore_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
)

// seedPayload is what seed 004's Okta Workflows flow sends its Lambda: the
// Okta user name (an e-mail address), names, and the e-mail list with
// Primary always true.
const seedPayload = `{"UserName": "taro.yamada@example.com", "DisplayName": "山田 太郎", "GivenName": "太郎", "FamilyName": "山田",
  "Emails": [{"Value": "taro.yamada@example.com", "Primary": true}]}`

// TestSeed004HandlerCreatesItsUser runs seed 004's own Python handler, with
// boto3, against the sandbox, as its Lambda runs against AWS, and checks the
// user it made through the Go SDK. Run again it fails, as the seed does: it
// only creates.
func TestSeed004HandlerCreatesItsUser(t *testing.T) {
	python := pythonWithBoto3(t)
	sb, c := newStore(t, mgmt)

	result := invokeSeedHandler(t, python, sb.URL)
	if result.StatusCode != 200 {
		t.Fatalf("the handler answered %d: %s", result.StatusCode, result.Body)
	}
	id := regexp.MustCompile(`User ID: (\S+)$`).FindStringSubmatch(result.Body)
	if id == nil {
		t.Fatalf("body = %q, want the user ID", result.Body)
	}
	u, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id[1])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.UserName) != "taro.yamada@example.com" || aws.ToString(u.DisplayName) != "山田 太郎" ||
		aws.ToString(u.Name.GivenName) != "太郎" || aws.ToString(u.Name.FamilyName) != "山田" ||
		len(u.Emails) != 1 || aws.ToString(u.Emails[0].Value) != "taro.yamada@example.com" || !u.Emails[0].Primary {
		t.Errorf("the user the handler made = %+v %+v %+v", u, u.Name, u.Emails)
	}
	if again := invokeSeedHandler(t, python, sb.URL); again.StatusCode != 500 || !strings.Contains(again.Body, "ConflictException") {
		t.Errorf("second run = %+v, want the seed's 500 with the ConflictException", again)
	}
}

type lambdaResult struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}

// invokeSeedHandler runs the handler once with the seed's payload and the
// environment its Lambda has, pointed at the sandbox.
func invokeSeedHandler(t *testing.T, python, endpoint string) lambdaResult {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(python, filepath.Join("testdata", "invoke_lambda.py"), filepath.Join("testdata", "seed004_handler.py"))
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PYTHONIOENCODING=utf-8",
		"AWS_ENDPOINT_URL=" + endpoint, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + mgmt, "AWS_SECRET_ACCESS_KEY=sandbox-secret",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"IDENTITY_CENTER_INSTANCE_ID=" + storeID,
	}
	cmd.Stdin = strings.NewReader(seedPayload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running seed 004's handler: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var result lambdaResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil {
		t.Fatalf("reading the handler's result: %v\n%s", err, stdout.String())
	}
	return result
}

// pythonWithBoto3 returns a Python interpreter that imports boto3 — the
// python3 on PATH, else one of pyenv's — resolved to the interpreter itself
// (not a shim), or skips the test with one line saying so.
func pythonWithBoto3(t *testing.T) string {
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
	t.Skipf("skipping seed 004's handler: no python3 that imports boto3 (tried %s)", strings.Join(candidates, ", "))
	return ""
}
