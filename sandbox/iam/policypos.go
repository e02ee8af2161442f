package iam

import (
	"encoding/json"
	"strings"
)

// position is a place in a policy document as the simulator reports it:
// 1-based line and column.
type position struct {
	Line   int
	Column int
}

// span is where one statement of a document lies.
type span struct{ start, end position }

// statementSpans finds each statement of a policy document, in order. AWS's
// simulator reports a statement from just after the "[" or "," before it to
// just after its closing "}" (or, when Statement is a single object, from its
// "{"), which is what this returns. The document must already have parsed.
func statementSpans(doc string) []span {
	dec := json.NewDecoder(strings.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "Statement" {
			if skipValue(dec) != nil {
				return nil
			}
			continue
		}
		return statementList(dec, doc)
	}
	return nil
}

// statementList reads the Statement value: one object or a list of them.
func statementList(dec *json.Decoder, doc string) []span {
	t, err := dec.Token()
	if err != nil {
		return nil
	}
	if t == json.Delim('{') {
		start := int(dec.InputOffset()) - 1
		if skipRest(dec) != nil {
			return nil
		}
		return []span{{offsetPosition(doc, start), offsetPosition(doc, int(dec.InputOffset()))}}
	}
	var out []span
	from := int(dec.InputOffset()) // just after "["
	for dec.More() {
		if len(out) > 0 { // just after the "," that follows the previous statement
			from += strings.IndexByte(doc[from:], ',') + 1
		}
		if skipValue(dec) != nil {
			return nil
		}
		end := int(dec.InputOffset())
		out = append(out, span{offsetPosition(doc, from), offsetPosition(doc, end)})
		from = end
	}
	return out
}

// skipValue reads one whole JSON value.
func skipValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); ok && (d == '{' || d == '[') {
		return skipRest(dec)
	}
	return nil
}

// skipRest reads to the end of the object or list whose opening was just read.
func skipRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// offsetPosition turns a byte offset into a 1-based line and column.
func offsetPosition(doc string, off int) position {
	before := doc[:off]
	return position{Line: strings.Count(before, "\n") + 1, Column: off - strings.LastIndexByte(before, '\n')}
}
