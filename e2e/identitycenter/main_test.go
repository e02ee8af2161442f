// Package identitycenter_test holds the Identity Center acceptance tests
// that need whole runs: the gatehouse binary, built once, runs as a
// subprocess against `gatehouse sandbox serve` (another subprocess, whose
// identitystore and sso-admin keep AWS's quotas: 20 requests a second for
// the instance, at most 15 assignment operations in flight) over real
// HTTP, and is killed, rerun and checked through the sandbox's API the way
// a person would check AWS.
package identitycenter_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
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
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// binary is the gatehouse binary built for this run.
var binary string

func TestMain(m *testing.M) { harness.Main(m, "gatehouse-e2e-idc-", &binary) }

const (
	management  = "111111111111"
	storeID     = "d-1111111111"
	instanceARN = "arn:aws:sso:::instance/ssoins-1111111111111111"
	portal      = "https://d-1111111111.awsapps.com/start"
)

// members are the five accounts people get access to.
var members = []string{"222222222222", "333333333333", "444444444444", "555555555555", "666666666666"}

// world is an organisation of a management account and five members, its
// Identity Center instance at AWS's quotas (the defaults: 20 requests a
// second, 15 assignment operations in flight, each in progress for 250 ms),
// and two users gatehouse did not create: erin and frank, in the groups
// gatehouse's people join.
const world = `organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: mgmt@example.com}
    - {id: "222222222222", name: Prod, email: prod@example.com}
    - {id: "333333333333", name: Staging, email: staging@example.com}
    - {id: "444444444444", name: Dev, email: dev@example.com}
    - {id: "555555555555", name: Data, email: data@example.com}
    - {id: "666666666666", name: Sandbox, email: sandbox@example.com}
identity_center:
  instance_id: ssoins-1111111111111111
  identity_store_id: d-1111111111
  permission_sets:
    - {name: ReadOnly, managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]}
    - {name: Developer, managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]}
  groups:
    - {display_name: developers}
    - {display_name: readers}
  users:
    - {user_name: erin@example.com, display_name: Erin Example, given_name: Erin, family_name: Example,
       email: erin@example.com, groups: [developers, readers]}
    - {user_name: frank@example.com, display_name: Frank Example, given_name: Frank, family_name: Example,
       email: frank@example.com, groups: [readers]}
accounts:
  "111111111111":
    ses_identities: {us-east-1: [it@example.com]}
`

// fixtureUsers are the users gatehouse did not create.
var fixtureUsers = []string{"erin@example.com", "frank@example.com"}

// sandbox is a `gatehouse sandbox serve` subprocess with AWS clients on it.
type sandbox struct {
	*harness.Sandbox
	ids *identitystore.Client
	sso *ssoadmin.Client
}

// startSandbox runs the sandbox with the world, its log in dir.
func startSandbox(t *testing.T, dir string) *sandbox {
	t.Helper()
	fixture := filepath.Join(dir, "world.yaml")
	if err := os.WriteFile(fixture, []byte(world), 0o600); err != nil {
		t.Fatal(err)
	}
	sb := harness.StartSandbox(t, binary, fixture, filepath.Join(dir, "sandbox.log"))
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(sb.URL),
		Credentials: credentials.NewStaticCredentialsProvider(management, "sandbox-secret", "")}
	return &sandbox{Sandbox: sb, ids: identitystore.NewFromConfig(cfg), sso: ssoadmin.NewFromConfig(cfg)}
}

// newGatehouse prepares a gatehouse runner with the management account's
// root credentials and its own HOME, XDG folders and TMPDIR under home.
func newGatehouse(t *testing.T, home string) *harness.Gatehouse {
	t.Helper()
	return harness.NewGatehouse(t, binary, home, management)
}

