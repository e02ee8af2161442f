package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// record is one Delta: what writers changed since the previous one, as
// assignments that replay in order on the checkpoint they follow.
type record struct {
	Accounts    map[string]*partsRecord    `json:"accounts,omitempty"`
	World       *partsRecord               `json:"world,omitempty"`
	Credentials map[string]json.RawMessage `json:"credentials,omitempty"` // null: deleted
	Sessions    map[string]json.RawMessage `json:"sessions,omitempty"`    // null: deleted
	Mail        *mailRecord                `json:"mail,omitempty"`
}

// partsRecord is what changed in an account or in the world's own parts:
// fields written whole, by their JSON name, and the Index entries reached,
// by field and key (null: deleted).
type partsRecord struct {
	Set     map[string]json.RawMessage            `json:"set,omitempty"`
	Entries map[string]map[string]json.RawMessage `json:"entries,omitempty"`
}

// mailRecord is the mail list from message From on.
type mailRecord struct {
	From int        `json:"from"`
	Add  []*Message `json:"add"`
}

// ErrNoCheckpoint is Delta's answer when only a checkpoint can record the
// world: none was taken yet, or Restore replaced the world since.
var ErrNoCheckpoint = errors.New("the world needs a checkpoint")

// Delta marshals what writers changed since the last Checkpoint or Delta and
// forgets it; nil when they reached nothing. Its cost is that of what was
// reached, not of the world. Call with at least the read lock held, from one
// goroutine at a time.
func (w *World) Delta() ([]byte, error) {
	c := w.ch
	if c.logged == nil || c.restored {
		return nil, ErrNoCheckpoint
	}
	var rec record
	for a := range c.accounts {
		pr, err := a.delta()
		if err != nil {
			return nil, fmt.Errorf("recording account %s: %w", a.ID, err)
		}
		if rec.Accounts == nil {
			rec.Accounts = map[string]*partsRecord{}
		}
		rec.Accounts[a.ID] = pr
	}
	clear(c.accounts)
	pr, err := partsDelta(w.slots().world, w.parts, c.world, c)
	if err != nil {
		return nil, err
	}
	if len(pr.Set)+len(pr.Entries) > 0 {
		rec.World = pr
	}
	clear(c.world)
	if rec.Credentials, err = mapDelta(w.Credentials, c.logged.credentials); err != nil {
		return nil, err
	}
	if rec.Sessions, err = mapDelta(w.Sessions, c.logged.sessions); err != nil {
		return nil, err
	}
	rec.Mail = c.logged.mailDelta(w.Mail)
	if rec.Accounts == nil && rec.World == nil && rec.Credentials == nil && rec.Sessions == nil && rec.Mail == nil {
		return nil, nil
	}
	return json.Marshal(rec)
}

func (a *Account) delta() (*partsRecord, error) {
	pr, err := partsDelta(a.schema.account, a.parts, a.reached, a.ch)
	a.reached = nil
	return pr, err
}

// partsDelta records the reached parts: Index fields by the entries reached,
// other fields whole. An Index not attached to c (a service put a new one in
// its part) is written whole and attached.
func partsDelta(kinds []*slotKind, parts []any, reached []bool, c *changes) (*partsRecord, error) {
	pr := &partsRecord{}
	for i, k := range kinds {
		if i >= len(reached) || !reached[i] {
			continue
		}
		for f, name := range k.fields {
			if el, ok := k.entries(parts[i], f); ok && el.attachedTo(c) {
				entries, err := el.takeEntries()
				if err != nil {
					return nil, fmt.Errorf("recording %s %s: %w", k.name, name, err)
				}
				if len(entries) > 0 {
					if pr.Entries == nil {
						pr.Entries = map[string]map[string]json.RawMessage{}
					}
					pr.Entries[name] = entries
				}
				continue
			} else if ok {
				el.attach(c)
			}
			raw, err := json.Marshal(k.field(parts[i], f))
			if err != nil {
				return nil, fmt.Errorf("recording %s %s: %w", k.name, name, err)
			}
			if pr.Set == nil {
				pr.Set = map[string]json.RawMessage{}
			}
			pr.Set[name] = raw
		}
	}
	return pr, nil
}

