package events_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/awsx"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine/enginetest"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/iamuser"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/onboard"
	"github.com/gatehouse/gatehouse/internal/spec"
	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

const member = "222222222222"

const world = `
organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Member, email: x@example.com}
accounts:
  "222222222222":
    groups: [{name: staff}, {name: developers}]
    roles:
      - name: OrganizationAccountAccessRole
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`

const watchConfig = `
role: {name: OrganizationAccountAccessRole}
delivery: {channel: ses, from: it@example.com}
defaults: {groups: [staff]}
events:
  email_tag: email
  complete_on_tag: {key: gatehouse:complete}
  rules:
    - match: {path: /engineering/}
      groups: [developers]
`

type fixture struct {
	h    *events.Handler
	iam  *iam.Client
	mail *enginetest.Recorder
	sb   *sandboxtest.Sandbox
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, world)
	cfg, err := spec.ParseConfig("watch.yaml", []byte(watchConfig), spec.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := awsx.New(context.Background(), awsx.Options{Endpoint: sb.URL, Region: "us-east-1", Role: cfg.Role, RequestsPerSecond: -1,
		Credentials: credentials.NewStaticCredentialsProvider("111111111111", "x", "")})
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	mail := &enginetest.Recorder{}
	h := &events.Handler{Config: cfg, Journal: j, Users: events.IAMUsers{AWS: f}, Owner: "test", Lease: time.Minute,
		Protect: config.Protect{Users: []string{"break-glass@example.com"}},
		Onboard: onboard.Deps{Directory: iamuser.New(f, iamuser.Options{}), Journal: j,
			Channel: func(string) (deliver.Channel, error) { return mail, nil }}}
	return &fixture{h: h, iam: iam.NewFromConfig(sb.Config(member)), mail: mail, sb: sb}
}

// createUser creates a user as Terraform would, and returns the CloudTrail
// record EventBridge would deliver for it.
func (f *fixture) createUser(t *testing.T, name, path string, tags map[string]string) []byte {
	t.Helper()
	in := &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)}
	var ctTags []map[string]string
	for k, v := range tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		ctTags = append(ctTags, map[string]string{"key": k, "value": v})
	}
	if _, err := f.iam.CreateUser(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return record(t, "CreateUser", "ev-"+name, map[string]any{"userName": name, "path": path, "tags": ctTags})
}

func record(t *testing.T, name, id string, params map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"version": "0", "id": "eb-" + id, "detail-type": events.DetailType, "source": "aws.iam",
		"account": member, "time": "2026-12-05T10:00:00Z", "region": "us-east-1",
		"detail": map[string]any{"eventID": id, "eventName": name, "eventSource": "iam.amazonaws.com", "recipientAccountId": member,
			"readOnly": false, "userIdentity": map[string]string{"arn": "arn:aws:sts::222222222222:assumed-role/terraform/ci"},
			"requestParameters": params}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A user Terraform created is completed once: groups by the rules, a
// password that signs in, delivered; the same event again, and again, is a
// duplicate that issues nothing.
func TestCreateUserIsCompletedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := f.createUser(t, "ada@example.com", "/engineering/", nil)
	for i, want := range []events.Verdict{events.Completed, events.Duplicate, events.Duplicate} {
		if out := f.h.Handle(context.Background(), body); out.Verdict != want || !out.Ack() {
			t.Fatalf("delivery %d: %+v, want %s", i+1, out, want)
		}
	}
	got := f.mail.To(member, "ada@example.com")
	if len(got) != 1 {
		t.Fatalf("%d credentials delivered, want 1", len(got))
	}
	var check struct {
		Valid bool `json:"valid"`
	}
	f.sb.Post(t, "iam/check-password", map[string]string{"account": member, "user": "ada@example.com", "password": got[0].Password}, &check)
	groups, _ := f.iam.ListGroupsForUser(context.Background(), &iam.ListGroupsForUserInput{UserName: aws.String("ada@example.com")})
	var names []string
	for _, g := range groups.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	if !check.Valid || strings.Join(names, ",") != "developers,staff" {
		t.Errorf("signs in %v, groups %v", check.Valid, names)
	}
}

