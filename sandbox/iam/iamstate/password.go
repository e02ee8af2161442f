package iamstate

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// NewLoginProfile returns a login profile for password, storing only a salted hash.
func NewLoginProfile(password string, resetRequired bool) *LoginProfile {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	lp := &LoginProfile{Created: state.Now(), ResetRequired: resetRequired, Salt: hex.EncodeToString(salt), PasswordSet: state.Now()}
	lp.PasswordHash = lp.hash(password)
	return lp
}

func (lp *LoginProfile) hash(password string) string {
	salt, _ := hex.DecodeString(lp.Salt)
	sum := sha256.Sum256(append(salt, password...))
	return hex.EncodeToString(sum[:])
}

// Matches reports whether password is the profile's current password.
func (lp *LoginProfile) Matches(password string) bool {
	return subtle.ConstantTimeCompare([]byte(lp.hash(password)), []byte(lp.PasswordHash)) == 1
}

// UsedBefore reports whether password is the current one or one of the last n-1
// earlier ones (IAM's PasswordReusePrevention counts the current password).
func (lp *LoginProfile) UsedBefore(password string, n int) bool {
	if n <= 0 {
		return false
	}
	h := lp.hash(password)
	if h == lp.PasswordHash {
		return true
	}
	for i, old := range lp.History {
		if i >= n-1 {
			break
		}
		if old == h {
			return true
		}
	}
	return false
}

// SetPassword replaces the password, keeping the old hash for reuse prevention.
func (lp *LoginProfile) SetPassword(password string) {
	lp.History = append([]string{lp.PasswordHash}, lp.History...)
	if len(lp.History) > 24 { // IAM's maximum PasswordReusePrevention
		lp.History = lp.History[:24]
	}
	lp.PasswordHash = lp.hash(password)
	lp.PasswordSet = state.Now()
}
