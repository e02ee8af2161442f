package identitycenter_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/spec"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/identitycenter"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// quietly lifts the instance's request quota for the rest of the test: the
// counts below are of what gatehouse asked, not of the SDK's retries after
// the test's own set-up drained the 20-a-second bucket.
func quietly(t *testing.T, sb *sandboxtest.Sandbox) {
	t.Helper()
	sb.Put(t, "sso-admin/quotas", map[string]any{"requests_per_second": 10000}, nil)
	sb.Delete(t, "requests")
}

// actions counts the requests the sandbox answered since the last reset,
// by action.
func actions(t *testing.T, sb *sandboxtest.Sandbox) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range sb.Requests(t, "").Counts {
		out[c.Action] += c.Count
	}
	return out
}

// numbered is n people's addresses: p00@example.com, p01@example.com, …
func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("p%02d@example.com", i)
	}
	return out
}

// plan surveys in's people as a plan does and reads each of them, counting
// the requests from the survey on (quietly); it returns d's scope and what
// was read, by user name.
func plan(t *testing.T, sb *sandboxtest.Sandbox, d *identitycenter.Directory, in *spec.Input) (*engine.Scope, map[string]engine.User) {
	t.Helper()
	ctx := context.Background()
	scopes, err := d.Scopes(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	quietly(t, sb)
	if probs, err := d.Survey(ctx, scopes[0], in.People); err != nil || len(probs) > 0 {
		t.Fatalf("survey: %v %v", probs, err)
	}
	read := map[string]engine.User{}
	for _, p := range in.People {
		if read[p.UserName], err = d.Read(ctx, scopes[0], p.UserName, engine.Known{}); err != nil {
			t.Fatal(err)
		}
	}
	return scopes[0], read
}

// A plan of many people reads the identity store in pages — its users, and
// each group's members — instead of one to three requests a person, and
// finds exactly what reading each person finds; a second Read of a person
// (after CreateUser found the name taken, say) asks the store afresh.
func TestSurveyReadsManyPeopleInBulk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, f := startWorld(t)
	emails := numbered(15)
	for _, e := range emails[:12] { // three of them are not there yet
		makeUser(t, sb, e, "222222222222")
	}
	addToGroup(t, sb, storeID, "p03@example.com", "contractors")
	in := suiteInput(emails...)

	d := identitycenter.New(f, quickOptions())
	scope, bulk := plan(t, sb, d, in)
	got := actions(t, sb)
	if got["ListUsers"] != 1 || got["ListGroupMemberships"] != 2 ||
		got["GetUserId"]+got["DescribeUser"]+got["ListGroupMembershipsForMember"] != 0 {
		t.Errorf("planning 15 people made %v; want one ListUsers, one ListGroupMemberships a group, nothing per person", got)
	}

	// The same people read one at a time: a survey of one person reads no
	// one in bulk.
	one := identitycenter.New(f, quickOptions())
	scopes1, err := one.Scopes(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := one.Survey(ctx, scopes1[0], in.People[:1]); err != nil {
		t.Fatal(err)
	}
	for _, p := range in.People {
		each, err := one.Read(ctx, scopes1[0], p.UserName, engine.Known{})
		if err != nil {
			t.Fatal(err)
		}
		if b, e := identitycenter.FactsOf(bulk[p.UserName]), identitycenter.FactsOf(each); b != e {
			t.Errorf("%s read in bulk:\n  %s\nread alone:\n  %s", p.UserName, b, e)
		}
	}

	sb.Delete(t, "requests")
	if _, err := d.Read(ctx, scope, "p13@example.com", engine.Known{}); err != nil {
		t.Fatal(err)
	}
	if got := actions(t, sb); got["GetUserId"] != 1 {
		t.Errorf("a second Read of the same person made %v, want it to ask the store (GetUserId)", got)
	}
}

// A first onboarding into an empty store reads no one: the store's one
// empty page of users says nobody is there yet.
func TestSurveyOfAnEmptyStoreAsksForNoOne(t *testing.T) {
	t.Parallel()
	sb, f := startWorld(t)
	_, read := plan(t, sb, identitycenter.New(f, quickOptions()), suiteInput(numbered(10)...))
	for name, u := range read {
		if u.State != engine.UserAbsent {
			t.Fatalf("%s: %v, want absent", name, u.State)
		}
	}
	if got := actions(t, sb); got["ListUsers"] != 1 || got["GetUserId"] != 0 {
		t.Errorf("10 people, nobody there: %v; want one ListUsers and no GetUserId", got)
	}
}

// Where reading in bulk would cost more than reading each person — more
// groups than people — the survey reads each person.
func TestSurveyReadsEachPersonWhenBulkCostsMore(t *testing.T) {
	t.Parallel()
	sb, f := startWorld(t)
	for i := range 12 {
		sb.CLI(t, "111111111111", "identitystore", "create-group", "--identity-store-id", storeID, "--display-name", fmt.Sprintf("team-%02d", i))
	}
	plan(t, sb, identitycenter.New(f, quickOptions()), suiteInput(numbered(10)...))
	if got := actions(t, sb); got["ListUsers"]+got["ListGroupMemberships"] != 0 || got["GetUserId"] != 10 {
		t.Errorf("10 people and 14 groups: %v; want each person read (GetUserId) and nothing listed", got)
	}
}

// Offboarding many users discovers them from one bulk read too, and finds
// exactly what discovering each finds — memberships with their IDs, which
// removal needs.
func TestPrefetchServesOffboardingsDiscovery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, f := startWorld(t)
	names := numbered(12)
	for i := range names {
		switch {
		case i == 10: // in no group, with no access
			sb.CLI(t, "111111111111", "identitystore", "create-user", "--identity-store-id", storeID, "--user-name", names[i],
				"--display-name", "No One", "--name", "GivenName=No,FamilyName=One", "--emails", "Value="+names[i]+",Primary=true")
		case i < 10:
			makeUser(t, sb, names[i], "333333333333")
		} // and one is gone already
	}
	addToGroup(t, sb, storeID, "p05@example.com", "contractors")

	d := identitycenter.New(f, quickOptions())
	scopes, err := d.Scopes(ctx, suiteInput())
	if err != nil {
		t.Fatal(err)
	}
	quietly(t, sb)
	d.Prefetch(ctx, scopes[0], names)
	bulk := map[string]engine.Record{}
	for _, n := range names {
		rec, err := d.Discover(ctx, scopes[0], n, engine.Known{})
		if n == "p11@example.com" {
			if err != engine.ErrUserNotFound {
				t.Errorf("discovering a user that is not there: %v %v", rec, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		bulk[n] = rec
	}
	if got := actions(t, sb); got["GetUserId"]+got["DescribeUser"]+got["ListGroupMembershipsForMember"] != 0 || got["ListUsers"] != 1 {
		t.Errorf("discovering 12 users made %v; want one ListUsers and nothing per user", got)
	}

	for n, b := range bulk {
		each := discover(t, identitycenter.New(f, quickOptions()), n)
		got := b.(*identitycenter.Record)
		for _, r := range []*identitycenter.Record{got, each} {
			slices.SortFunc(r.Groups, func(a, b identitycenter.Membership) int { return strings.Compare(a.GroupID, b.GroupID) })
		}
		if !reflect.DeepEqual(got, each) {
			t.Errorf("%s discovered in bulk:\n  %+v\nalone:\n  %+v", n, got, each)
		}
	}
}

// A caller whose policy predates the bulk read (no
// identitystore:ListGroupMemberships) still plans: the survey says once that
// it reads each person, and does.
func TestBulkReadDeniedFallsBackToEachPerson(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, _ := startWorld(t)
	emails := numbered(10)
	for _, e := range emails[:3] {
		makeUser(t, sb, e, "222222222222")
	}
	target, err := url.Parse(sb.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "AWSIdentityStore.ListGroupMemberships" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","Message":"not authorized to perform identitystore:ListGroupMemberships"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer deny.Close()
	f, err := awsx.New(ctx, awsx.Options{Endpoint: deny.URL, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("111111111111", "sandbox-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	opts := quickOptions()
	opts.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	d := identitycenter.New(f, opts)
	in := suiteInput(emails...)
	scopes, err := d.Scopes(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	quietly(t, sb)
	for range 2 {
		if probs, err := d.Survey(ctx, scopes[0], in.People); err != nil || len(probs) > 0 {
			t.Fatalf("survey with the bulk read denied: %v %v", probs, err)
		}
	}
	for i, p := range in.People {
		u, err := d.Read(ctx, scopes[0], p.UserName, engine.Known{})
		if err != nil || (u.State == engine.UserAbsent) != (i >= 3) {
			t.Errorf("%s: %v %v", p.UserName, u.State, err)
		}
	}
	if got := actions(t, sb); got["GetUserId"] != 10 {
		t.Errorf("reads %v; want each person read (GetUserId ×10)", got)
	}
	if n := strings.Count(logged.String(), "one by one"); n != 1 {
		t.Errorf("the fallback was said %d times, want once:\n%s", n, logged.String())
	}
}
