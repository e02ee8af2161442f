package conformance

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const exampleWorld = "../../examples/sandbox/world.yaml"

// getJSON decodes GET /_sandbox/PATH into v, failing unless it answers 200.
func getJSON(t *testing.T, srv *server, path string, v any) {
	t.Helper()
	sandboxCall(t, srv, http.MethodGet, path, nil, http.StatusOK, v)
}

// sandboxCall sends a JSON body (or none) to an inspection endpoint.
func sandboxCall(t *testing.T, srv *server, method, path string, body any, status int, v any) {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	url := srv.url + "/_sandbox/" + path
	resp, err := srv.inspect(method, path, b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != status {
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("%s %s: %s %v, want %d", method, url, resp.Status, e, status)
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("decoding %s: %v", url, err)
		}
	}
}

// anonymousStatus is the status of GET /_sandbox/PATH sent without a token.
func anonymousStatus(t *testing.T, srv *server, path string) int {
	t.Helper()
	resp, err := http.Get(srv.url + "/_sandbox/" + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// exampleCLI signs as an account root of the example world with its secret.
func exampleCLI(t *testing.T, srv *server, account, secret string) *CLI {
	t.Helper()
	return newCLIFor(t, srv, account).WithEnv("AWS_SECRET_ACCESS_KEY=" + secret)
}

func TestExampleWorldEndToEnd(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--strict-auth", "--fixture", exampleWorld)
	defer srv.stop()
	mgmt := exampleCLI(t, srv, "111111111111", "management-root-secret")

	if out := mgmt.Run("organizations", "list-accounts"); length(out, "Accounts") != 3 {
		t.Errorf("list-accounts = %v, want 3 accounts", out)
	}
	creds := mgmt.Run("sts", "assume-role", "--role-arn", "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", "--role-session-name", "gatehouse")
	member := mgmt.WithEnv("AWS_ACCESS_KEY_ID="+str(creds, "Credentials", "AccessKeyId"),
		"AWS_SECRET_ACCESS_KEY="+str(creds, "Credentials", "SecretAccessKey"), "AWS_SESSION_TOKEN="+str(creds, "Credentials", "SessionToken"))
	if out := member.Run("iam", "list-account-aliases"); str(out, "AccountAliases", 0) != "example-production" {
		t.Errorf("member alias = %v", out)
	}
	for _, c := range []struct {
		args  []string
		field string
		want  int
	}{
		{[]string{"iam", "list-access-keys", "--user-name", "alice"}, "AccessKeyMetadata", 2},
		{[]string{"iam", "list-ssh-public-keys", "--user-name", "alice"}, "SSHPublicKeys", 1},
		{[]string{"iam", "list-signing-certificates", "--user-name", "alice"}, "Certificates", 1},
		{[]string{"iam", "list-service-specific-credentials", "--user-name", "alice"}, "ServiceSpecificCredentials", 2},
		{[]string{"iam", "list-groups-for-user", "--user-name", "alice"}, "Groups", 2},
		{[]string{"iam", "list-mfa-devices", "--user-name", "alice"}, "MFADevices", 3},
	} {
		if out := member.Run(c.args...); length(out, c.field) != c.want {
			t.Errorf("%s: %d %s, want %d", strings.Join(c.args, " "), length(out, c.field), c.field, c.want)
		}
	}
	member.Fail("DeleteConflict", "iam", "delete-user", "--user-name", "alice")
	if out := member.Run("iam", "get-login-profile", "--user-name", "alice"); get(out, "LoginProfile", "PasswordResetRequired") != true {
		t.Errorf("get-login-profile = %v", out)
	}
	alice := newCLIFor(t, srv, "AKIAEXAMPLEALICE0001").WithEnv("AWS_SECRET_ACCESS_KEY=alice-secret-do-not-use-in-aws")
	if out := alice.Run("sts", "get-caller-identity"); str(out, "Arn") != "arn:aws:iam::222222222222:user/staff/alice" {
		t.Errorf("alice's key signs as %v", out)
	}
}

func TestInspectionAPIOnTheBinary(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--strict-auth", "--fixture", exampleWorld)
	defer srv.stop()
	mgmt := exampleCLI(t, srv, "111111111111", "management-root-secret")
	mgmt.Run("ses", "send-email", "--from", "noreply@example.com", "--destination", "ToAddresses=new.hire@example.org",
		"--message", "Subject={Data=Welcome},Body={Text={Data=Your account is ready}}")
	var msgs struct {
		Messages []struct{ Subject, Source string } `json:"messages"`
	}
	getJSON(t, srv, "ses/messages?to=NEW.HIRE@example.org", &msgs)
	if len(msgs.Messages) != 1 || msgs.Messages[0].Subject != "Welcome" {
		t.Errorf("messages = %+v", msgs)
	}
	if status := anonymousStatus(t, srv, "state"); status != http.StatusUnauthorized {
		t.Errorf("GET /_sandbox/state without the printed token: %d, want 401", status)
	}
	var pw map[string]bool
	sandboxCall(t, srv, http.MethodPost, "iam/check-password",
		map[string]string{"account": "222222222222", "user": "alice", "password": "Correct-Horse-Battery-9!"}, 200, &pw)
	if !pw["valid"] || !pw["password_reset_required"] {
		t.Errorf("check-password = %v", pw)
	}
	var counts struct{ Total, Mutating int }
	getJSON(t, srv, "requests?account=111111111111&service=ses", &counts)
	if counts.Total != 1 || counts.Mutating != 1 {
		t.Errorf("requests = %+v, want the one SendEmail", counts)
	}
	mgmt.Run("iam", "create-user", "--user-name", "temporary")
	sandboxCall(t, srv, http.MethodPost, "reset", nil, 200, nil)
	mgmt.Fail("NoSuchEntity", "iam", "get-user", "--user-name", "temporary")
	mgmt.Run("iam", "get-user", "--user-name", "gatehouse-operator")
	getJSON(t, srv, "ses/messages", &msgs)
	if len(msgs.Messages) != 0 {
		t.Errorf("%d messages survived the reset", len(msgs.Messages))
	}
}

// TestInspectionTokenFromTheEnvironment: a token chosen in the environment is
// required and never printed, with or without --strict-auth.
func TestInspectionTokenFromTheEnvironment(t *testing.T) {
	t.Parallel()
	const token = "conformance-inspection-token-0123456789"
	for _, flags := range [][]string{{"--strict-auth"}, nil} {
		srv := startServerEnv(t, []string{"GATEHOUSE_SANDBOX_TOKEN=" + token}, flags...)
		defer srv.stop()
		if srv.token != "" {
			t.Errorf("the sandbox printed a token though one was given: %q", srv.token)
		}
		if status := anonymousStatus(t, srv, "requests"); status != http.StatusUnauthorized {
			t.Errorf("%v: GET /_sandbox/requests without the token: %d, want 401", flags, status)
		}
		srv.token = token
		var counts struct{ Total int }
		getJSON(t, srv, "requests", &counts)
	}
}

func TestBadFixtureStopsTheBinary(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("accounts:\n  \"111111111111\":\n    users: [{name: a, groups: [nope]}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "sandbox", "serve", "--addr", "127.0.0.1:0", "--fixture", path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("sandbox with a bad fixture: %v, want exit code 2\n%s", err, out)
	}
	if !strings.Contains(string(out), path+`:3: user a: group "nope" does not exist`) {
		t.Errorf("stderr does not point at the problem:\n%s", out)
	}
}
