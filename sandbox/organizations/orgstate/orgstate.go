// Package orgstate is AWS Organizations' part of the world — the organisation
// with its root and OUs — and of each account — its membership. The
// Organizations service (sandbox/organizations) owns it; STS reads it for
// aws:PrincipalOrgID, and the coming Identity Center services will read which
// accounts belong to the organisation. It imports only sandbox/state, so that
// they depend on the data, not on the Organizations operations.
package orgstate

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// World is Organizations' part of the world: at most one organisation.
type World struct {
	Organization *Organization `json:"organization,omitempty"`
}

// Organization is one management account, a root, OUs and member accounts
// (accounts whose Membership says InOrg).
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

// Membership is an account's place in the organisation (empty when the
// account is not in it). Its JSON fields are the account's own in snapshots.
type Membership struct {
	OrgName  string    `json:"org_name,omitempty"`
	OrgEmail string    `json:"org_email,omitempty"`
	ParentID string    `json:"parent_id,omitempty"`
	Joined   time.Time `json:"joined,omitempty"`
	InOrg    bool      `json:"in_org,omitempty"`
}

// Slots are Organizations' parts of the world and of every account.
var (
	WorldSlot = state.NewWorldSlot("organizations", func(w *World) {
		if w.Organization != nil && w.Organization.OUs == nil {
			w.Organization.OUs = map[string]*OU{}
		}
	})
	MembershipSlot = state.NewAccountSlot[Membership]("organizations membership", nil)
)

// Of returns the world's organisation, nil when there is none.
func Of(w *state.World) *Organization { return WorldSlot.Of(w).Organization }

// Set makes org the world's organisation.
func Set(w *state.World, org *Organization) { WorldSlot.Of(w).Organization = org }

// MembershipOf returns account a's place in the organisation.
func MembershipOf(a *state.Account) *Membership { return MembershipSlot.Of(a) }

// IsMember reports whether account belongs to the world's organisation: its
// management account or an account that joined it.
func IsMember(w *state.World, account string) bool {
	org := Of(w)
	if org == nil {
		return false
	}
	if account == org.ManagementAccount {
		return true
	}
	a, ok := w.Accounts[account]
	return ok && MembershipOf(a).InOrg
}
