package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// claimVias are the channels that can carry a claim link.
var claimVias = []string{spec.ChannelSES, spec.ChannelSMTP, spec.ChannelSlack}

// claimChannel seals the password, stores it with gatehouse serve and hands
// the one-time link, never the password, to the carrier channel.
type claimChannel struct {
	client  *claim.Client
	carrier Channel
	via     string
	ttl     time.Duration
	// transport is the channel's own, closed by Close; nil when
	// Deps.HTTPClient was given.
	transport *http.Transport
}

func newClaim(deps Deps) (Channel, error) {
	cfg, err := checkClaimConfig(deps)
	if err != nil {
		return nil, err
	}
	deps.carriesClaimLinks = true
	carrier, err := New(cfg.Via, deps)
	if err != nil {
		return nil, fmt.Errorf("setting up claim links carried by %s: %w", cfg.Via, err)
	}
	return newClaimWith(cfg, deps.HTTPClient, carrier), nil
}

// checkClaimConfig checks deps.Claim and fills in its defaults.
func checkClaimConfig(deps Deps) (ClaimConfig, error) {
	cfg := deps.Claim
	u, err := url.Parse(cfg.URL)
	switch {
	case cfg.URL == "":
		return cfg, errors.New("setting up claim links: no claim server address; set delivery.claim.url in the spec or --claim-url to gatehouse serve's public address")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return cfg, fmt.Errorf("setting up claim links: claim server address %q: give an absolute http or https address without query or fragment, such as https://claims.example.com", cfg.URL)
	case cfg.Token == "":
		return cfg, fmt.Errorf("setting up claim links: no API token for gatehouse serve; set %s to the token gatehouse serve was started with", claim.TokenEnv)
	case cfg.TTL < 0 || cfg.TTL > claim.MaxTTL:
		return cfg, fmt.Errorf("setting up claim links: link lifetime %s: give one up to %s (30 days)", cfg.TTL, claim.MaxTTL)
	}
	if cfg.TTL == 0 {
		cfg.TTL = claim.DefaultTTL
	}
	if cfg.Via == "" {
		cfg.Via = spec.ChannelSES
	}
	if !slices.Contains(claimVias, cfg.Via) {
		return cfg, fmt.Errorf("setting up claim links: links cannot be carried by %q: choose one of %s", cfg.Via, strings.Join(claimVias, ", "))
	}
	return cfg, nil
}

func newClaimWith(cfg ClaimConfig, hc *http.Client, carrier Channel) *claimChannel {
	ch := &claimChannel{carrier: carrier, via: cfg.Via, ttl: cfg.TTL}
	if hc == nil {
		// A transport of its own, so that Close closes only this channel's connections.
		ch.transport = http.DefaultTransport.(*http.Transport).Clone()
		hc = &http.Client{Timeout: 30 * time.Second, Transport: ch.transport}
	}
	ch.client = &claim.Client{BaseURL: cfg.URL, Token: cfg.Token, HTTP: hc}
	return ch
}

func (ch *claimChannel) Name() string { return spec.ChannelClaim }

// Close closes the carrier and the connections to gatehouse serve.
func (ch *claimChannel) Close() error {
	if ch.transport != nil {
		ch.transport.CloseIdleConnections()
	}
	return ch.carrier.Close()
}

// claimProbeID is a well-formed claim ID that no claim can have: gatehouse
// serve's IDs are 16 random bytes in base64url, whose 22nd character only
// holds two bits (A, Q, g or w); this one ends in 0.
const claimProbeID = "gatehouse-preflight-00"

// Preflight checks the carrier, then asks gatehouse serve to withdraw a
// claim that cannot exist. Its "not found" proves that the address is
// gatehouse serve and that it accepts the API token, so a wrong token stops
// the run before anyone is created; the server records nothing for it.
func (ch *claimChannel) Preflight(ctx context.Context) error {
	if err := Preflight(ctx, ch.carrier); err != nil {
		return err
	}
	err := ch.client.Withdraw(ctx, claimProbeID)
	var apiErr *claim.APIError
	if err == nil || (errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound && apiErr.Code == "not_found") {
		return nil
	}
	return redact(classifyClaimError("checking gatehouse serve at "+ch.client.BaseURL, err), ch.client.Token)
}

// Screen asks the carrier about the run's messages: each link goes in one.
func (ch *claimChannel) Screen(ctx context.Context, recipients []string) ([]Refusal, error) {
	return Screen(ctx, ch.carrier, recipients)
}

