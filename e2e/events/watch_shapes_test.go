package events_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// shapesConfig completes users by path and tag; /broken/ needs a group that
// does not exist, so completing such a user fails every time.
const shapesConfig = `
role: {name: OrganizationAccountAccessRole}
delivery: {channel: ses, from: it@example.com}
defaults: {groups: [staff]}
events:
  email_tag: email
  complete_on_tag: {key: gatehouse:complete}
  rules:
    - match: {path: /engineering/}
      groups: [developers]
    - match: {tags: {contractor: ""}}
      groups: [contractors]
    - match: {path: /broken/}
      groups: [no-such-group]
`

// Every CreateUser reaches the queue three times, in each shape a queue can
// get it — SNS's envelope, SNS raw delivery, EventBridge's event as it is —
// as at-least-once delivery allows, and every other IAM call once (a broad
// rule). The watcher completes each user once (one mail; the other copies
// are duplicates, which proves each shape was read), by the configuration's
// rules: the address is the user name or the email tag, the groups the
// path's or tag's rule; it leaves users without an address alone until a
// TagUser with the completion tag; it ignores failed calls and other calls;
// and poison — a user it fails to complete every time, a CloudTrail record
// it cannot read — ends in the dead-letter queue after the queue's receives,
// neither deleted nor retried forever, while the rest is served.
func TestWatcherReadsEveryShapeAndLeavesPoisonToTheDLQ(t *testing.T) {
	t.Parallel()
	fixture := seed003World(3, rule("create-user", `{source: [aws.iam], detail-type: [AWS API Call via CloudTrail], detail: {eventName: [CreateUser]}}`,
		topicARN, rawTopicARN, queueARN)+
		rule("other-calls", `{source: [aws.iam], detail-type: [AWS API Call via CloudTrail], detail: {eventName: [{anything-but: CreateUser}]}}`, queueARN))
	e := newEnvWith(t, fixture, shapesConfig)
	ctx := context.Background()
	w := e.startWatcher(t, "--name", "w1")

	e.createUsers(t, []string{"ada@example.com"}, "/engineering/", nil)
	e.createUsers(t, []string{"svc-deploy"}, "/", map[string]string{"email": "deploy-team@example.com"})
	e.createUsers(t, []string{"cy@example.com"}, "/", map[string]string{"contractor": "acme"})
	e.createUsers(t, []string{"svc-nobody"}, "/", nil)
	e.createUsers(t, []string{"eve@example.com"}, "/broken/", nil)
	if _, err := e.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ADA@example.com")}); err == nil {
		t.Fatal("creating ada again succeeded; the failed call this test needs did not happen")
	}
	for _, body := range []string{"hello", `{"detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"eventName":"CreateUser"}}`} {
		if _, err := e.sqsClient().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(e.queueURL("new-users")), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	// svc-nobody is left alone until someone gives it an address and the completion tag.
	waitFor(t, 60*time.Second, "svc-nobody to be skipped", func() bool { return strings.Contains(w.Output(), "no address to deliver to") })
	for _, tg := range [][2]string{{"email", "build@example.com"}, {"gatehouse:complete", "yes"}} {
		if _, err := e.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("svc-nobody"), Tags: []iamtypes.Tag{{Key: aws.String(tg[0]), Value: aws.String(tg[1])}}}); err != nil {
			t.Fatal(err)
		}
	}

	want := map[string]string{"ada@example.com": "ada@example.com", "svc-deploy": "deploy-team@example.com", "cy@example.com": "cy@example.com",
		"svc-nobody": "build@example.com"}
	took := waitFor(t, 90*time.Second, "four mails, four messages in the dead-letter queue and an empty queue", func() bool {
		dlq, _ := e.depth(t, "new-users-dlq")
		v, f := e.depth(t, "new-users")
		return len(e.mails(t)) >= len(want) && dlq >= 4 && v+f == 0
	})
	t.Logf("all handled %v after the first user was created", took.Round(time.Millisecond))
	if code := w.Stop(t); code != 0 {
		t.Errorf("the watcher exited with %d after SIGTERM", code)
	}

	byUser := mailsByUser(e.mails(t))
	for user, to := range want {
		if got := byUser[user]; len(got) != 1 || !slices.Equal(got[0].Destinations, []string{to}) {
			t.Errorf("%s: %d mails (%+v), want one to %s", user, len(got), got, to)
		} else if valid, _ := e.signsIn(t, member, user, got[0].Password); !valid {
			t.Errorf("%s: the mailed password does not sign in", user)
		}
	}
	if n := len(e.mails(t)); n != len(want) {
		t.Errorf("%d mails in all, want %d", n, len(want))
	}
	users := e.users(t, member)
	for user, groups := range map[string][]string{"ada@example.com": {"developers", "staff"}, "svc-deploy": {"staff"},
		"cy@example.com": {"contractors", "staff"}, "svc-nobody": {"staff"}, "eve@example.com": nil} {
		got := slices.Sorted(slices.Values(users[user].Groups))
		if !slices.Equal(got, groups) {
			t.Errorf("%s: groups %v, want %v", user, got, groups)
		}
	}
	if u := users["eve@example.com"]; u.LoginProfile != nil {
		t.Errorf("eve, whose completion fails, got a login profile")
	}
	if dlq, _ := e.depth(t, "new-users-dlq"); dlq != 4 {
		t.Errorf("%d messages in the dead-letter queue, want eve's three and the unreadable record", dlq)
	}
	checkShapesLog(t, verdicts(w.Output()))
}

