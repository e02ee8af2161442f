package spec

import (
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAML and JSON documents are both read into a yaml.Node tree (JSON through
// jsonToNode) and walked by a decoder, so both report the same problems with the
// same words and lines. Every mapping is read through a field table: the tables
// are the list of accepted keys, which the schema test compares with the JSON
// Schema.

// aliasAllowance bounds how many more values than it has bytes a document may
// expand to through aliases (a "billion laughs" document, or an alias inside its
// own anchor). Without aliases a document never has more values than bytes.
const aliasAllowance = 100_000

// decoder walks a node tree into a draft, collecting problems.
type decoder struct {
	file  string
	probs *Problems
}

// fields maps each accepted key of a mapping to the function reading its value.
type fields[T any] map[string]func(d *decoder, v *yaml.Node, into *T)

// keys lists a table's keys, sorted, for messages and the schema test.
func (f fields[T]) keys() []string {
	out := make([]string, 0, len(f))
	for k := range f {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line} }

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// countNodes counts the nodes a tree expands to, stopping past limit.
func countNodes(n *yaml.Node, limit int) int {
	count := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || count > limit {
			return
		}
		count++
		if n.Kind == yaml.AliasNode {
			walk(n.Alias)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}

// kindName says what a node is, for "expected … not …" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

// decodeMapping reads a mapping through its field table. what names the mapping
// in messages ("a person", "role").
func decodeMapping[T any](d *decoder, n *yaml.Node, what string, table fields[T], into *T) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.probs.add(d.pos(n), what, "expected a mapping of key: value pairs, not "+kindName(n)+
			"; its keys are "+oneOf(table.keys()))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		key := k.Value
		if line, dup := seen[key]; dup {
			d.probs.add(d.pos(k), "field "+quote(key), "already set at "+
				Pos{File: d.file, Line: line}.String()+"; keep one")
			continue
		}
		seen[key] = k.Line
		read, ok := table[key]
		if !ok {
			if !d.refuseSecret(k, what) {
				d.unknownField(k, what, table.keys())
			}
			continue
		}
		read(d, v, into)
	}
}

// unknownField reports a key the table does not have, suggesting the closest one.
func (d *decoder) unknownField(k *yaml.Node, what string, known []string) {
	fix := what + " has the fields " + oneOf(known)
	if k.Kind != yaml.ScalarNode {
		d.probs.add(d.pos(k), "a "+kindName(k)+" as a key", fix)
		return
	}
	if k.Value == "<<" {
		fix = "merge keys are not supported; put shared settings under defaults"
	} else if s := closest(k.Value, known); s != "" {
		fix = "did you mean " + quote(s) + "? " + fix
	}
	d.probs.add(d.pos(k), "unknown field "+quote(k.Value), fix)
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// scalar reads a single value as written (YAML's raw text, so an account ID
// written as a number keeps its leading zeros). Null reads as unset.
func (d *decoder) scalar(n *yaml.Node, what string) (val[string], bool) {
	n = resolve(n)
	if isNull(n) {
		return val[string]{Pos: d.pos(n)}, true
	}
	if n.Kind != yaml.ScalarNode {
		d.probs.add(d.pos(n), what, "expected a single value, not "+kindName(n))
		return val[string]{}, false
	}
	return setVal(n.Value, d.pos(n)), true
}

// str reads a single value with surrounding spaces removed.
func (d *decoder) str(n *yaml.Node, what string) val[string] {
	v, _ := d.scalar(n, what)
	v.V = strings.TrimSpace(v.V)
	return v
}

// text reads a single value exactly as written (templates, subjects).
func (d *decoder) text(n *yaml.Node, what string) val[string] {
	v, _ := d.scalar(n, what)
	return v
}

// integer reads a whole number.
func (d *decoder) integer(n *yaml.Node, what, fix string) val[int] {
	s, ok := d.scalar(n, what)
	if !ok || !s.Set {
		return val[int]{}
	}
	i, err := strconv.Atoi(strings.TrimSpace(s.V))
	if err != nil {
		d.probs.add(s.Pos, what+" "+quote(s.V), "expected a whole number; "+fix)
		return val[int]{}
	}
	return setVal(i, s.Pos)
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, what string) val[bool] {
	s, ok := d.scalar(n, what)
	if !ok || !s.Set {
		return val[bool]{}
	}
	switch strings.ToLower(strings.TrimSpace(s.V)) {
	case "true":
		return setVal(true, s.Pos)
	case "false":
		return setVal(false, s.Pos)
	}
	d.probs.add(s.Pos, what+" "+quote(s.V), "write true or false")
	return val[bool]{}
}

// list reads a list of single values; each item is read with item.
func (d *decoder) list(n *yaml.Node, what string) []val[string] {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.probs.add(d.pos(n), what, "expected a list, not "+kindName(n)+
			`; write [a, b] or one "- a" per line`)
		return nil
	}
	out := make([]val[string], 0, len(n.Content))
	for _, item := range n.Content {
		if v := d.str(item, "an entry of "+what); v.Set {
			out = append(out, v)
		}
	}
	return out
}

// tags reads a mapping of tag keys to values.
func (d *decoder) tags(n *yaml.Node, what string) []tagDraft {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.probs.add(d.pos(n), what, "expected a mapping of tag keys to values, not "+kindName(n))
		return nil
	}
	var out []tagDraft
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.str(n.Content[i], "a tag key")
		v := d.str(n.Content[i+1], "the value of tag "+quote(k.V))
		if !v.Set {
			v = setVal("", k.Pos) // a null value is an empty tag value
		}
		out = append(out, tagDraft{key: k, value: v})
	}
	return out
}

// closest returns the known key nearest to s when it is near enough to be a
// likely typo: a third of its length, at least one edit.
func closest(s string, known []string) string {
	s = strings.ToLower(s)
	best, bestDist := "", max(1, len([]rune(s))/3)+1
	for _, k := range known {
		if d := editDistance(s, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and swaps of
// neighbours that turn a into b (optimal string alignment).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 256 {
		return len(ra) // far from every key; spare the quadratic work
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
