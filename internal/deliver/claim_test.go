package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/claim"
)

const claimToken = "deliver-test-claim-token-0123"

// claimServer is a real gatehouse serve handler on a loopback port.
func claimServer(t *testing.T) string {
	t.Helper()
	store, err := claim.OpenStore(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := claim.NewServer(claim.Config{Store: store, Token: claimToken})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// fakeCarrier records what it is asked to deliver and answers with DeliverFn.
type fakeCarrier struct {
	DeliverFn func(Credential) (Receipt, error)
	calls     []Credential
	closed    int
}

func (f *fakeCarrier) Name() string { return "ses" }
func (f *fakeCarrier) Close() error { f.closed++; return nil }
func (f *fakeCarrier) Deliver(_ context.Context, c Credential) (Receipt, error) {
	f.calls = append(f.calls, c)
	if f.DeliverFn == nil {
		return Receipt{Channel: "ses", MessageID: "m-1", Detail: "SES message m-1 to " + c.Email}, nil
	}
	return f.DeliverFn(c)
}

var claimLink = regexp.MustCompile(`(http://127\.0\.0\.1:\d+/c/([A-Za-z0-9_-]{22}))#([A-Za-z0-9_-]{43})`)

// revealLink does what the claim page does: derive the token from the
// link's key, reveal, decrypt.
func revealLink(t *testing.T, link string) (string, int) {
	t.Helper()
	m := claimLink.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("not a claim link: %q", link)
	}
	key, err := claim.ParseKey(m[3])
	if err != nil {
		t.Fatal(err)
	}
	token, _ := claim.AuthToken(key)
	body, _ := json.Marshal(map[string][]byte{"token": token})
	base := strings.TrimSuffix(m[1], "/c/"+m[2])
	resp, err := http.Post(base+"/api/v1/claims/"+m[2]+"/reveal", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Nonce, Ciphertext []byte }
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", resp.StatusCode
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	password, err := claim.Open(key, claim.Sealed{Nonce: out.Nonce, Ciphertext: out.Ciphertext})
	if err != nil {
		t.Fatal(err)
	}
	return password, resp.StatusCode
}

// TestClaimSendsTheLinkNotThePassword carries the link with the real SES
// channel (on a recording SES API): the mail holds the link, never the
// password, and the link reveals the password once.
func TestClaimSendsTheLinkNotThePassword(t *testing.T) {
	t.Parallel()
	base := claimServer(t)
	ses, fake := newFakeSES(t, Deps{From: "ops@example.com"}, nil)
	ch := newClaimWith(ClaimConfig{URL: base + "/", Token: claimToken, TTL: 2 * time.Hour, Via: "ses"}, nil, ses)
	before := time.Now()
	r, err := ch.Deliver(context.Background(), testCredential("en"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("%d mails sent", len(fake.calls))
	}
	msg := fake.calls[0].Content.Simple
	text, html := aws.ToString(msg.Body.Text.Data), aws.ToString(msg.Body.Html.Data)
	for name, part := range map[string]string{"subject": aws.ToString(msg.Subject.Data), "text": text, "html": html} {
		if strings.Contains(part, testPassword) {
			t.Errorf("the mail's %s holds the password", name)
		}
	}
	link := claimLink.FindString(text)
	if link == "" || !strings.Contains(html, link) {
		t.Fatalf("the mail does not carry the link:\n%s", text)
	}
	detail := regexp.MustCompile(`^claim link \(expires (.{20})\) via SES message msg-1 to alice@example\.com$`).FindStringSubmatch(r.Detail)
	if r.Channel != "claim" || !strings.Contains(link, "/c/"+r.MessageID+"#") || detail == nil {
		t.Fatalf("receipt = %+v", r)
	}
	if exp, err := time.Parse("2006-01-02 15:04 MST", detail[1]); err != nil || exp.Before(before.Add(2*time.Hour).Truncate(time.Minute)) || exp.After(time.Now().Add(2*time.Hour)) {
		t.Errorf("receipt's expiry %q, %v: want two hours from now", detail[1], err)
	}
	if strings.Contains(r.String(), link) || strings.Contains(fmt.Sprintf("%+v", r), link[strings.Index(link, "#"):]) {
		t.Errorf("the receipt holds the link's key: %+v", r)
	}
	if got, status := revealLink(t, link); got != testPassword {
		t.Errorf("the link revealed %q (%d)", got, status)
	}
	if _, status := revealLink(t, link); status != http.StatusGone {
		t.Errorf("second reveal: %d, want 410", status)
	}
}

// TestClaimCarrierSeesNoPassword checks every field the carrier gets.
func TestClaimCarrierSeesNoPassword(t *testing.T) {
	t.Parallel()
	carrier := &fakeCarrier{}
	ch := newClaimWith(ClaimConfig{URL: claimServer(t), Token: claimToken, TTL: time.Hour, Via: "ses"}, nil, carrier)
	c := testCredential("ja")
	if _, err := ch.Deliver(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got := carrier.calls[0]
	if got.Password != "" || strings.Contains(fmt.Sprintf("%#v", got), testPassword) {
		t.Errorf("the carrier got the password: %#v", got)
	}
	if !claimLink.MatchString(got.ClaimURL) || time.Until(got.ClaimExpires) < 59*time.Minute || time.Until(got.ClaimExpires) > time.Hour {
		t.Errorf("claim URL %q, expires %v", got.ClaimURL, got.ClaimExpires)
	}
	got.ClaimURL, got.ClaimExpires, got.Password = "", time.Time{}, c.Password
	if got != c {
		t.Errorf("the carrier got %+v, want the credential %+v", got, c)
	}
	if err := ch.Close(); err != nil || carrier.closed != 1 {
		t.Errorf("Close = %v; carrier closed %d times", err, carrier.closed)
	}
}

func TestClaimErrors(t *testing.T) {
	t.Parallel()
	base := claimServer(t)
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(unavailable.Close)
	echoLink := func(c Credential) (Receipt, error) {
		return Receipt{}, fmt.Errorf("smtp: 554 rejected message containing %s", c.ClaimURL)
	}
	tests := []struct {
		name      string
		url       string
		token     string
		carrier   func(Credential) (Receipt, error)
		rejected  bool
		want      string
		pageState string // the claim's state after the failure; "" when none was made
	}{
		{"wrong token", base, "wrong-token-wrong-token", nil, true, "set GATEHOUSE_CLAIM_TOKEN to the API token gatehouse serve was started with", ""},
		{"server down", unavailable.URL, claimToken, nil, false, "503 Service Unavailable", ""},
		{"carrier refuses", base, claimToken, func(Credential) (Receipt, error) { return Receipt{}, reject(errors.New("no such mailbox")) }, true, "no such mailbox", "withdrawn"},
		{"carrier fails for now", base, claimToken, func(Credential) (Receipt, error) { return Receipt{}, errors.New("connection reset") }, false, "connection reset", "ready"},
		{"carrier echoes the link", base, claimToken, echoLink, false, "554 rejected message containing [password]", "ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			carrier := &fakeCarrier{DeliverFn: tt.carrier}
			ch := newClaimWith(ClaimConfig{URL: tt.url, Token: tt.token, TTL: time.Hour, Via: "ses"}, nil, carrier)
			_, err := ch.Deliver(context.Background(), testCredential("en"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Deliver: %v; want an error with %q", err, tt.want)
			}
			if errors.Is(err, ErrRejected) != tt.rejected {
				t.Errorf("rejected = %v, want %v: %v", !tt.rejected, tt.rejected, err)
			}
			if msg := err.Error(); strings.Contains(msg, testPassword) || strings.Contains(msg, tt.token) || strings.Contains(msg, "#") {
				t.Errorf("the error holds a secret: %v", err)
			}
			if tt.pageState == "" {
				if len(carrier.calls) != 0 {
					t.Errorf("the carrier was called without a claim")
				}
				return
			}
			page := getPage(t, carrier.calls[0].ClaimURL)
			if !strings.Contains(page, `data-state="`+tt.pageState+`"`) {
				t.Errorf("the claim is not %s after the failure", tt.pageState)
			}
		})
	}
}

func getPage(t *testing.T, link string) string {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestNewClaimChecksSetup(t *testing.T) {
	t.Parallel()
	ses := Deps{AWS: aws.Config{Region: "us-east-1"}, From: "ops@example.com"}
	with := func(c ClaimConfig) Deps { d := ses; d.Claim = c; return d }
	ok := ClaimConfig{URL: "https://claims.example.com", Token: claimToken}
	tests := []struct {
		name string
		deps Deps
		want string // "" for success
	}{
		{"defaults", with(ok), ""},
		{"no URL", with(ClaimConfig{Token: claimToken}), "set delivery.claim.url in the spec or --claim-url"},
		{"relative URL", with(ClaimConfig{URL: "claims.example.com", Token: claimToken}), `claim server address "claims.example.com"`},
		{"URL with fragment", with(ClaimConfig{URL: "https://claims.example.com/#x", Token: claimToken}), "without query or fragment"},
		{"no token", with(ClaimConfig{URL: ok.URL}), "set GATEHOUSE_CLAIM_TOKEN"},
		{"too long", with(ClaimConfig{URL: ok.URL, Token: claimToken, TTL: 31 * 24 * time.Hour}), "up to 720h0m0s (30 days)"},
		{"via file", with(ClaimConfig{URL: ok.URL, Token: claimToken, Via: "file"}), `cannot be carried by "file": choose one of ses, smtp, slack`},
		{"carrier setup", Deps{AWS: ses.AWS, Claim: ok}, "setting up claim links carried by ses: setting up SES delivery: no sender address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := New("claim", tt.deps)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || ch != nil {
					t.Errorf("New = %v, %v; want an error with %q", ch, err, tt.want)
				}
				return
			}
			if err != nil || ch.Name() != "claim" {
				t.Fatalf("New = %v, %v", ch, err)
			}
			cc := ch.(*claimChannel)
			if cc.ttl != claim.DefaultTTL || cc.via != "ses" || cc.client.HTTP == nil || cc.client.HTTP.Timeout == 0 {
				t.Errorf("defaults: ttl %v via %q", cc.ttl, cc.via)
			}
			if err := ch.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestClaimPreflightChecksTheToken: gatehouse serve is asked, before anyone
// is created, whether it takes the API token.
func TestClaimPreflightChecksTheToken(t *testing.T) {
	t.Parallel()
	base := claimServer(t)
	notClaims := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notClaims.Close)
	tests := []struct {
		name, url, token string
		want             string // "": accepted
		rejected         bool
	}{
		{"right token", base, claimToken, "", false},
		{"wrong token", base, "wrong-token-wrong-token", "checking gatehouse serve at " + base + ": gatehouse serve answered 401 Unauthorized: missing or wrong API token; set GATEHOUSE_CLAIM_TOKEN", true},
		{"not gatehouse serve", notClaims.URL, claimToken, "check that the claim URL points at gatehouse serve", true},
		{"nobody listening", "http://127.0.0.1:1", claimToken, "calling gatehouse serve", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			carrier := &fakeCarrier{}
			ch := newClaimWith(ClaimConfig{URL: tt.url, Token: tt.token, TTL: time.Hour, Via: "ses"}, nil, carrier)
			defer ch.Close()
			err := Preflight(context.Background(), ch)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrRejected) != tt.rejected {
				t.Fatalf("Preflight = %v; want an error with %q, rejected %v", err, tt.want, tt.rejected)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("the error holds the token: %v", err)
			}
			if len(carrier.calls) != 0 {
				t.Errorf("the carrier was asked to deliver")
			}
		})
	}
}
