package iamuser

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/journal"
)

// ArchiveFormat names the archive record's format and version.
const ArchiveFormat = "gatehouse-offboard-archive/1"

// Record is everything attached to one IAM user in one account, as
// discovered: the plan's data and, written before the first change, the
// archive. Field names are IAM's own (as the AWS CLI prints them), so the
// record reads like `aws iam get-user` and friends and the user can be
// recreated from it by hand (README: "Recreating a user from its archive").
// It holds no secret: IAM never returns passwords or secret keys.
type Record struct {
	Format   string        `json:"Format"`
	Action   engine.Action `json:"Action,omitempty"` // set when archived
	RunID    int64         `json:"RunId,omitempty"`
	Account  string        `json:"Account"`
	Archived time.Time     `json:"ArchivedAt,omitzero"`

	User                       User                        `json:"User"`
	LoginProfile               *LoginProfile               `json:"LoginProfile,omitempty"`
	AccessKeys                 []AccessKey                 `json:"AccessKeys"`
	SSHPublicKeys              []SSHPublicKey              `json:"SSHPublicKeys"`
	SigningCertificates        []SigningCertificate        `json:"SigningCertificates"`
	ServiceSpecificCredentials []ServiceSpecificCredential `json:"ServiceSpecificCredentials"`
	MFADevices                 []MFADevice                 `json:"MFADevices"`
	Groups                     []Group                     `json:"Groups"`
	InlinePolicies             []InlinePolicy              `json:"InlinePolicies"`
	AttachedPolicies           []AttachedPolicy            `json:"AttachedPolicies"`

	// NotCheckedKinds are the kinds gatehouse was told the backend lacks
	// (--unchecked): they were not listed, so the record cannot say.
	NotCheckedKinds []string `json:"NotChecked,omitempty"`

	// Deactivates is, in a suspension's archive, what the suspension
	// deactivates (reinstating reactivates exactly these).
	Deactivates []journal.SuspendedItem `json:"Deactivates,omitempty"`

	// absent says the user is gone: the record holds only what an earlier,
	// interrupted removal left (virtual MFA devices).
	absent bool
}

var _ engine.Record = (*Record)(nil)

// User is GetUser's answer.
type User struct {
	UserName            string     `json:"UserName"`
	UserID              string     `json:"UserId"`
	Arn                 string     `json:"Arn"`
	Path                string     `json:"Path"`
	CreateDate          time.Time  `json:"CreateDate"`
	PasswordLastUsed    *time.Time `json:"PasswordLastUsed,omitempty"`
	PermissionsBoundary string     `json:"PermissionsBoundary,omitempty"` // policy ARN
	Tags                []Tag      `json:"Tags"`
}

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// LoginProfile is the console password's metadata (never the password).
type LoginProfile struct {
	CreateDate            time.Time `json:"CreateDate"`
	PasswordResetRequired bool      `json:"PasswordResetRequired"`
}

// AccessKey is an access key's metadata (never the secret) and its last use.
type AccessKey struct {
	AccessKeyID string             `json:"AccessKeyId"`
	Status      string             `json:"Status"`
	CreateDate  time.Time          `json:"CreateDate"`
	LastUsed    *AccessKeyLastUsed `json:"AccessKeyLastUsed,omitempty"`
}

// AccessKeyLastUsed is GetAccessKeyLastUsed's answer; a key never used has
// no date and the service and region "N/A".
type AccessKeyLastUsed struct {
	LastUsedDate *time.Time `json:"LastUsedDate,omitempty"`
	ServiceName  string     `json:"ServiceName"`
	Region       string     `json:"Region"`
}

// SSHPublicKey is an SSH public key with its body (a public key).
type SSHPublicKey struct {
	SSHPublicKeyID   string    `json:"SSHPublicKeyId"`
	Status           string    `json:"Status"`
	Fingerprint      string    `json:"Fingerprint,omitempty"`
	UploadDate       time.Time `json:"UploadDate"`
	SSHPublicKeyBody string    `json:"SSHPublicKeyBody,omitempty"`
}

// SigningCertificate is an X.509 signing certificate with its body (public).
type SigningCertificate struct {
	CertificateID   string    `json:"CertificateId"`
	Status          string    `json:"Status"`
	UploadDate      time.Time `json:"UploadDate"`
	CertificateBody string    `json:"CertificateBody"`
}

