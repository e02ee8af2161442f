package claim

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// testAccountsMeta is a claim for three accounts, the first with an alias.
func testAccountsMeta() Meta {
	return Meta{
		DisplayName: "Alice Example", Language: "en", ResetRequired: true,
		Accounts: []Account{
			{UserName: "alice", Account: "111111111111", AccountAlias: "example-prod", SignInURL: "https://example-prod.signin.aws.amazon.com/console"},
			{UserName: "alice", Account: "222222222222", SignInURL: "https://222222222222.signin.aws.amazon.com/console"},
			{UserName: "alice.dev", Account: "333333333333", AccountAlias: "example-dev", SignInURL: "https://example-dev.signin.aws.amazon.com/console"},
		},
	}
}

// createAccounts stores a claim for testAccountsMeta's three accounts
// through the API.
func (ts *testServer) createAccounts(t *testing.T) (Created, Key) {
	t.Helper()
	k, s, err := SealAll(testPasswords)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ts.client().Create(context.Background(), Request{Meta: testAccountsMeta(), Sealed: s})
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

func TestClaimForSeveralAccountsRevealsThemAll(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	c, k := ts.createAccounts(t)
	var out revealedBody
	r := ts.reveal(t, c.ID, k, "198.51.100.7")
	r.decode(t, &out)
	got, err := OpenAll(k, Sealed{Nonce: out.Nonce, Ciphertext: out.Ciphertext})
	if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", testPasswords) {
		t.Fatalf("revealed %q, %v", got, err)
	}
	if again := ts.reveal(t, c.ID, k, "198.51.100.7"); again.Status != http.StatusGone {
		t.Errorf("a second reveal: %d, want 410", again.Status)
	}
	events := checkEvents(t, ts.store, c.ID, "created", "claimed")
	if e := events[1]; e.UserName != "alice, alice.dev" || e.Account != "111111111111, 222222222222, 333333333333" {
		t.Errorf("the audit trail names %q in %q", e.UserName, e.Account)
	}
}

func TestPageForSeveralAccounts(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	c, _ := ts.createAccounts(t)
	tests := map[string][]string{
		"en": {
			`<ol id="accounts" class="accounts">`, "example-prod (111111111111)", `<dd class="account-name">222222222222</dd>`,
			"example-dev (333333333333)", `<code class="user-name">alice.dev</code>`,
			`href="https://222222222222.signin.aws.amazon.com/console"`, `id="password-0"`, `id="password-2"`,
			`<button id="reveal" type="button" disabled>Reveal passwords</button>`, "You must choose a new password when you first sign in.",
			"The passwords can be shown only once", "Alice Example",
		},
		"ja": {`<html lang="ja">`, "すべてのパスワードを表示", "example-dev (333333333333)", "初回サインイン時に"},
	}
	for lang, want := range tests {
		r := ts.do(t, "GET", "/c/"+c.ID+"?lang="+lang, "192.0.2.200", nil)
		body := string(r.Body)
		if r.Status != http.StatusOK || !strings.Contains(body, `data-state="ready"`) {
			t.Errorf("%s: status %d", lang, r.Status)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		if n := strings.Count(body, `<li class="account">`); n != 3 {
			t.Errorf("%s: the page lists %d accounts, want 3", lang, n)
		}
		for _, single := range []string{`id="user-name"`, `id="password"`, `id="copy"`} {
			if strings.Contains(body, single) {
				t.Errorf("%s: the page for several accounts has the one-account %s", lang, single)
			}
		}
		checkNoInlineCode(t, body)
	}
}

func TestCreateRefusesBadAccountLists(t *testing.T) {
	t.Parallel()
	ts := startTestServer(t, nil)
	_, sealed, err := SealAll(testPasswords)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*createBody)
		want   string
	}{
		{"one account", func(b *createBody) { b.Accounts = b.Accounts[:1] }, "accounts must list 2 to 100 accounts"},
		{"too many", func(b *createBody) {
			for len(b.Accounts) <= MaxAccounts {
				b.Accounts = append(b.Accounts, b.Accounts[0])
			}
		}, "accounts must list 2 to 100"},
		{"an account outside the list", func(b *createBody) { b.UserName = "alice" }, "go in each of the accounts"},
		{"no user name", func(b *createBody) { b.Accounts[1].UserName = "" }, "accounts[1].user_name is required"},
		{"a relative sign-in URL", func(b *createBody) { b.Accounts[2].SignInURL = "/console" }, "accounts[2].sign_in_url must be"},
		{"a long alias", func(b *createBody) { b.Accounts[0].AccountAlias = strings.Repeat("x", 300) }, "accounts[0].account_alias is longer"},
		{"a huge ciphertext", func(b *createBody) { b.Ciphertext = make([]byte, maxListCiphertext+1) }, "ciphertext must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := createBody{Meta: testAccountsMeta(), Verifier: sealed.Verifier, Nonce: sealed.Nonce, Ciphertext: sealed.Ciphertext}
			tt.mutate(&body)
			r := ts.do(t, "POST", "/api/v1/claims", "", body, "Authorization", "Bearer "+testToken)
			if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), tt.want) {
				t.Errorf("%d %s; want 400 with %q", r.Status, r.Body, tt.want)
			}
		})
	}
}

