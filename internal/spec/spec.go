// Package spec reads who to onboard (or offboard) from the inputs people already
// have — a gatehouse YAML spec, a CSV, e-mail addresses with flags, or the JSON
// execution inputs of the Step Functions workflows gatehouse replaces — and
// validates all of it, with file:line for every problem, before any AWS call.
package spec

import "time"

// Input is a validated, normalised request: which accounts, how to reach them,
// and the people with everything each should get.
type Input struct {
	// Source names where the input came from ("team.yaml", "arguments").
	Source string
	// Format is how the input was read: FormatYAML, FormatJSON, FormatCSV,
	// FormatSeed000, FormatSeed001 or FormatArguments.
	Format   string
	Accounts AccountSelector
	Role     Role
	Password Password
	Delivery Delivery
	People   []Person
	// Events is a watcher's rules (ParseConfig); nil for other inputs.
	Events *Events
	// Okta is the Okta hook's mapping (ParseOktaConfig); nil for other inputs.
	Okta *Okta
	// Directory is the kind of identity store the people live in:
	// DirectoryIAM (default) or DirectoryIdentityCenter.
	Directory      string
	IdentityCenter IdentityCenter
	// Checks are what gatehouse doctor verifies besides what every run
	// needs; onboarding ignores them.
	Checks Checks
}

// Checks are the spec's checks section, read by gatehouse doctor.
type Checks struct {
	// DenyIAMGroups are IAM groups that must deny their members IAM
	// changes in every selected account (seed 001: member-account users may
	// not administer IAM). No repeats, ignoring case.
	DenyIAMGroups []string
}

// AccountSelector says which accounts: listed IDs, every account of the
// organisation, or the accounts under OUs. Empty means the caller's own account.
type AccountSelector struct {
	IDs []string // 12-digit IDs
	All bool     // every ACTIVE account of the organisation
	OUs []string // ou-… IDs: accounts under them, recursively
}

// Role is how gatehouse enters each account: a role name (arn:PARTITION:iam::ACCOUNT:role/NAME)
// or an ARN template containing {account}. Empty Name and ARN: use the base
// credentials as they are (single-account use).
type Role struct {
	Name        string
	ARNTemplate string
	ExternalID  string
	SessionName string // default "gatehouse"
}

// Password configures credential generation.
type Password struct {
	Length        int    // at least 20; the account policy's minimum wins when larger
	Source        string // "crypto" (default) or "secretsmanager"
	ResetRequired bool   // default true
}

// Delivery configures how credentials reach people (per-person Deliver overrides Channel).
type Delivery struct {
	Channel  string // one of Channels; default ses
	From     string
	ReplyTo  string
	Subject  string // overrides the template's subject
	Language string // en | ja
	// PerAccount sends one message per credential, as before: by default a
	// person onboarded into several accounts gets one message for all.
	PerAccount bool
	Template   Template
	SMTP       SMTP
	Slack      Slack
	Claim      Claim
	File       File
}

// SMTP is the mail server the smtp channel (and claim links via smtp) sends
// through. Its password is never in a spec: it comes from GATEHOUSE_SMTP_PASSWORD.
type SMTP struct {
	Addr string // host:port
	User string // empty: no authentication
	TLS  string // one of TLSModes; default TLSStartTLS
}

// Slack configures the slack channel. The bot token is never in a spec: it
// comes from GATEHOUSE_SLACK_TOKEN.
type Slack struct {
	APIURL string // Slack's Web API base, ending in /; default DefaultSlackAPIURL
}

// Claim configures one-time claim links served by gatehouse serve. The API
// token is never in a spec: it comes from GATEHOUSE_CLAIM_TOKEN.
type Claim struct {
	URL string        // the public base address of gatehouse serve: http(s), no query or fragment, no trailing /
	Via string        // the channel that carries the link, one of ClaimVias; default ses
	TTL time.Duration // how long a link works; default DefaultClaimTTL, at most MaxClaimTTL
}

// File configures the file channel: credentials encrypted to each person's
// public key, written under Dir.
type File struct {
	Dir string // default DefaultFileDir, relative to the working directory
}

// Template overrides the built-in message templates (Go text/template and html/template).
type Template struct {
	Text string
	HTML string
}

