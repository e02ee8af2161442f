// Package shell writes command lines a person can paste into a POSIX shell:
// the resume hints and the commands gatehouse suggests.
package shell

import "strings"

// Line quotes words for a POSIX shell where needed and joins them.
func Line(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && !strings.ContainsFunc(w, func(r rune) bool { return !strings.ContainsRune(safe, r) }) {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// safe are the characters a word may hold without quotes.
const safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:@%+"
