package iam_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// inspectWorld has users with passwords, for IAM's inspection endpoints.
const inspectWorld = `
accounts:
  "111111111111":
    users:
      - name: alice
        login_profile: {password: "Alice-Pass-1!", password_reset_required: true}
      - name: bob
        login_profile: {password: "Bob-Pass-1!"}
`

func startInspect(t *testing.T) *sandboxtest.Sandbox {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.LoadFixture(t, inspectWorld)
	return sb
}

// mfaRegistration is the body of POST /_sandbox/iam/mfa-devices.
type mfaRegistration struct {
	Account string `json:"account"`
	User    string `json:"user"`
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`
}

func TestInspectRegisterMFADevices(t *testing.T) {
	t.Parallel()
	sb := startInspect(t)
	var hw, pk map[string]string
	sb.Post(t, "iam/mfa-devices", mfaRegistration{Account: "111111111111", User: "alice", Type: "hardware"}, &hw)
	sb.Post(t, "iam/mfa-devices", mfaRegistration{Account: "111111111111", User: "alice", Type: "passkey", Name: "yubi"}, &pk)
	if !strings.HasPrefix(hw["serial"], "GAHT") || hw["seed"] == "" {
		t.Errorf("hardware = %v", hw)
	}
	if !strings.HasPrefix(pk["serial"], "arn:aws:iam::111111111111:u2f/user/alice/yubi-") || pk["seed"] != "" {
		t.Errorf("passkey = %v", pk)
	}
	w := sb.Server.World()
	w.RLock()
	alice, _ := iamstate.Of(w.Accounts["111111111111"]).Users.Get("alice")
	devices := len(alice.MFADevices)
	w.RUnlock()
	if devices != 2 {
		t.Errorf("alice has %d MFA devices, want 2", devices)
	}
	for _, bad := range []struct {
		reg    any
		status int
	}{
		{mfaRegistration{Account: "111111111111", User: "alice", Type: "virtual"}, 400},
		{mfaRegistration{Account: "1111", User: "alice", Type: "hardware"}, 400},
		{mfaRegistration{Account: "111111111111", User: "nobody", Type: "hardware"}, 404},
		{[]byte(`{"account":"111111111111","user":"alice","type":"hardware","extra":1}`), 400},
	} {
		sb.Inspect(t, http.MethodPost, "iam/mfa-devices", bad.reg, bad.status, nil)
	}
	sb.Inspect(t, http.MethodGet, "iam/mfa-devices", nil, http.StatusMethodNotAllowed, nil)
}

func TestInspectCheckPassword(t *testing.T) {
	t.Parallel()
	sb := startInspect(t)
	for _, tc := range []struct {
		user, password           string
		valid, exists, mustReset bool
	}{
		{"alice", "Alice-Pass-1!", true, true, true},
		{"ALICE", "Alice-Pass-1!", true, true, true},
		{"alice", "alice-pass-1!", false, true, false},
		{"bob", "Bob-Pass-1!", true, true, false},
		{"carol", "x", false, false, false},
	} {
		var got struct {
			Valid         bool  `json:"valid"`
			UserExists    bool  `json:"user_exists"`
			ResetRequired *bool `json:"password_reset_required"`
		}
		sb.Post(t, "iam/check-password", map[string]string{"account": "111111111111", "user": tc.user, "password": tc.password}, &got)
		if got.Valid != tc.valid || got.UserExists != tc.exists {
			t.Errorf("%s/%s = %+v", tc.user, tc.password, got)
		}
		// A wrong password says nothing about what signing in would demand.
		switch {
		case !tc.valid && got.ResetRequired != nil:
			t.Errorf("%s/%s: a password that does not sign in reports password_reset_required: %v", tc.user, tc.password, *got.ResetRequired)
		case tc.valid && (got.ResetRequired == nil || *got.ResetRequired != tc.mustReset):
			t.Errorf("%s/%s: password_reset_required = %v, want %v", tc.user, tc.password, got.ResetRequired, tc.mustReset)
		}
	}
}