// Person is one human to onboard, with everything they should get. The spec's
// defaults and the flags are already applied: every field is final.
type Person struct {
	Email       string // empty only for someone given by user name alone, whose Deliver is then "none"
	UserName    string // defaults to Email (seed 000's convention)
	DisplayName string
	Path        string   // IAM path, default "/"
	Groups      []string // the defaults' groups, then the person's own; no repeats (ignoring case)
	Policies    []string // managed policy ARNs or AWS-managed names
	Boundary    string   // permissions boundary policy ARN or name
	Tags        map[string]string
	Accounts    []string // restrict this person to these accounts (subset of the selection)
	Deliver     string   // the channel that delivers to this person: --deliver, else own, else defaults, else Delivery.Channel
	Language    string   // the template language: own, else defaults (or --language), else Delivery.Language
	// PublicKey is what the file channel encrypts to: an age recipient
	// (age1…), an SSH public key (ssh-ed25519 …, ssh-rsa …) or an armored
	// OpenPGP public key block — public_key, or the contents of
	// public_key_file. Parse checks only its form; deliver.CheckPublicKey
	// checks that it is a key the channel can use. Empty when none was given.
	PublicKey string
	// GivenName and FamilyName are an Identity Center user's names (given_name,
	// family_name; else the display name split at its last space).
	GivenName, FamilyName string
	// Assignments are an Identity Center user's access to accounts: the
	// defaults', then the person's own.
	Assignments []Assignment
	// Suspended says the person keeps their user but may not sign in: plan
	// and apply suspend them (gatehouse offboard --suspend's effect) and,
	// once it is gone from the spec, reinstate them.
	Suspended bool
	Pos       Pos // where the person was declared
}

// Pos is a place in the input: a file and line, a command-line argument, or a flag.
type Pos struct {
	File string
	Line int    // 1-based; 0 when the problem concerns the whole file
	Arg  int    // 1-based position among the e-mail arguments (FromArgs)
	Flag string // the flag's name with dashes ("--account") for values from flags
}

// Formats an input can come in (Input.Format).
const (
	FormatYAML      = "yaml"      // the gatehouse spec in YAML
	FormatJSON      = "json"      // the gatehouse spec in JSON (same keys as YAML)
	FormatCSV       = "csv"       // one person per row, a header row with an email column
	FormatSeed000   = "seed000"   // {"IAMUserNames": [e-mail, …]}
	FormatSeed001   = "seed001"   // {"AccountId": "…", "UserNames": […]}
	FormatArguments = "arguments" // e-mail addresses on the command line
)

// Delivery channels (Delivery.Channel, Person.Deliver).
const (
	ChannelSES   = "ses"
	ChannelSMTP  = "smtp"
	ChannelSlack = "slack" // a direct message from a bot, to the person found by e-mail
	ChannelClaim = "claim" // a one-time link to gatehouse serve, carried by ses, smtp or slack
	ChannelFile  = "file"  // encrypted to the person's age or OpenPGP key
	ChannelNone  = "none"  // credentials appear only in the command's output
)

// SMTP connection security (SMTP.TLS).
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: for a relay nearby; with a user, only at localhost
)

// Settings of the channels, filled in when the spec leaves them out.
const (
	DefaultSlackAPIURL = "https://slack.com/api/"
	DefaultClaimTTL    = 72 * time.Hour
	MaxClaimTTL        = 30 * 24 * time.Hour
	DefaultFileDir     = "credentials"
)

// The environment variables that hold the channels' secrets. A spec never
// holds them: it is shared and kept in version control.
const (
	EnvSMTPPassword = "GATEHOUSE_SMTP_PASSWORD" // the SMTP user's password
	EnvSlackToken   = "GATEHOUSE_SLACK_TOKEN"   // the Slack bot token (xoxb-…)
	EnvClaimToken   = "GATEHOUSE_CLAIM_TOKEN"   // the API token gatehouse serve accepts
	EnvOktaSecret   = "GATEHOUSE_OKTA_SECRET"   // the Authorization header Okta's event hook sends gatehouse serve
	EnvOktaToken    = "GATEHOUSE_OKTA_TOKEN"    // an Okta API token (SSWS) that reads users
)

// Template languages (Delivery.Language, Person.Language).
const (
	LanguageEnglish  = "en"
	LanguageJapanese = "ja"
)

// Password sources (Password.Source).
const (
	SourceCrypto         = "crypto"         // crypto/rand, by construction
	SourceSecretsManager = "secretsmanager" // GetRandomPassword, IAM-safe exclusions
)

// Defaults filled into every Input.
const (
	DefaultSessionName    = "gatehouse"
	DefaultPasswordLength = 20
	MinPasswordLength     = 20
	MaxPasswordLength     = 128 // IAM's maximum
	DefaultPath           = "/"
	// Seed000Group is the group seed 000's workflow adds everyone to; inputs in
	// seed 000's form get it unless --group says otherwise.
	Seed000Group = "NoAuthorityIAMGroup"
	// MaxUserTags is how many tags a spec may give a user: IAM allows 50 and
	// gatehouse adds its own (the managed-by marker and the e-mail address).
	MaxUserTags = 48
)

// Channels, Languages, PasswordSources, TLSModes and ClaimVias list the
// accepted enum values, in the order messages show them.
var (
	Channels        = []string{ChannelSES, ChannelSMTP, ChannelSlack, ChannelClaim, ChannelFile, ChannelNone}
	Languages       = []string{LanguageEnglish, LanguageJapanese}
	PasswordSources = []string{SourceCrypto, SourceSecretsManager}
	TLSModes        = []string{TLSStartTLS, TLSImplicit, TLSNone}
	// ClaimVias are the channels that can carry a claim link: those that
	// reach a person by e-mail address with a message.
	ClaimVias = []string{ChannelSES, ChannelSMTP, ChannelSlack}
)