// Deliver stores the sealed password with gatehouse serve and sends the link
// through the carrier. When the carrier refuses the message for good, the
// claim is withdrawn, so no unsent link stays usable.
func (ch *claimChannel) Deliver(ctx context.Context, c Credential) (Receipt, error) {
	where := fmt.Sprintf("creating a claim link for user (%s) in account (%s) at %s", c.UserName, c.Account, ch.client.BaseURL)
	if c.Welcome {
		return Receipt{}, reject(fmt.Errorf("%s: %w", where, errNoSecret))
	}
	key, sealed, err := claim.Seal(c.Password)
	if err != nil {
		return Receipt{}, reject(fmt.Errorf("%s: %w", where, err))
	}
	created, err := ch.client.Create(ctx, claim.Request{
		Meta: claim.Meta{
			UserName: c.UserName, Account: c.Account, AccountAlias: c.AccountAlias, DisplayName: c.DisplayName,
			SignInURL: c.SignInURL, Language: c.Language, ResetRequired: c.ResetRequired,
		},
		Sealed: sealed,
		TTL:    ch.ttl,
	})
	if err != nil {
		return Receipt{}, redact(classifyClaimError(where, err), c.Password)
	}
	link := created.Link(key)
	c.ClaimURL, c.ClaimExpires, c.Password = link, created.Expires, ""
	r, err := ch.carrier.Deliver(ctx, c)
	if err != nil {
		return Receipt{}, ch.unsent(ctx, created, key, "user ("+c.UserName+")", err)
	}
	return ch.receipt(created, "claim link", r), nil
}

// DeliverAll seals one person's passwords in several accounts under one
// key, stores them with gatehouse serve as one claim that lists every
// account, and sends its one link through the carrier in one message. When
// the carrier refuses the message for good, the claim is withdrawn.
func (ch *claimChannel) DeliverAll(ctx context.Context, cs []Credential) (Receipt, error) {
	if err := checkBatch(cs); err != nil {
		return Receipt{}, fmt.Errorf("creating a claim link: %w", err)
	}
	if cs[0].Welcome {
		return Receipt{}, reject(fmt.Errorf("creating a claim link for %s: %w", who(cs), errNoSecret))
	}
	if len(cs) == 1 {
		return ch.Deliver(ctx, cs[0])
	}
	batch, ok := ch.carrier.(Batcher)
	if !ok { // carriesSeveral said so: New hid this method
		return Receipt{}, reject(fmt.Errorf("creating a claim link for %s: %s cannot carry several accounts in one message", who(cs), ch.via))
	}
	where := fmt.Sprintf("creating a claim link for %s at %s", who(cs), ch.client.BaseURL)
	passwords := make([]string, len(cs))
	meta := claim.Meta{DisplayName: cs[0].DisplayName, Language: cs[0].Language}
	for i, c := range cs {
		passwords[i] = c.Password
		meta.ResetRequired = meta.ResetRequired || c.ResetRequired
		meta.Accounts = append(meta.Accounts, claim.Account{UserName: c.UserName, Account: c.Account, AccountAlias: c.AccountAlias, SignInURL: c.SignInURL})
	}
	key, sealed, err := claim.SealAll(passwords)
	if err != nil {
		return Receipt{}, reject(fmt.Errorf("%s: %w", where, err))
	}
	created, err := ch.client.Create(ctx, claim.Request{Meta: meta, Sealed: sealed, TTL: ch.ttl})
	if err != nil {
		var apiErr *claim.APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
			err = fmt.Errorf("%w; a gatehouse serve older than this gatehouse cannot hold a link for several accounts: "+
				"upgrade it, or send one message per account (--message-per-account, delivery.per_account)", err)
		}
		return Receipt{}, redactSecrets(classifyClaimError(where, err), cs)
	}
	link := created.Link(key)
	carried := make([]Credential, len(cs))
	for i, c := range cs {
		c.ClaimURL, c.ClaimExpires, c.Password = link, created.Expires, ""
		carried[i] = c
	}
	r, err := batch.DeliverAll(ctx, carried)
	if err != nil {
		return Receipt{}, ch.unsent(ctx, created, key, who(cs), err)
	}
	return ch.receipt(created, fmt.Sprintf("claim link for %d accounts", len(cs)), r), nil
}

func (ch *claimChannel) carriesSeveral() bool {
	_, ok := ch.carrier.(Batcher)
	return ok
}

// unsent is the error of a carrier that did not send created's link, which
// it makes sure is withdrawn when the carrier refused it for good.
func (ch *claimChannel) unsent(ctx context.Context, created claim.Created, key claim.Key, whom string, err error) error {
	err = redact(redact(err, created.Link(key)), key.Fragment())
	if errors.Is(err, ErrRejected) {
		if werr := ch.client.Withdraw(ctx, created.ID); werr != nil {
			err = fmt.Errorf("%w (withdrawing the unsent claim %s also failed: %v; it expires %s)", err, created.ID, werr, expiresText(created.Expires))
		}
	}
	return fmt.Errorf("delivering the claim link %s for %s through %s: %w", created.ID, whom, ch.via, err)
}

// receipt is the claim's receipt, what carried its link in r.
func (ch *claimChannel) receipt(created claim.Created, what string, r Receipt) Receipt {
	return Receipt{
		Channel:     spec.ChannelClaim,
		MessageID:   created.ID,
		ClaimServer: strings.TrimRight(ch.client.BaseURL, "/"),
		Detail:      fmt.Sprintf("%s (expires %s) via %s", what, expiresText(created.Expires), r.String()),
	}
}

func expiresText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// classifyClaimError marks the API's refusals that retrying cannot fix.
func classifyClaimError(where string, err error) error {
	err = fmt.Errorf("%s: %w", where, err)
	var apiErr *claim.APIError
	if errors.As(err, &apiErr) && !apiErr.Temporary() {
		return reject(err)
	}
	return err
}
