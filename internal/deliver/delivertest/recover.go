package delivertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
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

// accountLabels begin an account's first line in the built-in templates for
// several accounts.
var accountLabels = []string{"AWS account:", "AWS アカウント："}

// AccountsIn is what a person reads in a message for several accounts
// rendered from the built-in templates (text, or Slack's unescaped): each
// account's password by account ID, from the "AWS account:" line (its ID
// in parentheses after an alias) to the "Password:" line below it. Accounts
// without a password line (a claim link's message) map to "".
func AccountsIn(text string) map[string]string {
	found := map[string]string{}
	account := ""
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(strings.TrimLeft(line, "• "))
		for _, label := range accountLabels {
			if rest, ok := strings.CutPrefix(line, label); ok {
				account = accountID(rest)
				found[account] = ""
			}
		}
		if account != "" {
			if p := PasswordIn(line); p != "" {
				found[account], account = p, ""
			}
		}
	}
	return found
}

// accountID is the account ID in "alias (ID)" (or "alias（ID）"), else the
// whole of name, without Slack's bold.
func accountID(name string) string {
	name = strings.TrimSpace(strings.ReplaceAll(name, "*", ""))
	if m := parenthesisedID.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

var parenthesisedID = regexp.MustCompile(`[(（]([0-9]{12})[)）]$`)

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
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	key, sealed := revealSealed(t, client, m)
	if sealed == nil {
		return ""
	}
	password, err := claim.Open(key, *sealed)
	if err != nil {
		t.Fatalf("decrypting the revealed claim: %v", err)
	}
	return password
}

// revealSealed asks gatehouse serve to reveal the claim of a link (its
// claimLink submatches) with the token its key derives: the key, and what
// the server handed over (nil when it did not).
func revealSealed(t *testing.T, client *http.Client, link []string) (claim.Key, *claim.Sealed) {
	t.Helper()
	base, id := link[1], link[2]
	key, err := claim.ParseKey(link[3])
	if err != nil {
		t.Fatalf("the claim link's key: %v", err)
	}
	token, err := claim.AuthToken(key)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string][]byte{"token": token})
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
		return key, nil
	}
	var sealed struct{ Nonce, Ciphertext []byte }
	if err := json.Unmarshal(data, &sealed); err != nil {
		t.Fatalf("the revealed claim: %v", err)
	}
	return key, &claim.Sealed{Nonce: sealed.Nonce, Ciphertext: sealed.Ciphertext}
}

// RevealAll opens a claim link for several accounts as the claim page does:
// it reads the accounts the page lists, reveals the claim and decrypts the
// passwords beside them. It returns each account's password by account ID,
// or nil when the server does not hand the claim over.
func RevealAll(t *testing.T, link string) map[string]string {
	t.Helper()
	m := claimLink.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("not a claim link: %q", link)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(m[1] + "/c/" + m[2])
	if err != nil {
		t.Fatalf("opening the claim page: %v", err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the claim page: %v", err)
	}
	var accounts []string
	for _, name := range pageAccount.FindAllStringSubmatch(string(page), -1) {
		accounts = append(accounts, accountID(html.UnescapeString(name[1])))
	}
	key, sealed := revealSealed(t, client, m)
	if sealed == nil {
		return nil
	}
	passwords, err := claim.OpenAll(key, *sealed)
	if err != nil {
		t.Fatalf("decrypting the revealed claim: %v", err)
	}
	if len(passwords) != len(accounts) {
		t.Fatalf("the claim holds %d passwords for the %d accounts its page lists", len(passwords), len(accounts))
	}
	found := map[string]string{}
	for i, a := range accounts {
		found[a] = passwords[i]
	}
	return found
}

// pageAccount is an account's name on the claim page for several accounts.
var pageAccount = regexp.MustCompile(`<dd class="account-name">([^<]*)</dd>`)
