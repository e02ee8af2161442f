// Package claim is one-time claim links: gatehouse seals a password with a
// random key that only the link carries (in its fragment, which browsers never
// send), gatehouse serve keeps the ciphertext until the person reveals it once
// or it expires, and the page decrypts it in the person's browser.
//
// The server never sees the password or the key. It holds the ciphertext and
// a verifier: the SHA-256 of an authentication token derived from the key,
// which the page must present before the server hands the ciphertext out (and
// deletes it). A wrong key therefore fails without burning the claim.
package claim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sizes of the sealed parts.
const (
	KeySize      = 32 // the link's key K
	NonceSize    = 12 // AES-GCM's standard nonce
	VerifierSize = sha256.Size
	TokenSize    = 32 // the authentication token derived from K
)

// HKDF info strings and the AES-GCM additional data. claim.js uses the same
// values; changing one is a new version of the link format.
const (
	infoEncryption = "gatehouse claim v1 encryption"
	infoAuth       = "gatehouse claim v1 auth"
	additionalData = "gatehouse claim v1"
	// additionalDataList seals the passwords of a claim for several
	// accounts, so a list can only be opened as a list and a single
	// password only as one.
	additionalDataList = "gatehouse claim v1 list"
)

// Key is a link's key: 32 random bytes, carried only in the link's fragment.
// It is as secret as the password it opens.
type Key [KeySize]byte

// String hides the key, so a key printed by mistake does not leak; use
// Fragment for the link.
func (Key) String() string { return "[claim key]" }

// Fragment is the key as the link's fragment: base64url without padding.
func (k Key) Fragment() string { return base64.RawURLEncoding.EncodeToString(k[:]) }

// ParseKey reads a link's fragment (without the "#").
func ParseKey(fragment string) (Key, error) {
	var k Key
	b, err := base64.RawURLEncoding.DecodeString(fragment)
	if err != nil || len(b) != KeySize {
		return k, errors.New("parsing the claim key: the link's fragment is not 43 base64url characters")
	}
	copy(k[:], b)
	return k, nil
}

// Sealed is what the server stores for a password: none of it reveals the
// password without the key.
type Sealed struct {
	Verifier   []byte // SHA-256 of the authentication token
	Nonce      []byte
	Ciphertext []byte // AES-256-GCM of the password, with its tag
}

// Seal encrypts password under a fresh random key.
func Seal(password string) (Key, Sealed, error) {
	if password == "" {
		return Key{}, Sealed{}, errors.New("sealing a claim: the password is empty")
	}
	return seal([]byte(password), additionalData)
}

// SealAll encrypts the passwords of a claim for several accounts, in the
// order of its Meta.Accounts, under one fresh random key: one link reveals
// them all. They are sealed together, as a JSON array of strings.
func SealAll(passwords []string) (Key, Sealed, error) {
	switch {
	case len(passwords) < 2 || len(passwords) > MaxAccounts:
		return Key{}, Sealed{}, fmt.Errorf("sealing a claim for several accounts: %d passwords; a claim holds 2 to %d", len(passwords), MaxAccounts)
	case slices.Contains(passwords, ""):
		return Key{}, Sealed{}, errors.New("sealing a claim for several accounts: a password is empty")
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the page parses it; \u003c would only make it longer
	if err := enc.Encode(passwords); err != nil {
		return Key{}, Sealed{}, fmt.Errorf("sealing a claim for several accounts: %w", err)
	}
	return seal([]byte(strings.TrimSuffix(b.String(), "\n")), additionalDataList)
}

func seal(plain []byte, ad string) (Key, Sealed, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return k, Sealed{}, fmt.Errorf("sealing a claim: reading random bytes: %w", err)
	}
	aead, token, err := derive(k)
	if err != nil {
		return k, Sealed{}, err
	}
	nonce := make([]byte, NonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return k, Sealed{}, fmt.Errorf("sealing a claim: reading random bytes: %w", err)
	}
	s := Sealed{
		Verifier:   Verifier(token),
		Nonce:      nonce,
		Ciphertext: aead.Seal(nil, nonce, plain, []byte(ad)),
	}
	clear(plain)
	return k, s, nil
}

// Open decrypts what Seal sealed: what the page does in the browser, in Go.
func Open(k Key, s Sealed) (string, error) {
	plain, err := open(k, s, additionalData)
	return string(plain), err
}

// OpenAll decrypts what SealAll sealed, as the page does for a claim for
// several accounts: the passwords in the order of the claim's accounts.
func OpenAll(k Key, s Sealed) ([]string, error) {
	plain, err := open(k, s, additionalDataList)
	if err != nil {
		return nil, err
	}
	var passwords []string
	if err := json.Unmarshal(plain, &passwords); err != nil {
		return nil, errors.New("opening a claim: the sealed passwords are not a JSON array of strings")
	}
	return passwords, nil
}

func open(k Key, s Sealed, ad string) ([]byte, error) {
	aead, _, err := derive(k)
	if err != nil {
		return nil, err
	}
	if len(s.Nonce) != NonceSize {
		return nil, errors.New("opening a claim: the nonce is not 12 bytes")
	}
	plain, err := aead.Open(nil, s.Nonce, s.Ciphertext, []byte(ad))
	if err != nil {
		return nil, errors.New("opening a claim: the key does not fit the ciphertext")
	}
	return plain, nil
}

// AuthToken is what the page presents to reveal the claim sealed under k.
func AuthToken(k Key) ([]byte, error) {
	_, token, err := derive(k)
	return token, err
}

// Verifier is what the server stores to check an authentication token.
func Verifier(token []byte) []byte {
	sum := sha256.Sum256(token)
	return sum[:]
}

// derive makes the encryption key's AEAD and the authentication token from k
// with HKDF-SHA256 (no salt: k is uniformly random).
func derive(k Key) (cipher.AEAD, []byte, error) {
	encKey, err := hkdf.Key(sha256.New, k[:], nil, infoEncryption, 32)
	if err != nil {
		return nil, nil, fmt.Errorf("deriving the claim's encryption key: %w", err)
	}
	token, err := hkdf.Key(sha256.New, k[:], nil, infoAuth, TokenSize)
	if err != nil {
		return nil, nil, fmt.Errorf("deriving the claim's authentication token: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, nil, fmt.Errorf("setting up AES: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, fmt.Errorf("setting up AES-GCM: %w", err)
	}
	return aead, token, nil
}
