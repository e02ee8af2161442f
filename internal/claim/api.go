package claim

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
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

// Meta is what the claim page shows about the credential. None of it is
// secret; it is stored in the clear.
type Meta struct {
	UserName      string `json:"user_name"`
	Account       string `json:"account"`
	AccountAlias  string `json:"account_alias,omitempty"`
	DisplayName   string `json:"display_name,omitempty"`
	SignInURL     string `json:"sign_in_url"`
	Language      string `json:"language,omitempty"` // en | ja; the page's language when the browser names neither
	ResetRequired bool   `json:"reset_required"`
}

// Request is a claim to create: the sealed password, what the page shows,
// and how long the link works (0: DefaultTTL).
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
// 512 bytes in UTF-8, plus the GCM tag.
const (
	maxCiphertext = 512 + 16
	maxField      = 256
)

// check reports the first problem with a create request.
func (b *createBody) check() error {
	switch {
	case len(b.Verifier) != VerifierSize:
		return fmt.Errorf("verifier must be %d bytes", VerifierSize)
	case len(b.Nonce) != NonceSize:
		return fmt.Errorf("nonce must be %d bytes", NonceSize)
	case len(b.Ciphertext) <= 16 || len(b.Ciphertext) > maxCiphertext:
		return fmt.Errorf("ciphertext must be 17 to %d bytes", maxCiphertext)
	case b.TTLSeconds < 0 || time.Duration(b.TTLSeconds)*time.Second > MaxTTL:
		return fmt.Errorf("ttl_seconds must be 1 to %d (30 days)", int64(MaxTTL/time.Second))
	}
	return b.Meta.check()
}

func (m *Meta) check() error {
	for name, v := range map[string]string{"user_name": m.UserName, "account": m.Account, "sign_in_url": m.SignInURL} {
		if v == "" {
			return fmt.Errorf("%s is required", name)
		}
	}
	for name, v := range map[string]string{"user_name": m.UserName, "account": m.Account, "account_alias": m.AccountAlias,
		"display_name": m.DisplayName, "sign_in_url": m.SignInURL} {
		if len(v) > maxField {
			return fmt.Errorf("%s is longer than %d bytes", name, maxField)
		}
	}
	u, err := url.Parse(m.SignInURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("sign_in_url must be an absolute http or https address")
	}
	switch m.Language {
	case "", "en", "ja":
	default:
		return fmt.Errorf("language %q: use en or ja", m.Language)
	}
	return nil
}
