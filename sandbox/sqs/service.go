// Package sqs is the sandbox's Amazon SQS (standard queues) in both of its
// protocols: JSON 1.0 (AmazonSQS.*), which current SDKs send, and Query,
// which clients built on models from before 2023 still send (the AWS CLI v2
// in Debian 12). The two APIs run the same operations on one set of queues
// (package sqsstate, which SNS and EventBridge deliver into).
//
// What the sandbox holds to, as SQS does: a message moves to the dead-letter
// queue when a receive would take its receive count past maxReceiveCount;
// every receive gives a new receipt handle and only the latest one deletes;
// a long poll returns as soon as a message arrives; errors carry SQS's codes
// in both protocols (x-amzn-query-error on JSON).
package sqs

import (
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/fixture"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

const (
	namespace = "http://queue.amazonaws.com/doc/2012-11-05/"
	version   = "2012-11-05"
)

// Service is SQS: the JSON API first (its X-Amz-Target names it for sure),
// then the Query API, both signed as "sqs" and both the AWS CLI's "sqs".
func Service() service.Definition {
	return service.Definition{
		APIs: []*awsproto.API{
			{Name: "sqs", ID: "sqs", Codec: awsproto.JSON{Version: "1.0", TargetPrefix: "AmazonSQS"}, Operations: operations(jsonErrors)},
			{Name: "sqs", ID: "sqs", Codec: awsproto.Query{Namespace: namespace, Version: version}, Operations: operations(queryErrors)},
		},
		State:   []state.Slot{sqsstate.Slot},
		Fixture: []fixture.Section{fixtureSection()},
	}
}

// operations is every action, with errors worded for one protocol.
func operations(dialect func(awsproto.Handler) awsproto.Handler) map[string]awsproto.Operation {
	read := func(h awsproto.Handler) awsproto.Operation { return awsproto.Read(dialect(h)) }
	write := func(h awsproto.Handler) awsproto.Operation { return awsproto.Write(dialect(h)) }
	return map[string]awsproto.Operation{
		"CreateQueue":             write(createQueue),
		"GetQueueUrl":             read(getQueueURL),
		"GetQueueAttributes":      read(getQueueAttributes),
		"SetQueueAttributes":      write(setQueueAttributes),
		"ListQueues":              read(listQueues),
		"DeleteQueue":             write(deleteQueue),
		"PurgeQueue":              write(purgeQueue),
		"SendMessage":             write(sendMessage),
		"SendMessageBatch":        write(sendMessageBatch),
		"ReceiveMessage":          write(receiveMessage),
		"DeleteMessage":           write(deleteMessage),
		"DeleteMessageBatch":      write(deleteMessageBatch),
		"ChangeMessageVisibility": write(changeMessageVisibility),
	}
}

// jsonErrors gives every error the code the Query protocol had for it, which
// the JSON codec sends in x-amzn-query-error (the model is
// awsQueryCompatible): older SDKs classify on it.
func jsonErrors(h awsproto.Handler) awsproto.Handler {
	return func(r *awsproto.Request) (any, error) {
		out, err := h(r)
		if e, ok := err.(*awsproto.Error); ok && e.QueryCode == "" {
			cp := *e
			cp.QueryCode = e.Code
			return out, &cp
		}
		return out, err
	}
}

// queryErrors answers with the Query protocol's codes
// (AWS.SimpleQueueService.NonExistentQueue rather than QueueDoesNotExist).
func queryErrors(h awsproto.Handler) awsproto.Handler {
	return func(r *awsproto.Request) (any, error) {
		out, err := h(r)
		if e, ok := err.(*awsproto.Error); ok && e.QueryCode != "" {
			cp := *e
			cp.Code, cp.QueryCode = e.QueryCode, ""
			return out, &cp
		}
		return out, err
	}
}

// sqsError is an error whose Query code differs from its JSON one.
func sqsError(code, queryCode, format string, args ...any) *awsproto.Error {
	e := awsproto.Errorf(http.StatusBadRequest, code, format, args...)
	e.QueryCode = queryCode
	return e
}

func queueDoesNotExist() error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func invalidParameterValue(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}

func invalidAttributeName(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidAttributeName", format, args...)
}

func invalidAttributeValue(format string, args ...any) error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidAttributeValue", format, args...)
}

func missingParameter(name string) error {
	return awsproto.Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s.", name)
}

func receiptHandleIsInvalid(handle string) error {
	return awsproto.Errorf(http.StatusBadRequest, "ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a valid receipt handle.", handle)
}
