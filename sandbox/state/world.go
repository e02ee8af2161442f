// Package state is the sandbox's model of the AWS world: accounts and what lives in
// them. Service packages read and change it under the World's lock; the server
// snapshots it to disk when --state is set. Everything here is plain data that
// marshals to JSON, so GET /_sandbox/state and the snapshot file are the same thing.
package state

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// DefaultAccount is the account of any access key that is not a 12-digit number.
const DefaultAccount = "123456789012"

// World is every account the sandbox knows, the organisation, live sessions and sent mail.
type World struct {
	mu     sync.RWMutex
	keyUse keyUseLog // last use of access keys; has its own lock

	Accounts     map[string]*Account    `json:"accounts"`
	Organization *Organization          `json:"organization,omitempty"`
	Sessions     map[string]*Session    `json:"sessions"`    // by ASIA access key ID
	Credentials  map[string]*Credential `json:"credentials"` // long-term keys by access key ID (fixture and CreateAccessKey)
	Mail         []*Message             `json:"mail"`
}

// NewWorld returns an empty world.
func NewWorld() *World {
	return &World{
		Accounts:    map[string]*Account{},
		Sessions:    map[string]*Session{},
		Credentials: map[string]*Credential{},
	}
}

// Lock takes the world for writing.
func (w *World) Lock() { w.mu.Lock() }

// Unlock releases a write lock.
func (w *World) Unlock() { w.mu.Unlock() }

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
		a = NewAccount(id)
		w.Accounts[id] = a
	}
	return a
}

// LookupAccount returns an account without creating it. Readers that find no
// account see an empty one, which is what a fresh AWS account looks like.
func (w *World) LookupAccount(id string) *Account {
	if a, ok := w.Accounts[id]; ok {
		return a
	}
	return emptyAccount(id)
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

// Organization is the AWS Organizations view: one management account, a root, OUs
// and member accounts (which are Accounts with Org set).
type Organization struct {
	ID                string         `json:"id"`
	ManagementAccount string         `json:"management_account"`
	RootID            string         `json:"root_id"`
	FeatureSet        string         `json:"feature_set"`
	OUs               map[string]*OU `json:"ous"`
}

// OU is an organisational unit.
type OU struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id"`
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

// Snapshot marshals the world. Call with at least the read lock held.
func (w *World) Snapshot() ([]byte, error) { return json.Marshal(w) }

// Restore replaces the world's contents with a snapshot. Call with the write lock held.
func (w *World) Restore(data []byte) error {
	fresh := NewWorld()
	if len(data) > 0 {
		if err := json.Unmarshal(data, fresh); err != nil {
			return err
		}
	}
	fresh.normalize()
	w.Accounts, w.Organization, w.Sessions, w.Credentials, w.Mail = fresh.Accounts, fresh.Organization, fresh.Sessions, fresh.Credentials, fresh.Mail
	w.keyUse.mu.Lock()
	w.keyUse.uses = nil // a restored world has no history of key use
	w.keyUse.mu.Unlock()
	return nil
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
	for id, a := range w.Accounts {
		if a == nil {
			a = NewAccount(id)
			w.Accounts[id] = a
		}
		a.normalize()
	}
	if w.Organization != nil && w.Organization.OUs == nil {
		w.Organization.OUs = map[string]*OU{}
	}
}

func (a *Account) normalize() {
	if a.Users == nil {
		a.Users = NewIndex[User]()
	}
	if a.Groups == nil {
		a.Groups = NewIndex[Group]()
	}
	if a.Roles == nil {
		a.Roles = NewIndex[Role]()
	}
	if a.Policies == nil {
		a.Policies = NewIndex[ManagedPolicy]()
	}
	if a.VirtualMFA == nil {
		a.VirtualMFA = map[string]*MFADevice{}
	}
	if a.SESIdentities == nil {
		a.SESIdentities = map[string]map[string]*SESIdentity{}
	}
}
