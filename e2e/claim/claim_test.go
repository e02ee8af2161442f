package claim_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/claim"
)

// TestClaimLinkRevealsOnce is the acceptance path: the mail's link opens in
// Chromium, the password it reveals signs in, a reload says it was claimed,
// and the server's files never held the password or the key.
func TestClaimLinkRevealsOnce(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	alice := w.newPerson(t, "alice", "en")
	link := w.deliver(t, alice, 0)
	key, err := claim.ParseKey(link[strings.Index(link, "#")+1:])
	if err != nil {
		t.Fatal(err)
	}
	searchStorage(t, w.serve.Data, alice.Password, key)

	if status := tb.open(link); status != 200 || tb.state() != "ready" {
		t.Fatalf("the link opened with %d in state %s", status, tb.state())
	}
	tb.run("waiting for the reveal button", chromedp.WaitEnabled(chromedp.ID("reveal")))
	details := eval[string](tb, `document.querySelector("dl.details").innerText + "\n" + document.getElementById("reset-note").innerText`)
	for _, want := range []string{"alice", "111111111111", alice.SignInURL, "Alice Example", "You must choose a new password when you first sign in."} {
		if !strings.Contains(details, want) {
			t.Errorf("the page does not show %q:\n%s", want, details)
		}
	}
	tb.screenshot("claim-before-reveal.png")

	tb.run("revealing", chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("revealed")
	shown := eval[string](tb, `document.getElementById("password").textContent`)
	if shown != alice.Password {
		t.Fatalf("the page shows %q, want the password set for alice", shown)
	}
	if valid, reset := w.signsIn(t, alice, shown); !valid || !reset {
		t.Errorf("the revealed password signs in: %v, reset required: %v; want both", valid, reset)
	}
	if hash := eval[string](tb, `location.hash`); hash != "" || tb.visible("reveal-panel") {
		t.Errorf("after the reveal the address keeps the key (%q) or the reveal button shows", hash)
	}
	tb.screenshot("claim-after-reveal.png")
	checkCopy(t, tb, shown)

	if status := tb.follow("reloading", chromedp.Reload()); status != 410 || tb.state() != "claimed" {
		t.Fatalf("after a reload the page is %s, want claimed", tb.state())
	}
	if status := tb.open(link); status != 410 || tb.state() != "claimed" {
		t.Errorf("the link again: %d, %s; want 410, claimed", status, tb.state())
	}
	id, text := tb.shown()
	if id != "state-claimed" || !strings.Contains(text, "Already claimed") || !strings.Contains(text, "Claimed:") || strings.Contains(text, "127.0.0.1") {
		t.Errorf("the claimed page shows %s: %q", id, text)
	}
	searchStorage(t, w.serve.Data, alice.Password, key)
	checkAudit(t, w.serve.Data, link)
}

// checkCopy clicks Copy: the password is on the clipboard, or (where the
// browser refuses the clipboard) selected for the reader to copy.
func checkCopy(t *testing.T, tb *tab, password string) {
	t.Helper()
	tb.run("copying", chromedp.Click(chromedp.ID("copy")))
	tb.run("waiting for the copy hint", chromedp.Poll[chromedp.Void](`!document.getElementById("copied").hidden || !document.getElementById("copy-manual").hidden`))
	if tb.visible("copy-manual") {
		if sel := eval[string](tb, `window.getSelection().toString()`); sel != password {
			t.Errorf("the fallback selected %q, want the password", sel)
		}
	}
}

// searchStorage reads every file of the server's data directory, byte for
// byte, for the password and the link's key in the forms they could take.
func searchStorage(t *testing.T, dir, password string, key claim.Key) {
	t.Helper()
	secrets := map[string][]byte{
		"password": []byte(password), "key": key[:], "key (fragment)": []byte(key.Fragment()),
		"key (base64)": []byte(base64.StdEncoding.EncodeToString(key[:])),
	}
	var files int
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for name, secret := range secrets {
			if bytes.Contains(data, secret) {
				t.Errorf("the server's %s holds the %s", filepath.Base(path), name)
			}
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("searching %s: %d files, %v", dir, files, err)
	}
}

// checkAudit reads the claim's audit trail: created, then claimed from the
// browser's address and user agent.
func checkAudit(t *testing.T, dir, link string) {
	t.Helper()
	id := link[strings.Index(link, "/c/")+3 : strings.Index(link, "#")]
	store, err := claim.OpenStore(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	events, err := store.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Event != "created" || events[1].Event != "claimed" {
		t.Fatalf("audit trail = %+v, want created and claimed", events)
	}
	if e := events[1]; e.Addr != "127.0.0.1" || !strings.Contains(e.UserAgent, "Chrome") || e.UserName != "alice" || e.Account != account {
		t.Errorf("claim event = %+v", e)
	}
}

// TestClaimLinkExpires: a link opened in time but revealed after its expiry
// says it expired (the page's script), and so does the page loaded later
// (the server), and nothing is revealed.
func TestClaimLinkExpires(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	bob := w.newPerson(t, "bob", "en")
	const ttl = 6 * time.Second
	start := time.Now()
	link := w.deliver(t, bob, ttl)
	if tb.open(link); tb.state() != "ready" {
		t.Fatalf("the fresh link is %s, want ready", tb.state())
	}
	time.Sleep(time.Until(start.Add(ttl + 500*time.Millisecond)))
	tb.run("revealing", chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("expired")
	if id, text := tb.shown(); id != "state-expired" || !strings.Contains(text, "Link expired") || !strings.Contains(text, "Expired:") {
		t.Errorf("revealing after expiry shows %s: %q", id, text)
	}
	if status := tb.open(link); status != 410 || tb.state() != "expired" {
		t.Errorf("the expired link: %d, %s; want 410, expired", status, tb.state())
	}
	if tb.visible("password") || tb.visible("reveal") {
		t.Error("the expired page offers a password or a reveal button")
	}
}

// TestClaimTamperedLinks: a changed key is refused without burning the
// claim; a cut or missing key and a changed ID say so; the real link then
// still reveals the password.
func TestClaimTamperedLinks(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	carol := w.newPerson(t, "carol", "en")
	link := w.deliver(t, carol, 0)
	hash := strings.Index(link, "#")
	idStart := strings.Index(link, "/c/") + 3

	tb.open(link[:hash+1] + swapFirst(link[hash+1:]))
	tb.run("revealing with a changed key", chromedp.WaitEnabled(chromedp.ID("reveal")), chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("bad-key")
	if id, text := tb.shown(); id != "state-bad-key" || !strings.Contains(text, "Damaged link") || !strings.Contains(text, "the link still works") {
		t.Errorf("a changed key shows %s: %q", id, text)
	}
	for name, bad := range map[string]string{"cut key": link[:len(link)-6], "no key": link[:hash]} {
		if tb.open(bad); tb.state() != "no-key" || tb.visible("reveal") {
			t.Errorf("%s: the page is %s, want no-key without a reveal button", name, tb.state())
		}
		if id, text := tb.shown(); id != "state-no-key" || !strings.Contains(text, "Incomplete link") {
			t.Errorf("%s shows %s: %q", name, id, text)
		}
	}
	changedID := link[:idStart] + swapFirst(link[idStart:])
	if status := tb.open(changedID); status != 404 || tb.state() != "not-found" {
		t.Errorf("a changed ID: %d, %s; want 404, not-found", status, tb.state())
	}
	if id, text := tb.shown(); id != "state-not-found" || !strings.Contains(text, "Link not found") {
		t.Errorf("a changed ID shows %s: %q", id, text)
	}

	tb.open(link)
	tb.run("revealing with the real link", chromedp.WaitEnabled(chromedp.ID("reveal")), chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("revealed")
	if got := eval[string](tb, `document.getElementById("password").textContent`); got != carol.Password {
		t.Errorf("the real link after the tampered ones reveals %q", got)
	}
}

// swapFirst changes the first character of s (of the key: its last carries
// padding bits, which a change may not touch).
func swapFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// TestClaimPageInJapanese switches the page to Japanese with its language
// link, which must keep the key, and reveals the password there.
func TestClaimPageInJapanese(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	hanako := w.newPerson(t, "hanako", "ja")
	link := w.deliver(t, hanako, 0)
	if tb.open(link); eval[string](tb, `document.documentElement.lang`) != "en" {
		t.Errorf("an English-speaking browser gets the page in %s", eval[string](tb, `document.documentElement.lang`))
	}
	if status := tb.follow("switching to Japanese", chromedp.Click(chromedp.CSS(`a.lang-switch[hreflang="ja"]`))); status != 200 ||
		eval[string](tb, `document.documentElement.lang`) != "ja" {
		t.Fatalf("the language switch: %d, %s", status, eval[string](tb, `document.documentElement.lang`))
	}
	if tb.state() != "ready" || !strings.HasSuffix(eval[string](tb, `location.href`), link[strings.Index(link, "#"):]) {
		t.Fatalf("the language switch lost the key: %s at %s", tb.state(), eval[string](tb, `location.href`))
	}
	text := eval[string](tb, `document.body.innerText`)
	for _, want := range []string{"AWS サインイン情報", "ユーザー名", "初回サインイン時に、新しいパスワードの設定が必要です。", "パスワードを表示"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Japanese page lacks %q", want)
		}
	}
	tb.run("revealing", chromedp.WaitEnabled(chromedp.ID("reveal")), chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("revealed")
	if got := eval[string](tb, `document.getElementById("password").textContent`); got != hanako.Password {
		t.Errorf("revealed %q", got)
	}
	tb.open(link[:strings.Index(link, "#")] + "?lang=ja")
	if id, text := tb.shown(); id != "state-claimed" || !strings.Contains(text, "受け取り済み") {
		t.Errorf("the claimed page in Japanese shows %s: %q", id, text)
	}
}

// TestClaimTooManyAttempts: unknown IDs from one address make that address
// wait for unknown IDs only — the real link still opens — while five damaged
// keys for one link make that link say to wait, the real key included.
func TestClaimTooManyAttempts(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	dave := w.newPerson(t, "dave", "en")
	link := w.deliver(t, dave, 0)
	hash := strings.Index(link, "#")
	idStart := strings.Index(link, "/c/") + 3
	unknown := link[:idStart] + swapFirst(link[idStart:])
	for range claim.DefaultMaxFailures {
		if status := tb.open(unknown); status != 404 {
			t.Fatalf("an unknown ID: %d", status)
		}
	}
	if status := tb.open(unknown); status != 429 || tb.state() != "too-many" {
		t.Fatalf("an unknown ID after five: %d, %s; want 429, too-many", status, tb.state())
	}
	if status := tb.open(link); status != 200 || tb.state() != "ready" {
		t.Fatalf("the real link after five unknown IDs: %d, %s; want 200, ready", status, tb.state())
	}
	for range claim.DefaultMaxFailures {
		tb.open(link[:hash+1] + swapFirst(link[hash+1:]))
		tb.run("revealing with a changed key", chromedp.WaitEnabled(chromedp.ID("reveal")), chromedp.Click(chromedp.ID("reveal")))
		tb.waitState("bad-key")
	}
	if status := tb.open(link); status != 429 || tb.state() != "too-many" {
		t.Fatalf("the real link after five damaged keys: %d, %s; want 429, too-many", status, tb.state())
	}
	if id, text := tb.shown(); id != "state-too-many" || !strings.Contains(text, "Too many attempts") || !strings.Contains(text, "Try again after:") {
		t.Errorf("blocked page shows %s: %q", id, text)
	}
}
