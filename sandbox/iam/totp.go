package iam

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"strings"
	"time"
)

// TOTP as virtual MFA apps compute it (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1,
// 30-second steps counted from the Unix epoch, 6 digits.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
)

// Skew windows, in steps. EnableMFADevice accepts a first code up to a minute
// old, as AWS tolerates a phone clock that is slightly off; ResyncMFADevice exists
// to repair larger drift, so it looks further in both directions.
const (
	enableSkew = 2
	resyncSkew = 10
)

// hotp is RFC 4226's HOTP value of counter for key, as a zero-padded decimal string.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	digits := make([]byte, totpDigits)
	for i := totpDigits - 1; i >= 0; i-- {
		digits[i] = byte('0' + v%10)
		v /= 10
	}
	return string(digits)
}

// totpStepAt is the time step that t falls in.
func totpStepAt(t time.Time) uint64 { return uint64(t.Unix()) / uint64(totpStep/time.Second) }

// decodeSeed reads a Base32StringSeed (upper-case RFC 4648 base32, padding optional).
func decodeSeed(seed string) ([]byte, bool) {
	s := strings.ToUpper(strings.TrimRight(seed, "="))
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	return key, err == nil && len(key) > 0
}

// consecutiveCodes reports whether code1 and code2 are the TOTP codes of two
// consecutive steps of seed. A person types the code on screen and then the next
// one, so without clock skew the pair is (previous step, current step); skew
// widens that by as many steps either way.
func consecutiveCodes(seed, code1, code2 string, now time.Time, skew int) bool {
	key, ok := decodeSeed(seed)
	if !ok {
		return false
	}
	current := totpStepAt(now)
	for back := -skew; back <= skew; back++ {
		step := int64(current) - 1 + int64(back)
		if step < 0 {
			continue
		}
		if hmac.Equal([]byte(hotp(key, uint64(step))), []byte(code1)) &&
			hmac.Equal([]byte(hotp(key, uint64(step)+1)), []byte(code2)) {
			return true
		}
	}
	return false
}

// newSeed returns a random 40-byte TOTP secret in base32 (64 characters), the
// length AWS's virtual MFA seeds have.
func newSeed() string {
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}

// provisioningPNG returns a PNG for CreateVirtualMFADevice's QRCodePNG. It is a
// valid PNG image of a QR code's size, not a scannable QR code: tests and tools
// read Base32StringSeed, and a QR encoder is more code than the sandbox needs.
// The pattern is derived from the seed so two devices never share an image.
func provisioningPNG(seed string) []byte {
	const modules, scale = 29, 4 // a version-3 QR code's size at 4 px per module
	img := image.NewGray(image.Rect(0, 0, modules*scale, modules*scale))
	bits := []byte(seed)
	for y := range modules {
		for x := range modules {
			c := color.Gray{Y: 255}
			if b := bits[(y*modules+x)%len(bits)]; (b>>(uint(x+y)%8))&1 == 1 {
				c = color.Gray{Y: 0}
			}
			for dy := range scale {
				for dx := range scale {
					img.SetGray(x*scale+dx, y*scale+dy, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
