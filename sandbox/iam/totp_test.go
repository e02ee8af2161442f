package iam

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA1 column: the 20-byte ASCII key "12345678901234567890"
// and 8-digit codes; the 6-digit codes IAM uses are their last six digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		got := hotp(key, totpStepAt(time.Unix(tt.unix, 0)))
		if want := tt.want[len(tt.want)-totpDigits:]; got != want {
			t.Errorf("TOTP at %d = %s, want %s", tt.unix, got, want)
		}
	}
}

func TestConsecutiveCodes(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	seed := base32.StdEncoding.EncodeToString(key)
	now := time.Unix(1234567890, 0)
	step := totpStepAt(now)
	code := func(s uint64) string { return hotp(key, s) }
	tests := []struct {
		name         string
		code1, code2 string
		want         bool
	}{
		{"previous and current", code(step - 1), code(step), true},
		{"current and next (fast phone)", code(step), code(step + 1), true},
		{"a minute old", code(step - 3), code(step - 2), true},
		{"too old", code(step - 5), code(step - 4), false},
		{"too far ahead", code(step + 3), code(step + 4), false},
		{"swapped", code(step), code(step - 1), false},
		{"same code twice", code(step), code(step), false},
		{"not consecutive", code(step - 2), code(step), false},
		{"wrong digits", "000000", "111111", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := consecutiveCodes(seed, tt.code1, tt.code2, now, enableSkew); got != tt.want {
				t.Errorf("consecutiveCodes(%s, %s) = %v, want %v", tt.code1, tt.code2, got, tt.want)
			}
		})
	}
}

func TestConsecutiveCodesBadSeed(t *testing.T) {
	t.Parallel()
	if consecutiveCodes("not base32!", "123456", "654321", time.Now(), enableSkew) {
		t.Error("an undecodable seed accepted codes")
	}
}

func TestSeedAndPNG(t *testing.T) {
	t.Parallel()
	seed := newSeed()
	if len(seed) != 64 {
		t.Errorf("seed length = %d, want 64", len(seed))
	}
	if key, ok := decodeSeed(seed); !ok || len(key) != 40 {
		t.Errorf("seed %q does not decode to 40 bytes", seed)
	}
	if newSeed() == seed {
		t.Error("two seeds are equal")
	}
	img, err := png.Decode(bytes.NewReader(provisioningPNG(seed)))
	if err != nil {
		t.Fatalf("QR code PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != b.Dy() || b.Dx() < 21 {
		t.Errorf("PNG bounds = %v, want a square at least 21 px wide", b)
	}
}
