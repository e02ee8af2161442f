package sts

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
)

func mfaUnknownDevice() error {
	return awsproto.Errorf(http.StatusForbidden, "AccessDenied",
		"MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
}

func mfaWrongCode() error {
	return awsproto.Errorf(http.StatusForbidden, "AccessDenied",
		"MultiFactorAuthentication failed with invalid MFA one time pass code. ")
}

// checkMFA verifies SerialNumber and TokenCode: the device must be a TOTP device
// (virtual or hardware) assigned to the calling IAM user, and the code must be
// current (one 30-second step of clock skew either way, as AWS allows).
func checkMFA(r *awsproto.Request, serial, code string, now time.Time) error {
	if serial == "" || code == "" {
		return mfaUnknownDevice()
	}
	cred, ok := r.World.Credentials[r.Caller.AccessKeyID]
	if !ok || cred.User == "" {
		return mfaUnknownDevice()
	}
	a := iamstate.Of(r.World.LookupAccount(cred.Account))
	u, ok := a.Users.Get(cred.User)
	if !ok {
		return mfaUnknownDevice()
	}
	seed := deviceSeed(a, u, serial)
	if seed == "" {
		return mfaUnknownDevice()
	}
	for _, skew := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		if want, err := totp(seed, now.Add(skew)); err == nil && hmac.Equal([]byte(want), []byte(code)) {
			return nil
		}
	}
	return mfaWrongCode()
}

// deviceSeed finds the TOTP seed of the user's device with that serial.
func deviceSeed(a *iamstate.Account, u *iamstate.User, serial string) string {
	for _, d := range u.MFADevices {
		if d.Serial != serial || d.Type == iamstate.MFAPasskey {
			continue
		}
		if d.Seed != "" {
			return d.Seed
		}
		// An enabled virtual device may keep its seed only in the account's registry.
		if v, ok := a.VirtualMFA[serial]; ok && strings.EqualFold(v.User, u.Name) {
			return v.Seed
		}
	}
	return ""
}

// totp is RFC 6238 with AWS's parameters: HMAC-SHA1, 30-second steps, 6 digits.
func totp(seed string, at time.Time) (string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(seed, "=")))
	if err != nil {
		return "", err
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1000000), nil
}
