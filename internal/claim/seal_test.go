package claim

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// testPassword holds every one of IAM's 20 symbols.
const testPassword = `Xq7vR2mK9pL4!@#$%^&*()_+-=[]{}|'`

// testPasswords are the passwords of a claim for three accounts: IAM's
// symbols, the characters JSON escapes, and Japanese.
var testPasswords = []string{testPassword, `Ab1"\<&>-json`, "パスワード-Ab1!漢字"}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, password string }{
		{"symbols", testPassword},
		{"japanese", "パスワード-Ab1!漢字"},
		{"longest", strings.Repeat("aB3$", 32)},
		{"one character", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, s, err := Seal(tt.password)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := ParseKey(k.Fragment())
			if err != nil || parsed != k {
				t.Fatalf("ParseKey(Fragment()) = %v, %v", parsed == k, err)
			}
			got, err := Open(parsed, s)
			if err != nil || got != tt.password {
				t.Fatalf("Open = %q, %v; want %q", got, err, tt.password)
			}
			token, _ := AuthToken(k)
			if !bytes.Equal(Verifier(token), s.Verifier) || len(s.Nonce) != NonceSize {
				t.Errorf("verifier or nonce do not fit the key: %+v", s)
			}
			if len(tt.password) >= 8 && bytes.Contains(s.Ciphertext, []byte(tt.password)) {
				t.Error("the sealed parts hold the password or the key")
			}
		})
	}
}

func TestOpenRefusesOtherKeysAndTampering(t *testing.T) {
	t.Parallel()
	k, s, err := Seal(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := Seal(testPassword)
	flipped := k
	flipped[31] ^= 1
	tampered := s
	tampered.Ciphertext = bytes.Clone(s.Ciphertext)
	tampered.Ciphertext[0] ^= 1
	tests := []struct {
		name string
		key  Key
		s    Sealed
	}{
		{"another seal's key", other, s},
		{"one bit of the key", flipped, s},
		{"one bit of the ciphertext", k, tampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Open(tt.key, tt.s)
			if err == nil || got != "" || strings.Contains(err.Error(), testPassword) {
				t.Errorf("Open = %q, %v; want an error", got, err)
			}
		})
	}
	token, _ := AuthToken(flipped)
	if bytes.Equal(Verifier(token), s.Verifier) {
		t.Error("a flipped key passes the verifier")
	}
}

func TestSealIsFreshEveryTime(t *testing.T) {
	t.Parallel()
	k1, s1, _ := Seal(testPassword)
	k2, s2, _ := Seal(testPassword)
	if k1 == k2 || bytes.Equal(s1.Nonce, s2.Nonce) || bytes.Equal(s1.Ciphertext, s2.Ciphertext) || bytes.Equal(s1.Verifier, s2.Verifier) {
		t.Error("two seals of one password share a key, nonce, ciphertext or verifier")
	}
	if _, _, err := Seal(""); err == nil {
		t.Error("sealed an empty password")
	}
}

// TestDerivationVector pins the derivation claim.js repeats in the browser:
// the values come from Python's hmac and cryptography packages, not from Go.
func TestDerivationVector(t *testing.T) {
	t.Parallel()
	var k Key
	for i := range k {
		k[i] = byte(i)
	}
	token, err := AuthToken(k)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(token); got != "52201d70679f8addf9d1befe6a86c8eefdf36396cffbc73b9e432d29cca19d49" {
		t.Errorf("auth token = %s", got)
	}
	if got := hex.EncodeToString(Verifier(token)); got != "db228c66af91f5cdbb18335bd7f8f5a81a32e35465fbb903254d6453c3d32d3a" {
		t.Errorf("verifier = %s", got)
	}
	ct, _ := hex.DecodeString("79effb2dce1d0ec0f779c47983bc652bb9dbad42cb6de23c57abfe3d04fffc")
	got, err := Open(k, Sealed{Nonce: make([]byte, NonceSize), Ciphertext: ct})
	if err != nil || got != "Xq7vR2mK9pL4!@#" {
		t.Errorf("Open(vector) = %q, %v", got, err)
	}
}

func TestKeyNeverPrints(t *testing.T) {
	t.Parallel()
	k, _, _ := Seal(testPassword)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %s", k, k)} {
		if strings.Contains(s, k.Fragment()) || !strings.Contains(s, "[claim key]") {
			t.Errorf("printed key: %q", s)
		}
	}
	for _, bad := range []string{"", "abc", k.Fragment() + "A", strings.Repeat("*", 43)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) succeeded", bad)
		}
	}
}

func TestSealAllOpenAllRoundTrip(t *testing.T) {
	t.Parallel()
	k, s, err := SealAll(testPasswords)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenAll(k, s)
	if err != nil || strings.Join(got, "\n") != strings.Join(testPasswords, "\n") {
		t.Fatalf("OpenAll = %q, %v; want %q", got, err, testPasswords)
	}
	if one, err := Open(k, s); err == nil {
		t.Errorf("Open opened a list as one password: %q", one)
	}
	k1, s1, _ := Seal(testPassword)
	if list, err := OpenAll(k1, s1); err == nil {
		t.Errorf("OpenAll opened one password as a list: %q", list)
	}
	other, _, _ := SealAll(testPasswords)
	if _, err := OpenAll(other, s); err == nil {
		t.Error("another seal's key opens the list")
	}
	for _, p := range testPasswords {
		if strings.Contains(string(s.Ciphertext), p) {
			t.Errorf("the ciphertext holds %q", p)
		}
	}
}

func TestSealAllRefusesBadLists(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"one password":   {testPassword},
		"none":           nil,
		"an empty one":   {testPassword, ""},
		"too many":       make([]string, MaxAccounts+1),
		"too many, full": strings.Split(strings.Repeat("x,", MaxAccounts), ","),
	}
	for name, list := range tests {
		if _, _, err := SealAll(list); err == nil {
			t.Errorf("%s: sealed", name)
		}
	}
	full := make([]string, MaxAccounts)
	for i := range full {
		full[i] = strings.Repeat(`"\`, 64) // 128 characters, each escaped in JSON
	}
	_, s, err := SealAll(full)
	if err != nil || len(s.Ciphertext) > maxListCiphertext {
		t.Errorf("the largest list: %d bytes of ciphertext (at most %d), %v", len(s.Ciphertext), maxListCiphertext, err)
	}
}

// TestListDerivationVector pins a list's sealing, which claim.js repeats in
// the browser, to values from Python's cryptography package: the key 0…31,
// a zero nonce, the additional data "gatehouse claim v1 list" and
// json.dumps(passwords, ensure_ascii=False, separators=(",", ":")).
func TestListDerivationVector(t *testing.T) {
	t.Parallel()
	var k Key
	for i := range k {
		k[i] = byte(i)
	}
	ct, _ := hex.DecodeString("7abc942aab5931b9a342b13deec867b427266cfebd3d774cfe7e8aca11275cc2" +
		"27057127cd9c4ab89b7ba03c85a53d99ddc5b73925be4f2e01077e803b581616a88f")
	got, err := OpenAll(k, Sealed{Nonce: make([]byte, NonceSize), Ciphertext: ct})
	want := []string{"Xq7vR2mK9pL4!@#", `Ab1"\<&>`, "パスワード"}
	if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("OpenAll(vector) = %q, %v; want %q", got, err, want)
	}
}
