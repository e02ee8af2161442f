package identitycenter

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// ArchiveFormat names the archive record's format and version.
const ArchiveFormat = "gatehouse-identitycenter-archive/1"

// Record is an Identity Center user with its memberships and assignments,
// in the Identity Store API's field names: the offboarding plan's data and
// its archive (enough to recreate the user by hand).
type Record struct {
	Format          string        `json:"Format"`
	Action          engine.Action `json:"Action,omitempty"`
	RunID           int64         `json:"RunId,omitempty"`
	IdentityStoreID string        `json:"IdentityStoreId"`
	InstanceArn     string        `json:"InstanceArn"`
	Archived        time.Time     `json:"ArchivedAt,omitzero"`

	User        User         `json:"User"`
	Groups      []Membership `json:"Groups"`
	Assignments []Assignment `json:"Assignments"`

	// Deactivates is, in a suspension's archive, the assignments it removes
	// (reinstating recreates exactly these).
	Deactivates []journal.SuspendedItem `json:"Deactivates,omitempty"`

	managed bool // the journal's word
}

// User is DescribeUser's answer, in part.
type User struct {
	UserID      string `json:"UserId"`
	UserName    string `json:"UserName"`
	DisplayName string `json:"DisplayName"`
	GivenName   string `json:"GivenName"`
	FamilyName  string `json:"FamilyName"`
	Email       string `json:"Email"`
}

// Membership is one group the user belongs to.
type Membership struct {
	GroupID      string `json:"GroupId"`
	DisplayName  string `json:"DisplayName"`
	MembershipID string `json:"MembershipId"`
}

// Assignment is one account the user reaches through a permission set.
type Assignment struct {
	AccountID         string `json:"AccountId"`
	PermissionSetArn  string `json:"PermissionSetArn"`
	PermissionSetName string `json:"PermissionSetName"`
}

// key is how the journal's suspension names an assignment.
func (a Assignment) key() string { return a.PermissionSetName + "@" + a.AccountID }

var _ engine.Record = (*Record)(nil)

// UserName is the user's name.
func (r *Record) UserName() string { return r.User.UserName }

// UserID is the identity store's ID of the user.
func (r *Record) UserID() string { return r.User.UserID }

// ARN names the user as the Identity Store does.
func (r *Record) ARN() string { return "identitystore:" + r.IdentityStoreID + ":user/" + r.User.UserID }

// Managed is the journal's word: gatehouse created (or adopted) the user.
func (r *Record) Managed() bool { return r.managed }

// Email is the user's e-mail address.
func (r *Record) Email() string { return r.User.Email }

// Tags: Identity Center users have none.
func (r *Record) Tags() []engine.Tag { return nil }

// Absent: a record is only made of a user that exists.
func (r *Record) Absent() bool { return false }

// Items counts the memberships and assignments removal acts on.
func (r *Record) Items() int { return len(r.Groups) + len(r.Assignments) }

// NotChecked: every kind is listed.
func (r *Record) NotChecked() []string { return nil }

// Stamp marks the record for the archive.
func (r *Record) Stamp(action engine.Action, run int64, t time.Time, deactivates []journal.SuspendedItem) {
	r.Action, r.RunID, r.Archived, r.Deactivates = action, run, t.UTC().Truncate(time.Millisecond), deactivates
}

// ArchivedAt is when the record was stamped.
func (r *Record) ArchivedAt() time.Time { return r.Archived }
