package state

import (
	"encoding/json"
	"sort"
	"strings"
)

// Index is a name-keyed collection that AWS treats case-insensitively and lists in
// order. It keeps a sorted key slice so paginated listings over 100,000 entries stay
// cheap; it marshals as a plain JSON object keyed by the lower-cased name.
type Index[T any] struct {
	items map[string]*T
	keys  []string // sorted lower-case keys

	// The world whose writers this index notes (see changes), and the keys
	// they reached since the last delta.
	ch      *changes
	touched map[string]struct{}
}

// NewIndex returns an empty index.
func NewIndex[T any]() *Index[T] { return &Index[T]{items: map[string]*T{}} }

// Key is the case-insensitive key of a name.
func Key(name string) string { return strings.ToLower(name) }

// Get returns the entry for name, case-insensitively.
func (x *Index[T]) Get(name string) (*T, bool) {
	k := Key(name)
	v, ok := x.items[k]
	if ok {
		x.touch(k)
	}
	return v, ok
}

// touch notes that a writer reached the entry at key k: it may change it
// through the pointer it got.
func (x *Index[T]) touch(k string) {
	if x.ch == nil || !x.ch.writing {
		return
	}
	if x.touched == nil {
		x.touched = map[string]struct{}{}
	}
	x.touched[k] = struct{}{}
}

// touchAll notes the entries at keys, for a writer iterating over them.
func (x *Index[T]) touchAll(keys []string) {
	if x.ch == nil || !x.ch.writing {
		return
	}
	for _, k := range keys {
		x.touch(k)
	}
}

// Put inserts or replaces the entry for name.
func (x *Index[T]) Put(name string, v *T) {
	k := Key(name)
	x.touch(k)
	if _, ok := x.items[k]; !ok {
		i := sort.SearchStrings(x.keys, k)
		x.keys = append(x.keys, "")
		copy(x.keys[i+1:], x.keys[i:])
		x.keys[i] = k
	}
	x.items[k] = v
}

// Delete removes the entry for name; it reports whether there was one.
func (x *Index[T]) Delete(name string) bool {
	k := Key(name)
	if _, ok := x.items[k]; !ok {
		return false
	}
	x.touch(k)
	delete(x.items, k)
	i := sort.SearchStrings(x.keys, k)
	x.keys = append(x.keys[:i], x.keys[i+1:]...)
	return true
}

// Len is the number of entries.
func (x *Index[T]) Len() int { return len(x.items) }

// Keys returns the sorted keys (do not modify).
func (x *Index[T]) Keys() []string { return x.keys }

// All returns the entries in key order.
func (x *Index[T]) All() []*T {
	x.touchAll(x.keys)
	out := make([]*T, len(x.keys))
	for i, k := range x.keys {
		out[i] = x.items[k]
	}
	return out
}

// From returns the entries starting at the first key >= start, in order.
func (x *Index[T]) From(start string) []*T {
	i := sort.SearchStrings(x.keys, start)
	x.touchAll(x.keys[i:])
	out := make([]*T, 0, len(x.keys)-i)
	for _, k := range x.keys[i:] {
		out = append(out, x.items[k])
	}
	return out
}

// Each calls fn for every entry in key order from the first key >= start until fn returns false.
func (x *Index[T]) Each(start string, fn func(key string, v *T) bool) {
	for _, k := range x.keys[sort.SearchStrings(x.keys, start):] {
		x.touch(k)
		if !fn(k, x.items[k]) {
			return
		}
	}
}

// MarshalJSON writes the index as an object keyed by lower-case name.
func (x *Index[T]) MarshalJSON() ([]byte, error) {
	if x == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(x.items)
}

// UnmarshalJSON reads an object and rebuilds the sorted keys.
func (x *Index[T]) UnmarshalJSON(b []byte) error {
	items := map[string]*T{}
	if err := json.Unmarshal(b, &items); err != nil {
		return err
	}
	x.items = items
	x.keys = make([]string, 0, len(items))
	for k := range items {
		x.keys = append(x.keys, k)
	}
	sort.Strings(x.keys)
	return nil
}

// The Index's part in the change log (entryLog).

func (x *Index[T]) attachedTo(c *changes) bool { return x.ch == c }

func (x *Index[T]) attach(c *changes) { x.ch = c }

// takeEntries marshals the entries writers reached (null for those deleted)
// and forgets them.
func (x *Index[T]) takeEntries() (map[string]json.RawMessage, error) {
	if len(x.touched) == 0 {
		return nil, nil
	}
	out := make(map[string]json.RawMessage, len(x.touched))
	for k := range x.touched {
		v, ok := x.items[k]
		if !ok {
			out[k] = json.RawMessage("null")
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out[k] = raw
	}
	x.touched = nil
	return out, nil
}

// applyEntries puts (or, for null, deletes) recorded entries.
func (x *Index[T]) applyEntries(entries map[string]json.RawMessage) error {
	for k, raw := range entries {
		if string(raw) == "null" {
			x.Delete(k)
			continue
		}
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return err
		}
		x.Put(k, v)
	}
	return nil
}

func (x *Index[T]) forgetEntries() { x.touched = nil }
