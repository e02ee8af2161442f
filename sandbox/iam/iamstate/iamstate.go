// Package iamstate is IAM's part of every account — users, groups, roles,
// customer-managed policies, virtual MFA devices, the alias and the password
// policy — owned by the IAM service (sandbox/iam) and read by the services
// that build on IAM: STS evaluates roles' trust policies and users' MFA
// devices, Organizations creates the role a new member account is reached
// through, and the server resolves which user signed a request.
//
// It is a package of its own, importing only sandbox/state, so that those
// services depend on IAM's data and not on IAM's operations: the IAM service
// may then use any of them (it reads STS sessions from the world) without an
// import cycle.
package iamstate

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// Account is IAM's part of one account. Its JSON fields are the account's
// fields in snapshots, as they were before IAM owned them.
type Account struct {
	Alias          string          `json:"alias,omitempty"` // IAM allows one alias per account
	PasswordPolicy *PasswordPolicy `json:"password_policy,omitempty"`

	Users      *state.Index[User]          `json:"users"`
	Groups     *state.Index[Group]         `json:"groups"`
	Roles      *state.Index[Role]          `json:"roles"`
	Policies   *state.Index[ManagedPolicy] `json:"policies"`    // customer-managed, keyed by name
	VirtualMFA map[string]*MFADevice       `json:"virtual_mfa"` // virtual devices by serial, assigned or not

	CredentialReport *CredentialReport `json:"credential_report,omitempty"`
	// ReportDelay is how long generating a credential report takes (0: at
	// once), so tests can see ReportInProgress; set through the inspection API.
	ReportDelay time.Duration `json:"credential_report_delay,omitempty"`
	Root        *Root         `json:"root,omitempty"`
}

// Slot is IAM's part of every account; worlds that serve IAM are made with it.
var Slot = state.NewAccountSlot("iam", func(a *Account) {
	if a.Users == nil {
		a.Users = state.NewIndex[User]()
	}
	if a.Groups == nil {
		a.Groups = state.NewIndex[Group]()
	}
	if a.Roles == nil {
		a.Roles = state.NewIndex[Role]()
	}
	if a.Policies == nil {
		a.Policies = state.NewIndex[ManagedPolicy]()
	}
	if a.VirtualMFA == nil {
		a.VirtualMFA = map[string]*MFADevice{}
	}
})

// Of returns IAM's part of account a.
func Of(a *state.Account) *Account { return Slot.Of(a) }

// UserOfKey returns the IAM user a long-term credential belongs to, if any.
func UserOfKey(w *state.World, cred *state.Credential) (*User, bool) {
	if cred.User == "" {
		return nil, false
	}
	return Of(w.LookupAccount(cred.Account)).Users.Get(cred.User)
}
