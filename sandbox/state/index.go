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
}

// NewIndex returns an empty index.
func NewIndex[T any]() *Index[T] { return &Index[T]{items: map[string]*T{}} }

// Key is the case-insensitive key of a name.
func Key(name string) string { return strings.ToLower(name) }

// Get returns the entry for name, case-insensitively.
func (x *Index[T]) Get(name string) (*T, bool) {
	v, ok := x.items[Key(name)]
	return v, ok
}

// Put inserts or replaces the entry for name.
func (x *Index[T]) Put(name string, v *T) {
	k := Key(name)
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
	out := make([]*T, len(x.keys))
	for i, k := range x.keys {
		out[i] = x.items[k]
	}
	return out
}

// From returns the entries starting at the first key >= start, in order.
func (x *Index[T]) From(start string) []*T {
	i := sort.SearchStrings(x.keys, start)
	out := make([]*T, 0, len(x.keys)-i)
	for _, k := range x.keys[i:] {
		out = append(out, x.items[k])
	}
	return out
}

// Each calls fn for every entry in key order from the first key >= start until fn returns false.
func (x *Index[T]) Each(start string, fn func(key string, v *T) bool) {
	for _, k := range x.keys[sort.SearchStrings(x.keys, start):] {
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
