package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// The benchmark's organisation is seed 003 across two accounts, as the
// e2e suite wires it: users are created in a member account, whose
// EventBridge rule sends CloudTrail's CreateUser through the management
// account's SNS topic into its queue; the watchers run with the management
// account's root credentials (SQS, SES) and complete users through the
// member's OrganizationAccountAccessRole.
const (
	management = "111111111111"
	member     = "222222222222"
	sender     = "it@example.com"
	queueName  = "new-users"
)

const fixture = `organization:
  management_account: "111111111111"
  accounts:
    - {id: "111111111111", name: Management, email: m@example.com}
    - {id: "222222222222", name: Member, email: x@example.com}
accounts:
  "111111111111":
    ses_identities: {us-east-1: [it@example.com]}
    sqs_queues:
      - name: new-users-dlq
      - name: new-users
        receive_wait_time_seconds: 20
        redrive: {dead_letter_queue: new-users-dlq, max_receive_count: 10}
    sns_topics:
      - name: iam-users
        subscriptions: [{queue: new-users}]
  "222222222222":
    alias: bench-member
    groups: [{name: staff}]
    roles:
      - name: OrganizationAccountAccessRole
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sts:AssumeRole"}]}
        attached_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    event_rules:
      - name: cloudtrail-create-user
        event_pattern:
          source: [aws.iam]
          detail-type: [AWS API Call via CloudTrail]
          detail: {eventName: [CreateUser], errorCode: [{exists: false}]}
        targets: [{id: topic, arn: "arn:aws:sns:us-east-1:111111111111:iam-users"}]
`

// config is the watchers' configuration: every user into staff, its
// password mailed through SES.
const config = `role: {name: OrganizationAccountAccessRole}
delivery: {channel: ses, from: it@example.com}
defaults: {groups: [staff]}
events: {}
`

// writeFiles writes the fixture and the configuration into dir.
func writeFiles(dir string) (fixturePath, configPath string, err error) {
	fixturePath, configPath = filepath.Join(dir, "world.yaml"), filepath.Join(dir, "watch.yaml")
	for path, text := range map[string]string{fixturePath: fixture, configPath: config} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return "", "", err
		}
	}
	return fixturePath, configPath, nil
}

// userName is the i-th user of a run, named after its address.
func userName(run string, i int) string { return fmt.Sprintf("%s%04d@example.com", run, i) }