// schemaV1 is the store's schema as the first gatehouse serve made it,
// kept here verbatim: a claim for several accounts keeps its accounts in
// the metadata JSON, so stores made before those claims existed open, and
// their claims reveal, unchanged.
const schemaV1 = `
CREATE TABLE claims (
	id TEXT PRIMARY KEY, verifier BLOB NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL,
	metadata TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX claims_expires ON claims(expires);
CREATE TABLE claim_events (
	seq INTEGER PRIMARY KEY, claim_id TEXT NOT NULL,
	event TEXT NOT NULL CHECK (event IN ('created', 'claimed', 'refused', 'withdrawn', 'expired')),
	at TEXT NOT NULL, remote_addr TEXT NOT NULL DEFAULT '', user_agent TEXT NOT NULL DEFAULT '',
	user_name TEXT NOT NULL, account TEXT NOT NULL, expires TEXT NOT NULL
);
CREATE INDEX claim_events_claim ON claim_events(claim_id, seq);
PRAGMA user_version = 1;`

func TestStoreMadeBeforeClaimsForSeveralAccountsOpens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	k, s, err := Seal(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	const id = "old-claim-0000000000000"
	const oldMeta = `{"user_name":"bob","account":"111122223333","sign_in_url":"https://111122223333.signin.aws.amazon.com/console","language":"ja","reset_required":true}`
	for _, stmt := range []string{schemaV1, `INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?)`} {
		args := []any{}
		if strings.HasPrefix(stmt, "INSERT") {
			args = []any{id, s.Verifier, s.Nonce, s.Ciphertext, oldMeta, formatTime(t0), formatTime(expiry)}
		}
		if _, err := db.ExecContext(ctx, stmt, args...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	store, err := OpenStore(ctx, dir, nil)
	if err != nil {
		t.Fatalf("opening a store made before claims for several accounts: %v", err)
	}
	defer store.Close()
	st, err := store.Status(ctx, id, t0)
	if err != nil || st.State != StateReady || st.Meta.UserName != "bob" || st.Meta.Language != "ja" || len(st.Meta.List()) != 1 {
		t.Fatalf("the old claim: %+v, %v", st, err)
	}
	sealed, _, err := store.Reveal(ctx, id, mustToken(t, k), t0, alice)
	if got, oerr := Open(k, sealed); err != nil || oerr != nil || got != testPassword {
		t.Errorf("the old claim revealed %q, %v, %v", got, err, oerr)
	}
	events := checkEvents(t, store, id, "claimed")
	if events[0].UserName != "bob" || events[0].Account != "111122223333" {
		t.Errorf("the old claim's event: %+v", events[0])
	}
}
