package engine

import (
	"fmt"
	"log/slog"
)

// Secret holds a password on its way to the report. It prints, logs and
// marshals as "[redacted]"; only Reveal gives the password, and only the
// report writers call it.
type Secret struct{ s string }

const redacted = "[redacted]"

// NewSecret wraps a password.
func NewSecret(s string) Secret { return Secret{s} }

// Reveal returns the password.
func (s Secret) Reveal() string { return s.s }

// Empty reports whether there is no password.
func (s Secret) Empty() bool { return s.s == "" }

func (s Secret) String() string                { return redactedOrEmpty(s) }
func (s Secret) GoString() string              { return redactedOrEmpty(s) }
func (s Secret) LogValue() slog.Value          { return slog.StringValue(redactedOrEmpty(s)) }
func (s Secret) MarshalText() ([]byte, error)  { return []byte(redactedOrEmpty(s)), nil }
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redactedOrEmpty(s))) }

func redactedOrEmpty(s Secret) string {
	if s.s == "" {
		return ""
	}
	return redacted
}
