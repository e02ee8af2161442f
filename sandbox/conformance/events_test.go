package conformance

import (
	"encoding/json"
	"testing"
)

// createUserPattern is seed 003's rule: CloudTrail's record of CreateUser.
const createUserPattern = `{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["iam.amazonaws.com"],"eventName":["CreateUser"]}}`

func TestEventsRules(t *testing.T) {
	cli := newCLI(t)
	arn := str(cli.Run("events", "put-rule", "--name", "new-users", "--event-pattern", createUserPattern, "--description", "seed 003"), "RuleArn")
	if arn != "arn:aws:events:us-east-1:"+cli.Account+":rule/new-users" {
		t.Errorf("RuleArn = %s", arn)
	}
	cli.Fail("InvalidEventPatternException", "events", "put-rule", "--name", "bad", "--event-pattern", `{"source":"aws.iam"}`)
	cli.Fail("ValidationException", "events", "put-rule", "--name", "neither")
	cli.Run("events", "put-rule", "--name", "nightly", "--schedule-expression", "rate(1 day)", "--state", "DISABLED")
	rule := cli.Run("events", "describe-rule", "--name", "new-users")
	if str(rule, "State") != "ENABLED" || str(rule, "EventBusName") != "default" || str(rule, "EventPattern") != createUserPattern || str(rule, "Description") != "seed 003" {
		t.Errorf("describe-rule = %v", rule)
	}
	cli.Fail("ResourceNotFoundException", "events", "describe-rule", "--name", "nope")
	first := cli.Run("events", "list-rules", "--limit", "1")
	if length(first, "Rules") != 1 || str(first, "Rules", 0, "Name") != "new-users" || str(first, "NextToken") == "" {
		t.Fatalf("list-rules page 1 = %v", first)
	}
	second := cli.Run("events", "list-rules", "--limit", "1", "--next-token", str(first, "NextToken"))
	if length(second, "Rules") != 1 || str(second, "Rules", 0, "Name") != "nightly" || second["NextToken"] != nil {
		t.Errorf("list-rules page 2 = %v", second)
	}
	if prefixed := cli.Run("events", "list-rules", "--name-prefix", "new"); length(prefixed, "Rules") != 1 {
		t.Errorf("list-rules --name-prefix = %v", prefixed)
	}
	queueARN := "arn:aws:sqs:us-east-1:" + cli.Account + ":q"
	put := cli.Run("events", "put-targets", "--rule", "new-users", "--targets", "Id=q,Arn="+queueARN)
	if put["FailedEntryCount"] != float64(0) {
		t.Errorf("put-targets = %v", put)
	}
	cli.Fail("ValidationException", "events", "put-targets", "--rule", "new-users", "--targets", "Id=fn,Arn=arn:aws:lambda:us-east-1:"+cli.Account+":function:f")
	if targets := cli.Run("events", "list-targets-by-rule", "--rule", "new-users"); length(targets, "Targets") != 1 || str(targets, "Targets", 0, "Arn") != queueARN {
		t.Errorf("list-targets-by-rule = %v", targets)
	}
	msg := cli.Fail("ValidationException", "events", "delete-rule", "--name", "new-users")
	if msg != "Rule can't be deleted since it has targets." {
		t.Errorf("delete-rule with targets: %q", msg)
	}
	cli.Run("events", "remove-targets", "--rule", "new-users", "--ids", "q")
	cli.Run("events", "delete-rule", "--name", "new-users")
	cli.Fail("ResourceNotFoundException", "events", "describe-rule", "--name", "new-users")
}

func TestEventsPutEvents(t *testing.T) {
	cli := newCLI(t)
	url := cli.queue("orders")
	cli.Run("events", "put-rule", "--name", "big-orders", "--event-pattern", `{"source":["shop"],"detail":{"total":[{"numeric":[">=",100]}],"customer":[{"prefix":"a"}]}}`)
	cli.Run("events", "put-targets", "--rule", "big-orders", "--targets", "Id=q,Arn=arn:aws:sqs:us-east-1:"+cli.Account+":orders")
	out := cli.Run("events", "put-events", "--entries",
		`[{"Source":"shop","DetailType":"order","Detail":"{\"total\":150,\"customer\":\"ann\"}"},`+
			`{"Source":"shop","DetailType":"order","Detail":"{\"total\":50,\"customer\":\"ann\"}"},`+
			`{"Source":"aws.iam","DetailType":"forged","Detail":"{}"}]`)
	if out["FailedEntryCount"] != float64(1) || str(out, "Entries", 0, "EventId") == "" || str(out, "Entries", 2, "ErrorCode") != "NotAuthorizedForSourceException" {
		t.Errorf("put-events = %v", out)
	}
	got := cli.receive(url, "--max-number-of-messages", "10")
	if len(got) != 1 {
		t.Fatalf("queue got %d events, want the one that matched", len(got))
	}
	var event map[string]any
	if err := json.Unmarshal([]byte(str(got[0], "Body")), &event); err != nil {
		t.Fatal(err)
	}
	if event["id"] != str(out, "Entries", 0, "EventId") || event["detail-type"] != "order" || event["account"] != cli.Account ||
		get(event, "detail", "total") != float64(150) || event["version"] != "0" || event["region"] != "us-east-1" {
		t.Errorf("event = %v", event)
	}
}

