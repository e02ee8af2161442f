package sqs

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

// decode reads an operation's input into v, a pointer to a struct whose
// fields are the model's members: from the JSON body when the request came
// through the JSON protocol, from the form when it came as Query.
func decode(r *awsproto.Request, v any) error {
	if r.Params == nil {
		return awsproto.DecodeJSON(r.Body, v)
	}
	return queryStruct(r.Params, "", reflect.ValueOf(v).Elem())
}

// QueueRef is the QueueUrl that every operation on a queue takes; the
// inputs embed it so decodeQueue can find their queue.
type QueueRef struct {
	QueueURL *string `json:"QueueUrl"`
}

func (q *QueueRef) queueRef() *QueueRef { return q }

// queueRequest is an input that names a queue.
type queueRequest interface{ queueRef() *QueueRef }

// decodeQueue decodes an operation's input and finds the queue it names.
func decodeQueue(r *awsproto.Request, in queueRequest) (*sqsstate.Queue, error) {
	if err := decode(r, in); err != nil {
		return nil, err
	}
	return findQueue(r, in.queueRef().QueueURL)
}

// queryStruct fills a struct from Query parameters as botocore serialises
// SQS's Query model: every list and map is flattened under its member's
// location name (AttributeName.1, Attribute.1.Name / Attribute.1.Value,
// SendMessageBatchRequestEntry.1.Id, MessageAttribute.1.Value.DataType).
// A field's query tag is that name; otherwise its JSON name is.
func queryStruct(p awsproto.Params, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		if t.Field(i).Anonymous { // an embedded QueueRef: its fields are the struct's
			if err := queryStruct(p, prefix, v.Field(i)); err != nil {
				return err
			}
			continue
		}
		if err := queryValue(p, prefix+queryName(t.Field(i)), v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func queryName(f reflect.StructField) string {
	if q := f.Tag.Get("query"); q != "" {
		return q
	}
	if j, _, _ := strings.Cut(f.Tag.Get("json"), ","); j != "" {
		return j
	}
	return f.Name
}

func queryValue(p awsproto.Params, key string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !p.Has(key) {
			return nil
		}
		v.Set(reflect.New(v.Type().Elem()))
		return queryValue(p, key, v.Elem())
	case reflect.String:
		v.SetString(p.Get(key))
	case reflect.Int:
		if !p.Has(key) {
			return nil
		}
		n, err := strconv.Atoi(p.Get(key))
		if err != nil {
			return invalidParameterValue("Value %s for parameter %s is invalid. Reason: Must be an integer.", p.Get(key), key)
		}
		v.SetInt(int64(n))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return queryBinary(p, key, v)
		}
		for n := 1; hasKey(p, key+"."+strconv.Itoa(n)); n++ {
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := queryValue(p, key+"."+strconv.Itoa(n), elem); err != nil {
				return err
			}
			v.Set(reflect.Append(v, elem))
		}
	case reflect.Map:
		return queryMap(p, key, v)
	case reflect.Struct:
		return queryStruct(p, key+".", v)
	}
	return nil
}

// queryMap reads a flattened map: KEY.N.Name (Key for tags) and KEY.N.Value.
func queryMap(p awsproto.Params, key string, v reflect.Value) error {
	for n := 1; hasKey(p, key+"."+strconv.Itoa(n)); n++ {
		entry := key + "." + strconv.Itoa(n)
		name := entry + ".Name"
		if !p.Has(name) {
			name = entry + ".Key"
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := queryValue(p, entry+".Value", elem); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(p.Get(name)), elem)
	}
	return nil
}

func queryBinary(p awsproto.Params, key string, v reflect.Value) error {
	if !p.Has(key) {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(p.Get(key))
	if err != nil {
		return invalidParameterValue("Value for parameter %s is invalid. Reason: Must be base64-encoded.", key)
	}
	v.SetBytes(b)
	return nil
}

// hasKey reports whether any parameter is key or lies below it (key.…).
func hasKey(p awsproto.Params, key string) bool {
	if p.Has(key) {
		return true
	}
	for k := range p {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}
