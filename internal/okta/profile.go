package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// Profiles gives an Okta user's profile.
type Profiles interface {
	Profile(ctx context.Context, userID string) (spec.OktaProfile, error)
}

// ErrNoOktaUser is what Profiles answers for a user Okta does not have.
var ErrNoOktaUser = errors.New("Okta has no such user")

// Users reads profiles from Okta's Users API
// (GET /api/v1/users/{id}, Authorization: SSWS token): the names and
// address an event does not carry.
type Users struct {
	OrgURL string // https://example.okta.com
	// Token is an Okta API token that may read users; never logged, never
	// in an error.
	Token  string
	Client *http.Client // nil: a client with a ten-second timeout
}

var _ Profiles = (*Users)(nil)

// maxProfileBytes bounds a Users API answer: one user.
const maxProfileBytes = 1 << 20

// Profile reads the user's login, address and names.
func (u *Users) Profile(ctx context.Context, userID string) (spec.OktaProfile, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.OrgURL+"/api/v1/users/"+url.PathEscape(userID), nil)
	if err != nil {
		return spec.OktaProfile{}, fmt.Errorf("reading Okta user (%s): %w", userID, err)
	}
	req.Header.Set("Authorization", "SSWS "+u.Token)
	req.Header.Set("Accept", "application/json")
	client := u.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return spec.OktaProfile{}, fmt.Errorf("reading Okta user (%s): %w", userID, redactURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProfileBytes))
	if err != nil {
		return spec.OktaProfile{}, fmt.Errorf("reading Okta user (%s): %w", userID, err)
	}
	if resp.StatusCode != http.StatusOK {
		return spec.OktaProfile{}, apiError(userID, resp.StatusCode, body)
	}
	var user struct {
		Profile struct {
			Login       string `json:"login"`
			Email       string `json:"email"`
			FirstName   string `json:"firstName"`
			LastName    string `json:"lastName"`
			DisplayName string `json:"displayName"`
		} `json:"profile"`
	}
	if err := json.Unmarshal(body, &user); err != nil {
		return spec.OktaProfile{}, fmt.Errorf("reading Okta user (%s): the answer is not a user (%v)", userID, err)
	}
	p := user.Profile
	return spec.OktaProfile{Login: p.Login, Email: p.Email, DisplayName: p.DisplayName, GivenName: p.FirstName, FamilyName: p.LastName}, nil
}

// apiError says what an Okta API error answer means, with Okta's summary
// (which never holds the token).
func apiError(userID string, status int, body []byte) error {
	var e struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
	}
	_ = json.Unmarshal(body, &e)
	what := fmt.Sprintf("reading Okta user (%s): Okta answered %d %s", userID, status, e.ErrorSummary)
	switch status {
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w", what, ErrNoOktaUser)
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%s: check that %s holds an API token that may read users", what, spec.EnvOktaToken)
	}
	return errors.New(what)
}

// redactURL drops the URL from a client error: it holds no token, but the
// error stays as short as the others.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// eventProfile is the profile the events carried: the login, the display
// name, and the login as the address when it is one (Okta's logins are
// addresses by default).
func eventProfile(s journal.OktaSubject) spec.OktaProfile {
	p := spec.OktaProfile{Login: s.Login, DisplayName: s.DisplayName}
	if spec.IsEmail(s.Login) {
		p.Email = s.Login
	}
	return p
}
