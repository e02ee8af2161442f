package iam

import (
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// lastUsedUpdate is the body of POST /_sandbox/iam/last-used: either a user's
// (or the root's) last password use, or an access key's last use. Times are
// RFC 3339; "never" clears them.
type lastUsedUpdate struct {
	Account          string `json:"account"`
	User             string `json:"user"` // "<root_account>" for the root user
	PasswordLastUsed string `json:"password_last_used"`
	AccessKeyID      string `json:"access_key_id"`
	LastUsedDate     string `json:"last_used_date"`
	Service          string `json:"service"` // default "iam"
	Region           string `json:"region"`  // default "us-east-1"
}

// setLastUsed records when a password or an access key was last used. AWS has
// no API to set these — they come from sign-ins and signed requests — and a
// test of stale keys and unused passwords cannot wait months for them.
func setLastUsed(w *state.World, in *service.HookRequest) (any, error) {
	var req lastUsedUpdate
	if err := decodeForAccount(in, &req, &req.Account); err != nil {
		return nil, err
	}
	switch {
	case req.User != "" && req.PasswordLastUsed != "" && req.AccessKeyID == "" && req.LastUsedDate == "":
		return setPasswordLastUsed(w, req)
	case req.AccessKeyID != "" && req.LastUsedDate != "" && req.User == "" && req.PasswordLastUsed == "":
		return setKeyLastUsed(w, req)
	}
	return nil, service.HookErrorf(http.StatusBadRequest,
		`send either "user" and "password_last_used", or "access_key_id" and "last_used_date" (with "service" and "region")`)
}

// parseLastUsed reads an RFC 3339 time, in whole seconds as IAM reports them,
// or "never" (the zero time). A use cannot lie ahead of the world's clock.
func parseLastUsed(w *state.World, field, value string) (time.Time, error) {
	if value == "never" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, service.HookErrorf(http.StatusBadRequest, `%s must be an RFC 3339 time ("2024-01-31T09:00:00Z") or "never"`, field)
	}
	if t.After(w.Now()) {
		return time.Time{}, service.HookErrorf(http.StatusBadRequest, "%s %s is in the future", field, value)
	}
	return t.UTC().Truncate(time.Second), nil
}

func setPasswordLastUsed(w *state.World, req lastUsedUpdate) (any, error) {
	t, err := parseLastUsed(w, "password_last_used", req.PasswordLastUsed)
	if err != nil {
		return nil, err
	}
	a := iamstate.Of(w.Account(req.Account))
	if req.User == rootUserName {
		if a.Root == nil {
			a.Root = &iamstate.Root{}
		}
		a.Root.PasswordLastUsed = t
		return map[string]any{"account": req.Account, "user": req.User, "password_last_used": optionalTime(t)}, nil
	}
	u, ok := a.Users.Get(req.User)
	if !ok {
		return nil, service.HookErrorf(http.StatusNotFound, "no user %s in account %s", req.User, req.Account)
	}
	u.PasswordLastUsed = t
	return map[string]any{"account": req.Account, "user": u.Name, "password_last_used": optionalTime(t)}, nil
}

func setKeyLastUsed(w *state.World, req lastUsedUpdate) (any, error) {
	t, err := parseLastUsed(w, "last_used_date", req.LastUsedDate)
	if err != nil {
		return nil, err
	}
	cred, ok := w.Credentials[req.AccessKeyID]
	var key *iamstate.AccessKey
	if ok && cred.Account == req.Account {
		if u, found := iamstate.UserOfKey(w, cred); found {
			_, key, _ = accessKeys.find(u, req.AccessKeyID)
		}
	}
	if key == nil {
		return nil, service.HookErrorf(http.StatusNotFound, "no IAM user's access key %s in account %s", req.AccessKeyID, req.Account)
	}
	key.LastUsed, key.LastUsedService, key.LastUsedRegion = t, "", ""
	if !t.IsZero() {
		key.LastUsedService, key.LastUsedRegion = defaultTo(req.Service, "iam"), defaultTo(req.Region, "us-east-1")
	}
	// What the router recorded would win over the value set here.
	w.ForgetKeyUse(key.ID)
	return map[string]any{"account": req.Account, "user": cred.User, "access_key_id": key.ID,
		"last_used_date": optionalTime(t), "service": key.LastUsedService, "region": key.LastUsedRegion}, nil
}

func defaultTo(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// reportSettings is the body of POST /_sandbox/iam/credential-report.
type reportSettings struct {
	Account        string `json:"account"`
	GenerationTime string `json:"generation_time"` // a Go duration: "3s"; "0s" for at once
}

// setReportSettings sets how long the account's credential reports take to
// generate, so a test sees STARTED, INPROGRESS and ReportInProgress before
// COMPLETE, as clients of AWS do.
func setReportSettings(w *state.World, in *service.HookRequest) (any, error) {
	var req reportSettings
	if err := decodeForAccount(in, &req, &req.Account); err != nil {
		return nil, err
	}
	d, err := time.ParseDuration(req.GenerationTime)
	if err != nil || d < 0 || d > time.Hour {
		return nil, service.HookErrorf(http.StatusBadRequest, `generation_time must be a duration from "0s" to "1h" ("3s")`)
	}
	a := iamstate.Of(w.Account(req.Account))
	a.ReportDelay = d
	return map[string]any{"account": req.Account, "generation_time": d.String()}, nil
}

// decodeForAccount decodes a hook's body into v, whose account field is
// *account: 12 digits, the default account when left out.
func decodeForAccount(in *service.HookRequest, v any, account *string) error {
	if err := in.Decode(v); err != nil {
		return err
	}
	if *account == "" {
		*account = state.DefaultAccount
	}
	if !state.IsAccountID(*account) {
		return service.HookErrorf(http.StatusBadRequest, "account must be 12 digits")
	}
	return nil
}
