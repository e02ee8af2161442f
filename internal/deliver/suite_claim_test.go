package deliver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/deliver/delivertest"
)

// suiteClaimToken is the API token of the harnesses' gatehouse serve.
const suiteClaimToken = "suite-claim-api-token-0123456789"

// startClaimServer runs gatehouse serve's handler on a loopback port and
// returns its base address.
func startClaimServer(t *testing.T) string {
	t.Helper()
	store, err := claim.OpenStore(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := claim.NewServer(claim.Config{Store: store, Token: suiteClaimToken})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

func TestSuiteClaimViaSMTP(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return claimHarness(t, smtpHarness(t), "smtp") })
}

func TestSuiteClaimViaSlack(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return claimHarness(t, slackHarness(t), "slack") })
}

func TestSuiteClaimViaSES(t *testing.T) {
	delivertest.Run(t, func(t *testing.T) *delivertest.Harness { return claimHarness(t, sesHarness(t), "ses") })
}

// claimHarness stores claims with a real gatehouse serve and sends the
// links through the carrier harness's channel. The person recovers the
// password by opening the link; the carrier's messages, which others may
// read (mail servers, forwarded mail), must hold no password.
func claimHarness(t *testing.T, carrier *mailHarness, via string) *delivertest.Harness {
	base := startClaimServer(t)
	notClaims := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notClaims.Close)
	good := carrier.Deps
	good.Claim = deliver.ClaimConfig{URL: base, Token: suiteClaimToken, Via: via}
	const wrongToken = "wrong-claim-api-token-9876543210"
	bad := []delivertest.BadSetup{
		{Name: "no claim server", Deps: with(good, func(d *deliver.Deps) { d.Claim.URL = "" }), Want: "set delivery.claim.url in the spec or --claim-url"},
		{Name: "no API token", Deps: with(good, func(d *deliver.Deps) { d.Claim.Token = "" }), Want: "set GATEHOUSE_CLAIM_TOKEN"},
		{Name: "a wrong API token", Deps: with(good, func(d *deliver.Deps) { d.Claim.Token = wrongToken }),
			Want: "set GATEHOUSE_CLAIM_TOKEN to the API token gatehouse serve was started with", Secrets: []string{wrongToken}},
		{Name: "an address that is not gatehouse serve", Deps: with(good, func(d *deliver.Deps) { d.Claim.URL = notClaims.URL }),
			Want: "check that the claim URL points at gatehouse serve"},
		{Name: "carried by the file channel", Deps: with(good, func(d *deliver.Deps) { d.Claim.Via = "file" }), Want: `cannot be carried by "file"`},
	}
	for _, b := range carrier.BadSetups { // the carrier's own mistakes stop the run as well
		if b.Name == listWithoutPasswordsName {
			continue
		}
		b.Name = via + ": " + b.Name
		b.Deps.Claim = good.Claim
		bad = append(bad, b)
	}
	return &delivertest.Harness{
		Name:   "claim",
		Deps:   good,
		Person: carrier.Person,
		Received: readEach(carrier.texts, func(text string) string {
			if link := delivertest.LinkIn(text); link != "" {
				return delivertest.Reveal(t, link)
			}
			return ""
		}),
		ReceivedAll: readEachAll(carrier.texts, func(text string) map[string]string {
			if link := delivertest.LinkIn(text); link != "" {
				return delivertest.RevealAll(t, link)
			}
			return nil
		}),
		Exposed:     carrier.raw,
		Unreachable: carrier.Unreachable,
		BadSetups:   bad,
		Secrets:     append([]string{suiteClaimToken}, carrier.Secrets...),
	}
}
