package delivertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/claim"
)

// passwordLabels begin the password's line in the built-in templates.
var passwordLabels = []string{"Password:", "パスワード："}

// PasswordIn is the password in a message rendered from the built-in
// templates, as the person reads it: the rest of the line after
// "Password:" ("パスワード：" in Japanese), without the backticks Slack
// shows it in; "" when the message has no such line.
func PasswordIn(text string) string {
	for line := range strings.Lines(text) {
		line = strings.TrimLeft(line, "• ")
		for _, label := range passwordLabels {
			rest, ok := strings.CutPrefix(line, label)
			if !ok {
				continue
			}
			return strings.Trim(strings.TrimSpace(rest), "`")
		}
	}
	return ""
}

// claimLink is a one-time link: gatehouse serve's page for a claim ID, with
// the key in the fragment.
var claimLink = regexp.MustCompile(`(https?://[^\s<>|]+)/c/([A-Za-z0-9_-]{22})#([A-Za-z0-9_-]{43})`)

// LinkIn is the claim link in a message, or "" when it has none.
func LinkIn(text string) string { return claimLink.FindString(text) }

// Reveal opens a claim link as the claim page does in the person's browser:
// it derives the token from the key in the link's fragment, asks gatehouse
// serve to reveal the claim, and decrypts the password with the key. It
// returns "" when the server does not hand the claim over (revealed
// already, withdrawn, expired), and keeps no connection open.
func Reveal(t *testing.T, link string) string {
	t.Helper()
	m := claimLink.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("not a claim link: %q", link)
	}
	base, id := m[1], m[2]
	key, err := claim.ParseKey(m[3])
	if err != nil {
		t.Fatalf("the claim link's key: %v", err)
	}
	token, err := claim.AuthToken(key)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string][]byte{"token": token})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Post(fmt.Sprintf("%s/api/v1/claims/%s/reveal", base, id), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("revealing the claim: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("revealing the claim: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	var sealed struct{ Nonce, Ciphertext []byte }
	if err := json.Unmarshal(data, &sealed); err != nil {
		t.Fatalf("the revealed claim: %v", err)
	}
	password, err := claim.Open(key, claim.Sealed{Nonce: sealed.Nonce, Ciphertext: sealed.Ciphertext})
	if err != nil {
		t.Fatalf("decrypting the revealed claim: %v", err)
	}
	return password
}
