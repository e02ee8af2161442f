package claim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/deliver"
)

// severalAccounts are the accounts one person is onboarded into.
var severalAccounts = []string{"111111111111", "222222222222", "333333333333"}

// newPersonInAccounts creates name's IAM user in each of severalAccounts,
// each with a password of its own.
func (w *world) newPersonInAccounts(t *testing.T, name, lang string) []person {
	t.Helper()
	people := make([]person, len(severalAccounts))
	for i, a := range severalAccounts {
		people[i] = w.newPersonIn(t, a, name, lang)
		people[i].SignInURL = "https://" + a + ".signin.aws.amazon.com/console"
	}
	people[1].AccountAlias = "example-dev"
	return people
}

// deliverAll sends the people's passwords in one claim link, through the
// sandbox's SES, and returns the link from the one mail, which names
// every account and holds no password.
func (w *world) deliverAll(t *testing.T, people []person) string {
	t.Helper()
	ch, err := deliver.New("claim", deliver.Deps{
		AWS: w.sb.Config(account), From: "Gatehouse <" + sender + ">",
		Claim: deliver.ClaimConfig{URL: w.serve.URL, Token: apiToken, Via: "ses"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	batch, ok := ch.(deliver.Batcher)
	if !ok {
		t.Fatal("the claim channel is not a deliver.Batcher")
	}
	cs := make([]deliver.Credential, len(people))
	for i, p := range people {
		cs[i] = p.Credential
	}
	r, err := batch.DeliverAll(context.Background(), cs)
	if err != nil {
		t.Fatalf("delivering the claim link: %v", err)
	}
	if r.Channel != "claim" || !strings.Contains(r.Detail, fmt.Sprintf("claim link for %d accounts", len(cs))) {
		t.Errorf("receipt = %+v", r)
	}
	var out struct {
		Messages []struct{ Subject, Text, HTML, Raw string }
	}
	w.sb.Get(t, "ses/messages?to="+people[0].Email, &out)
	if len(out.Messages) != 1 {
		t.Fatalf("%d mails to %s, want one", len(out.Messages), people[0].Email)
	}
	m := out.Messages[0]
	for _, p := range people {
		if strings.Contains(m.Raw, p.Password) {
			t.Errorf("the mail holds the password for %s", p.Account)
		}
		if !strings.Contains(m.Text, p.Account) || !strings.Contains(m.HTML, p.Account) {
			t.Errorf("the mail does not name the account %s", p.Account)
		}
	}
	link := linkPattern.FindString(m.Text)
	if link == "" || strings.Count(m.Text, link) != 1 || !strings.Contains(m.HTML, link) {
		t.Fatalf("want one claim link in the mail's text and HTML:\n%s", m.Text)
	}
	return link
}

// shownPasswords are the passwords the page shows, account by account.
func shownPasswords(tb *tab) []string {
	tb.t.Helper()
	return eval[[]string](tb, `[...document.querySelectorAll("#accounts code.password")].map(e => e.textContent)`)
}

// TestClaimLinkForSeveralAccounts: one person in three accounts gets one
// mail with one link; the page lists the three accounts, one click reveals
// the three passwords, each beside its account and each signing in there,
// each with its own Copy; the link then says already claimed, and the
// server's files never held a password or the key.
func TestClaimLinkForSeveralAccounts(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	erin := w.newPersonInAccounts(t, "erin", "en")
	link := w.deliverAll(t, erin)
	key, err := claim.ParseKey(link[strings.Index(link, "#")+1:])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range erin {
		searchStorage(t, w.serve.Data, p.Password, key)
	}

	if status := tb.open(link); status != 200 || tb.state() != "ready" {
		t.Fatalf("the link opened with %d in state %s", status, tb.state())
	}
	tb.run("waiting for the reveal button", chromedp.WaitEnabled(chromedp.ID("reveal")))
	rows := eval[[]string](tb, `[...document.querySelectorAll("#accounts li.account")].map(li => li.innerText)`)
	if len(rows) != 3 {
		t.Fatalf("the page lists %d accounts, want 3: %q", len(rows), rows)
	}
	for i, p := range erin {
		for _, want := range []string{p.Account, "erin", p.SignInURL} {
			if !strings.Contains(rows[i], want) {
				t.Errorf("account %d on the page lacks %q:\n%s", i, want, rows[i])
			}
		}
	}
	if !strings.Contains(rows[1], "example-dev (222222222222)") || tb.visible("password-0") {
		t.Errorf("before the reveal: the alias is missing or a password shows:\n%s", rows[1])
	}
	if text := eval[string](tb, `document.getElementById("reveal").innerText`); text != "Reveal passwords" {
		t.Errorf("the reveal button says %q", text)
	}
	tb.screenshot("claim-several-before-reveal.png")

	tb.run("revealing", chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("revealed")
	shown := shownPasswords(tb)
	for i, p := range erin {
		if i >= len(shown) || shown[i] != p.Password {
			t.Fatalf("the page shows %q; want each account's password beside it", shown)
		}
		if valid, reset := w.signsIn(t, p, shown[i]); !valid || !reset {
			t.Errorf("account %s: the revealed password signs in: %v, reset required: %v; want both", p.Account, valid, reset)
		}
	}
	if hash := eval[string](tb, `location.hash`); hash != "" || tb.visible("reveal-panel") || !tb.visible("password-2") {
		t.Errorf("after the reveal the address keeps the key (%q), the reveal button shows, or a password does not", hash)
	}
	tb.screenshot("claim-several-after-reveal.png")
	checkCopyRow(t, tb, 1, erin[1].Password)

	if status := tb.follow("reloading", chromedp.Reload()); status != 410 || tb.state() != "claimed" {
		t.Fatalf("after a reload the page is %s, want claimed", tb.state())
	}
	for _, p := range erin {
		searchStorage(t, w.serve.Data, p.Password, key)
	}
	checkAuditSeveral(t, w.serve.Data, link)
}

// checkCopyRow clicks the Copy of the i-th account: its password is on the
// clipboard, or selected, and only that row says so.
func checkCopyRow(t *testing.T, tb *tab, i int, password string) {
	t.Helper()
	row := fmt.Sprintf(`document.querySelectorAll("#accounts li.account")[%d]`, i)
	tb.run("copying", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#accounts li.account:nth-child(%d) button.copy`, i+1))))
	tb.run("waiting for the copy hint", chromedp.Poll[chromedp.Void](
		`!`+row+`.querySelector(".copied").hidden || !`+row+`.querySelector(".copy-manual").hidden`))
	if eval[bool](tb, `!`+row+`.querySelector(".copy-manual").hidden`) {
		if sel := eval[string](tb, `window.getSelection().toString()`); sel != password {
			t.Errorf("the fallback selected %q, want the password of account %d", sel, i)
		}
	}
	hints := eval[int](tb, `[...document.querySelectorAll("#accounts .copied, #accounts .copy-manual")].filter(e => !e.hidden).length`)
	if hints != 1 {
		t.Errorf("%d rows say they copied, want the one clicked", hints)
	}
}

// checkAuditSeveral reads the claim's audit trail: created, then claimed,
// naming the user and every account.
func checkAuditSeveral(t *testing.T, dir, link string) {
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
	if len(events) != 2 || events[1].Event != "claimed" || events[1].UserName != "erin" ||
		events[1].Account != strings.Join(severalAccounts, ", ") {
		t.Errorf("audit trail = %+v, want created and claimed for erin in every account", events)
	}
}

// TestClaimLinkForSeveralAccountsInJapanese reveals a Japanese person's two
// accounts on the Japanese page.
func TestClaimLinkForSeveralAccountsInJapanese(t *testing.T) {
	t.Parallel()
	tb := newTab(t)
	w := newWorld(t)
	hana := w.newPersonInAccounts(t, "hana", "ja")[:2]
	link := w.deliverAll(t, hana)
	tb.open(link[:strings.Index(link, "#")] + "?lang=ja" + link[strings.Index(link, "#"):])
	tb.run("waiting for the reveal button", chromedp.WaitEnabled(chromedp.ID("reveal")))
	text := eval[string](tb, `document.body.innerText`)
	for _, want := range []string{"AWS サインイン情報", "すべてのパスワードを表示", "example-dev (222222222222)", "初回サインイン時に"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Japanese page lacks %q", want)
		}
	}
	tb.run("revealing", chromedp.Click(chromedp.ID("reveal")))
	tb.waitState("revealed")
	if shown := shownPasswords(tb); len(shown) != 2 || shown[0] != hana[0].Password || shown[1] != hana[1].Password {
		t.Errorf("revealed %q", shown)
	}
	if text := eval[string](tb, `document.getElementById("secret").innerText`); !strings.Contains(text, "各アカウントにサインイン") {
		t.Errorf("after the reveal the page says %q", text)
	}
}
