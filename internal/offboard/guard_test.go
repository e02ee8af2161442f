package offboard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/offboard"
)

// Users the configuration protects — by name, by pattern, by tag — are left
// exactly as they are by every form of the command, while the unprotected
// user in the same runs is acted on (so the runs are not empty).
func TestProtectedUsersSurviveEveryForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.protect = config.Protect{Users: []string{"BOB"}, Patterns: []string{"svc-*"}, Tags: map[string]string{"keep": "yes"}}
	team := map[string]string{"team": "x"}
	e.addUsers(t, prod, plainUser("bob", team), plainUser("svc-deploy", team),
		plainUser("carol", map[string]string{"team": "x", "keep": "yes"}), plainUser("dan", team), plainUser("erin", team))
	protected := []string{"bob", "svc-deploy", "carol"}
	ctx := context.Background()

	p := e.plan(t, request(t, offboard.ActionRemove, append(protected, "dan"), prod))
	for i, want := range []string{"users: BOB", "patterns: svc-*", "tags: keep=yes", ""} {
		if got := p.Placements[i].Guard; want == "" && got != "" || !strings.Contains(got, want) || len(p.Changes(p.Placements[i])) > 0 && want != "" {
			t.Errorf("plan: %s guard %q, want %q", p.Placements[i].UserName, got, want)
		}
	}

	forms := []struct {
		name  string
		req   offboard.Request
		acted string // the unprotected user the form changes
	}{
		{"suspend", request(t, offboard.ActionSuspend, append(protected, "dan"), prod), "dan"},
		{"reinstate", request(t, offboard.ActionReinstate, append(protected, "dan"), prod), "dan"},
		{"remove by name", request(t, offboard.ActionRemove, append(protected, "dan"), prod), "dan"},
		{"remove by tag", withTags(request(t, offboard.ActionRemove, nil, prod), team), "erin"},
	}
	run, err := e.journal.StartRun(ctx, journal.RunInfo{Command: offboard.Command})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range protected { // make sure a reinstatement would have something to do
		if err := e.journal.RecordSuspension(ctx, run, prod, name, true, []journal.SuspendedItem{{Kind: "access key", ID: "AKIAXXXXXXXXXXXXXXXX"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range forms {
		rep := e.run(t, f.req)
		if rep.OK() || rep.Count(offboard.StatusProtected) != 3 {
			t.Errorf("%s: want 3 protected (and so exit 1): %+v", f.name, rep.Rows)
		}
		for _, row := range rep.Rows {
			if row.UserName == f.acted && !row.Status.OK() {
				t.Errorf("%s: the unprotected user was not acted on: %+v", f.name, row)
			}
		}
		for _, name := range protected {
			assertUntouched(t, e, name)
		}
	}
}

func withTags(req offboard.Request, tags map[string]string) offboard.Request {
	req.Tags = tags
	return req
}

// assertUntouched checks that a plain user still has its login profile, an
// active key and no suspension tag.
func assertUntouched(t *testing.T, e *env, name string) {
	t.Helper()
	ctx, api, user := context.Background(), e.iam(prod), aws.String(name)
	if _, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: user}); err != nil {
		t.Errorf("%s: login profile: %v", name, err)
	}
	keys, err := api.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Active" {
		t.Errorf("%s: access keys %+v, %v", name, keys, err)
	}
	tags, _ := api.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: user})
	for _, tag := range tags.Tags {
		if aws.ToString(tag.Key) == engine.TagSuspended {
			t.Errorf("%s was tagged suspended", name)
		}
	}
}

// The IAM user whose keys gatehouse runs with is never offboarded, whatever
// the command form; other users of the same account are.
func TestOffboardingYourselfIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.creds = credentials.NewStaticCredentialsProvider("AKIAOPSOPSOPSOPSOPS1", "ops-secret", "")
	e.addUsers(t, mgmt, plainUser("other", map[string]string{"team": "ops"}))
	ctx := context.Background()
	if _, err := e.iam(mgmt).TagUser(ctx, &iam.TagUserInput{UserName: aws.String("ops"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
		t.Fatal(err)
	}
	for _, req := range []offboard.Request{
		request(t, offboard.ActionRemove, []string{"OPS"}),
		request(t, offboard.ActionSuspend, []string{"ops"}, mgmt),
		withTags(request(t, offboard.ActionRemove, nil), map[string]string{"team": "ops"}),
	} {
		p := e.plan(t, req)
		if p.Caller != "arn:aws:iam::"+mgmt+":user/ops" {
			t.Fatalf("caller %s: the test does not run as the ops user", p.Caller)
		}
		rep := e.apply(t, p)
		if rep.Count(offboard.StatusRefused) != 1 || rep.OK() {
			t.Errorf("%s: %+v", req.Action, rep.Rows)
		}
		for _, row := range rep.Rows {
			if row.UserName == "ops" && (row.Status != offboard.StatusRefused || !strings.Contains(row.Error, "identity gatehouse runs as")) {
				t.Errorf("ops: %+v", row)
			}
		}
		if !e.userExists(t, mgmt, "ops") {
			t.Fatal("gatehouse removed the user it runs as")
		}
	}
	if e.userExists(t, mgmt, "other") {
		t.Error("the other user selected by tag was not removed")
	}
}
