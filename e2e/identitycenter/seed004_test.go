package identitycenter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// seedPayload is what seed 004's Okta Workflows flow sends its Lambda: the
// Okta user name (an e-mail address), names, and the e-mail list with
// Primary always true.
const seedPayload = `{"UserName": "taro.yamada@example.com", "DisplayName": "山田 太郎", "GivenName": "太郎", "FamilyName": "山田",
  "Emails": [{"Value": "taro.yamada@example.com", "Primary": true}]}`

// handlerDir holds seed 004's own Lambda handler and the script that
// invokes it as the Lambda runtime does.
const handlerDir = "../../sandbox/identitystore/testdata"

// Seed 004's payload, given to gatehouse onboard -f as it is, provisions the
// user the seed's own Python handler (boto3, run against another sandbox)
// provisions: the same user name, display name, given and family names,
// e-mail address and primary flag.
func TestSeed004PayloadProvisionsTheHandlersUser(t *testing.T) {
	t.Parallel()
	python := harness.PythonWithBoto3(t)
	dir := t.TempDir()
	theirs := startSandbox(t, filepath.Join(mkdir(t, dir, "theirs")))
	ours := startSandbox(t, filepath.Join(mkdir(t, dir, "ours")))

	runHandler(t, python, theirs.URL)
	payload := filepath.Join(dir, "okta.json")
	if err := os.WriteFile(payload, []byte(seedPayload), 0o600); err != nil {
		t.Fatal(err)
	}
	gh := newGatehouse(t, filepath.Join(dir, "home"))
	run := gh.MustRun(t, 0, "onboard", "-f", payload, "--journal", filepath.Join(dir, "journal.db"), "--endpoint-url", ours.URL)
	if !strings.Contains(run.Stdout, "1 created") {
		t.Fatalf("gatehouse onboard -f okta.json:\n%s\n%s", run.Stdout, run.Stderr)
	}

	want, got := describe(t, theirs, "taro.yamada@example.com"), describe(t, ours, "taro.yamada@example.com")
	if want != got {
		t.Errorf("gatehouse provisioned\n  %+v\nthe seed's handler\n  %+v", got, want)
	}
}

// provisioned is what seed 004's handler sets on a user.
type provisioned struct {
	UserName, DisplayName, GivenName, FamilyName string
	Email                                        string
	Primary                                      bool
	Emails                                       int
}

func describe(t *testing.T, s *sandbox, name string) provisioned {
	t.Helper()
	u, err := s.ids.DescribeUser(context.Background(), &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(s.userID(t, name))})
	if err != nil {
		t.Fatal(err)
	}
	p := provisioned{UserName: aws.ToString(u.UserName), DisplayName: aws.ToString(u.DisplayName), Emails: len(u.Emails)}
	if u.Name != nil {
		p.GivenName, p.FamilyName = aws.ToString(u.Name.GivenName), aws.ToString(u.Name.FamilyName)
	}
	if len(u.Emails) > 0 {
		p.Email, p.Primary = aws.ToString(u.Emails[0].Value), u.Emails[0].Primary
	}
	return p
}

// runHandler runs seed 004's handler once with the payload and the
// environment its Lambda has, pointed at endpoint.
func runHandler(t *testing.T, python, endpoint string) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(python, filepath.Join(handlerDir, "invoke_lambda.py"), filepath.Join(handlerDir, "seed004_handler.py"))
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "PYTHONIOENCODING=utf-8",
		"AWS_ENDPOINT_URL=" + endpoint, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + management, "AWS_SECRET_ACCESS_KEY=sandbox-secret",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "IDENTITY_CENTER_INSTANCE_ID=" + storeID,
	}
	cmd.Stdin = strings.NewReader(seedPayload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running seed 004's handler: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var result struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil || result.StatusCode != 200 {
		t.Fatalf("seed 004's handler: %v %+v\n%s", err, result, stdout.String())
	}
}

func mkdir(t *testing.T, parent, name string) string {
	t.Helper()
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}
