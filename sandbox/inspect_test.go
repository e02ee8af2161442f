package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// inspectWorld has a verified sender and a user with a password.
const inspectWorld = `
accounts:
  "111111111111":
    ses_identities:
      eu-west-1: [noreply@example.com]
    users:
      - name: alice
        login_profile: {password: "Alice-Pass-1!", password_reset_required: true}
      - name: bob
        login_profile: {password: "Bob-Pass-1!"}
`

func startInspect(t *testing.T) (*Server, string) {
	t.Helper()
	return startSandbox(t, Options{Fixture: writeFixture(t, inspectWorld)})
}

func TestInspectHealth(t *testing.T) {
	t.Parallel()
	_, url := startSandbox(t, Options{StrictAuth: true, StateDir: t.TempDir()})
	var h struct {
		Status     string   `json:"status"`
		Services   []string `json:"services"`
		StrictAuth bool     `json:"strict_auth"`
		Persistent bool     `json:"persistent"`
	}
	inspectJSON(t, http.MethodGet, url+"/_sandbox/health", nil, 200, &h)
	if h.Status != "ok" || !h.StrictAuth || !h.Persistent {
		t.Errorf("health = %+v", h)
	}
	for _, svc := range []string{"iam", "sts", "ses", "sesv2", "secretsmanager", "organizations"} {
		if !slices.Contains(h.Services, svc) {
			t.Errorf("health lists services %v, missing %s", h.Services, svc)
		}
	}
}

func TestInspectResetRestoresTheFixtureWorld(t *testing.T) {
	t.Parallel()
	_, url := startInspect(t)
	ctx := context.Background()
	client := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")}); err != nil {
		t.Fatal(err)
	}
	sendMail(t, url, "someone@example.net")
	inspectJSON(t, http.MethodPost, url+"/_sandbox/reset", nil, 200, nil)

	if _, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("mallory")}); err == nil {
		t.Error("mallory survived the reset")
	}
	if _, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Errorf("the fixture's alice is gone after the reset: %v", err)
	}
	var msgs struct{ Messages []state.Message }
	inspectJSON(t, http.MethodGet, url+"/_sandbox/ses/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 0 {
		t.Errorf("%d messages after the reset", len(msgs.Messages))
	}
	if c := requestCounts(t, url, "111111111111"); c.Total != 2 || c.Mutating != 0 || c.Counts[0].Action != "GetUser" {
		t.Errorf("counters after reset = %+v, want only the GetUser calls made since", c)
	}
}

func TestInspectState(t *testing.T) {
	t.Parallel()
	_, url := startInspect(t)
	w := NewWorld()
	resp, err := http.Get(url + "/_sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(w); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("state does not decode as a world: %v (%s)", err, resp.Header.Get("Content-Type"))
	}
	if _, ok := iamstate.Of(w.Accounts["111111111111"]).Users.Get("alice"); !ok {
		t.Error("state has no alice")
	}
}

// sendMail sends one message from the fixture's verified sender through SES v1.
func sendMail(t *testing.T, url, to string) {
	t.Helper()
	_, err := ses.NewFromConfig(sdkConfig(url, "111111111111", "s", "")).SendEmail(context.Background(), &ses.SendEmailInput{
		Source:      aws.String("noreply@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{to}},
		Message: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("hello " + to)},
			Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("hi")}}},
	})
	if err != nil {
		t.Fatalf("sending mail to %s: %v", to, err)
	}
}

func TestInspectRequests(t *testing.T) {
	t.Parallel()
	_, url := startInspect(t)
	ctx := context.Background()
	a := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	b := iam.NewFromConfig(sdkConfig(url, "222222222222", "s", ""))
	_, _ = a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	_, _ = a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")}) // EntityAlreadyExists
	_, _ = b.ListUsers(ctx, &iam.ListUsersInput{})
	sendMail(t, url, "c@example.com")
	var all, onlyA, onlySES RequestCounts
	inspectJSON(t, http.MethodGet, url+"/_sandbox/requests", nil, 200, &all)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/requests?account=111111111111&service=iam", nil, 200, &onlyA)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/requests?service=ses", nil, 200, &onlySES)
	if all.Total != 4 || all.Mutating != 3 || all.Errors != 1 {
		t.Errorf("all = %+v, want 4 requests, 3 mutating, 1 error", all)
	}
	if onlyA.Total != 2 || len(onlyA.Counts) != 1 || onlyA.Counts[0].Action != "CreateUser" || onlyA.Counts[0].Errors != 1 {
		t.Errorf("account+service filter = %+v", onlyA)
	}
	if onlySES.Total != 1 || onlySES.Counts[0].Action != "SendEmail" || !onlySES.Counts[0].Mutating {
		t.Errorf("service filter = %+v", onlySES)
	}
	inspectJSON(t, http.MethodDelete, url+"/_sandbox/requests", nil, 200, nil)
	if c := requestCounts(t, url, ""); c.Total != 0 {
		t.Errorf("after DELETE: %+v", c)
	}
}

func TestInspectLoadFixture(t *testing.T) {
	t.Parallel()
	_, url := startInspect(t)
	inspectJSON(t, http.MethodPost, url+"/_sandbox/fixture", "accounts:\n  \"111111111111\":\n    users: [{name: dave}]\n", 200, nil)
	if _, err := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", "")).GetUser(context.Background(),
		&iam.GetUserInput{UserName: aws.String("dave")}); err != nil {
		t.Errorf("dave from the posted fixture: %v", err)
	}
	var e map[string]string
	inspectJSON(t, http.MethodPost, url+"/_sandbox/fixture", "accounts:\n  \"111111111111\":\n    users: [{name: alice}]\n", 400, &e)
	if !strings.Contains(e["error"], "request body:3: user alice already exists") {
		t.Errorf("duplicate user error = %q", e["error"])
	}
	inspectJSON(t, http.MethodPost, url+"/_sandbox/reset", nil, 200, nil)
	if _, err := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", "")).GetUser(context.Background(),
		&iam.GetUserInput{UserName: aws.String("dave")}); err == nil {
		t.Error("reset kept dave: a posted fixture must not become the reset point")
	}
}

func TestInspectUnknownEndpoint(t *testing.T) {
	t.Parallel()
	_, url := startInspect(t)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/nothing", nil, 404, nil)
	inspectJSON(t, http.MethodGet, url+"/_sandbox/reset", nil, 404, nil)
	inspectJSON(t, http.MethodPatch, url+"/_sandbox/requests", nil, 405, nil)
}
