package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// createUser is EventBridge's event for a CreateUser call Terraform made, as
// AWS documents CloudTrail's record of it.
const createUser = `{
  "version": "0", "id": "6f7a1c1e-0000-4e31-9a2f-4d3c2b1a0f9e", "detail-type": "AWS API Call via CloudTrail",
  "source": "aws.iam", "account": "222222222222", "time": "2026-12-05T10:00:00Z", "region": "us-east-1", "resources": [],
  "detail": {
    "eventVersion": "1.08",
    "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::222222222222:assumed-role/terraform/ci", "accountId": "222222222222"},
    "eventTime": "2026-12-05T09:59:58Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
    "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7", "userAgent": "APN/1.0 HashiCorp/1.0 Terraform/1.9.0",
    "requestParameters": {"userName": "alice@example.com", "path": "/people/", "tags": [{"key": "team", "value": "platform"}]},
    "responseElements": {"user": {"path": "/people/", "userName": "alice@example.com", "userId": "AIDAEXAMPLE", "arn": "arn:aws:iam::222222222222:user/people/alice@example.com", "createDate": "Dec 5, 2026 9:59:58 AM"}},
    "requestID": "b9e1c2d3-0000-4f00-8a00-000000000000", "eventID": "e2f1a3b4-0000-4c00-9d00-000000000001",
    "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "222222222222",
    "eventCategory": "Management"
  }
}`

func snsNotification(t *testing.T, message string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:111111111111:iam-users",
		"Message": message, "Timestamp": "2026-12-05T10:00:01.000Z", "SignatureVersion": "1", "Signature": "x", "SigningCertURL": "https://sns/cert.pem"})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A record reads the same whichever way it came: EventBridge's event as it
// is, in SNS's envelope, or as SNS raw delivery (the event itself).
func TestParseEveryWayARecordArrives(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"eventbridge": createUser, "sns envelope": snsNotification(t, createUser), "sns raw": createUser} {
		ev, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ev.ID != "e2f1a3b4-0000-4c00-9d00-000000000001" || ev.Name != "CreateUser" || !ev.IAM() || ev.Account != "222222222222" ||
			ev.UserName != "alice@example.com" || ev.Path != "/people/" || ev.Tags["team"] != "platform" || ev.Error != "" ||
			ev.Caller != "arn:aws:sts::222222222222:assumed-role/terraform/ci" || ev.Time.IsZero() {
			t.Errorf("%s: %+v", name, ev)
		}
	}
}

// A failed call carries its error code; other messages are not events.
func TestParseFailuresAndOthers(t *testing.T) {
	t.Parallel()
	var m map[string]any
	_ = json.Unmarshal([]byte(createUser), &m)
	d := m["detail"].(map[string]any)
	d["errorCode"] = "EntityAlreadyExistsException"
	delete(d, "responseElements")
	failed, _ := json.Marshal(m)
	ev, err := Parse(failed)
	if err != nil || ev.Error != "EntityAlreadyExistsException" {
		t.Errorf("failed call: %+v, %v", ev, err)
	}
	for name, body := range map[string]string{
		"not JSON":      "hello",
		"subscription":  `{"Type":"SubscriptionConfirmation","Message":"You have chosen to subscribe","SubscribeURL":"https://x"}`,
		"another event": `{"detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}`,
		"test message":  `{"Type":"Notification","Message":"hello"}`,
		"an odd time":   `{"detail-type":"EC2 Instance State-change Notification","time":1733392800,"detail":{}}`,
	} {
		if _, err := Parse([]byte(body)); !errors.Is(err, ErrNotAnEvent) {
			t.Errorf("%s: %v, want ErrNotAnEvent", name, err)
		}
	}
}

// A message that says it is a CloudTrail record but cannot be read may name
// a user to complete: it is unreadable, not "not an event", so it is never
// acknowledged and ends in the dead-letter queue. An odd time loses nothing.
func TestParseUnreadableRecords(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"record without ids":    `{"detail-type":"AWS API Call via CloudTrail","detail":{}}`,
		"record without detail": `{"detail-type":"AWS API Call via CloudTrail","source":"aws.iam"}`,
		"detail not an object":  `{"detail-type":"AWS API Call via CloudTrail","detail":"CreateUser"}`,
		"inside SNS":            snsNotification(t, `{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"CreateUser"}}`),
	} {
		if _, err := Parse([]byte(body)); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: %v, want ErrUnreadable", name, err)
		}
	}
	odd := strings.Replace(createUser, `"time": "2026-12-05T10:00:00Z"`, `"time": 1733392800`, 1)
	if ev, err := Parse([]byte(odd)); err != nil || ev.UserName != "alice@example.com" || ev.Time.IsZero() {
		t.Errorf("a record whose envelope's time is a number: %+v, %v", ev, err)
	}
}
