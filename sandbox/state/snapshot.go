package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Snapshot marshals the world. Call with at least the read lock held.
//
// The shape is the one snapshot files have always had: {"accounts": {ID: {"id",
// …every account slot's fields}}, …every world slot's fields, "sessions",
// "credentials", "mail"}.
func (w *World) Snapshot() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"accounts":{`)
	ids := make([]string, 0, len(w.Accounts))
	for id := range w.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, id)
		b.WriteByte(':')
		if err := w.Accounts[id].marshal(&b); err != nil {
			return nil, fmt.Errorf("encoding account %s: %w", id, err)
		}
	}
	b.WriteByte('}')
	if err := writeParts(&b, w.slots().world, w.parts); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		v    any
	}{{"sessions", w.Sessions}, {"credentials", w.Credentials}, {"mail", w.Mail}} {
		b.WriteString(`,"` + f.name + `":`)
		if err := writeJSON(&b, f.v); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON is Snapshot, for a World inside another value.
func (w *World) MarshalJSON() ([]byte, error) { return w.Snapshot() }

// MarshalJSON writes the account as snapshots hold it: its ID and every
// service's fields.
func (a *Account) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	err := a.marshal(&b)
	return b.Bytes(), err
}

func (a *Account) marshal(b *bytes.Buffer) error {
	b.WriteString(`{"id":`)
	writeJSON(b, a.ID)
	if err := writeParts(b, a.schema.account, a.parts); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

// writeParts appends each slot's fields to the object being written in b.
func writeParts(b *bytes.Buffer, kinds []*slotKind, parts []any) error {
	for i, k := range kinds {
		out, err := json.Marshal(parts[i])
		if err != nil {
			return fmt.Errorf("encoding %s state: %w", k.name, err)
		}
		if fields := bytes.TrimSpace(out[1 : len(out)-1]); len(fields) > 0 {
			b.WriteByte(',')
			b.Write(fields)
		}
	}
	return nil
}

func writeJSON(b *bytes.Buffer, v any) error {
	out, err := json.Marshal(v)
	b.Write(out)
	return err
}

// Restore replaces the world's contents with a snapshot, keeping its slots.
// Call with the write lock held. Fields no slot claims are dropped, so a
// snapshot written with more services than this world has still loads.
func (w *World) Restore(data []byte) error {
	if w.ch == nil { // a World declared as a zero value
		w.ch = newChanges(w.slots())
	}
	fresh := emptyWorldWith(w.slots(), w.ch)
	if len(bytes.TrimSpace(data)) > 0 {
		if err := fresh.unmarshal(data); err != nil {
			return err
		}
	}
	for a := range w.ch.accounts {
		a.forgetReached()
	}
	clear(w.ch.accounts)
	clear(w.ch.world)
	w.ch.restored = true // nothing short of a checkpoint says what changed
	w.schema, w.parts = fresh.schema, fresh.parts
	w.Accounts, w.Sessions, w.Credentials, w.Mail = fresh.Accounts, fresh.Sessions, fresh.Credentials, fresh.Mail
	w.keyUse.mu.Lock()
	w.keyUse.uses = nil // a restored world has no history of key use
	w.keyUse.mu.Unlock()
	return nil
}

// UnmarshalJSON is Restore, for a World inside another value.
func (w *World) UnmarshalJSON(data []byte) error { return w.Restore(data) }

// unmarshal reads a snapshot in one pass: every field is decoded straight
// into the world, an account or the slot that claims it (a world of 100,000
// users loads at start, on reset and twice for every posted fixture).
func (w *World) unmarshal(data []byte) error {
	sc := w.slots()
	dec := json.NewDecoder(bytes.NewReader(data))
	err := eachField(dec, func(name string) error {
		var v any
		switch name {
		case "accounts":
			return eachField(dec, func(id string) error {
				a := newAccount(id, sc, w.ch)
				w.Accounts[id] = a
				if err := a.unmarshal(dec); err != nil {
					return fmt.Errorf("decoding account %s: %w", id, err)
				}
				return nil
			})
		case "sessions":
			v = &w.Sessions
		case "credentials":
			v = &w.Credentials
		case "mail":
			v = &w.Mail
		default:
			v = partField(sc.world, sc.worldFields, w.parts, name)
		}
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("decoding %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the snapshot goes on after its end")
	}
	refill(sc.world, w.parts)
	attachParts(sc.world, w.parts, w.ch)
	w.normalize()
	return nil
}

func (a *Account) unmarshal(dec *json.Decoder) error {
	err := eachField(dec, func(name string) error {
		if name == "id" {
			return dec.Decode(&a.ID)
		}
		return dec.Decode(partField(a.schema.account, a.schema.accountFields, a.parts, name))
	})
	refill(a.schema.account, a.parts)
	if a.ch != nil {
		attachParts(a.schema.account, a.parts, a.ch)
	}
	return err
}

// partField is where a JSON field of an account or of the world decodes to:
// a field of the slot that claims it, or nowhere (a field of a service this
// world does not have).
func partField(kinds []*slotKind, refs map[string]fieldRef, parts []any, name string) any {
	ref, ok := refs[name]
	if !ok {
		return new(json.RawMessage)
	}
	return kinds[ref.slot].field(parts[ref.slot], ref.field)
}

// refill makes again the collections a snapshot wrote as null.
func refill(kinds []*slotKind, parts []any) {
	for i, k := range kinds {
		k.fill(parts[i])
	}
}

// eachField reads a JSON object (or null) from dec, calling fn with each key
// while dec stands at its value.
func eachField(dec *json.Decoder, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("found %v where an object belongs", tok)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if err := fn(key.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing brace
	return err
}

// normalize fills collections a snapshot may have left out.
func (w *World) normalize() {
	if w.Accounts == nil {
		w.Accounts = map[string]*Account{}
	}
	if w.Sessions == nil {
		w.Sessions = map[string]*Session{}
	}
	if w.Credentials == nil {
		w.Credentials = map[string]*Credential{}
	}
}
