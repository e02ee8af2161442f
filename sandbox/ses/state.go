package ses

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// account is SES's part of one account: identities per region, region →
// lower-cased identity → identity, shared by v1 and v2. Its JSON field is the
// account's own in snapshots, as before SES owned it.
type account struct {
	Identities map[string]map[string]*identity `json:"ses_identities"`
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
})
