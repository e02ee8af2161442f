package events_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

const (
	mgmt   = "111111111111"
	member = "222222222222"
)

// world is an organisation whose member trusts the management account, with
// the groups the watcher's rules use and a verified sender.
const world = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Member, email: x@example.com}
accounts:
  "111111111111":
    ses_identities: {us-east-1: [it@example.com]}
  "222222222222":
    groups: [{name: staff}, {name: developers}]
    roles:
      - name: OrganizationAccountAccessRole
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`

// watchConfig completes users by the rules; users under /broken/ need a
// group that does not exist, so completing them fails.
const watchConfig = `
role: {name: OrganizationAccountAccessRole}
delivery: {channel: ses, from: it@example.com}
defaults: {groups: [staff]}
events:
  rules:
    - match: {path: /engineering/}
      groups: [developers]
    - match: {path: /broken/}
      groups: [no-such-group]
`

// env is a sandbox subprocess with the world, and the files a watcher needs.
type env struct {
	sb     *harness.Sandbox
	dir    string
	config string
	iam    *iam.Client
}

func newEnv(t *testing.T, flags ...string) *env {
	t.Helper()
	return newEnvWith(t, world, watchConfig, flags...)
}

// newEnvWith starts a sandbox with the fixture and writes the watcher's
// configuration (world and watchConfig are newEnv's).
func newEnvWith(t *testing.T, fixtureText, configText string, flags ...string) *env {
	t.Helper()
	dir := t.TempDir()
	fixture := filepath.Join(dir, "world.yaml")
	config := filepath.Join(dir, "watch.yaml")
	for path, text := range map[string]string{fixture: fixtureText, config: configText} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sb := harness.StartSandbox(t, binary, fixture, filepath.Join(dir, "sandbox.log"), flags...)
	api := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(sb.URL),
		Credentials: credentials.NewStaticCredentialsProvider(member, "x", "")})
	return &env{sb: sb, dir: dir, config: config, iam: api}
}

// gatehouse is the binary with the management account's credentials, the
// sandbox as its endpoint and the watcher's configuration.
func (e *env) gatehouse(t *testing.T, extra ...string) *harness.Gatehouse {
	t.Helper()
	g := harness.NewGatehouse(t, binary, filepath.Join(e.dir, "home"), mgmt)
	g.Env = append(g.Env, "AWS_ENDPOINT_URL="+e.sb.URL, "GATEHOUSE_CONFIG="+e.config,
		"GATEHOUSE_JOURNAL="+filepath.Join(e.dir, "journal.db"))
	g.Env = append(g.Env, extra...)
	return g
}

func (e *env) createUser(t *testing.T, name, path string) {
	t.Helper()
	if _, err := e.iam.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)}); err != nil {
		t.Fatal(err)
	}
}

// record is the CloudTrail record of a CreateUser call, as EventBridge delivers it.
func record(id, user, path string) map[string]any {
	return map[string]any{"version": "0", "id": "eb-" + id, "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
		"account": member, "time": "2026-12-05T10:00:00Z", "region": "us-east-1", "resources": []string{},
		"detail": map[string]any{"eventVersion": "1.08", "eventID": id, "eventName": "CreateUser", "eventSource": "iam.amazonaws.com",
			"awsRegion": "us-east-1", "recipientAccountId": member, "readOnly": false, "eventType": "AwsApiCall",
			"userIdentity":      map[string]string{"type": "AssumedRole", "arn": "arn:aws:sts::222222222222:assumed-role/terraform/ci"},
			"requestParameters": map[string]any{"userName": user, "path": path}}}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mailTo counts the mail the sandbox sent to address.
func (e *env) mailTo(t *testing.T, address string) int {
	t.Helper()
	var out struct {
		Messages []struct {
			Destinations []string `json:"destinations"`
		} `json:"messages"`
	}
	e.sb.Inspect(t, "GET", "ses/messages", nil, &out)
	n := 0
	for _, m := range out.Messages {
		for _, d := range m.Destinations {
			if strings.EqualFold(d, address) {
				n++
			}
		}
	}
	return n
}