// writeTeam writes a spec of n people: everyone reads all five accounts and
// joins readers; every third person also develops in the first two, as a
// developer. It returns the spec's path and the user names.
func writeTeam(t *testing.T, dir string, n int) (string, []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("directory: identity-center\n")
	b.WriteString("delivery: {channel: ses, from: it@example.com}\n")
	b.WriteString("defaults:\n  groups: [readers]\n")
	fmt.Fprintf(&b, "  assignments: [{permission_set: ReadOnly, accounts: [%s]}]\npeople:\n", quoted(members))
	var names []string
	for i := range n {
		name := fmt.Sprintf("person%03d@example.com", i)
		names = append(names, name)
		fmt.Fprintf(&b, "  - {email: %s, given_name: Person, family_name: Number%03d", name, i)
		if i%3 == 0 {
			fmt.Fprintf(&b, ", groups: [developers], assignments: [{permission_set: Developer, accounts: [%s]}]", quoted(members[:2]))
		}
		b.WriteString("}\n")
	}
	path := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, names
}

func quoted(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = `"` + id + `"`
	}
	return strings.Join(out, ", ")
}

// wants is what person i of writeTeam should have.
func wants(i int) (groups []string, assignments []string) {
	groups = []string{"readers"}
	for _, acc := range members {
		assignments = append(assignments, "ReadOnly@"+acc)
	}
	if i%3 == 0 {
		groups = append(groups, "developers")
		for _, acc := range members[:2] {
			assignments = append(assignments, "Developer@"+acc)
		}
	}
	slices.Sort(groups)
	slices.Sort(assignments)
	return groups, assignments
}

// directory is everything the identity store and the instance hold, read
// with the SDK: users by name, each group's and pair's members counted so
// a duplicate shows.
type directory struct {
	users       map[string]int            // user name → how many users have it
	ids         map[string]string         // user ID → user name
	memberships map[string]map[string]int // user name → group → count
	assigned    map[string]map[string]int // user name → "PermissionSet@account" → count
}

func (s *sandbox) read(t *testing.T) directory {
	t.Helper()
	ctx := context.Background()
	d := directory{users: map[string]int{}, ids: map[string]string{}, memberships: map[string]map[string]int{}, assigned: map[string]map[string]int{}}
	users := identitystore.NewListUsersPaginator(s.ids, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)})
	for users.HasMorePages() {
		page, err := users.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			name := aws.ToString(u.UserName)
			d.users[name]++
			d.ids[aws.ToString(u.UserId)] = name
		}
	}
	count := func(m map[string]map[string]int, principal, what string) {
		name := d.ids[principal]
		if name == "" {
			name = "unknown principal " + principal
		}
		if m[name] == nil {
			m[name] = map[string]int{}
		}
		m[name][what]++
	}
	groups, err := s.ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(storeID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.Groups {
		pages := identitystore.NewListGroupMembershipsPaginator(s.ids, &identitystore.ListGroupMembershipsInput{
			IdentityStoreId: aws.String(storeID), GroupId: g.GroupId})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.GroupMemberships {
				count(d.memberships, m.MemberId.(*idtypes.MemberIdMemberUserId).Value, aws.ToString(g.DisplayName))
			}
		}
	}
	sets, err := s.sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range sets.PermissionSets {
		desc, err := s.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatal(err)
		}
		for _, acc := range members {
			pages := ssoadmin.NewListAccountAssignmentsPaginator(s.sso, &ssoadmin.ListAccountAssignmentsInput{
				InstanceArn: aws.String(instanceARN), AccountId: aws.String(acc), PermissionSetArn: aws.String(ps)})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range page.AccountAssignments {
					count(d.assigned, aws.ToString(a.PrincipalId), aws.ToString(desc.PermissionSet.Name)+"@"+acc)
				}
			}
		}
	}
	return d
}

// checkPeople checks that every person exists once, in exactly their
// groups, with exactly their assignments, each once.
func (d directory) checkPeople(t *testing.T, names []string) {
	t.Helper()
	for i, name := range names {
		if d.users[name] != 1 {
			t.Errorf("%s: %d users, want 1", name, d.users[name])
			continue
		}
		groups, assignments := wants(i)
		if got := once(t, name, d.memberships[name]); !slices.Equal(got, groups) {
			t.Errorf("%s: groups %v, want %v", name, got, groups)
		}
		if got := once(t, name, d.assigned[name]); !slices.Equal(got, assignments) {
			t.Errorf("%s: assignments %v, want %v", name, got, assignments)
		}
	}
}

