package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// Invoke handles one Lambda invocation: an SQS batch (answering which
// messages failed, so only those come back: the event source mapping's
// ReportBatchItemFailures), an SNS notification, or an EventBridge event
// delivered directly. For SNS and EventBridge a failure is the
// invocation's error, and Lambda retries it.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	var probe struct {
		Records []struct {
			EventSource  string `json:"eventSource"`
			EventSource2 string `json:"EventSource"`
		} `json:"Records"`
		DetailType string `json:"detail-type"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("reading the invocation: %w", err)
	}
	switch {
	case len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:sqs":
		var batch awsevents.SQSEvent
		if err := json.Unmarshal(payload, &batch); err != nil {
			return nil, fmt.Errorf("reading the SQS batch: %w", err)
		}
		return h.invokeSQS(ctx, batch), nil
	case len(probe.Records) > 0 && probe.Records[0].EventSource2 == "aws:sns":
		var note awsevents.SNSEvent
		if err := json.Unmarshal(payload, &note); err != nil {
			return nil, fmt.Errorf("reading the SNS event: %w", err)
		}
		return nil, h.invokeSNS(ctx, note)
	case probe.DetailType != "":
		if out := h.Handle(ctx, payload); !out.Ack() {
			return nil, fmt.Errorf("event %s %s: %s", out.Event.ID, out.Verdict, out.Detail)
		}
		return nil, nil
	}
	h.log(Outcome{Verdict: Ignored, Detail: "an invocation that is neither SQS, SNS nor EventBridge"})
	return nil, nil
}

func (h *Handler) invokeSQS(ctx context.Context, batch awsevents.SQSEvent) awsevents.SQSEventResponse {
	resp := awsevents.SQSEventResponse{BatchItemFailures: []awsevents.SQSBatchItemFailure{}}
	for _, r := range batch.Records {
		if out := h.Handle(ctx, []byte(r.Body)); !out.Ack() {
			resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	return resp
}

func (h *Handler) invokeSNS(ctx context.Context, note awsevents.SNSEvent) error {
	var failed []string
	for _, r := range note.Records {
		if out := h.Handle(ctx, []byte(r.SNS.Message)); !out.Ack() {
			failed = append(failed, fmt.Sprintf("%s %s: %s", out.Event.ID, out.Verdict, out.Detail))
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}
