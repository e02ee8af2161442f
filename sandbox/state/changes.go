package state

import (
	"encoding/json"
	"reflect"
)

// changes is what writers did to a world since its last Checkpoint, so that
// Delta can write that alone instead of the whole world. It lives under the
// world's lock: writers (between World.Lock and Unlock) mark what they
// reach, and Checkpoint and Delta, under at least the read lock, take the
// marks; readers never touch it.
//
// What is marked is what a writer reached, whether it changed it or not:
//   - an account it created (World.Account);
//   - each service's part of an account or of the world it asked for
//     (AccountSlot.Of, WorldSlot.Of): the part's fields are written whole,
//     except its Index fields;
//   - each Index entry it got, put, deleted or iterated over, written alone.
//
// So a service keeps its large collections in a state.Index; anything else in
// its part is small and written whole whenever the part is reached. The
// world's credentials and sessions are compared with what the last record
// held (a pointer comparison per entry: replace an entry, never change it in
// place) and its mail is followed as a list that grows.
type changes struct {
	writing  bool                  // a writer holds the lock
	restored bool                  // Restore replaced everything: only a checkpoint can say what
	accounts map[*Account]struct{} // created or reached since the last checkpoint or delta
	world    []bool                // world parts reached, by slot
	logged   *logged               // what the last checkpoint or delta held; nil before the first checkpoint
}

// logged is what the world's credentials, sessions and mail were at the last
// checkpoint or delta.
type logged struct {
	credentials map[string]*Credential
	sessions    map[string]*Session
	mail        int      // messages already written
	lastMail    *Message // the last of them, to see that the list only grew
}

func newChanges(sc *schema) *changes {
	return &changes{accounts: map[*Account]struct{}{}, world: make([]bool, len(sc.world))}
}

// reachAccount marks an account a writer created or reached a part of.
func (c *changes) reachAccount(a *Account) {
	if c != nil && c.writing {
		c.accounts[a] = struct{}{}
	}
}

// entryLog is what an Index does for the change log: it is attached to the
// world whose writers it notes, and gives and takes the entries they reached.
type entryLog interface {
	attachedTo(*changes) bool
	attach(*changes)
	takeEntries() (map[string]json.RawMessage, error)
	applyEntries(map[string]json.RawMessage) error
	forgetEntries()
}

var entryLogType = reflect.TypeFor[entryLog]()

// attachParts attaches the Index fields of parts to c.
func attachParts(kinds []*slotKind, parts []any, c *changes) {
	for i, k := range kinds {
		for f := range k.fields {
			if el, ok := k.entries(parts[i], f); ok {
				el.attach(c)
			}
		}
	}
}

// Checkpoint marshals the whole world, as Snapshot does, and starts a new
// change log: Delta then says what writers changed after it. Call with at
// least the read lock held, and from one goroutine at a time.
func (w *World) Checkpoint() ([]byte, error) {
	data, err := w.Snapshot()
	if err != nil {
		return nil, err
	}
	w.Checkpointed()
	return data, nil
}

// Checkpointed starts a new change log without marshalling the world: the
// caller knows it is as stored already (just loaded from a checkpoint and the
// deltas after it). Call as Checkpoint.
func (w *World) Checkpointed() {
	c := w.ch
	for a := range c.accounts {
		a.forgetReached()
	}
	clear(c.accounts)
	clear(c.world)
	c.restored = false
	c.logged = &logged{credentials: make(map[string]*Credential, len(w.Credentials)), sessions: make(map[string]*Session, len(w.Sessions))}
	for id, cred := range w.Credentials {
		c.logged.credentials[id] = cred
	}
	for id, s := range w.Sessions {
		c.logged.sessions[id] = s
	}
	c.logged.noteMail(w.Mail)
}

func (l *logged) noteMail(mail []*Message) {
	l.mail, l.lastMail = len(mail), nil
	if len(mail) > 0 {
		l.lastMail = mail[len(mail)-1]
	}
}

// forgetReached clears what writers reached in the account.
func (a *Account) forgetReached() {
	for i, k := range a.schema.account {
		if i < len(a.reached) && a.reached[i] {
			forgetEntries(k, a.parts[i])
		}
	}
	a.reached = nil
}

func forgetEntries(k *slotKind, part any) {
	for f := range k.fields {
		if el, ok := k.entries(part, f); ok {
			el.forgetEntries()
		}
	}
}