// Users the watcher must not touch are acknowledged and reported, not
// changed; what is not a user creation is ignored.
func TestLeftAlone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	hasPassword := f.createUser(t, "bob@example.com", "/", nil)
	if _, err := f.iam.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("bob@example.com"), Password: aws.String("Hand-Made-Password-1!")}); err != nil {
		t.Fatal(err)
	}
	noAddress := f.createUser(t, "svc-build", "/", nil)
	cases := []struct {
		name string
		body []byte
		want events.Verdict
		says string
	}{
		{"a password of its own", hasPassword, events.Skipped, "console password gatehouse did not issue"},
		{"no address", noAddress, events.Skipped, "tag it email=ADDRESS"},
		{"protected", f.createUser(t, "break-glass@example.com", "/", nil), events.Skipped, "protected"},
		{"gatehouse's own", f.createUser(t, "cy@example.com", "/", map[string]string{"gatehouse:managed-by": "gatehouse"}), events.Skipped, "created by gatehouse"},
		{"a failed call", []byte(strings.Replace(string(record(t, "CreateUser", "ev-x", map[string]any{"userName": "x"})), `"eventName"`, `"errorCode":"EntityAlreadyExists","eventName"`, 1)), events.Ignored, "failed"},
		{"another call", record(t, "AttachUserPolicy", "ev-y", map[string]any{"userName": "bob@example.com"}), events.Ignored, "not an event"},
		{"a tag that is not the completion tag", record(t, "TagUser", "ev-z", map[string]any{"userName": "svc-build", "tags": []map[string]string{{"key": "team", "value": "x"}}}), events.Ignored, "not an event"},
		{"not JSON", []byte("hello"), events.Ignored, "not a CloudTrail record"},
	}
	for _, c := range cases {
		out := f.h.Handle(ctx, c.body)
		if out.Verdict != c.want || !out.Ack() || !strings.Contains(out.Detail, c.says) {
			t.Errorf("%s: %+v, want %s saying %q", c.name, out, c.want, c.says)
		}
	}
	if n := f.mail.Count(); n != 0 {
		t.Errorf("%d credentials delivered to users left alone", n)
	}
	// Tagging svc-build with an address and the completion tag completes it.
	tags := []map[string]string{{"key": "email", "value": "build-team@example.com"}, {"key": "gatehouse:complete", "value": "yes"}}
	for _, tg := range tags {
		if _, err := f.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("svc-build"), Tags: []iamtypes.Tag{{Key: aws.String(tg["key"]), Value: aws.String(tg["value"])}}}); err != nil {
			t.Fatal(err)
		}
	}
	if out := f.h.Handle(ctx, record(t, "TagUser", "ev-tag", map[string]any{"userName": "svc-build", "tags": tags})); out.Verdict != events.Completed {
		t.Errorf("completion tag: %+v", out)
	}
	if got := f.mail.To(member, "svc-build"); len(got) != 1 || got[0].Email != "build-team@example.com" {
		t.Errorf("svc-build's delivery: %+v", got)
	}
}

// One watcher handed the same event three times at once — SNS and
// EventBridge deliver at least once, and a worker takes up to ten messages
// per receive — completes the user once: the copies it holds already are
// Busy and come back, then Duplicate.
func TestSameEventAtOnceInOneWatcher(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := f.createUser(t, "ada@example.com", "/engineering/", nil)
	outs := make(chan events.Outcome, 3)
	for range 3 {
		go func() { outs <- f.h.Handle(context.Background(), body) }()
	}
	got := map[events.Verdict]int{}
	for range 3 {
		got[(<-outs).Verdict]++
	}
	if got[events.Completed] != 1 || got[events.Completed]+got[events.Busy]+got[events.Duplicate] != 3 {
		t.Errorf("verdicts %v, want one completed and the others busy or duplicate", got)
	}
	if n := len(f.mail.To(member, "ada@example.com")); n != 1 {
		t.Errorf("%d credentials delivered, want 1", n)
	}
}

// A CloudTrail record the watcher cannot read is never acknowledged: it may
// name a user to complete, so it fails and ends in the dead-letter queue
// (not deleted, as a message that is no CloudTrail record at all is).
func TestUnreadableRecordFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := []byte(`{"detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"eventName":"CreateUser","requestParameters":{"userName":"ada@example.com"}}}`)
	if out := f.h.Handle(context.Background(), body); out.Verdict != events.Failed || out.Ack() || !strings.Contains(out.Detail, "dead-letter") {
		t.Errorf("%+v, want failed, kept for the dead-letter queue", out)
	}
	if out := f.h.Handle(context.Background(), []byte("hello")); out.Verdict != events.Ignored || !out.Ack() {
		t.Errorf("not JSON: %+v, want ignored and acknowledged", out)
	}
}
