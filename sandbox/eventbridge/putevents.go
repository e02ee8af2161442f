package eventbridge

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/eventbridge/eventstate"
)

type entry struct {
	Time         *float64
	Source       *string
	Resources    []string
	DetailType   *string
	Detail       *string
	EventBusName *string
	TraceHeader  *string
}

type putEventsInput struct {
	Entries    []entry
	EndpointID *string `json:"EndpointId"`
}

type entryResult struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type putEventsResult struct {
	FailedEntryCount int
	Entries          []entryResult
}

// putEvents puts each entry on the default bus; an entry that is not valid
// fails on its own, with the code EventBridge gives it.
func putEvents(r *awsproto.Request) (any, error) {
	var in putEventsInput
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		return nil, validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	out := putEventsResult{Entries: []entryResult{}}
	for _, e := range in.Entries {
		event, res := newEvent(r, e)
		if event != nil {
			PutEvent(r.World, event)
		}
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		}
		out.Entries = append(out.Entries, res)
	}
	return out, nil
}

// newEvent builds the event of one entry, or says why it fails.
func newEvent(r *awsproto.Request, e entry) (*eventstate.Event, entryResult) {
	fail := func(code, format string, args ...any) (*eventstate.Event, entryResult) {
		return nil, entryResult{ErrorCode: code, ErrorMessage: fmt.Sprintf(format, args...)}
	}
	switch {
	case e.Source == nil || *e.Source == "":
		return fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.")
	case e.DetailType == nil || *e.DetailType == "":
		return fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
	case e.Detail == nil || *e.Detail == "":
		return fail("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.")
	case strings.HasPrefix(*e.Source, "aws."):
		return fail("NotAuthorizedForSourceException", "Not authorized for the source.")
	case checkBus(r, e.EventBusName) != nil:
		return fail("ResourceNotFoundException", "Event bus %s does not exist.", *e.EventBusName)
	}
	detail, err := decodeJSON([]byte(*e.Detail))
	if _, isObject := detail.(map[string]any); err != nil || !isObject {
		return fail("MalformedDetail", "Detail is malformed.")
	}
	at := time.Now()
	if e.Time != nil {
		at = time.Unix(int64(*e.Time), 0)
	}
	id := uuid.NewString()
	event := eventstate.NewEvent(id, r.Caller.Account, r.Region, *e.Source, *e.DetailType, json.RawMessage(*e.Detail), at)
	if e.Resources != nil {
		event.Resources = e.Resources
	}
	return event, entryResult{EventID: id}
}
