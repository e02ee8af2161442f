package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

// sendMessageInput is SendMessage's input; a SendMessageBatch entry has the
// same fields and an Id (and QueueUrl, which a batch's entries ignore).
type sendMessageInput struct {
	QueueRef
	ID                *string `json:"Id"`
	MessageBody       *string
	DelaySeconds      *int
	MessageAttributes map[string]sqsstate.Attribute `query:"MessageAttribute"`
	// MessageSystemAttributes (AWSTraceHeader) is accepted and not kept.
	MessageSystemAttributes map[string]sqsstate.Attribute `query:"MessageSystemAttribute"`
	// FIFO parameters, which a standard queue ignores.
	MessageDeduplicationID *string `json:"MessageDeduplicationId"`
	MessageGroupID         *string `json:"MessageGroupId"`
}

type sendResult struct {
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty" xml:",omitempty"`
	MessageID              string `json:"MessageId" xml:"MessageId"`
}

func sendMessage(r *awsproto.Request) (any, error) {
	var in sendMessageInput
	q, err := decodeQueue(r, &in)
	if err != nil {
		return nil, err
	}
	return send(r, q, &in)
}

// send checks one message against the queue's limits and enqueues it.
func send(r *awsproto.Request, q *sqsstate.Queue, in *sendMessageInput) (*sendResult, error) {
	if in.MessageBody == nil {
		return nil, missingParameter("MessageBody")
	}
	body := *in.MessageBody
	if body == "" {
		return nil, invalidParameterValue("The request must contain the parameter MessageBody.")
	}
	if c, ok := invalidChar(body); ok {
		return nil, awsproto.Errorf(400, "InvalidMessageContents", "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", c)
	}
	size, err := attributesSize(in.MessageAttributes)
	if err != nil {
		return nil, err
	}
	if max := q.Int("MaximumMessageSize"); len(body)+size > max {
		return nil, invalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max)
	}
	delay := -1
	if in.DelaySeconds != nil {
		if delay = *in.DelaySeconds; delay < 0 || delay > 900 {
			return nil, invalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", delay)
		}
	}
	attrs := in.MessageAttributes
	if len(attrs) == 0 {
		attrs = nil
	}
	m := q.Add(r.World, body, attrs, r.Caller.UserID, delay)
	return &sendResult{MD5OfMessageBody: m.MD5OfBody, MD5OfMessageAttributes: attributesMD5(attrs), MessageID: m.ID}, nil
}

// invalidChar finds the first character SQS refuses in a body (XML 1.0's).
func invalidChar(s string) (rune, bool) {
	for _, c := range s {
		ok := c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF)
		if !ok || c == utf8.RuneError {
			return c, true
		}
	}
	return 0, false
}

var attributeName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// attributesSize validates message attributes and returns the bytes they
// count towards the message size.
func attributesSize(attrs map[string]sqsstate.Attribute) (int, error) {
	if len(attrs) > 10 {
		return 0, invalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	size := 0
	for name, a := range attrs {
		lower := strings.ToLower(name)
		if !attributeName.MatchString(name) || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
			strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
			return 0, invalidParameterValue("Message (user) attribute '%s' name is invalid.", name)
		}
		kind, _, _ := strings.Cut(a.DataType, ".")
		switch {
		case kind != "String" && kind != "Number" && kind != "Binary":
			return 0, invalidParameterValue("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		case kind == "Binary" && len(a.BinaryValue) == 0:
			return 0, invalidParameterValue("Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", name)
		case kind != "Binary" && (a.StringValue == nil || *a.StringValue == ""):
			return 0, invalidParameterValue("Message (user) attribute '%s' must contain a non-empty message attribute value for message attribute type '%s'.", name, kind)
		}
		size += len(name) + len(a.DataType) + len(a.BinaryValue)
		if a.StringValue != nil {
			size += len(*a.StringValue)
		}
	}
	return size, nil
}

// attributesMD5 is MD5OfMessageAttributes as SQS computes it: for each
// attribute in name order, the length-prefixed name, type and value, with
// a transport byte (1 string, 2 binary) before the value.
func attributesMD5(attrs map[string]sqsstate.Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	field := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		field([]byte(name))
		field([]byte(a.DataType))
		if a.BinaryValue != nil {
			h.Write([]byte{2})
			field(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			field([]byte(deref(a.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