// cloudTrailRecord reads the CloudTrail record out of a message, which the
// rule delivered directly, in SNS's envelope or raw through SNS.
func cloudTrailRecord(t *testing.T, body string, enveloped bool) map[string]any {
	t.Helper()
	if enveloped {
		var env struct{ Type, Message string }
		if err := json.Unmarshal([]byte(body), &env); err != nil || env.Type != "Notification" {
			t.Fatalf("not an SNS envelope (%v): %s", err, body)
		}
		body = env.Message
	}
	var event struct {
		Source     string         `json:"source"`
		DetailType string         `json:"detail-type"`
		Detail     map[string]any `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &event); err != nil || event.Source != "aws.iam" || event.DetailType != "AWS API Call via CloudTrail" {
		t.Fatalf("not a CloudTrail event (%v): %s", err, body)
	}
	return event.Detail
}

func TestEventsCreateUserReachesQueues(t *testing.T) {
	cli := newCLI(t)
	direct, enveloped, raw := cli.queue("direct"), cli.queue("enveloped"), cli.queue("raw")
	prefix := "arn:aws:sqs:us-east-1:" + cli.Account + ":"
	topic := str(cli.Run("sns", "create-topic", "--name", "iam-users"), "TopicArn")
	cli.Run("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", prefix+"enveloped")
	cli.Run("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", prefix+"raw", "--attributes", "RawMessageDelivery=true")
	cli.Run("events", "put-rule", "--name", "create-user", "--event-pattern", createUserPattern)
	cli.Run("events", "put-targets", "--rule", "create-user", "--targets", "Id=queue,Arn="+prefix+"direct", "Id=topic,Arn="+topic)

	user := cli.Run("iam", "create-user", "--user-name", "alice@example.com", "--path", "/people/", "--tags", "Key=team,Value=ops")
	cli.Run("iam", "tag-user", "--user-name", "alice@example.com", "--tags", "Key=email,Value=alice@example.com")
	for _, q := range []struct {
		url       string
		enveloped bool
	}{{direct, false}, {enveloped, true}, {raw, false}} {
		got := cli.receive(q.url, "--max-number-of-messages", "10")
		if len(got) != 1 {
			t.Fatalf("%s got %d messages; only CreateUser matches the rule", q.url, len(got))
		}
		rec := cloudTrailRecord(t, str(got[0], "Body"), q.enveloped)
		if rec["eventName"] != "CreateUser" || rec["eventSource"] != "iam.amazonaws.com" || rec["recipientAccountId"] != cli.Account ||
			rec["readOnly"] != false || rec["eventVersion"] != "1.08" || rec["eventType"] != "AwsApiCall" || rec["eventCategory"] != "Management" {
			t.Errorf("%s: record = %v", q.url, rec)
		}
		if str(rec, "userIdentity", "type") != "Root" || str(rec, "userIdentity", "accountId") != cli.Account || str(rec, "userIdentity", "arn") != "arn:aws:iam::"+cli.Account+":root" {
			t.Errorf("userIdentity = %v", rec["userIdentity"])
		}
		if str(rec, "requestParameters", "userName") != "alice@example.com" || str(rec, "requestParameters", "path") != "/people/" || str(rec, "requestParameters", "tags", 0, "key") != "team" {
			t.Errorf("requestParameters = %v", rec["requestParameters"])
		}
		if str(rec, "responseElements", "user", "userId") != str(user, "User", "UserId") || str(rec, "responseElements", "user", "arn") != str(user, "User", "Arn") {
			t.Errorf("responseElements = %v", rec["responseElements"])
		}
	}
}

func TestEventsFailedIAMCallRecord(t *testing.T) {
	cli := newCLI(t)
	url := cli.queue("trail")
	cli.Run("events", "put-rule", "--name", "all-iam", "--event-pattern", `{"source":["aws.iam"]}`)
	cli.Run("events", "put-targets", "--rule", "all-iam", "--targets", "Id=q,Arn=arn:aws:sqs:us-east-1:"+cli.Account+":trail")
	cli.Run("iam", "create-user", "--user-name", "bob")
	cli.Fail("EntityAlreadyExists", "iam", "create-user", "--user-name", "BOB")
	cli.Run("iam", "create-login-profile", "--user-name", "bob", "--password", "Correct-Horse-Battery-9!")
	got := cli.receive(url, "--max-number-of-messages", "10")
	if len(got) != 3 {
		t.Fatalf("got %d records, want 3", len(got))
	}
	failed := cloudTrailRecord(t, str(got[1], "Body"), false)
	if _, has := failed["responseElements"]; has || failed["errorCode"] != "EntityAlreadyExistsException" || failed["errorMessage"] != "User with name BOB already exists." {
		t.Errorf("failed call's record = %v", failed)
	}
	login := cloudTrailRecord(t, str(got[2], "Body"), false)
	if str(login, "requestParameters", "password") != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("create-login-profile's password is not hidden: %v", login["requestParameters"])
	}
	var recent struct {
		Events []struct {
			Rules []string `json:"rules"`
		} `json:"events"`
	}
	cli.Inspect("events?account="+cli.Account, &recent)
	if len(recent.Events) != 3 || len(recent.Events[0].Rules) != 1 {
		t.Errorf("/_sandbox/events = %+v", recent)
	}
}
