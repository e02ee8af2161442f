package cloudtrail_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// wired starts a sandbox whose account has a rule sending every CloudTrail
// event from IAM to a queue, and returns IAM and SQS clients and the queue.
func wired(t *testing.T) (*iam.Client, *sqs.Client, string) {
	t.Helper()
	ctx := context.Background()
	sb := sandboxtest.Start(t, sandbox.Options{})
	cfg := sb.Config("111111111111")
	q := sqs.NewFromConfig(cfg)
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("trail")})
	if err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("iam"),
		EventPattern: aws.String(`{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("iam"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:111111111111:trail")}}}); err != nil {
		t.Fatal(err)
	}
	return iam.NewFromConfig(cfg), q, aws.ToString(out.QueueUrl)
}

// details receives the CloudTrail records on the queue, in order.
func details(t *testing.T, q *sqs.Client, url string) []map[string]any {
	t.Helper()
	out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	var records []map[string]any
	for _, m := range out.Messages {
		var event struct {
			Source     string         `json:"source"`
			DetailType string         `json:"detail-type"`
			Detail     map[string]any `json:"detail"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &event); err != nil {
			t.Fatal(err)
		}
		if event.Source != "aws.iam" || event.DetailType != "AWS API Call via CloudTrail" {
			t.Errorf("event = %+v", event)
		}
		records = append(records, event.Detail)
	}
	return records
}

func TestCreateUserReachesTheBus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, q, url := wired(t)
	created, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice@example.com"), Path: aws.String("/people/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice@example.com"), Password: aws.String("Correct-Horse-9!")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice@example.com")}); err != nil {
		t.Fatal(err)
	}
	records := details(t, q, url)
	if len(records) != 2 {
		t.Fatalf("%d records, want CreateUser and CreateLoginProfile (reads are not sent)", len(records))
	}
	rec := records[0]
	want := map[string]any{"eventVersion": "1.08", "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-1",
		"readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111111111111", "eventCategory": "Management"}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
	if id, _ := rec["userIdentity"].(map[string]any); id["type"] != "Root" || id["arn"] != "arn:aws:iam::111111111111:root" || id["accessKeyId"] != "111111111111" {
		t.Errorf("userIdentity = %v", id)
	}
	params, _ := json.Marshal(rec["requestParameters"])
	if string(params) != `{"path":"/people/","tags":[{"key":"team","value":"ops"}],"userName":"alice@example.com"}` {
		t.Errorf("requestParameters = %s", params)
	}
	user, _ := rec["responseElements"].(map[string]any)["user"].(map[string]any)
	if user["userName"] != "alice@example.com" || user["userId"] != aws.ToString(created.User.UserId) || user["arn"] != aws.ToString(created.User.Arn) ||
		user["path"] != "/people/" || user["createDate"] == nil {
		t.Errorf("responseElements.user = %v", user)
	}
	if rec["eventID"] == "" || rec["requestID"] == "" || rec["sourceIPAddress"] != "127.0.0.1" {
		t.Errorf("ids and source = %v %v %v", rec["eventID"], rec["requestID"], rec["sourceIPAddress"])
	}
	lp, _ := records[1]["requestParameters"].(map[string]any)
	if lp["password"] != "HIDDEN_DUE_TO_SECURITY_REASONS" || lp["userName"] != "alice@example.com" {
		t.Errorf("CreateLoginProfile requestParameters = %v", lp)
	}
}

func TestFailedCallHasErrorAndNoResponse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, q, url := wired(t)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("BOB")}); err == nil {
		t.Fatal("duplicate user created")
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	records := details(t, q, url)
	if len(records) != 3 {
		t.Fatalf("%d records", len(records))
	}
	failed := records[1]
	if _, has := failed["responseElements"]; has || failed["errorCode"] != "EntityAlreadyExistsException" || failed["errorMessage"] != "User with name BOB already exists." {
		t.Errorf("failed record = %v", failed)
	}
	if deleted := records[2]; deleted["responseElements"] != nil || deleted["errorCode"] != nil {
		t.Errorf("DeleteUser record = %v", deleted)
	}
	if _, has := records[2]["responseElements"]; !has {
		t.Errorf("DeleteUser's record lacks responseElements: null")
	}
}