// checkShapesLog reads the watcher's verdicts: each completed user's event
// was read three times (completed once, the other copies duplicates), the
// failed call's three copies and the other calls were ignored, eve's event
// failed, and the unreadable record too.
func checkShapesLog(t *testing.T, lines []logLine) {
	t.Helper()
	count := func(verdict, user, says string) int {
		n := 0
		for _, l := range lines {
			if l.Msg == verdict && (user == "" || strings.EqualFold(l.User, user)) && strings.Contains(l.Detail, says) {
				n++
			}
		}
		return n
	}
	for _, user := range []string{"ada@example.com", "svc-deploy", "cy@example.com"} {
		if c, d := count("completed", user, ""), count("duplicate", user, ""); c != 1 || d != 2 {
			t.Errorf("%s: %d completed and %d duplicate, want 1 and 2 (one per shape)", user, c, d)
		}
	}
	if n := count("skipped", "svc-nobody", "no address"); n != 1 {
		t.Errorf("svc-nobody's CreateUser skipped %d times, want once (its copies are duplicates)", n)
	}
	if n := count("completed", "svc-nobody", ""); n != 1 {
		t.Errorf("svc-nobody completed %d times on its completion tag, want 1", n)
	}
	if n := count("ignored", "", "failed (EntityAlreadyExists"); n != 3 {
		t.Errorf("the failed CreateUser ignored %d times, want 3 (one per shape)", n)
	}
	if n := count("ignored", "", "not an event gatehouse completes users on"); n < 5 {
		t.Errorf("%d other calls ignored, want the watcher's own AddUserToGroup, CreateLoginProfile… among them", n)
	}
	if n := count("ignored", "", "not a CloudTrail record"); n != 1 {
		t.Errorf("%q ignored %d times, want once (it is no CloudTrail record: acknowledged)", "hello", n)
	}
	if n := count("failed", "eve@example.com", "no-such-group"); n < 3 {
		t.Errorf("eve's completion failed %d times, want at least 3 (her copies, each until the dead-letter queue)", n)
	}
	if n := count("failed", "", "cannot be read"); n != 3 {
		t.Errorf("the unreadable record failed %d times, want 3 (the queue's receives before the dead-letter queue)", n)
	}
}
