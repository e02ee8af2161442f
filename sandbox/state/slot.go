package state

import (
	"fmt"
	"reflect"
	"strings"
)

// A Slot is a part of the world that one service owns: a value of the
// service's own type in every account (AccountSlot) or once in the world
// (WorldSlot). The service keeps the typed handle and reads its part through
// it; the server makes worlds from every service's slots (NewWorld). So a new
// service adds its state without changing this package, and this package
// knows no service.
//
// A slot's type marshals as fields of its owner's JSON object: each account is
// one flat object holding every service's fields, as snapshot files always
// were. Two slots may not claim the same field.
type Slot interface {
	kind() *slotKind
}

// slotKind is what a world needs to know about a slot.
type slotKind struct {
	name    string
	account bool     // one value per account, else one per world
	fields  []string // the JSON fields the slot's type claims
	index   []int    // the struct field of each
	indexed []bool   // whether each is a *Index, whose entries changes are noted one by one
	make    func() any
	fill    func(any)
}

func newKind[T any](name string, account bool, fill func(*T)) *slotKind {
	k := &slotKind{name: name, account: account, fill: func(any) {}}
	k.fields, k.index = jsonFields(reflect.TypeFor[T]())
	for _, i := range k.index {
		k.indexed = append(k.indexed, reflect.TypeFor[T]().Field(i).Type.Implements(entryLogType))
	}
	if fill != nil {
		k.fill = func(v any) { fill(v.(*T)) }
	}
	k.make = func() any {
		v := new(T)
		k.fill(v)
		return v
	}
	return k
}

// field is where the JSON field fields[i] of a value of the slot decodes to.
func (k *slotKind) field(v any, i int) any {
	return reflect.ValueOf(v).Elem().Field(k.index[i]).Addr().Interface()
}

// entries is the Index in field i of a value of the slot, if it is one and set.
func (k *slotKind) entries(v any, i int) (entryLog, bool) {
	if !k.indexed[i] {
		return nil, false
	}
	f := reflect.ValueOf(v).Elem().Field(k.index[i])
	if f.IsNil() {
		return nil, false
	}
	return f.Interface().(entryLog), true
}

// AccountSlot is a service's part of every account.
type AccountSlot[T any] struct{ k *slotKind }

// NewAccountSlot declares a service's part of every account, named after the
// service. fill makes a T ready to use (its maps and indexes made); it runs on
// every new T and on every T read from a snapshot, which may lack collections.
func NewAccountSlot[T any](name string, fill func(*T)) *AccountSlot[T] {
	return &AccountSlot[T]{newKind(name, true, fill)}
}

// Of returns the service's part of account a. The world a belongs to must have
// been made with this slot.
func (s *AccountSlot[T]) Of(a *Account) *T { return a.part(s.k).(*T) }

func (s *AccountSlot[T]) kind() *slotKind { return s.k }

// WorldSlot is a service's part of the world as a whole (the organisation).
type WorldSlot[T any] struct{ k *slotKind }

// NewWorldSlot declares a service's part of the world; fill is as for
// NewAccountSlot.
func NewWorldSlot[T any](name string, fill func(*T)) *WorldSlot[T] {
	return &WorldSlot[T]{newKind(name, false, fill)}
}

// Of returns the service's part of w, which must have been made with this slot.
func (s *WorldSlot[T]) Of(w *World) *T { return w.part(s.k).(*T) }

func (s *WorldSlot[T]) kind() *slotKind { return s.k }

// jsonFields lists the JSON object fields a struct type marshals and the
// struct fields they come from.
func jsonFields(t reflect.Type) (names []string, index []int) {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("state: a slot's type must be a struct, not %s", t))
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			panic(fmt.Sprintf("state: slot type %s embeds %s; list its fields instead", t, f.Name))
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names, index = append(names, name), append(index, i)
	}
	return names, index
}

// schema is the slots a world was made with, in registration order.
type schema struct {
	account []*slotKind
	world   []*slotKind
	index   map[*slotKind]int // position in account or world
	// The slot and field each JSON field of an account or of the world decodes to.
	accountFields, worldFields map[string]fieldRef
}

type fieldRef struct{ slot, field int }

// Fields the world and its accounts keep themselves.
var (
	accountFields = []string{"id"}
	worldFields   = []string{"accounts", "sessions", "credentials", "mail"}
)

func newSchema(slots []Slot) *schema {
	sc := &schema{index: map[*slotKind]int{}, accountFields: map[string]fieldRef{}, worldFields: map[string]fieldRef{}}
	owner := map[string]string{}
	for _, f := range accountFields {
		owner["account."+f] = "the account itself"
	}
	for _, f := range worldFields {
		owner["world."+f] = "the world itself"
	}
	for _, s := range slots {
		k := s.kind()
		if _, dup := sc.index[k]; dup {
			panic("state: slot " + k.name + " is listed twice")
		}
		scope, list, refs := "world.", &sc.world, sc.worldFields
		if k.account {
			scope, list, refs = "account.", &sc.account, sc.accountFields
		}
		for i, f := range k.fields {
			if other, taken := owner[scope+f]; taken {
				panic(fmt.Sprintf("state: slot %s claims the %s field %q, which %s already has", k.name, strings.TrimSuffix(scope, "."), f, other))
			}
			owner[scope+f] = "slot " + k.name
			refs[f] = fieldRef{len(*list), i}
		}
		sc.index[k] = len(*list)
		*list = append(*list, k)
	}
	return sc
}

// parts makes a fresh value of each slot.
func makeParts(kinds []*slotKind) []any {
	parts := make([]any, len(kinds))
	for i, k := range kinds {
		parts[i] = k.make()
	}
	return parts
}

func (sc *schema) lookup(k *slotKind, where string) int {
	i, ok := sc.index[k]
	if !ok {
		panic("state: slot " + k.name + " is not part of this " + where + "; make the world with NewWorld(…, its slot)")
	}
	return i
}
