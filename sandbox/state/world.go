// Package state is the sandbox's model of the AWS world: accounts, each holding
// every service's part of it (see Slot), and what belongs to no one service —
// the credentials and sessions every request is authenticated with, and the
// mail sent (by SES now, by SNS e-mail subscriptions later). Service packages
// read and change it under the World's lock; the server snapshots it to disk
// when --state is set. Everything here is plain data that marshals to JSON, so
// GET /_sandbox/state and the snapshot file are the same thing.
package state

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"
	"time"
)

// DefaultAccount is the account of any access key that is not a 12-digit number.
const DefaultAccount = "123456789012"

// World is every account the sandbox knows, each service's part of the world,
// live sessions, long-term credentials and sent mail.
type World struct {
	mu     sync.RWMutex
	keyUse keyUseLog // last use of access keys; has its own lock
	schema *schema
	parts  []any    // one per world slot, in schema order
	ch     *changes // what writers changed since the last checkpoint

	clock worldClock // the clock rules measured in time read (clock.go)

	Accounts    map[string]*Account
	Sessions    map[string]*Session    // by ASIA access key ID
	Credentials map[string]*Credential // long-term keys by access key ID (fixture and CreateAccessKey)
	Mail        []*Message
}

// NewWorld returns an empty world holding the given slots, every service's
// state. It panics when two slots claim one JSON field: the list of services
// is fixed in the program, so that is a mistake a test finds.
func NewWorld(slots ...Slot) *World { return emptyWorld(newSchema(slots)) }

func emptyWorld(sc *schema) *World { return emptyWorldWith(sc, newChanges(sc)) }

// emptyWorldWith makes an empty world whose writers' changes go to ch.
func emptyWorldWith(sc *schema, ch *changes) *World {
	w := &World{
		schema:      sc,
		parts:       makeParts(sc.world),
		ch:          ch,
		Accounts:    map[string]*Account{},
		Sessions:    map[string]*Session{},
		Credentials: map[string]*Credential{},
	}
	attachParts(sc.world, w.parts, ch)
	return w
}

// Empty returns an empty world with the same slots as w.
func (w *World) Empty() *World { return emptyWorld(w.slots()) }

// slots is the world's schema; a World declared as a zero value has no slots.
func (w *World) slots() *schema {
	if w.schema == nil {
		return noSlots
	}
	return w.schema
}

var noSlots = newSchema(nil)

func (w *World) part(k *slotKind) any {
	i := w.slots().lookup(k, "world")
	if w.ch != nil && w.ch.writing {
		w.ch.world[i] = true
	}
	return w.parts[i]
}

// Lock takes the world for writing. Until Unlock, what the writer reaches is
// noted for the next Delta (see changes) — once there has been a checkpoint:
// a world kept in memory only notes nothing.
func (w *World) Lock() {
	w.mu.Lock()
	if w.ch != nil {
		w.ch.writing = w.ch.logged != nil
	}
}

// Unlock releases a write lock.
func (w *World) Unlock() {
	if w.ch != nil {
		w.ch.writing = false
	}
	w.mu.Unlock()
}

// RLock takes the world for reading.
func (w *World) RLock() { w.mu.RLock() }

// RUnlock releases a read lock.
func (w *World) RUnlock() { w.mu.RUnlock() }

// Account returns the account with the given ID, creating it on first use: in the
// sandbox every 12-digit account exists. Call with the write lock held, or use
// LookupAccount under a read lock.
func (w *World) Account(id string) *Account {
	a, ok := w.Accounts[id]
	if !ok {
		a = newAccount(id, w.slots(), w.ch)
		w.Accounts[id] = a
		w.ch.reachAccount(a)
	}
	return a
}

// LookupAccount returns an account without creating it. Readers that find no
// account see an empty one, which is what a fresh AWS account looks like.
func (w *World) LookupAccount(id string) *Account {
	if a, ok := w.Accounts[id]; ok {
		return a
	}
	return newAccount(id, w.slots(), nil) // not the world's: nothing to note
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Credential is a long-term access key the sandbox can verify signatures for.
type Credential struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	Account         string `json:"account"`
	// User is the IAM user owning the key; empty for the account's root.
	User string `json:"user,omitempty"`
}

// Session is a set of temporary credentials from STS AssumeRole.
type Session struct {
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token"`
	Account         string    `json:"account"`
	RoleName        string    `json:"role_name"`
	RoleID          string    `json:"role_id"`
	SessionName     string    `json:"session_name"`
	Expiration      time.Time `json:"expiration"`
}

// Message is one e-mail sent through SES (v1 or v2).
type Message struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	API          string    `json:"api"` // "ses" or "sesv2"
	Action       string    `json:"action"`
	Source       string    `json:"source"`
	Destinations []string  `json:"destinations"`
	Subject      string    `json:"subject"`
	Text         string    `json:"text"`
	HTML         string    `json:"html"`
	Raw          string    `json:"raw"`
	Timestamp    time.Time `json:"timestamp"`
}

// Now is the clock the sandbox stamps resources with: UTC, whole seconds, as IAM reports.
func Now() time.Time { return time.Now().UTC().Truncate(time.Second) }

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewID returns prefix followed by n random characters from AWS's ID alphabet
// (upper-case letters and 2–7), e.g. NewID("AIDA", 17) for a user ID.
func NewID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	var s strings.Builder
	s.WriteString(prefix)
	for _, c := range b {
		s.WriteByte(idAlphabet[int(c)%len(idAlphabet)])
	}
	return s.String()
}

// NewSecret returns a random base64-like secret of n characters.
func NewSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}
