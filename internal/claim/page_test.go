package claim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPageStates(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	ready, _ := ts.create(t)
	claimed, claimedKey := ts.create(t)
	if r := ts.reveal(t, claimed.ID, claimedKey, ""); r.Status != http.StatusOK {
		t.Fatalf("reveal: %d", r.Status)
	}
	withdrawn, _ := ts.create(t)
	if err := ts.client().Withdraw(context.Background(), withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	_, req := sealedRequest(t)
	req.TTL = time.Hour
	expired, err := ts.client().Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ts.clock.Add(2 * time.Hour)
	tests := []struct {
		name, id, lang string
		status         int
		state          string
		want           []string
		absent         []string
	}{
		{"ready", ready.ID, "en", 200, "ready", []string{
			`<code id="user-name">alice@example.com</code>`, "example-prod (111122223333)", "Alice Example",
			`href="https://example-prod.signin.aws.amazon.com/console"`, "You must choose a new password when you first sign in.",
			`<button id="reveal" type="button" disabled>Reveal password</button>`, `datetime="2026-11-24T09:30:00Z"`, `data-id="` + ready.ID + `"`,
		}, []string{`id="state-claimed" class="problem" role="alert">`}},
		{"ready in Japanese", ready.ID, "ja", 200, "ready", []string{
			`<html lang="ja">`, "AWS サインイン情報", "初回サインイン時に、新しいパスワードの設定が必要です。", "パスワードを表示", `aria-current="page">日本語`,
		}, []string{"Reveal password"}},
		{"claimed", claimed.ID, "en", 410, "claimed", []string{
			`<section id="state-claimed" class="problem" role="alert">`, "Already claimed", "tell your AWS administrators",
			`Claimed: <time datetime="2026-11-21T09:30:00Z">`,
		}, []string{"alice@example.com", `id="reveal"`, "198.51.100"}},
		{"claimed in Japanese", claimed.ID, "ja", 410, "claimed", []string{"受け取り済み", "受け取り日時："}, nil},
		{"expired", expired.ID, "en", 410, "expired", []string{
			`<section id="state-expired" class="problem" role="alert">`, "Link expired", `Expired: <time datetime="2026-11-21T10:30:00Z">`,
		}, []string{`id="reveal"`}},
		{"expired in Japanese", expired.ID, "ja", 410, "expired", []string{"有効期限切れ"}, nil},
		{"withdrawn", withdrawn.ID, "en", 410, "withdrawn", []string{`<section id="state-withdrawn" class="problem" role="alert">`}, nil},
		{"not found", "DDDDDDDDDDDDDDDDDDDDDD", "en", 404, "not-found", []string{`<section id="state-not-found" class="problem" role="alert">`, "Link not found"}, nil},
		{"not found in Japanese", "DDDDDDDDDDDDDDDDDDDDDD", "ja", 404, "not-found", []string{"リンクが見つかりません"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := ts.do(t, "GET", "/c/"+tt.id+"?lang="+tt.lang, "192.0.2.200", nil)
			body := string(r.Body)
			if r.Status != tt.status || !strings.Contains(body, `data-state="`+tt.state+`"`) {
				t.Errorf("status %d, want %d and state %s", r.Status, tt.status, tt.state)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(body, a) {
					t.Errorf("page holds %q", a)
				}
			}
			checkNoInlineCode(t, body)
		})
	}
}

// checkNoInlineCode finds what the Content-Security-Policy would block: inline
// scripts, style elements and attributes, event handler attributes.
func checkNoInlineCode(t *testing.T, body string) {
	t.Helper()
	for _, tag := range regexp.MustCompile(`<script[^>]*>[^<]*`).FindAllString(body, -1) {
		if !strings.Contains(tag, " src=") || !strings.HasSuffix(tag, ">") {
			t.Errorf("inline script: %q", tag)
		}
	}
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`<style`), regexp.MustCompile(`\sstyle=`), regexp.MustCompile(`\son[a-z]+=`)} {
		if m := re.FindString(body); m != "" {
			t.Errorf("inline code the CSP blocks: %q", m)
		}
	}
	if !strings.Contains(body, `<script src="../static/claim.js" defer></script>`) || !strings.Contains(body, `href="../static/claim.css"`) {
		t.Error("the page does not load claim.js and claim.css by relative address")
	}
}

// TestPageEscapesMetadata: the page shows what the API was given, which a
// caller with the token controls; none of it may become markup or a script URL.
func TestPageEscapesMetadata(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	_, req := sealedRequest(t)
	req.DisplayName = `<img src=x onerror=alert(1)>`
	req.UserName = `"><script>alert(1)</script>`
	c, err := ts.client().Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	body := string(ts.do(t, "GET", "/c/"+c.ID, "", nil).Body)
	if strings.Contains(body, "<img") || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("metadata not escaped:\n%s", body)
	}
	_, req = sealedRequest(t)
	req.SignInURL = "javascript:alert(1)"
	if _, err := ts.client().Create(context.Background(), req); err == nil || !strings.Contains(err.Error(), "sign_in_url") {
		t.Errorf("a javascript: sign-in URL was accepted: %v", err)
	}
}

func TestPageLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query, accept, claimLang, want string
	}{
		{"nothing", "", "", "", "en"},
		{"claim's language", "", "", "ja", "ja"},
		{"browser beats the claim", "", "en-GB,en;q=0.9", "ja", "en"},
		{"browser Japanese", "", "ja-JP,ja;q=0.9,en;q=0.5", "en", "ja"},
		{"by q-value", "", "en;q=0.3, ja;q=0.8", "", "ja"},
		{"unknown browser languages", "", "de-DE,fr;q=0.5", "ja", "ja"},
		{"switch beats everything", "?lang=en", "ja", "ja", "en"},
		{"unknown switch ignored", "?lang=xx", "ja", "", "ja"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/c/x"+tt.query, nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if got := pageLanguage(r, tt.claimLang); got != tt.want {
				t.Errorf("pageLanguage = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestTextsComplete: a message missing in one language would show an empty box.
func TestTextsComplete(t *testing.T) {
	t.Parallel()
	for lang, tx := range textsByLanguage {
		for _, b := range (pageData{T: tx}).Boxes() {
			if b.Title == "" || b.Text == "" {
				t.Errorf("%s: box %s has no title or text", lang, b.State)
			}
		}
		for name, v := range map[string]string{"Heading": tx.Heading, "Reveal": tx.Reveal, "Copy": tx.Copy, "ResetNote": tx.ResetNote,
			"OnceNote": tx.OnceNote, "Copied": tx.Copied, "CopyManual": tx.CopyManual, "AfterReveal": tx.AfterReveal, "Footer": tx.Footer} {
			if v == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
		}
	}
}
