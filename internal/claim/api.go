package claim

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Limits of a claim's life.
const (
	DefaultTTL = 72 * time.Hour
	MaxTTL     = 30 * 24 * time.Hour
)

// TokenEnv names the environment variable holding the API token that
// gatehouse serve accepts and gatehouse presents.
const TokenEnv = "GATEHOUSE_CLAIM_TOKEN"

// MaxAccounts is the most accounts one claim reveals the passwords of.
const MaxAccounts = 100

// Meta is what the claim page shows about the credential. None of it is
// secret; it is stored in the clear.
type Meta struct {
	// The account of a claim for one password; empty when Accounts is set.
	UserName     string `json:"user_name"`
	Account      string `json:"account"`
	AccountAlias string `json:"account_alias,omitempty"`
	SignInURL    string `json:"sign_in_url"`

	DisplayName   string `json:"display_name,omitempty"`
	Language      string `json:"language,omitempty"` // en | ja; the page's language when the browser names neither
	ResetRequired bool   `json:"reset_required"`

	// Accounts, for a claim that reveals the passwords of several accounts
	// at once (sealed by SealAll in this order), lists those accounts: 2 to
	// MaxAccounts of them.
	Accounts []Account `json:"accounts,omitempty"`
}

// Account is one of the accounts of a claim for several: what the page
// shows beside its password.
type Account struct {
	UserName     string `json:"user_name"`
	Account      string `json:"account"`
	AccountAlias string `json:"account_alias,omitempty"`
	SignInURL    string `json:"sign_in_url"`
}

// List is the accounts the claim opens: Accounts, or the one its own
// fields name.
func (m Meta) List() []Account {
	if len(m.Accounts) > 0 {
		return m.Accounts
	}
	return []Account{{UserName: m.UserName, Account: m.Account, AccountAlias: m.AccountAlias, SignInURL: m.SignInURL}}
}

// Users and AccountIDs are the claim's user names and account IDs as the
// audit trail and the log write them: one, or several joined by ", ".
func (m Meta) Users() string { return m.joined(func(a Account) string { return a.UserName }) }

func (m Meta) AccountIDs() string { return m.joined(func(a Account) string { return a.Account }) }

func (m Meta) joined(field func(Account) string) string {
	var out []string
	for _, a := range m.List() {
		if v := field(a); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return strings.Join(out, ", ")
}

// Request is a claim to create: the sealed password (or passwords, with
// Meta.Accounts), what the page shows, and how long the link works (0:
// DefaultTTL).
type Request struct {
	Meta
	Sealed
	TTL time.Duration
}

// The API's bodies. []byte fields travel as standard base64.
type (
	createBody struct {
		Meta
		Verifier   []byte `json:"verifier"`
		Nonce      []byte `json:"nonce"`
		Ciphertext []byte `json:"ciphertext"`
		TTLSeconds int64  `json:"ttl_seconds,omitempty"`
	}
	createdBody struct {
		ID      string    `json:"id"`
		Path    string    `json:"path"` // the page's path, /c/ID, below the public base address
		Expires time.Time `json:"expires"`
	}
	revealBody struct {
		Token []byte `json:"token"`
	}
	revealedBody struct {
		Nonce      []byte `json:"nonce"`
		Ciphertext []byte `json:"ciphertext"`
	}
	errorBody struct {
		Error      string     `json:"error"` // one of the codes below
		Message    string     `json:"message"`
		At         *time.Time `json:"at,omitempty"`          // when it was claimed, withdrawn or expired
		RetryAfter int        `json:"retry_after,omitempty"` // seconds, with too_many_attempts
	}
)

// Error codes of the API (errorBody.Error); claim.js switches on them.
const (
	codeBadRequest   = "bad_request"
	codeUnauthorized = "unauthorized"
	codeNotFound     = "not_found"
	codeClaimed      = "claimed"
	codeExpired      = "expired"
	codeWithdrawn    = "withdrawn"
	codeWrongKey     = "wrong_key"
	codeTooMany      = "too_many_attempts"
	codeInternal     = "internal"
)

// idPattern is a claim ID: 16 random bytes in base64url.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// Largest accepted parts: a password is at most 128 characters (IAM's limit),
// 512 bytes in UTF-8, plus the GCM tag. A list of them is a JSON array,
// whose escaping at most doubles each.
const (
	maxCiphertext     = 512 + 16
	maxListCiphertext = 2 + MaxAccounts*(2*512+3) + 16
	maxField          = 256
)

// check reports the first problem with a create request.
func (b *createBody) check() error {
	limit := maxCiphertext
	if len(b.Accounts) > 0 {
		limit = maxListCiphertext
	}
	switch {
	case len(b.Verifier) != VerifierSize:
		return fmt.Errorf("verifier must be %d bytes", VerifierSize)
	case len(b.Nonce) != NonceSize:
		return fmt.Errorf("nonce must be %d bytes", NonceSize)
	case len(b.Ciphertext) <= 16 || len(b.Ciphertext) > limit:
		return fmt.Errorf("ciphertext must be 17 to %d bytes", limit)
	case b.TTLSeconds < 0 || time.Duration(b.TTLSeconds)*time.Second > MaxTTL:
		return fmt.Errorf("ttl_seconds must be 1 to %d (30 days)", int64(MaxTTL/time.Second))
	}
	return b.Meta.check()
}

func (m *Meta) check() error {
	if len(m.DisplayName) > maxField {
		return fmt.Errorf("display_name is longer than %d bytes", maxField)
	}
	switch m.Language {
	case "", "en", "ja":
	default:
		return fmt.Errorf("language %q: use en or ja", m.Language)
	}
	if len(m.Accounts) == 0 {
		return m.List()[0].check("")
	}
	if m.UserName != "" || m.Account != "" || m.AccountAlias != "" || m.SignInURL != "" {
		return errors.New("with accounts, user_name, account, account_alias and sign_in_url go in each of the accounts")
	}
	if len(m.Accounts) < 2 || len(m.Accounts) > MaxAccounts {
		return fmt.Errorf("accounts must list 2 to %d accounts", MaxAccounts)
	}
	for i, a := range m.Accounts {
		if err := a.check(fmt.Sprintf("accounts[%d].", i)); err != nil {
			return err
		}
	}
	return nil
}

// check reports the first problem with a, whose fields are named with prefix.
func (a Account) check(prefix string) error {
	fields := []struct {
		name, value string
		required    bool
	}{
		{"user_name", a.UserName, true}, {"account", a.Account, true}, {"account_alias", a.AccountAlias, false}, {"sign_in_url", a.SignInURL, true},
	}
	for _, f := range fields {
		if f.required && f.value == "" {
			return fmt.Errorf("%s%s is required", prefix, f.name)
		}
		if len(f.value) > maxField {
			return fmt.Errorf("%s%s is longer than %d bytes", prefix, f.name, maxField)
		}
	}
	u, err := url.Parse(a.SignInURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%ssign_in_url must be an absolute http or https address", prefix)
	}
	return nil
}
