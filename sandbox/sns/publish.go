package sns

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sns/snsstate"
)

func newID() string { return uuid.NewString() }

type publishResult struct {
	MessageID string `xml:"MessageId"`
}

// publish delivers the message to every SQS subscription of the topic at
// once, under the same lock: a receive that follows a successful Publish
// finds it.
func publish(r *awsproto.Request) (any, error) {
	arn := r.Params.Get("TopicArn")
	if arn == "" {
		arn = r.Params.Get("TargetArn")
	}
	if arn == "" {
		return nil, invalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
	}
	t, err := findTopic(r, arn)
	if err != nil {
		return nil, err
	}
	m, err := readMessage(r.Params)
	if err != nil {
		return nil, err
	}
	snsstate.Publish(t, m, ToSQS(r.World))
	return publishResult{m.ID}, nil
}

// readMessage checks Message, Subject, MessageStructure and
// MessageAttributes as SNS does.
func readMessage(p awsproto.Params) (snsstate.Message, error) {
	m := snsstate.Message{ID: newID(), Body: p.Get("Message"), Subject: p.Get("Subject")}
	switch {
	case !p.Has("Message") || m.Body == "":
		return m, invalidParameter("Empty message")
	case len(m.Body) > 262144:
		return m, invalidParameter("Message too long")
	case p.Has("Subject") && !validSubject(m.Subject):
		return m, invalidParameter("Subject")
	}
	if s := p.Get("MessageStructure"); s != "" {
		if s != "json" {
			return m, invalidParameter("MessageStructure - the only value allowed is json")
		}
		if err := json.Unmarshal([]byte(m.Body), &m.Bodies); err != nil {
			return m, invalidParameter("Message Structure - JSON message body failed to parse")
		}
		def, ok := m.Bodies["default"]
		if !ok {
			return m, invalidParameter("Message Structure - No default entry in JSON message body")
		}
		m.Body = def
	}
	attrs, err := messageAttributes(p)
	m.Attributes = attrs
	return m, err
}

// validSubject: at most 100 printable ASCII characters, no line breaks.
func validSubject(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, c := range s {
		if c > unicode.MaxASCII || !unicode.IsPrint(c) {
			return false
		}
	}
	return true
}

// messageAttributes reads MessageAttributes.entry.N.Name and .Value.*.
func messageAttributes(p awsproto.Params) (map[string]snsstate.Attribute, error) {
	var out map[string]snsstate.Attribute
	for i := 1; ; i++ {
		prefix := "MessageAttributes.entry." + strconv.Itoa(i) + "."
		if !p.Has(prefix + "Name") {
			return out, nil
		}
		name := p.Get(prefix + "Name")
		a := snsstate.Attribute{DataType: p.Get(prefix + "Value.DataType"), StringValue: p.Get(prefix + "Value.StringValue")}
		kind, _, _ := strings.Cut(a.DataType, ".")
		switch kind {
		case "Binary":
			b, err := base64.StdEncoding.DecodeString(p.Get(prefix + "Value.BinaryValue"))
			if err != nil || len(b) == 0 {
				return nil, awsproto.Errorf(400, "ParameterValueInvalid", "The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
			}
			a.BinaryValue = b
		case "String", "Number", "String.Array":
			if a.StringValue == "" {
				return nil, awsproto.Errorf(400, "ParameterValueInvalid", "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
		default:
			return nil, awsproto.Errorf(400, "ParameterValueInvalid", "The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		if out == nil {
			out = map[string]snsstate.Attribute{}
		}
		out[name] = a
	}
}
