package sqs

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// settable are the attributes CreateQueue and SetQueueAttributes take, with
// the integer range of the numeric ones (the model's documentation).
var settable = map[string][2]int{
	"DelaySeconds":                  {0, 900},
	"MaximumMessageSize":            {1024, 1048576},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, 20},
	"VisibilityTimeout":             {0, 43200},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
	"Policy":                        {},
	"RedrivePolicy":                 {},
	"RedriveAllowPolicy":            {},
	"KmsMasterKeyId":                {},
	"SqsManagedSseEnabled":          {},
}

// defaultAttributes are a new standard queue's (SSE-SQS on by default since 2022).
func defaultAttributes() map[string]string {
	return map[string]string{
		"DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
		"ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30", "SqsManagedSseEnabled": "true",
	}
}

// checkAttributes validates attributes to set. FIFO queues are not served:
// the sandbox says so rather than create a standard queue in their place.
func checkAttributes(w *state.World, region, account string, attrs map[string]string, creating bool) (map[string]string, error) {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := attrs[k]
		if k == "FifoQueue" && creating {
			return nil, invalidAttributeValue("The sandbox serves standard queues only; FIFO queues (FifoQueue) are not supported.")
		}
		bounds, ok := settable[k]
		if !ok {
			return nil, invalidAttributeName("Unknown Attribute %s.", k)
		}
		switch {
		case bounds[1] > 0:
			n, err := strconv.Atoi(v)
			if err != nil || n < bounds[0] || n > bounds[1] {
				return nil, invalidAttributeValue("Invalid value for the parameter %s.", k)
			}
		case k == "RedrivePolicy":
			if err := checkRedrive(w, region, account, v); err != nil {
				return nil, err
			}
		case k == "Policy" || k == "RedriveAllowPolicy":
			if v != "" && !json.Valid([]byte(v)) {
				return nil, invalidAttributeValue("Invalid value for the parameter %s.", k)
			}
		case k == "SqsManagedSseEnabled" && v != "true" && v != "false":
			return nil, invalidAttributeValue("Invalid value for the parameter %s.", k)
		}
	}
	return attrs, nil
}

// redrivePolicy is RedrivePolicy's JSON. maxReceiveCount may be sent as a
// number or a string; SQS gives it back as a number.
type redrivePolicy struct {
	DeadLetterTargetArn string      `json:"deadLetterTargetArn"`
	MaxReceiveCount     json.Number `json:"maxReceiveCount"`
}

// parseRedrive reads a RedrivePolicy; max is 0 when the queue has none.
func parseRedrive(v string) (target string, max int, ok bool) {
	var p redrivePolicy
	if v == "" {
		return "", 0, true
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		var loose struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     string `json:"maxReceiveCount"`
		}
		if json.Unmarshal([]byte(v), &loose) != nil {
			return "", 0, false
		}
		p.DeadLetterTargetArn, p.MaxReceiveCount = loose.DeadLetterTargetArn, json.Number(loose.MaxReceiveCount)
	}
	n, err := strconv.Atoi(string(p.MaxReceiveCount))
	if err != nil {
		return p.DeadLetterTargetArn, 0, false
	}
	return p.DeadLetterTargetArn, n, true
}

// checkRedrive holds a RedrivePolicy to what SQS accepts: both keys, a
// count from 1 to 1000, and a dead-letter queue that exists in the same
// account and region.
func checkRedrive(w *state.World, region, account, v string) error {
	if v == "" {
		return nil
	}
	target, max, ok := parseRedrive(v)
	switch {
	case !ok || target == "":
		return invalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map with deadLetterTargetArn and maxReceiveCount.", v)
	case max < 1 || max > 1000:
		return invalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %d, valid values are from 1 to 1000 both inclusive.", v, max)
	}
	dlqRegion, dlqAccount, _, isARN := sqsstate.ParseARN(target)
	if _, exists := sqsstate.LookupARN(w, target); !isARN || !exists || dlqRegion != region || dlqAccount != account {
		return invalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", v)
	}
	return nil
}

// normalAttribute is the value as SQS stores it (RedrivePolicy re-encoded
// with a numeric maxReceiveCount).
func normalAttribute(k, v string) string {
	if k == "RedrivePolicy" && v != "" {
		target, max, _ := parseRedrive(v)
		out, _ := json.Marshal(struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     int    `json:"maxReceiveCount"`
		}{target, max})
		return string(out)
	}
	return v
}

func setAttribute(q *sqsstate.Queue, k, v string) {
	if v == "" && (k == "RedrivePolicy" || k == "Policy" || k == "RedriveAllowPolicy" || k == "KmsMasterKeyId") {
		delete(q.Attributes, k)
		return
	}
	q.Attributes[k] = normalAttribute(k, v)
}

type getAttributesInput struct {
	QueueRef
	AttributeNames []string `query:"AttributeName"`
}

type attributesResult struct {
	Attributes attributeMap `json:",omitempty" xml:"Attribute"`
}

// readable is every attribute GetQueueAttributes knows, for "All" and for
// rejecting unknown names.
var readable = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
	"CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
	"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout",
	"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
	"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
}

func getQueueAttributes(r *awsproto.Request) (any, error) {
	var in getAttributesInput
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	all := queueAttributes(q, time.Now().UTC())
	out := attributeMap{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			for k, v := range all {
				out[k] = v
			}
			continue
		}
		if !slices.Contains(readable, name) {
			return nil, invalidAttributeName("Unknown Attribute %s.", name)
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	return attributesResult{out}, nil
}

// queueAttributes is every attribute the queue has now, counts included.
func queueAttributes(q *sqsstate.Queue, now time.Time) map[string]string {
	out := map[string]string{}
	for k, v := range q.Attributes {
		out[k] = v
	}
	visible, inFlight, delayed := 0, 0, 0
	for _, m := range q.Messages {
		switch {
		case !q.Retains(m, now):
		case !m.VisibleAt.After(now):
			visible++
		case m.Receives > 0:
			inFlight++
		default:
			delayed++
		}
	}
	out["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	out["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inFlight)
	out["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	out["CreatedTimestamp"] = strconv.FormatInt(q.Created.Unix(), 10)
	out["LastModifiedTimestamp"] = strconv.FormatInt(q.Modified.Unix(), 10)
	out["QueueArn"] = q.ARN()
	return out
}

type setAttributesInput struct {
	QueueRef
	Attributes map[string]string `query:"Attribute"`
}

func setQueueAttributes(r *awsproto.Request) (any, error) {
	var in setAttributesInput
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	if in.Attributes == nil {
		return nil, missingParameter("Attributes")
	}
	if _, err := checkAttributes(r.World, r.Region, r.Caller.Account, in.Attributes, false); err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		setAttribute(q, k, v)
	}
	q.Modified = time.Now().UTC().Truncate(time.Second)
	return nil, nil
}