// once lists counts' keys, failing the test for any counted twice.
func once(t *testing.T, who string, counts map[string]int) []string {
	t.Helper()
	var out []string
	for k, n := range counts {
		if n != 1 {
			t.Errorf("%s: %s %d times", who, k, n)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// quotas is GET /_sandbox/sso-admin/quotas for the instance.
type quotas struct {
	InProgress int `json:"in_progress"`
	Stats      struct {
		Requests          int `json:"requests"`
		Throttled         int `json:"throttled"`
		RefusedInProgress int `json:"refused_in_progress"`
		PeakInProgress    int `json:"peak_in_progress"`
	} `json:"stats"`
}

func (s *sandbox) quotas(t *testing.T) quotas {
	t.Helper()
	var out []quotas
	s.Inspect(t, http.MethodGet, "sso-admin/quotas", nil, &out)
	if len(out) != 1 {
		t.Fatalf("quotas of %d instances", len(out))
	}
	return out[0]
}

// restartQuotas refills the instance's request bucket and zeroes its
// counters (PUT restarts them), so what a test read itself is not
// counted against the run it measures.
func (s *sandbox) restartQuotas(t *testing.T) {
	t.Helper()
	s.Inspect(t, http.MethodPut, "sso-admin/quotas", map[string]any{"requests_per_second": 20}, nil)
	time.Sleep(time.Second) // let the bucket refill from the test's own reads
}

// requestCounts is GET /_sandbox/requests.
type requestCounts struct {
	Total    int `json:"total"`
	Mutating int `json:"mutating"`
	Counts   []struct {
		Action   string `json:"action"`
		Mutating bool   `json:"mutating"`
		Count    int    `json:"count"`
		Errors   int    `json:"errors"`
	} `json:"counts"`
}

func (s *sandbox) requests(t *testing.T) requestCounts {
	t.Helper()
	var c requestCounts
	s.Inspect(t, http.MethodGet, "requests", nil, &c)
	return c
}

// action counts an action's calls.
func (c requestCounts) action(name string) int {
	n := 0
	for _, row := range c.Counts {
		if row.Action == name {
			n += row.Count
		}
	}
	return n
}

// mutations names the mutating calls counted, for messages.
func (c requestCounts) mutations() string {
	var out []string
	for _, row := range c.Counts {
		if row.Mutating {
			out = append(out, fmt.Sprintf("%s ×%d", row.Action, row.Count))
		}
	}
	return strings.Join(out, ", ")
}

// mail is the SES messages the sandbox accepted, by recipient.
func (s *sandbox) mail(t *testing.T) map[string][]string {
	t.Helper()
	var out struct {
		Messages []struct {
			Destinations []string `json:"destinations"`
			Subject      string   `json:"subject"`
			Text         string   `json:"text"`
		} `json:"messages"`
	}
	s.Inspect(t, http.MethodGet, "ses/messages", nil, &out)
	by := map[string][]string{}
	for _, m := range out.Messages {
		for _, d := range m.Destinations {
			by[d] = append(by[d], m.Subject+"\n"+m.Text)
		}
	}
	return by
}

// userID is the ID of the user called name.
func (s *sandbox) userID(t *testing.T, name string) string {
	t.Helper()
	out, err := s.ids.GetUserId(context.Background(), &identitystore.GetUserIdInput{IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: iddoc.NewLazyDocument(name)}}})
	if err != nil {
		t.Fatalf("finding %s: %v", name, err)
	}
	return aws.ToString(out.UserId)
}

// permissionSetARN is the ARN of the permission set called name.
func permissionSetARN(t *testing.T, s *sandbox, name string) string {
	t.Helper()
	ctx := context.Background()
	sets, err := s.sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range sets.PermissionSets {
		d, err := s.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.PermissionSet.Name) == name {
			return ps
		}
	}
	t.Fatalf("no permission set %s", name)
	return ""
}

// sandboxCLI runs the AWS CLI v2 against the sandbox subprocess
// (sandboxtest's helper needs only its address).
func sandboxCLI(s *sandbox) *sandboxtest.Sandbox { return &sandboxtest.Sandbox{URL: s.URL} }
