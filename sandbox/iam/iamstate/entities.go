package iamstate

import (
	"time"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// PasswordPolicy is the account password policy as UpdateAccountPasswordPolicy sets it.
type PasswordPolicy struct {
	MinimumPasswordLength      int  `json:"minimum_password_length"`
	RequireSymbols             bool `json:"require_symbols"`
	RequireNumbers             bool `json:"require_numbers"`
	RequireUppercaseCharacters bool `json:"require_uppercase_characters"`
	RequireLowercaseCharacters bool `json:"require_lowercase_characters"`
	AllowUsersToChangePassword bool `json:"allow_users_to_change_password"`
	MaxPasswordAge             int  `json:"max_password_age,omitempty"`          // 0 = never expires
	PasswordReusePrevention    int  `json:"password_reuse_prevention,omitempty"` // 0 = not set
	HardExpiry                 bool `json:"hard_expiry"`
}

// User is an IAM user and everything attached to it.
type User struct {
	Name                string      `json:"name"`
	ID                  string      `json:"id"`
	Path                string      `json:"path"`
	Created             time.Time   `json:"created"`
	PasswordLastUsed    time.Time   `json:"password_last_used,omitempty"`
	Tags                []state.Tag `json:"tags,omitempty"`
	PermissionsBoundary string      `json:"permissions_boundary,omitempty"` // policy ARN

	LoginProfile     *LoginProfile     `json:"login_profile,omitempty"`
	AccessKeys       []*AccessKey      `json:"access_keys,omitempty"`
	SSHKeys          []*SSHKey         `json:"ssh_keys,omitempty"`
	SigningCerts     []*SigningCert    `json:"signing_certs,omitempty"`
	ServiceCreds     []*ServiceCred    `json:"service_creds,omitempty"`
	MFADevices       []*MFADevice      `json:"mfa_devices,omitempty"`       // assigned devices of every type
	Groups           []string          `json:"groups,omitempty"`            // group names as created
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`   // name → URL-decoded document
	AttachedPolicies []string          `json:"attached_policies,omitempty"` // policy ARNs
}

// LoginProfile is a user's console password. The password itself is never stored:
// only a salted hash, enough to check a sign-in and to prevent reuse.
type LoginProfile struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"reset_required"`
	PasswordHash  string    `json:"password_hash"`     // hex(sha256(salt || password))
	Salt          string    `json:"salt"`              // hex
	History       []string  `json:"history,omitempty"` // earlier hashes (same salt), newest first, for reuse prevention
	PasswordSet   time.Time `json:"password_set"`
}

// AccessKey is a long-term access key; the secret lives in state.World.Credentials,
// where every request's signature is checked against it.
type AccessKey struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"` // Active | Inactive
	Created         time.Time `json:"created"`
	LastUsed        time.Time `json:"last_used,omitempty"`
	LastUsedService string    `json:"last_used_service,omitempty"`
	LastUsedRegion  string    `json:"last_used_region,omitempty"`
}

// SSHKey is an SSH public key for CodeCommit.
type SSHKey struct {
	ID          string    `json:"id"`
	Body        string    `json:"body"`
	Fingerprint string    `json:"fingerprint"`
	Status      string    `json:"status"`
	Uploaded    time.Time `json:"uploaded"`
}

// SigningCert is an X.509 signing certificate.
type SigningCert struct {
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded"`
}

// ServiceCred is a service-specific credential (CodeCommit, Keyspaces, Bedrock…).
// The password is kept only as a hash: AWS shows it once, at creation or reset.
type ServiceCred struct {
	ID           string    `json:"id"`
	ServiceName  string    `json:"service_name"`
	ServiceUser  string    `json:"service_user_name"`
	PasswordHash string    `json:"password_hash"`
	Status       string    `json:"status"`
	Created      time.Time `json:"created"`
}

// MFA device types.
const (
	MFAVirtual  = "virtual"
	MFAHardware = "hardware"
	MFAPasskey  = "passkey"
)

// MFADevice is an MFA device. Virtual devices live in Account.VirtualMFA (assigned
// or not) and, once enabled, also in their user's MFADevices; hardware and passkey
// devices live only on their user.
type MFADevice struct {
	Serial     string      `json:"serial"`
	Type       string      `json:"type"`
	Path       string      `json:"path,omitempty"`
	Name       string      `json:"name,omitempty"`
	Seed       string      `json:"seed,omitempty"` // base32 TOTP seed (virtual and hardware TOTP)
	User       string      `json:"user,omitempty"` // assigned user name, "" when unassigned
	Created    time.Time   `json:"created"`
	EnableDate time.Time   `json:"enable_date,omitempty"`
	Tags       []state.Tag `json:"tags,omitempty"`
}

// Group is an IAM group. Membership is stored on users (User.Groups).
type Group struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Path             string            `json:"path"`
	Created          time.Time         `json:"created"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
}

// Role is an IAM role with its trust policy.
type Role struct {
	Name                string            `json:"name"`
	ID                  string            `json:"id"`
	Path                string            `json:"path"`
	Created             time.Time         `json:"created"`
	Description         string            `json:"description,omitempty"`
	MaxSessionDuration  int               `json:"max_session_duration"`
	TrustPolicy         string            `json:"trust_policy"` // URL-decoded JSON document
	Tags                []state.Tag       `json:"tags,omitempty"`
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	InlinePolicies      map[string]string `json:"inline_policies,omitempty"`
	AttachedPolicies    []string          `json:"attached_policies,omitempty"`
}

// ManagedPolicy is a customer-managed policy (AWS-managed ones are a catalogue in
// the IAM service package).
type ManagedPolicy struct {
	Name           string           `json:"name"`
	ID             string           `json:"id"`
	Path           string           `json:"path"`
	Description    string           `json:"description,omitempty"`
	Created        time.Time        `json:"created"`
	Updated        time.Time        `json:"updated"`
	Tags           []state.Tag      `json:"tags,omitempty"`
	DefaultVersion string           `json:"default_version"`
	Versions       []*PolicyVersion `json:"versions"`
}

// PolicyVersion is one version of a managed policy document.
type PolicyVersion struct {
	ID       string    `json:"id"` // v1, v2, …
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}
