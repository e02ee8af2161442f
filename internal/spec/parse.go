package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Parse reads an input file — a gatehouse spec in YAML or JSON, a CSV with a
// header row naming an email column, or the JSON execution input of seed 000 or
// seed 001 — telling the format from the content, not the name. name is used in
// messages ("team.yaml", "standard input") and is the file's path: a person's
// public_key_file is read relative to its directory (the working directory
// for a name without one). The flags override the file's settings (see Flags).
//
// Everything is validated before Parse returns; when anything is wrong the error
// is Problems, with one entry per problem and its file:line.
func Parse(name string, data []byte, flags Flags) (*Input, error) {
	var probs Problems
	s := &draft{source: name}
	if data, ok := prepare(name, data, &probs); ok && decode(name, data, s, &probs) {
		loadKeyFiles(s, flags.KeyDirs.Value, &probs)
		return finish(s, flags, probs)
	}
	return nil, probs.sorted()
}

// FromArgs builds the input from e-mail addresses given on the command line
// ("argument N" in messages); everything else comes from the flags.
func FromArgs(emails []string, flags Flags) (*Input, error) {
	s := &draft{source: "arguments", format: FormatArguments}
	for i, e := range emails {
		pos := Pos{Arg: i + 1}
		s.people = append(s.people, personDraft{pos: pos, email: setVal(strings.TrimSpace(e), pos)})
	}
	return finish(s, flags, nil)
}

// finish applies the flags, validates, and builds the Input.
func finish(s *draft, flags Flags, probs Problems) (*Input, error) {
	flags.apply(s, &probs)
	validate(s, &probs)
	if len(probs) > 0 {
		return nil, probs.sorted()
	}
	return build(s), nil
}

// prepare checks the encoding and removes a UTF-8 byte order mark (which Excel
// writes at the start of "CSV UTF-8").
func prepare(name string, data []byte, probs *Problems) ([]byte, bool) {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		probs.add(Pos{File: name}, "", "the file is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8)")
		return nil, false
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		bad := 0
		for bad < len(data) {
			r, size := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		probs.add(Pos{File: name, Line: newLineIndex(data).at(int64(bad))}, "",
			"the file is not UTF-8 text; save it as UTF-8 (in Excel: CSV UTF-8)")
		return nil, false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		probs.add(Pos{File: name}, "", "the file is empty; see examples/onboard/ for what goes in it")
		return nil, false
	}
	return data, true
}

// detect tells the format from the first line that is not blank or a comment.
func detect(data []byte) string {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0 || line[0] == '#':
			continue
		case line[0] == '{' || line[0] == '[':
			return FormatJSON
		case isCSVHeader(line):
			return FormatCSV
		}
		return FormatYAML
	}
	return FormatYAML
}

// decode reads data in its format into s; false means it could not be read at
// all (a syntax error), so there is nothing to validate.
func decode(name string, data []byte, s *draft, probs *Problems) bool {
	s.format = detect(data)
	switch s.format {
	case FormatCSV:
		return decodeCSV(data, name, s, probs)
	case FormatJSON:
		root, p := jsonToNode(data, name)
		if p != nil {
			probs.add(p.Pos, p.What, p.Fix)
			return false
		}
		return decodeTree(name, len(data), root, s, probs)
	}
	root, ok := parseYAML(name, data, probs)
	return ok && decodeTree(name, len(data), root, s, probs)
}

func decodeTree(name string, size int, root *yaml.Node, s *draft, probs *Problems) bool {
	if limit := size + aliasAllowance; countNodes(root, limit) > limit {
		probs.add(Pos{File: name}, "", fmt.Sprintf("the document expands to more than %d values "+
			"through aliases; write it out with fewer of them", limit))
		return false
	}
	return decodeDocument(&decoder{file: name, probs: probs}, root, s)
}

// yamlLine finds the line in a yaml.v3 syntax error, which carries it only in
// its text.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML parses one YAML document.
func parseYAML(name string, data []byte, probs *Problems) (root *yaml.Node, ok bool) {
	defer func() {
		// A parser bug must not take the CLI down; report it as bad input.
		if r := recover(); r != nil {
			probs.add(Pos{File: name}, "", fmt.Sprintf("the YAML parser failed (%v); check the file's syntax", r))
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		pos, msg := Pos{File: name}, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			msg = strings.TrimPrefix(err.Error(), m[0])
		}
		if errors.Is(err, io.EOF) {
			msg = "there is no YAML document in it"
		}
		probs.add(pos, "", "not valid YAML: "+msg)
		return nil, false
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		probs.add(Pos{File: name, Line: next.Line}, "", "a second YAML document starts here; "+
			"a spec is one document, so remove the --- and merge the two")
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], true
	}
	return &doc, true
}
