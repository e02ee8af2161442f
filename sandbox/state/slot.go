package state

import (
	"encoding/json"
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
	make    func() any
	decode  func(data []byte) (any, error)
}

func newKind[T any](name string, account bool, fill func(*T)) *slotKind {
	fresh := func() *T {
		v := new(T)
		if fill != nil {
			fill(v)
		}
		return v
	}
	return &slotKind{
		name: name, account: account, fields: jsonFields(reflect.TypeFor[T]()),
		make: func() any { return fresh() },
		// Decoding into a filled value keeps collections a snapshot leaves
		// out; filling again replaces those it wrote as null.
		decode: func(data []byte) (any, error) {
			v := fresh()
			if err := json.Unmarshal(data, v); err != nil {
				return nil, fmt.Errorf("decoding %s state: %w", name, err)
			}
			if fill != nil {
				fill(v)
			}
			return v, nil
		},
	}
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

// jsonFields lists the JSON object fields a struct type marshals.
func jsonFields(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("state: a slot's type must be a struct, not %s", t))
	}
	var out []string
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
		out = append(out, name)
	}
	return out
}

// schema is the slots a world was made with, in registration order.
type schema struct {
	account []*slotKind
	world   []*slotKind
	index   map[*slotKind]int // position in account or world
}

// Fields the world and its accounts keep themselves.
var (
	accountFields = []string{"id"}
	worldFields   = []string{"accounts", "sessions", "credentials", "mail"}
)

func newSchema(slots []Slot) *schema {
	sc := &schema{index: map[*slotKind]int{}}
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
		scope, list := "world.", &sc.world
		if k.account {
			scope, list = "account.", &sc.account
		}
		for _, f := range k.fields {
			if other, taken := owner[scope+f]; taken {
				panic(fmt.Sprintf("state: slot %s claims the %s field %q, which %s already has", k.name, strings.TrimSuffix(scope, "."), f, other))
			}
			owner[scope+f] = "slot " + k.name
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
