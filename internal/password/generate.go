package password

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
)

// MinGeneratedLength is the shortest password gatehouse generates, whatever the
// policy and configuration ask for.
const MinGeneratedLength = 20

// Alphabet is every character a generated password may contain: letters, digits
// and IAM's 20 Symbols.
const Alphabet = Uppercase + Lowercase + Digits + Symbols

// classes are placed once each in every generated password, so the password
// satisfies any policy's character requirements — the policy's own ones, AWS's
// default three-of-four, and a policy tightened between reading and use.
var classes = []string{Uppercase, Lowercase, Digits, Symbols}

// Length is the length Generate and FromSecretsManager produce for policy p and
// a configured length: the largest of the policy's minimum, length and
// MinGeneratedLength, capped at IAM's MaxLength. A policy whose minimum IAM
// could never satisfy is an error.
func Length(p Policy, length int) (int, error) {
	if p.MinimumLength > MaxLength {
		return 0, fmt.Errorf("reading password policy: minimum length %d is more than IAM's maximum of %d", p.MinimumLength, MaxLength)
	}
	return min(max(p.MinimumLength, length, MinGeneratedLength), MaxLength), nil
}

// Generate returns a password for policy p from crypto/rand, correct by
// construction: one character of each class (uppercase, lowercase, digit, IAM
// symbol), the rest uniformly from Alphabet, then a Fisher–Yates shuffle. There
// is no retry: every result satisfies p. See Length for its length.
func Generate(p Policy, length int) (string, error) {
	n, err := Length(p, length)
	if err != nil {
		return "", err
	}
	return generate(rand.Reader, n)
}

func generate(r io.Reader, n int) (string, error) {
	src := &randSource{r: r}
	defer clear(src.buf[:]) // the bytes the password was made from
	pw := make([]byte, n)
	for i := range pw {
		set := Alphabet
		if i < len(classes) {
			set = classes[i]
		}
		k, err := src.intn(len(set))
		if err != nil {
			return "", err
		}
		pw[i] = set[k]
	}
	for i := n - 1; i > 0; i-- {
		j, err := src.intn(i + 1)
		if err != nil {
			return "", err
		}
		pw[i], pw[j] = pw[j], pw[i]
	}
	safeStart(pw)
	return string(pw), nil
}

// formulaStarts are the characters a spreadsheet reads a cell starting with
// as a formula. A password never starts with one, so a CSV report (which
// neutralises such cells) never has to alter a password to carry it.
const formulaStarts = "=+-@"

// safeStart moves the first character that cannot start a formula to the
// front, keeping every character of pw (and so every class the policy asks
// for). At most four of IAM's twenty symbols are affected.
func safeStart(pw []byte) {
	for i, c := range pw {
		if !strings.ContainsRune(formulaStarts, rune(c)) {
			if i > 0 {
				pw[0], pw[i] = pw[i], pw[0]
			}
			return
		}
	}
}

// randSource draws uniform small integers from a random byte stream, reading
// it in blocks.
type randSource struct {
	r   io.Reader
	buf [128]byte
	pos int
	end int
}

// intn returns a uniform integer in [0, n) for 0 < n <= 256, by rejection
// sampling: bytes at or above the largest multiple of n are discarded, so no
// value is more likely than another (no modulo bias).
func (s *randSource) intn(n int) (int, error) {
	limit := 256 - 256%n
	for {
		if s.pos == s.end {
			if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
				return 0, fmt.Errorf("generating password: reading random bytes: %w", err)
			}
			s.pos, s.end = 0, len(s.buf)
		}
		b := int(s.buf[s.pos])
		s.pos++
		if b < limit {
			return b % n, nil
		}
	}
}
