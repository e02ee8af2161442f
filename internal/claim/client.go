package claim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls gatehouse serve's claims API.
type Client struct {
	BaseURL string       // the server's public base address, which links start with
	Token   string       // the API token (GATEHOUSE_CLAIM_TOKEN); never in errors
	HTTP    *http.Client // nil: http.DefaultClient
}

// Created is a stored claim.
type Created struct {
	ID      string
	Expires time.Time
	page    string // BaseURL + /c/ID
}

// Link is the claim's one-time link: the page's address with the key in the
// fragment. It opens the password: treat it as the password itself.
func (c Created) Link(k Key) string { return c.page + "#" + k.Fragment() }

// APIError is a refusal from the claims API.
type APIError struct {
	Status  int    // the HTTP status
	Code    string // the API's error code ("unauthorized", "bad_request", …)
	Message string // the server's explanation
	Hint    string // how to fix it, when known
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("gatehouse serve answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Temporary says whether retrying may succeed: server errors and rate limits.
// Errors without an APIError (the network) are temporary too.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// Create stores a sealed claim on the server.
func (c *Client) Create(ctx context.Context, r Request) (Created, error) {
	base, err := c.base()
	if err != nil {
		return Created{}, err
	}
	body, err := json.Marshal(createBody{
		Meta: r.Meta, Verifier: r.Verifier, Nonce: r.Nonce, Ciphertext: r.Ciphertext,
		TTLSeconds: int64((r.TTL + time.Second - 1) / time.Second),
	})
	if err != nil {
		return Created{}, fmt.Errorf("encoding the claim: %w", err)
	}
	var out createdBody
	if err := c.do(ctx, http.MethodPost, base+"/api/v1/claims", body, &out); err != nil {
		return Created{}, err
	}
	if !idPattern.MatchString(out.ID) {
		return Created{}, fmt.Errorf("gatehouse serve at %s returned a malformed claim ID; is it a gatehouse serve?", base)
	}
	return Created{ID: out.ID, Expires: out.Expires, page: base + "/c/" + out.ID}, nil
}

// Withdraw deletes a claim nobody has revealed yet; a claim already revealed,
// expired or withdrawn is left as it is (no error).
func (c *Client) Withdraw(ctx context.Context, id string) error {
	base, err := c.base()
	if err != nil {
		return err
	}
	err = c.do(ctx, http.MethodDelete, base+"/api/v1/claims/"+url.PathEscape(id), nil, nil)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusGone {
		return nil
	}
	return err
}

// base is BaseURL without a trailing slash, checked.
// StateBody is what GET /api/v1/claims/{id} answers.
type StateBody struct {
	State   string     `json:"state"`             // ready, claimed, withdrawn or expired
	At      *time.Time `json:"at,omitempty"`      // when it was claimed, withdrawn or expired
	Expires *time.Time `json:"expires,omitempty"` // while it is ready
}

// Status asks what became of claim id. A claim the server no longer knows
// (purged long after it ended) is an *APIError with code not_found.
func (c *Client) Status(ctx context.Context, id string) (StateBody, error) {
	base, err := c.base()
	if err != nil {
		return StateBody{}, err
	}
	var out StateBody
	err = c.do(ctx, http.MethodGet, base+"/api/v1/claims/"+url.PathEscape(id), nil, &out)
	return out, err
}

func (c *Client) base() (string, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("claim server address %q: give an absolute http or https address without query or fragment, such as https://claims.example.com", c.BaseURL)
	}
	return strings.TrimRight(c.BaseURL, "/"), nil
}

func (c *Client) do(ctx context.Context, method, endpoint string, body []byte, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the request to %s: %w", endpoint, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		// url.Error's text holds the method and address, never the header.
		return fmt.Errorf("calling gatehouse serve: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("reading gatehouse serve's answer to %s %s: %w", method, endpoint, err)
	}
	if resp.StatusCode/100 != 2 {
		return apiError(resp, data)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding gatehouse serve's answer to %s %s: %w", method, endpoint, err)
	}
	return nil
}

// httpClient is c.HTTP (else http.DefaultClient's settings) refusing
// redirects. Go's client keeps Authorization on a redirect to the same host
// on another port or scheme, which would hand the API token to a listener
// nobody configured; and the API never redirects, so a redirect means the
// address is wrong (plain HTTP redirected to HTTPS, a proxy's login page).
func (c *Client) httpClient() *http.Client {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

func apiError(resp *http.Response, data []byte) *APIError {
	var body errorBody
	_ = json.Unmarshal(data, &body)
	e := &APIError{Status: resp.StatusCode, Code: body.Error, Message: body.Message}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e.Hint = "set " + TokenEnv + " to the API token gatehouse serve was started with"
	case resp.StatusCode == http.StatusNotFound && body.Error == "":
		e.Hint = "check that the claim URL points at gatehouse serve"
	case resp.StatusCode/100 == 3:
		e.Hint = "the claim server address redirects"
		if to, err := resp.Location(); err == nil {
			e.Hint += " to " + to.Redacted()
		}
		e.Hint += ", and the API token is not sent after a redirect: give gatehouse serve's own address (--claim-url, delivery.claim.url)"
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Hint = "too many failed requests from this address; wait " + resp.Header.Get("Retry-After") + " seconds"
	}
	return e
}
