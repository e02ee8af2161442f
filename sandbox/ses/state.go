package ses

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// account is SES's part of one account: identities per region, region →
// lower-cased identity → identity, shared by v1 and v2 (its JSON field is the
// account's own in snapshots, as before SES owned it); how it may send
// (quota.go), and what it sent that counts against its quotas.
type account struct {
	Identities map[string]map[string]*identity `json:"ses_identities"`
	Sending    *sendingSettings                `json:"ses_sending,omitempty"` // nil: production access, generous quotas
	Sent       map[string]*sendLog             `json:"ses_sent,omitempty"`    // region → what counts against the quotas
}

// identity is a verified (or pending) e-mail address or domain.
type identity struct {
	Identity string    `json:"identity"`
	Type     string    `json:"type"` // EmailAddress | Domain
	Verified bool      `json:"verified"`
	Created  time.Time `json:"created"`
}

// slot is SES's part of every account.
var slot = state.NewAccountSlot("ses", func(a *account) {
	if a.Identities == nil {
		a.Identities = map[string]map[string]*identity{}
	}
	if a.Sent == nil {
		a.Sent = map[string]*sendLog{}
	}
})