// mapDelta records the entries of now that are not the ones logged holds (by
// pointer), and the entries gone, and makes logged hold now's.
func mapDelta[T any](now, logged map[string]*T) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	note := func(id string, raw json.RawMessage) {
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[id] = raw
	}
	for id, v := range now {
		if logged[id] == v {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		note(id, raw)
		logged[id] = v
	}
	if len(logged) > len(now) { // after the loop above, logged holds every entry of now
		for id := range logged {
			if _, ok := now[id]; !ok {
				note(id, json.RawMessage("null"))
				delete(logged, id)
			}
		}
	}
	return out, nil
}

// mailDelta records the messages sent since, or the whole list when it did
// not only grow (DELETE /_sandbox/ses/messages).
func (l *logged) mailDelta(mail []*Message) *mailRecord {
	grew := len(mail) >= l.mail && (l.mail == 0 || mail[l.mail-1] == l.lastMail)
	if grew && len(mail) == l.mail {
		return nil
	}
	rec := &mailRecord{Add: mail}
	if grew {
		rec = &mailRecord{From: l.mail, Add: mail[l.mail:]}
	}
	l.noteMail(mail)
	return rec
}

// ApplyDelta replays a Delta record on the world it was taken from, as the
// checkpoint before it and the records between left it. Call with the write
// lock held.
func (w *World) ApplyDelta(data []byte) error {
	var rec record
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rec); err != nil {
		return fmt.Errorf("decoding a change record: %w", err)
	}
	sc := w.slots()
	for id, pr := range rec.Accounts {
		a := w.Account(id)
		if err := applyParts(sc.account, sc.accountFields, a.parts, pr, w.ch); err != nil {
			return fmt.Errorf("account %s: %w", id, err)
		}
	}
	if rec.World != nil {
		if err := applyParts(sc.world, sc.worldFields, w.parts, rec.World, w.ch); err != nil {
			return err
		}
	}
	if err := applyMap(w.Credentials, rec.Credentials); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	if err := applyMap(w.Sessions, rec.Sessions); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if m := rec.Mail; m != nil {
		if m.From > len(w.Mail) {
			return fmt.Errorf("the record adds mail from message %d; the world has %d", m.From, len(w.Mail))
		}
		if m.From == 0 {
			w.Mail = m.Add // nil stays nil, as the snapshot tells them apart
		} else {
			w.Mail = append(w.Mail[:m.From:m.From], m.Add...)
		}
	}
	return nil
}

// applyParts sets the fields written whole and the entries recorded. Fields
// of services this world lacks are skipped, as Restore drops them.
func applyParts(kinds []*slotKind, refs map[string]fieldRef, parts []any, pr *partsRecord, c *changes) error {
	for name, raw := range pr.Set {
		ref, ok := refs[name]
		if !ok {
			continue
		}
		field := reflect.ValueOf(kinds[ref.slot].field(parts[ref.slot], ref.field)).Elem()
		field.SetZero()
		if err := json.Unmarshal(raw, field.Addr().Interface()); err != nil {
			return fmt.Errorf("decoding %s: %w", name, err)
		}
	}
	for name, entries := range pr.Entries {
		ref, ok := refs[name]
		if !ok {
			continue
		}
		el, ok := kinds[ref.slot].entries(parts[ref.slot], ref.field)
		if !ok {
			return fmt.Errorf("the record has entries of %s, which is not an index here", name)
		}
		if err := el.applyEntries(entries); err != nil {
			return fmt.Errorf("decoding %s: %w", name, err)
		}
	}
	refill(kinds, parts)
	attachParts(kinds, parts, c)
	return nil
}

func applyMap[T any](m map[string]*T, entries map[string]json.RawMessage) error {
	for id, raw := range entries {
		if bytes.Equal(raw, []byte("null")) {
			delete(m, id)
			continue
		}
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return err
		}
		m[id] = v
	}
	return nil
}
