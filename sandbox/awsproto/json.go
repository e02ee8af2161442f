package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// DecodeJSON decodes a JSON request body into v; an empty body is an empty object.
// Unknown fields are rejected the way AWS's JSON services do (SerializationException).
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errorf(http.StatusBadRequest, "SerializationException", "the request body could not be deserialized: %s", jsonProblem(err))
	}
	if dec.More() {
		return Errorf(http.StatusBadRequest, "SerializationException", "the request body holds trailing data after the JSON document")
	}
	return nil
}

func jsonProblem(err error) string {
	// encoding/json's messages name Go types; keep only the part a client can act on.
	switch e := err.(type) {
	case *json.SyntaxError:
		return "malformed JSON at offset " + strconv.FormatInt(e.Offset, 10)
	case *json.UnmarshalTypeError:
		return "wrong type for field " + e.Field
	}
	return err.Error()
}

// EpochTime marshals as JSON protocols' timestamps: seconds since the epoch.
type EpochTime time.Time

// MarshalJSON renders the time as fractional epoch seconds.
func (t EpochTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	return []byte(strconv.FormatFloat(float64(tt.UnixMilli())/1000, 'f', -1, 64)), nil
}

// writeJSONBody writes a JSON success body; a result that does not marshal is
// answered with InternalFailure in the same protocol.
func writeJSONBody(w http.ResponseWriter, contentType, requestID string, result any) {
	if result == nil {
		result = struct{}{}
	}
	out, err := json.Marshal(result)
	if err != nil {
		writeJSONError(w, contentType, requestID, InternalFailure())
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// writeJSONError writes the JSON protocols' error body, {"__type": code,
// "message": …} and the error's Fields, which every JSON and REST-JSON client
// parses. Headers a protocol adds (x-amzn-ErrorType, x-amzn-query-error) are
// set before.
func writeJSONError(w http.ResponseWriter, contentType, requestID string, e *Error) {
	body := make(map[string]any, len(e.Fields)+2)
	for k, v := range e.Fields {
		body[k] = v
	}
	body["__type"], body["message"] = e.Code, e.Message
	out, _ := json.Marshal(body)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(out)
}
