package state

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	fresh := w.Empty()
	if len(bytes.TrimSpace(data)) > 0 {
		if err := fresh.unmarshal(data); err != nil {
			return err
		}
	}
	w.schema, w.parts = fresh.schema, fresh.parts
	w.Accounts, w.Sessions, w.Credentials, w.Mail = fresh.Accounts, fresh.Sessions, fresh.Credentials, fresh.Mail
	w.keyUse.mu.Lock()
	w.keyUse.uses = nil // a restored world has no history of key use
	w.keyUse.mu.Unlock()
	return nil
}

// UnmarshalJSON is Restore, for a World inside another value.
func (w *World) UnmarshalJSON(data []byte) error { return w.Restore(data) }

// fields is a JSON object split into its fields, each left undecoded.
type fields map[string]json.RawMessage

func (w *World) unmarshal(data []byte) error {
	var top fields
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	var accounts fields
	for _, f := range []struct {
		name string
		v    any
	}{{"accounts", &accounts}, {"sessions", &w.Sessions}, {"credentials", &w.Credentials}, {"mail", &w.Mail}} {
		if raw, ok := top[f.name]; ok {
			if err := json.Unmarshal(raw, f.v); err != nil {
				return fmt.Errorf("decoding %s: %w", f.name, err)
			}
		}
	}
	sc := w.slots()
	parts, err := readParts(sc.world, top)
	if err != nil {
		return err
	}
	w.parts = parts
	for id, raw := range accounts {
		a, err := readAccount(id, raw, sc)
		if err != nil {
			return fmt.Errorf("decoding account %s: %w", id, err)
		}
		w.Accounts[id] = a
	}
	w.normalize()
	return nil
}

func readAccount(id string, raw json.RawMessage, sc *schema) (*Account, error) {
	var obj fields
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	a := &Account{ID: id, schema: sc}
	if rawID, ok := obj["id"]; ok {
		if err := json.Unmarshal(rawID, &a.ID); err != nil {
			return nil, err
		}
	}
	parts, err := readParts(sc.account, obj)
	a.parts = parts
	return a, err
}

// readParts decodes each slot from the fields it claims in obj.
func readParts(kinds []*slotKind, obj fields) ([]any, error) {
	parts := make([]any, len(kinds))
	for i, k := range kinds {
		var b bytes.Buffer
		b.WriteByte('{')
		for _, f := range k.fields {
			raw, ok := obj[f]
			if !ok {
				continue
			}
			if b.Len() > 1 {
				b.WriteByte(',')
			}
			writeJSON(&b, f)
			b.WriteByte(':')
			b.Write(raw)
		}
		b.WriteByte('}')
		v, err := k.decode(b.Bytes())
		if err != nil {
			return nil, err
		}
		parts[i] = v
	}
	return parts, nil
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
