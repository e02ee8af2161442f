package engine

import (
	"context"
	"time"
)

// Auditing is what an audit asks of a directory: every user of a scope, with
// what the directory knows of their credentials and of what is attached to
// them. A directory that can be audited implements it besides Directory.
type Auditing interface {
	Scopes
	// Inventory reads every user of s. It changes nothing a person would
	// call a change (IAM makes a credential report at most every four hours).
	Inventory(ctx context.Context, s *Scope) (Inventory, error)
}

// Inventory is a scope's users as an audit reads them.
type Inventory struct {
	// AsOf is the moment the credential data describes (IAM's credential
	// report is up to four hours old): ages are measured from it. Zero when
	// the directory keeps no credentials.
	AsOf  time.Time
	Users []InventoryUser
}

// InventoryUser is one user of a scope as an audit reads it.
type InventoryUser struct {
	Name  string
	ARN   string
	Email string // IAM: the gatehouse:email tag; Identity Center: the user's address; "" when none
	// GivenName and FamilyName are an Identity Center user's names ("" for
	// IAM users): what a spec needs to name the person.
	GivenName, FamilyName string
	Tags                  map[string]string
	Managed               bool // the directory's own mark says gatehouse manages the user
	// Self says why this is the identity gatehouse runs as ("" when it is
	// not): never offered for removal.
	Self string
	// Credentials is the user's row of the credential report; nil where the
	// directory has none (Identity Center) or the report is older than the
	// user.
	Credentials *Credentials
	// ManagedPolicies (ARNs) and InlinePolicies (names) are attached to the
	// user itself, not through a group.
	ManagedPolicies []string
	InlinePolicies  []string
}

// Credentials is what a credential report says of a user's sign-in
// credentials. A zero time means never (or not known).
type Credentials struct {
	Password         bool // a console password is set
	PasswordChanged  time.Time
	PasswordLastUsed time.Time
	MFA              bool // an MFA device is enabled
	AccessKeys       []AccessKeyUse
}

// AccessKeyUse is one access key of a user as the credential report shows it:
// by its place (1 or 2, oldest first), without its ID.
type AccessKeyUse struct {
	Slot     int
	Active   bool
	Created  time.Time // created or last rotated
	LastUsed time.Time
}
