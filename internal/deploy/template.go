// Package deploy makes what deploying gatehouse's event handling takes: a
// CloudFormation template with the EventBridge rule (in us-east-1, where IAM's
// CloudTrail events arrive), the queue and its dead-letter queue, and the
// Lambda function with a least-privilege execution role — or, for the
// long-running worker, the same without the function.
package deploy

import (
	"encoding/json"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// Options shape the template.
type Options struct {
	// Worker leaves the function out: gatehouse watch runs elsewhere (a
	// container, a VM) with the managed policy the template creates.
	Worker bool
	// Architecture of the function: arm64 (default) or x86_64.
	Architecture string
}

type (
	template struct {
		AWSTemplateFormatVersion string
		Description              string
		Parameters               map[string]any
		Conditions               map[string]any `json:",omitempty"`
		Resources                map[string]resource
		Outputs                  map[string]any
	}
	resource struct {
		Type       string
		Condition  string `json:",omitempty"`
		Properties map[string]any
	}
)

// ref and getAtt are CloudFormation's intrinsic functions.
func ref(name string) map[string]any { return map[string]any{"Ref": name} }
func getAtt(name, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []string{name, attr}}
}
func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }
func tags(kv ...string) []map[string]string {
	return []map[string]string{{"Key": kv[0], "Value": kv[1]}}
}
func output(v any, what string) map[string]any {
	return map[string]any{"Value": v, "Description": what}
}
func param(typ, def, what string) map[string]any {
	return map[string]any{"Type": typ, "Default": def, "Description": what}
}

// Template returns the CloudFormation template as indented JSON.
func Template(opts Options) ([]byte, error) {
	arch := opts.Architecture
	if arch == "" {
		arch = "arm64"
	}
	if arch != "arm64" && arch != "x86_64" {
		return nil, fmt.Errorf("--arch %q: choose arm64 or x86_64", arch)
	}
	t := template{
		AWSTemplateFormatVersion: "2010-09-09",
		Description: "gatehouse: complete IAM users created elsewhere (Terraform, CloudFormation, the console) from CloudTrail's " +
			"CreateUser events. Deploy in us-east-1, where IAM's events arrive.",
		Parameters: map[string]any{
			"MaxReceiveCount": param("Number", "5", "Receives before a message that keeps failing goes to the dead-letter queue"),
		},
		Resources: map[string]resource{},
		Outputs:   map[string]any{},
	}
	t.queues()
	t.rule()
	if opts.Worker {
		t.workerPolicy()
	} else {
		t.function(arch)
	}
	return json.MarshalIndent(t, "", "  ")
}

func (t *template) queues() {
	t.Resources["DeadLetterQueue"] = resource{Type: "AWS::SQS::Queue", Properties: map[string]any{
		"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": true, "Tags": tags("gatehouse", "dead-letters")}}
	t.Resources["Queue"] = resource{Type: "AWS::SQS::Queue", Properties: map[string]any{
		"VisibilityTimeout": 360, "MessageRetentionPeriod": 345600, "SqsManagedSseEnabled": true,
		"RedrivePolicy": map[string]any{"deadLetterTargetArn": getAtt("DeadLetterQueue", "Arn"), "maxReceiveCount": ref("MaxReceiveCount")},
		"Tags":          tags("gatehouse", "iam-events")}}
	t.Resources["QueuePolicy"] = resource{Type: "AWS::SQS::QueuePolicy", Properties: map[string]any{
		"Queues": []any{ref("Queue")},
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Sid": "EventBridgeSendsIAMEvents", "Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"},
			"Action": "sqs:SendMessage", "Resource": getAtt("Queue", "Arn"),
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": getAtt("CreateUserRule", "Arn")}}}}}}}
	t.Outputs["QueueUrl"] = output(ref("Queue"), "gatehouse watch --queue takes this")
	t.Outputs["DeadLetterQueueUrl"] = output(ref("DeadLetterQueue"), "Messages that kept failing; alarm on its depth")
}

func (t *template) rule() {
	t.Resources["CreateUserRule"] = resource{Type: "AWS::Events::Rule", Properties: map[string]any{
		"Description": "IAM users created (or tagged for completion) anywhere in this account",
		"EventPattern": map[string]any{"source": []string{"aws.iam"}, "detail-type": []string{"AWS API Call via CloudTrail"},
			"detail": map[string]any{"eventSource": []string{"iam.amazonaws.com"}, "eventName": []string{"CreateUser", "TagUser"}}},
		"State":   "ENABLED",
		"Targets": []any{map[string]any{"Id": "gatehouse-queue", "Arn": getAtt("Queue", "Arn")}}}}
}

func (t *template) function(arch string) {
	t.Parameters["CodeBucket"] = map[string]any{"Type": "String", "Description": "S3 bucket holding the function's zip (the gatehouse binary named bootstrap, and the configuration)"}
	t.Parameters["CodeKey"] = map[string]any{"Type": "String", "Description": "S3 key of the zip"}
	t.Parameters["ConfigFile"] = param("String", "watch.yaml", "The configuration's path inside the zip (GATEHOUSE_CONFIG)")
	t.Resources["ExecutionRole"] = resource{Type: "AWS::IAM::Role", Properties: map[string]any{
		"Description": "gatehouse's Lambda function: read the queue, enter member accounts, complete users, send mail",
		"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}},
		"ManagedPolicyArns": []any{sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")},
		"Policies":          []any{map[string]any{"PolicyName": "gatehouse-watch", "PolicyDocument": watchPolicy()}}}}
	t.Resources["Function"] = resource{Type: "AWS::Lambda::Function", Properties: map[string]any{
		"Description": "gatehouse: completes IAM users from CloudTrail events", "Runtime": "provided.al2023", "Handler": "bootstrap",
		"Architectures": []string{arch}, "MemorySize": 256, "Timeout": 60, "Role": getAtt("ExecutionRole", "Arn"),
		"Code":        map[string]any{"S3Bucket": ref("CodeBucket"), "S3Key": ref("CodeKey")},
		"Environment": map[string]any{"Variables": map[string]any{"GATEHOUSE_CONFIG": ref("ConfigFile")}}}}
	t.Resources["QueueTrigger"] = resource{Type: "AWS::Lambda::EventSourceMapping", Properties: map[string]any{
		"EventSourceArn": getAtt("Queue", "Arn"), "FunctionName": ref("Function"), "BatchSize": 10,
		"FunctionResponseTypes": []string{"ReportBatchItemFailures"}}}
	t.Outputs["Function"] = output(ref("Function"), "The function the queue triggers")
}

func (t *template) workerPolicy() {
	t.Resources["WorkerPolicy"] = resource{Type: "AWS::IAM::ManagedPolicy", Properties: map[string]any{
		"Description":    "Attach to the identity gatehouse watch runs as (gatehouse policy --for watch)",
		"PolicyDocument": watchPolicy()}}
	t.Outputs["WorkerPolicy"] = output(ref("WorkerPolicy"), "Attach to the role of the host that runs gatehouse watch --queue QueueUrl")
}

// watchPolicy is what the watcher needs as the caller; the member accounts'
// role needs `gatehouse policy --for watch --part member`.
func watchPolicy() policy.Document {
	doc, _ := policy.For([]string{policy.Watch}, policy.Caller)
	return doc
}
