package sqs

import (
	"regexp"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

// batchEntryID is SQS's rule for the Id of a batch entry.
var batchEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// batchFailure is a BatchResultErrorEntry: one entry that failed while the
// others went through.
type batchFailure struct {
	ID          string `json:"Id" xml:"Id"`
	SenderFault bool
	Code        string
	Message     string
}

// checkBatch applies the rules every batch action has before any entry is
// tried: 1 to 10 entries, valid and distinct Ids. entryName is the entry
// shape's name, as SQS's messages use it.
func checkBatch(ids []*string, entryName string) error {
	switch {
	case len(ids) == 0:
		return sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one %s in the request.", entryName)
	case len(ids) > 10:
		return sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == nil || !batchEntryID.MatchString(*id) {
			return sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[*id] {
			return sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", *id)
		}
		seen[*id] = true
	}
	return nil
}

// decodeBatch decodes a batch action's input and finds its queue, then
// checks its entries (read through entries once decoded) by their Ids.
func decodeBatch[E any](r *awsproto.Request, in queueRequest, entries *[]E, entryName string, id func(*E) *string) (*sqsstate.Queue, error) {
	q, err := decodeQueue(r, in)
	if err != nil {
		return nil, err
	}
	ids := make([]*string, len(*entries))
	for i := range *entries {
		ids[i] = id(&(*entries)[i])
	}
	return q, checkBatch(ids, entryName)
}

// failure turns an entry's error into its BatchResultErrorEntry.
func failure(id string, err error) batchFailure {
	e := awsproto.AsError(err)
	code := e.Code
	if e.QueryCode != "" {
		code = e.QueryCode
	}
	return batchFailure{ID: id, SenderFault: e.Status < 500, Code: code, Message: e.Message}
}

type sendBatchInput struct {
	QueueRef
	Entries []sendMessageInput `query:"SendMessageBatchRequestEntry"`
}

type sendBatchEntry struct {
	ID string `json:"Id" xml:"Id"`
	sendResult
}

type sendBatchResult struct {
	Successful []sendBatchEntry `xml:"SendMessageBatchResultEntry"`
	Failed     []batchFailure   `xml:"BatchResultErrorEntry"`
}

func sendMessageBatch(r *awsproto.Request) (any, error) {
	var in sendBatchInput
	q, err := decodeBatch(r, &in, &in.Entries, "SendMessageBatchRequestEntry", func(e *sendMessageInput) *string { return e.ID })
	if err != nil {
		return nil, err
	}
	out := sendBatchResult{Successful: []sendBatchEntry{}, Failed: []batchFailure{}}
	for i := range in.Entries {
		e := &in.Entries[i]
		res, err := send(r, q, e)
		if err != nil {
			out.Failed = append(out.Failed, failure(*e.ID, err))
			continue
		}
		out.Successful = append(out.Successful, sendBatchEntry{*e.ID, *res})
	}
	return out, nil
}

type receiptEntry struct {
	ID                *string `json:"Id"`
	ReceiptHandle     *string
	VisibilityTimeout *int
}

type deleteBatchInput struct {
	QueueRef
	Entries []receiptEntry `query:"DeleteMessageBatchRequestEntry"`
}

type batchSuccess struct {
	ID string `json:"Id" xml:"Id"`
}

type deleteBatchResult struct {
	Successful []batchSuccess `xml:"DeleteMessageBatchResultEntry"`
	Failed     []batchFailure `xml:"BatchResultErrorEntry"`
}

func deleteMessageBatch(r *awsproto.Request) (any, error) {
	var in deleteBatchInput
	q, err := decodeBatch(r, &in, &in.Entries, "DeleteMessageBatchRequestEntry", func(e *receiptEntry) *string { return e.ID })
	if err != nil {
		return nil, err
	}
	out := deleteBatchResult{Successful: []batchSuccess{}, Failed: []batchFailure{}}
	for _, e := range in.Entries {
		if err := deleteByReceipt(q, e.ReceiptHandle); err != nil {
			out.Failed = append(out.Failed, failure(*e.ID, err))
			continue
		}
		out.Successful = append(out.Successful, batchSuccess{*e.ID})
	}
	return out, nil
}