// ServiceSpecificCredential is a service-specific credential's metadata
// (never its password or secret).
type ServiceSpecificCredential struct {
	ServiceSpecificCredentialID string     `json:"ServiceSpecificCredentialId"`
	ServiceName                 string     `json:"ServiceName"`
	ServiceUserName             string     `json:"ServiceUserName,omitempty"`
	ServiceCredentialAlias      string     `json:"ServiceCredentialAlias,omitempty"`
	Status                      string     `json:"Status"`
	CreateDate                  time.Time  `json:"CreateDate"`
	ExpirationDate              *time.Time `json:"ExpirationDate,omitempty"`
}

// MFA device types, told from the serial number.
const (
	MFAVirtual  = "virtual"  // arn:…:mfa/NAME: an authenticator app
	MFAPasskey  = "passkey"  // arn:…:u2f/…: a passkey or security key
	MFAHardware = "hardware" // any other serial: a hardware TOTP token
)

// MFADevice is an MFA device. Assigned is false only for a virtual device an
// earlier, interrupted offboarding deactivated but could not delete.
type MFADevice struct {
	SerialNumber string    `json:"SerialNumber"`
	Type         string    `json:"Type"`
	EnableDate   time.Time `json:"EnableDate,omitzero"`
	Assigned     bool      `json:"Assigned"`
}

// Group is a group the user belongs to.
type Group struct {
	GroupName string `json:"GroupName"`
	GroupID   string `json:"GroupId,omitempty"`
	Arn       string `json:"Arn,omitempty"`
	Path      string `json:"Path,omitempty"`
}

// InlinePolicy is an inline policy with its document, URL-decoded: the JSON
// object itself, as put-user-policy takes it.
type InlinePolicy struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

// AttachedPolicy is a managed policy attached to the user.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

func newRecord(account, userName string) *Record {
	return &Record{Format: ArchiveFormat, Account: account, User: User{UserName: userName}}
}

// tag returns the value of the user's tag key and whether it is there.
func (r *Record) tag(key string) (string, bool) {
	for _, t := range r.User.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// tagMap is the user's tags as a map.
func (r *Record) tagMap() map[string]string {
	m := make(map[string]string, len(r.User.Tags))
	for _, t := range r.User.Tags {
		m[t.Key] = t.Value
	}
	return m
}

// Managed reports whether gatehouse created (or adopted) the user.
func (r *Record) Managed() bool {
	v, ok := r.tag(engine.TagManagedBy)
	return ok && v == engine.ManagedByValue
}

// Email is the address gatehouse tagged the user with ("" when none).
func (r *Record) Email() string {
	v, _ := r.tag(engine.TagEmail)
	return v
}

// UserName is the user's name as IAM spells it.
func (r *Record) UserName() string { return r.User.UserName }

// UserID is the user's unique ID (AIDA…).
func (r *Record) UserID() string { return r.User.UserID }

// ARN is the user's ARN.
func (r *Record) ARN() string { return r.User.Arn }

// Tags are the user's tags, in IAM's order.
func (r *Record) Tags() []engine.Tag {
	out := make([]engine.Tag, len(r.User.Tags))
	for i, t := range r.User.Tags {
		out[i] = engine.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// Absent says the user itself is gone and only leftovers remain.
func (r *Record) Absent() bool { return r.absent }

// Items counts what the removal table acts on.
func (r *Record) Items() int { return countItems(r) }

// Stamp marks r as archived by run at t for action; a suspension's record
// also says what it deactivates.
func (r *Record) Stamp(action engine.Action, run int64, t time.Time, deactivates []journal.SuspendedItem) {
	r.Action, r.RunID, r.Archived = action, run, t.UTC().Truncate(time.Millisecond)
	r.Deactivates = deactivates
}

// NotChecked are the kinds that were not listed (--unchecked).
func (r *Record) NotChecked() []string { return r.NotCheckedKinds }

// ArchivedAt is when the record was stamped for the archive.
func (r *Record) ArchivedAt() time.Time { return r.Archived }

// countItems counts what the record holds that the table acts on.
func countItems(rec *Record) int {
	n := 0
	for _, d := range removalTable {
		if d == virtualMFADevices {
			continue // the same devices as the MFA device entry
		}
		n += len(d.items(rec))
	}
	return n
}

// decodeRecord reads an archive record.
func decodeRecord(data []byte) (*Record, error) {
	var rec Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, err
	}
	if rec.Format != ArchiveFormat {
		return nil, fmt.Errorf("format %q is not %s", rec.Format, ArchiveFormat)
	}
	return &rec, nil
}
