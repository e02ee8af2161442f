package eventbridge

import "testing"

const cloudTrailEvent = `{
  "version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
  "account": "111111111111", "region": "us-east-1", "resources": [],
  "detail": {
    "eventName": "CreateUser", "eventSource": "iam.amazonaws.com", "readOnly": false, "errorCode": null,
    "requestParameters": {"userName": "Alice@Example.com", "path": "/staff/", "tags": [{"key": "team", "value": "ops"}, {"key": "email", "value": "a@example.com"}]},
    "count": 5, "ratio": 0.25, "sourceIPAddress": "10.0.0.12"
  }
}`

func TestPatternMatching(t *testing.T) {
	t.Parallel()
	event, err := decodeJSON([]byte(cloudTrailEvent))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{"source": ["aws.iam"]}`, true},
		{`{"source": ["aws.sts", "aws.iam"]}`, true},
		{`{"source": ["aws.sts"]}`, false},
		{`{"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["CreateUser"]}}`, true},
		{`{"detail": {"eventName": ["DeleteUser"]}}`, false},
		{`{"detail": {"requestParameters": {"userName": [{"prefix": "Alice"}]}}}`, true},
		{`{"detail": {"requestParameters": {"userName": [{"prefix": {"equals-ignore-case": "alice"}}]}}}`, true},
		{`{"detail": {"requestParameters": {"userName": [{"suffix": "@Example.com"}]}}}`, true},
		{`{"detail": {"requestParameters": {"userName": [{"suffix": "@example.org"}]}}}`, false},
		{`{"detail": {"requestParameters": {"userName": [{"equals-ignore-case": "alice@example.com"}]}}}`, true},
		{`{"detail": {"requestParameters": {"userName": [{"wildcard": "*@*.com"}]}}}`, true},
		{`{"detail": {"eventName": [{"anything-but": "DeleteUser"}]}}`, true},
		{`{"detail": {"eventName": [{"anything-but": ["CreateUser", "DeleteUser"]}]}}`, false},
		{`{"detail": {"eventName": [{"anything-but": {"prefix": "Create"}}]}}`, false},
		{`{"detail": {"eventName": [{"anything-but": {"prefix": "Delete"}}]}}`, true},
		{`{"detail": {"errorCode": [null]}}`, true},
		{`{"detail": {"errorCode": [{"exists": true}]}}`, true},
		{`{"detail": {"errorMessage": [{"exists": false}]}}`, true},
		{`{"detail": {"errorMessage": [{"exists": true}]}}`, false},
		{`{"detail": {"requestParameters": [{"exists": true}]}}`, false},
		{`{"detail": {"readOnly": [false]}}`, true},
		{`{"detail": {"readOnly": [true]}}`, false},
		{`{"detail": {"count": [5]}}`, true},
		{`{"detail": {"count": [5.0]}}`, true},
		{`{"detail": {"count": ["5"]}}`, false},
		{`{"detail": {"count": [{"numeric": [">", 0, "<=", 5]}]}}`, true},
		{`{"detail": {"count": [{"numeric": ["<", 5]}]}}`, false},
		{`{"detail": {"ratio": [{"numeric": ["=", 0.25]}]}}`, true},
		{`{"detail": {"requestParameters": {"tags": {"key": ["email"]}}}}`, true},
		{`{"detail": {"requestParameters": {"tags": {"key": ["manager"]}}}}`, false},
		{`{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}`, true},
		{`{"detail": {"sourceIPAddress": [{"cidr": "10.0.1.0/24"}]}}`, false},
		{`{"$or": [{"source": ["aws.sts"]}, {"detail": {"eventName": ["CreateUser"]}}]}`, true},
		{`{"$or": [{"source": ["aws.sts"]}, {"detail": {"eventName": ["TagUser"]}}]}`, false},
		{`{"detail": {"missing": {"deeper": [{"exists": false}]}}}`, true},
	} {
		p, err := parsePattern(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		if got := matches(p, event); got != tc.want {
			t.Errorf("%s matched %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestPatternValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`{}`, `[]`, `not json`, `{"source": "aws.iam"}`, `{"source": []}`, `{"source": [{"prefix": 1}]}`,
		`{"source": [{"numeric": [">", "x"]}]}`, `{"source": [{"unknown": 1}]}`, `{"source": [{"prefix": "a", "suffix": "b"}]}`,
		`{"$or": [{"source": ["a"]}]}`, `{"source": [["nested"]]}`,
	} {
		if _, err := parsePattern(bad); err == nil {
			t.Errorf("pattern %s was accepted", bad)
		}
	}
}
