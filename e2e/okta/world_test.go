package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	iddoc "github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

const (
	mgmt    = "111111111111"
	member  = "222222222222"
	storeID = "d-9067000002"
	secret  = "e2e-okta-hook-secret-0123456789"
)

// world is an organisation of two accounts and its Identity Center
// instance, with what the mapping names.
const world = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Member, email: x@example.com}
identity_center:
  identity_store_id: ` + storeID + `
  quotas: {assignment_delay_ms: 20}
  permission_sets: [{name: ReadOnly}, {name: AdministratorAccess}]
  groups: [{display_name: engineers}, {display_name: admins}]
`

// mapping: the AWS app gives engineers and ReadOnly in the member account;
// the aws-admins group AdministratorAccess everywhere. No welcome is sent.
const mapping = `directory: identity-center
delivery: {channel: none}
okta:
  apps:
    0oaAWS: {groups: [engineers], assignments: [{permission_set: ReadOnly, accounts: ["222222222222"]}]}
  groups:
    aws-admins: {groups: [admins], assignments: [{permission_set: AdministratorAccess, accounts: all}]}
`

// env is a sandbox subprocess with the world, and a folder for gatehouse.
type env struct {
	sb  *harness.Sandbox
	dir string
	ids *identitystore.Client
	sso *ssoadmin.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	fixture := writeFile(t, dir, "world.yaml", world)
	writeFile(t, dir, "okta.yaml", mapping)
	sb := harness.StartSandbox(t, binary, fixture, filepath.Join(dir, "sandbox.log"))
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(sb.URL), Credentials: credentials.NewStaticCredentialsProvider(mgmt, "x", "")}
	return &env{sb: sb, dir: dir, ids: identitystore.NewFromConfig(cfg), sso: ssoadmin.NewFromConfig(cfg)}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// gatehouse is the binary with the management account's credentials, the
// sandbox as its endpoint and the hook's secret.
func (e *env) gatehouse(t *testing.T) *harness.Gatehouse {
	t.Helper()
	g := harness.NewGatehouse(t, binary, filepath.Join(e.dir, "home"), mgmt)
	g.Env = append(g.Env, "AWS_ENDPOINT_URL="+e.sb.URL, "GATEHOUSE_OKTA_SECRET="+secret)
	return g
}

func (e *env) journal() string { return filepath.Join(e.dir, "journal.db") }

// serve starts gatehouse serve with the hook under the name serve-1 and
// waits until it answers; it returns the process and its address.
func (e *env) serve(t *testing.T) (*harness.Process, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := e.gatehouse(t).Start(t, "serve", "--addr", addr, "--data", filepath.Join(e.dir, "data"), "--journal", e.journal(),
		"--okta-config", filepath.Join(e.dir, "okta.yaml"), "--name", "serve-1")
	t.Cleanup(func() { p.Kill() })
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return p, base
		}
		if p.Exited() {
			t.Fatal("gatehouse serve exited")
		}
	}
	t.Fatal("gatehouse serve did not answer")
	return nil, ""
}

// call sends a request and returns its status and body.
func call(t *testing.T, method, url string, body []byte, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// status is gatehouse serve okta-status --all, decoded.
type status struct {
	Counts map[string]int
	Events []struct{ UUID, State, Detail string }
}

func (e *env) status(t *testing.T) status {
	t.Helper()
	r := e.gatehouse(t).Run(t, "serve", "okta-status", "--all", "--journal", e.journal(), "-o", "json")
	var s status
	if err := json.Unmarshal([]byte(r.Stdout), &s); err != nil {
		t.Fatalf("okta-status: %v\n%s\n%s", err, r.Stdout, r.Stderr)
	}
	return s
}

// settled waits until no event is pending, then returns the status.
func (e *env) settled(t *testing.T) status {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if s := e.status(t); s.Counts["pending"] == 0 {
			return s
		}
	}
	t.Fatalf("events still pending: %+v", e.status(t))
	return status{}
}

// user is an Identity Center user as the APIs describe it: its attributes,
// group names and "PermissionSet@account" assignments, sorted; "" when
// there is no such user.
func (e *env) user(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	got, err := e.ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: iddoc.NewLazyDocument(name)}}})
	var nf *idtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return ""
	} else if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(got.UserId)
	u, err := e.ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	desc := fmt.Sprintf("%s %q", aws.ToString(u.UserName), aws.ToString(u.DisplayName))
	if u.Name != nil {
		desc += fmt.Sprintf(" given %q family %q formatted %q", aws.ToString(u.Name.GivenName), aws.ToString(u.Name.FamilyName), aws.ToString(u.Name.Formatted))
	}
	for _, m := range u.Emails {
		desc += fmt.Sprintf(" email %s primary %v type %s", aws.ToString(m.Value), m.Primary, aws.ToString(m.Type))
	}
	return desc + " groups " + strings.Join(e.groups(t, id), ",") + " assigned " + strings.Join(e.assigned(t, id), ",")
}

func (e *env) groups(t *testing.T, id string) []string {
	ctx := context.Background()
	names := map[string]string{}
	gs, err := e.ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(storeID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs.Groups {
		names[aws.ToString(g.GroupId)] = aws.ToString(g.DisplayName)
	}
	ms, err := e.ids.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: aws.String(storeID),
		MemberId: &idtypes.MemberIdMemberUserId{Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, m := range ms.GroupMemberships {
		out = append(out, names[aws.ToString(m.GroupId)])
	}
	sort.Strings(out)
	return out
}

func (e *env) assigned(t *testing.T, id string) []string {
	ctx := context.Background()
	inst, err := e.sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) != 1 {
		t.Fatalf("instances: %v", err)
	}
	arn := inst.Instances[0].InstanceArn
	sets, err := e.sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, ps := range sets.PermissionSets {
		d, err := e.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: arn, PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range []string{mgmt, member} {
			as, err := e.sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: arn, AccountId: aws.String(acc), PermissionSetArn: aws.String(ps)})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as.AccountAssignments {
				if aws.ToString(a.PrincipalId) == id {
					out = append(out, aws.ToString(d.PermissionSet.Name)+"@"+acc)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// delivery is an event hook request's body with events, each
// {uuid, published, eventType, targets}.
func delivery(t *testing.T, events ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1",
		"source": "https://example.okta.com/api/v1/eventHooks/who1", "eventId": fmt.Sprint(time.Now().UnixNano()),
		"data": map[string]any{"events": events}, "eventTime": time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// event is one event about the person who (00u<who>, <who>@example.com) at
// t0 plus at seconds; with an app or group for memberships.
func event(uuid, eventType, who string, at int, source ...map[string]any) map[string]any {
	name := strings.ToUpper(who[:1]) + who[1:] + " Example"
	targets := append([]map[string]any{{"id": "00u" + who, "type": "User", "alternateId": who + "@example.com", "displayName": name}}, source...)
	return map[string]any{"uuid": uuid, "published": t0.Add(time.Duration(at) * time.Second).Format("2006-01-02T15:04:05.000Z"),
		"eventType": eventType, "displayMessage": eventType, "severity": "INFO", "outcome": map[string]any{"result": "SUCCESS"},
		"actor": map[string]any{"id": "00uadmin", "type": "User", "alternateId": "admin@example.com"}, "target": targets}
}

var (
	awsApp = map[string]any{"id": "0oaAWS", "type": "AppInstance", "alternateId": "aws", "displayName": "AWS IAM Identity Center"}
	admins = map[string]any{"id": "00gADM", "type": "UserGroup", "alternateId": "unknown", "displayName": "aws-admins"}
)
