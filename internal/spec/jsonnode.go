package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// jsonToNode reads a JSON document into a yaml.Node tree, each node carrying the
// line its token is on (computed from the decoder's offset), so JSON and YAML
// share one decoder and report problems the same way. Duplicate and unknown keys
// are left to that decoder, which reports all of them rather than the first.
func jsonToNode(data []byte, file string) (*yaml.Node, *Problem) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &jsonReader{dec: dec, lines: lines}
	root, err := r.value()
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return nil, &Problem{Pos: Pos{File: file, Line: lines.at(dec.InputOffset() - 1)},
				Fix: "unexpected data after the JSON object; a file holds one object"}
		}
		return root, nil
	}
	line := lines.at(dec.InputOffset())
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		line = lines.at(syntax.Offset - 1)
	}
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "the JSON ends early; close every { and ["
	}
	return nil, &Problem{Pos: Pos{File: file, Line: line}, Fix: "not valid JSON: " + msg}
}

type jsonReader struct {
	dec   *json.Decoder
	lines lineIndex
	depth int
}

// maxJSONDepth matches yaml.v3's limit, and keeps recursion off the stack's edge.
const maxJSONDepth = 10_000

var errTooDeep = errors.New("nested more than 10000 levels deep")

// line is the line of the token just read.
func (r *jsonReader) line() int { return r.lines.at(r.dec.InputOffset() - 1) }

func (r *jsonReader) value() (*yaml.Node, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, err
	}
	line := r.line()
	switch t := tok.(type) {
	case json.Delim:
		if r.depth++; r.depth > maxJSONDepth {
			return nil, errTooDeep
		}
		defer func() { r.depth-- }()
		if t == '{' {
			return r.object(line)
		}
		return r.array(line) // Token returns only opening delimiters here
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t, Line: line}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t), Line: line}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t), Line: line}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
}

func (r *jsonReader) object(line int) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // the decoder only yields string keys inside an object
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: r.line()}
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, k, v)
	}
	_, err := r.dec.Token() // the closing }
	return n, err
}

func (r *jsonReader) array(line int) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
	for r.dec.More() {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, v)
	}
	_, err := r.dec.Token() // the closing ]
	return n, err
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets of each '\n'

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// at returns the line holding the byte at offset.
func (l lineIndex) at(offset int64) int {
	if offset < 0 {
		offset = 0
	}
	// The number of newlines before offset, plus one.
	return sort.Search(len(l), func(i int) bool { return int64(l[i]) >= offset }) + 1
}
