package secretsmanager

import (
	"crypto/rand"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/sandbox/awsproto"
)

// The character classes GetRandomPassword draws from; punctuation is exactly the
// set AWS documents.
const (
	lowercase   = "abcdefghijklmnopqrstuvwxyz"
	uppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	space       = " "
)

const (
	defaultLength = 32
	maxLength     = 4096
)

type passwordRequest struct {
	PasswordLength          *int64
	ExcludeCharacters       *string
	ExcludeNumbers          *bool
	ExcludePunctuation      *bool
	ExcludeUppercase        *bool
	ExcludeLowercase        *bool
	IncludeSpace            *bool
	RequireEachIncludedType *bool
}

type passwordResponse struct {
	RandomPassword string
}

func getRandomPassword(r *awsproto.Request) (any, error) {
	var in passwordRequest
	if err := awsproto.DecodeJSON(r.Body, &in); err != nil {
		return nil, err
	}
	length := int64(defaultLength)
	if in.PasswordLength != nil {
		length = *in.PasswordLength
	}
	switch {
	case length < 1:
		return nil, validation("Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1", length)
	case length > maxLength:
		return nil, validation("Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096", length)
	}
	exclude := deref(in.ExcludeCharacters, "")
	if utf8.RuneCountInString(exclude) > maxLength {
		return nil, validation("Value at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to 4096")
	}
	classes := includedClasses(in, exclude)
	if len(classes) == 0 {
		return nil, invalidParameter("The password cannot be generated: every character type is excluded or removed by ExcludeCharacters.")
	}
	requireEach := deref(in.RequireEachIncludedType, true)
	if requireEach && int(length) < len(classes) {
		return nil, invalidParameter("Password length is too short based on the required types.")
	}
	return passwordResponse{RandomPassword: generate(int(length), classes, requireEach)}, nil
}

// includedClasses returns the character classes left after the Exclude* switches
// and ExcludeCharacters; a class emptied by ExcludeCharacters is dropped, so it is
// not required either.
func includedClasses(in passwordRequest, exclude string) []string {
	candidates := []struct {
		chars    string
		excluded bool
	}{
		{lowercase, deref(in.ExcludeLowercase, false)},
		{uppercase, deref(in.ExcludeUppercase, false)},
		{digits, deref(in.ExcludeNumbers, false)},
		{punctuation, deref(in.ExcludePunctuation, false)},
		{space, !deref(in.IncludeSpace, false)},
	}
	var classes []string
	for _, c := range candidates {
		if c.excluded {
			continue
		}
		left := strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, c.chars)
		if left != "" {
			classes = append(classes, left)
		}
	}
	return classes
}

// generate draws length characters from the union of classes and, when every
// class is required, first places one character of each and then shuffles.
func generate(length int, classes []string, requireEach bool) string {
	all := strings.Join(classes, "")
	out := make([]byte, 0, length)
	if requireEach {
		for _, c := range classes {
			out = append(out, c[randInt(len(c))])
		}
	}
	for len(out) < length {
		out = append(out, all[randInt(len(all))])
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// randInt is a uniform integer in [0, n) from crypto/rand.
func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("crypto/rand failed: " + err.Error()) // the router answers InternalFailure
	}
	return int(v.Int64())
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
