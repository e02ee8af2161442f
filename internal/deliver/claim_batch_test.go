package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/claim"
)

// fakeBatchCarrier is a fakeCarrier that carries several credentials in one
// message, answering with AllFn.
type fakeBatchCarrier struct {
	fakeCarrier
	AllFn   func([]Credential) (Receipt, error)
	batches [][]Credential
}

func (f *fakeBatchCarrier) DeliverAll(_ context.Context, cs []Credential) (Receipt, error) {
	f.batches = append(f.batches, cs)
	if f.AllFn == nil {
		return Receipt{Channel: "ses", MessageID: "m-all", Detail: "SES message m-all to " + cs[0].Email}, nil
	}
	return f.AllFn(cs)
}

// revealAll does what the claim page does for a claim for several accounts.
func revealAll(t *testing.T, link string) []string {
	t.Helper()
	m := claimLink.FindStringSubmatch(link)
	key, err := claim.ParseKey(m[3])
	if err != nil {
		t.Fatal(err)
	}
	token, _ := claim.AuthToken(key)
	body, _ := json.Marshal(map[string][]byte{"token": token})
	resp, err := http.Post(strings.TrimSuffix(m[1], "/c/"+m[2])+"/api/v1/claims/"+m[2]+"/reveal", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Nonce, Ciphertext []byte }
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revealing: %d %s", resp.StatusCode, data)
	}
	passwords, err := claim.OpenAll(key, claim.Sealed{Nonce: out.Nonce, Ciphertext: out.Ciphertext})
	if err != nil {
		t.Fatal(err)
	}
	return passwords
}

// One claim for three accounts: the carrier gets one message with the one
// link for all three and no password; the link reveals the three passwords
// in order, and the page lists the three accounts.
func TestClaimDeliverAllSendsOneLink(t *testing.T) {
	t.Parallel()
	base := claimServer(t)
	carrier := &fakeBatchCarrier{}
	ch := newClaimWith(ClaimConfig{URL: base, Token: claimToken, TTL: time.Hour, Via: "ses"}, nil, carrier)
	cs := testCredentials("ja")
	r, err := ch.DeliverAll(context.Background(), cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(carrier.calls) != 0 || len(carrier.batches) != 1 || len(carrier.batches[0]) != 3 {
		t.Fatalf("the carrier got %d messages for one and %d for several; want one for three", len(carrier.calls), len(carrier.batches))
	}
	link := carrier.batches[0][0].ClaimURL
	for i, c := range carrier.batches[0] {
		if c.Password != "" || c.ClaimURL != link || c.Account != cs[i].Account || c.ClaimExpires.IsZero() {
			t.Errorf("the carrier's credential %d: %+v; want the one link, no password", i, c)
		}
	}
	if r.Channel != "claim" || r.MessageID == "" || r.ClaimServer != base || !strings.Contains(r.Detail, "claim link for 3 accounts") {
		t.Errorf("receipt %+v", r)
	}
	page := getPage(t, link[:strings.Index(link, "#")])
	for _, c := range cs {
		if !strings.Contains(page, c.Account) || !strings.Contains(page, c.UserName) {
			t.Errorf("the page does not list account %s of %s", c.Account, c.UserName)
		}
	}
	if !strings.Contains(page, `<html lang="ja">`) {
		t.Error("the page is not in the person's language")
	}
	want := []string{cs[0].Password, cs[1].Password, cs[2].Password}
	if got := revealAll(t, link); !slices.Equal(got, want) {
		t.Errorf("the link reveals %q, want %q", got, want)
	}
}

func TestClaimDeliverAllErrors(t *testing.T) {
	t.Parallel()
	base := claimServer(t)
	older := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"bad_request","message":"user_name is required"}`))
	}))
	t.Cleanup(older.Close)
	tests := []struct {
		name      string
		url       string
		carrier   func([]Credential) (Receipt, error)
		rejected  bool
		want      string
		pageState string // the claim's state after the failure; "" when none was made
	}{
		{"an older gatehouse serve", older.URL, nil, true, "cannot hold a link for several accounts: upgrade it", ""},
		{"carrier refuses", base, func([]Credential) (Receipt, error) { return Receipt{}, reject(errors.New("no such mailbox")) }, true,
			"no such mailbox", "withdrawn"},
		{"carrier fails for now", base, func([]Credential) (Receipt, error) { return Receipt{}, errors.New("connection reset") }, false,
			"connection reset", "ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			carrier := &fakeBatchCarrier{AllFn: tt.carrier}
			ch := newClaimWith(ClaimConfig{URL: tt.url, Token: claimToken, TTL: time.Hour, Via: "ses"}, nil, carrier)
			cs := testCredentials("en")
			_, err := ch.DeliverAll(context.Background(), cs)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrRejected) != tt.rejected {
				t.Fatalf("DeliverAll: %v; want an error with %q, rejected %v", err, tt.want, tt.rejected)
			}
			for _, c := range cs {
				if strings.Contains(err.Error(), c.Password) || strings.Contains(err.Error(), "#") {
					t.Errorf("the error holds a secret: %v", err)
				}
			}
			if tt.pageState == "" {
				if len(carrier.batches) != 0 {
					t.Error("the carrier was called without a claim")
				}
				return
			}
			if page := getPage(t, carrier.batches[0][0].ClaimURL); !strings.Contains(page, `data-state="`+tt.pageState+`"`) {
				t.Errorf("the claim is not %s after the failure", tt.pageState)
			}
		})
	}
}

// A claim channel batches when its carrier does: with a carrier whose
// override shows one account, each credential gets a link of its own.
func TestClaimBatchesWhenItsCarrierDoes(t *testing.T) {
	t.Parallel()
	one := newClaimWith(ClaimConfig{URL: "http://127.0.0.1:1", Token: claimToken, Via: "ses"}, nil, &fakeCarrier{})
	several := newClaimWith(ClaimConfig{URL: "http://127.0.0.1:1", Token: claimToken, Via: "ses"}, nil, &fakeBatchCarrier{})
	if _, ok := batchingIfItCan(one).(Batcher); ok {
		t.Error("a claim channel whose carrier sends one account per message is a Batcher")
	}
	if _, ok := batchingIfItCan(several).(Batcher); !ok {
		t.Error("a claim channel whose carrier carries several accounts is no Batcher")
	}
}
