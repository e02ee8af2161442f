package iam

import (
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/service"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// hooks are IAM's endpoints in the inspection API.
func hooks() []service.Hook {
	return []service.Hook{
		{Method: http.MethodPost, Path: "iam/mfa-devices", Writes: true, Handle: registerMFA},
		{Method: http.MethodPost, Path: "iam/check-password", Handle: checkPassword},
		{Method: http.MethodPost, Path: "iam/last-used", Writes: true, Handle: setLastUsed},
		{Method: http.MethodPost, Path: "iam/credential-report", Writes: true, Handle: setReportSettings},
	}
}

// mfaRegistration is the body of POST /_sandbox/iam/mfa-devices.
type mfaRegistration struct {
	Account string `json:"account"`
	User    string `json:"user"`
	Type    string `json:"type"` // hardware | passkey
	Name    string `json:"name"`
}

// registerMFA registers and enables a hardware TOTP token or a passkey for a
// user: AWS has no API for that (it happens in the console), so tests use this.
func registerMFA(w *state.World, in *service.HookRequest) (any, error) {
	var reg mfaRegistration
	if err := in.Decode(&reg); err != nil {
		return nil, err
	}
	if reg.Account == "" {
		reg.Account = state.DefaultAccount
	}
	if !state.IsAccountID(reg.Account) || reg.User == "" {
		return nil, service.HookErrorf(http.StatusBadRequest, "account must be 12 digits and user must be set")
	}
	dev := &iamstate.MFADevice{Type: reg.Type, Name: reg.Name, Created: state.Now(), EnableDate: state.Now()}
	switch reg.Type {
	case iamstate.MFAPasskey:
		if dev.Name == "" {
			dev.Name = "passkey"
		}
		dev.Serial = fmt.Sprintf("arn:aws:iam::%s:u2f/user/%s/%s", reg.Account, reg.User, state.NewID(dev.Name+"-", 26))
	case iamstate.MFAHardware:
		dev.Serial = state.NewID("GAHT", 8)
		dev.Seed = state.NewSecret(32)
	default:
		return nil, service.HookErrorf(http.StatusBadRequest, `type must be "hardware" or "passkey" (virtual devices come from CreateVirtualMFADevice)`)
	}
	u, ok := iamstate.Of(w.Account(reg.Account)).Users.Get(reg.User)
	if !ok {
		return nil, service.HookErrorf(http.StatusNotFound, "no user %s in account %s", reg.User, reg.Account)
	}
	dev.User = u.Name
	u.MFADevices = append(u.MFADevices, dev)
	return map[string]string{"serial": dev.Serial, "type": dev.Type, "seed": dev.Seed}, nil
}

// passwordCheck is the answer of POST /_sandbox/iam/check-password. Valid and
// UserExists are always there; ResetRequired only when the password signs
// the user in: whether the console would then demand a new password is a
// fact about that sign-in, and a wrong password has none.
type passwordCheck struct {
	Valid         bool  `json:"valid"`
	UserExists    bool  `json:"user_exists"`
	ResetRequired *bool `json:"password_reset_required,omitempty"`
}

// checkPassword answers whether a password would sign the user in.
func checkPassword(w *state.World, in *service.HookRequest) (any, error) {
	var req struct {
		Account  string `json:"account"`
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if err := in.Decode(&req); err != nil {
		return nil, err
	}
	if req.Account == "" {
		req.Account = state.DefaultAccount
	}
	u, ok := iamstate.Of(w.LookupAccount(req.Account)).Users.Get(req.User)
	out := passwordCheck{UserExists: ok, Valid: ok && u.LoginProfile != nil && u.LoginProfile.Matches(req.Password)}
	if out.Valid {
		out.ResetRequired = &u.LoginProfile.ResetRequired
	}
	return out, nil
}
