package runenv

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// ClaimLinks talks to the gatehouse serve instances claim links live on,
// with the API token from GATEHOUSE_CLAIM_TOKEN: withdrawing a link a
// re-issue made dead, and asking what became of one. Nil without a token.
type ClaimLinks struct {
	token string
	http  *http.Client
}

// ClaimLinks returns the claim servers' client, or nil when
// GATEHOUSE_CLAIM_TOKEN is not set.
func (f *Factory) ClaimLinks() *ClaimLinks {
	token := f.Getenv(spec.EnvClaimToken)
	if token == "" {
		return nil
	}
	return &ClaimLinks{token: token, http: &http.Client{Timeout: 15 * time.Second}}
}

func (c *ClaimLinks) client(server string) *claim.Client {
	return &claim.Client{BaseURL: server, Token: c.token, HTTP: c.http}
}

// Withdraw withdraws claim id on server; one already claimed, expired or
// withdrawn is left as it is.
func (c *ClaimLinks) Withdraw(ctx context.Context, server, id string) error {
	return c.client(server).Withdraw(ctx, id)
}

// Status asks server what became of claim id.
func (c *ClaimLinks) Status(ctx context.Context, server, id string) (claim.StateBody, error) {
	return c.client(server).Status(ctx, id)
}
