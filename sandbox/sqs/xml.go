package sqs

import (
	"encoding/base64"
	"encoding/xml"
	"sort"

	"github.com/gatehouse/gatehouse/sandbox/sqs/sqsstate"
)

// attributeMap is a string map as both protocols write it: a JSON object, or
// in XML one element per entry, <Attribute><Name>…</Name><Value>…</Value>
// </Attribute>, in name order (the Query model's flattened maps).
type attributeMap map[string]string

// MarshalXML writes one start element per entry.
func (m attributeMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range sortedKeys(m) {
		if err := e.EncodeElement(struct {
			Name  string
			Value string
		}{k, m[k]}, start); err != nil {
			return err
		}
	}
	return nil
}

// messageAttributeMap is MessageAttributes: a JSON object of
// MessageAttributeValue, or flattened <MessageAttribute><Name/><Value>…
// </Value></MessageAttribute> in XML, binary values in base64.
type messageAttributeMap map[string]sqsstate.Attribute

type xmlAttributeValue struct {
	StringValue      *string  `xml:",omitempty"`
	BinaryValue      string   `xml:",omitempty"`
	StringListValues []string `xml:"StringListValue,omitempty"`
	BinaryListValues []string `xml:"BinaryListValue,omitempty"`
	DataType         string
}

// MarshalXML writes one start element per attribute.
func (m messageAttributeMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range sortedKeys(m) {
		a := m[k]
		v := xmlAttributeValue{StringValue: a.StringValue, StringListValues: a.StringListValues, DataType: a.DataType}
		if a.BinaryValue != nil {
			v.BinaryValue = base64.StdEncoding.EncodeToString(a.BinaryValue)
		}
		for _, b := range a.BinaryListValues {
			v.BinaryListValues = append(v.BinaryListValues, base64.StdEncoding.EncodeToString(b))
		}
		if err := e.EncodeElement(struct {
			Name  string
			Value xmlAttributeValue
		}{k, v}, start); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
