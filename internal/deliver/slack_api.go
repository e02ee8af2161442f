package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// slackAPIError is Slack's ok:false answer to a method.
type slackAPIError struct {
	Method   string
	Code     string   // "users_not_found"
	Needed   string   // missing_scope: the scope the method needs
	Provided string   // missing_scope: the token's scopes
	Messages []string // response_metadata.messages: Slack's explanation
}

func (e *slackAPIError) Error() string {
	msg := e.Method + ": " + e.Code
	if len(e.Messages) > 0 {
		msg += " (" + strings.Join(e.Messages, "; ") + ")"
	}
	return msg
}

// slackHTTPError is an answer without Slack's JSON: a proxy's or a load
// balancer's error page, or an address that is not Slack's API.
type slackHTTPError struct {
	Method   string
	Status   int
	Location string // where a redirect pointed, which is not followed
}

func (e *slackHTTPError) Error() string {
	if e.Location != "" {
		return fmt.Sprintf("%s: HTTP %d %s redirecting to %s, which is not followed: the token goes to the Slack API URL alone",
			e.Method, e.Status, http.StatusText(e.Status), e.Location)
	}
	return fmt.Sprintf("%s: HTTP %d %s without Slack's JSON answer", e.Method, e.Status, http.StatusText(e.Status))
}

// slackRateLimitError is Slack's HTTP 429: wait Wait before calling again.
type slackRateLimitError struct {
	Method string
	Wait   time.Duration
}

func (e *slackRateLimitError) Error() string {
	return fmt.Sprintf("%s: rate limited by Slack (Retry-After: %s)", e.Method, e.Wait)
}

// call calls method with form arguments or, when body is set, a JSON body,
// and decodes the answer into out. It waits out HTTP 429 (Retry-After) up to
// slackAttempts times; other errors return at once.
func (s *slackChannel) call(ctx context.Context, method string, form url.Values, body any, out any) error {
	contentType, payload := "application/x-www-form-urlencoded; charset=utf-8", []byte(form.Encode())
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encoding the %s request: %w", method, err)
		}
		contentType = "application/json; charset=utf-8"
	}
	for attempt := 1; ; attempt++ {
		err := s.post(ctx, method, contentType, payload, out)
		var limited *slackRateLimitError
		if !errors.As(err, &limited) {
			return err
		}
		if attempt == slackAttempts || limited.Wait > slackMaxWait {
			return fmt.Errorf("%w; gave up after %d attempts: try again later", err, attempt)
		}
		timer := time.NewTimer(limited.Wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("waiting %s for Slack's rate limit on %s: %w", limited.Wait, method, ctx.Err())
		case <-timer.C:
		}
	}
}

// post sends one request and reads Slack's envelope {ok, error, warning,
// response_metadata}; warnings are not errors and are dropped.
func (s *slackChannel) post(ctx context.Context, method, contentType string, payload []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.api.JoinPath(method).String(), bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("calling Slack's %s: %w", method, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", contentType)
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("calling Slack's %s: %w", method, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, slackMaxAnswer))
	if err != nil {
		return fmt.Errorf("reading Slack's answer to %s: %w", method, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := time.Second // Slack always says; this is for a proxy that does not
		if n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && n >= 0 {
			wait = time.Duration(n) * time.Second
		}
		return &slackRateLimitError{Method: method, Wait: wait}
	}
	var env struct {
		OK               bool   `json:"ok"`
		Error            string `json:"error"`
		Needed           string `json:"needed"`
		Provided         string `json:"provided"`
		ResponseMetadata struct {
			Messages []string `json:"messages"`
		} `json:"response_metadata"`
	}
	if resp.StatusCode/100 == 3 {
		httpErr := &slackHTTPError{Method: method, Status: resp.StatusCode, Location: "an address it does not give"}
		if to, err := resp.Location(); err == nil {
			httpErr.Location = to.Redacted()
		}
		return httpErr
	}
	if json.Unmarshal(answer, &env) != nil || (!env.OK && env.Error == "") {
		return &slackHTTPError{Method: method, Status: resp.StatusCode}
	}
	if !env.OK {
		return &slackAPIError{Method: method, Code: env.Error, Needed: env.Needed, Provided: env.Provided, Messages: env.ResponseMetadata.Messages}
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("decoding Slack's answer to %s: %w", method, err)
	}
	return nil
}

// explain says what a failed call means for the person running gatehouse and
// how to fix it, marking ErrRejected what retrying cannot fix.
func (s *slackChannel) explain(err error, email string) error {
	var (
		apiErr  *slackAPIError
		httpErr *slackHTTPError
	)
	switch {
	case errors.As(err, &apiErr):
		switch apiErr.Code {
		case "users_not_found":
			return reject(fmt.Errorf("%s is not in the Slack workspace (%w): invite them, or deliver to them another way (deliver: ses|smtp|claim)", email, err))
		case "missing_scope":
			return reject(fmt.Errorf("%w: the Slack app lacks the scope %s (it has: %s); add the bot token scopes %s on the app's OAuth & Permissions page, reinstall the app, and set GATEHOUSE_SLACK_TOKEN to its bot token",
				err, apiErr.Needed, apiErr.Provided, slackScopes))
		case "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired":
			return reject(fmt.Errorf("%w: Slack refused the token; %s", err, slackTokenHint))
		case "user_disabled":
			return reject(fmt.Errorf("%w: the Slack account of %s is deactivated; deliver to them another way (deliver: ses|smtp|claim)", err, email))
		case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return err // Slack's own trouble: a later try may work
		}
		return reject(err)
	case errors.As(err, &httpErr) && httpErr.Status >= 400 && httpErr.Status < 500:
		return reject(fmt.Errorf("%w: check the Slack API URL %s", err, s.api))
	}
	return err
}
