package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// inspectPrefix is where the inspection API lives. It is not AWS and is named so.
const inspectPrefix = "/_sandbox/"

func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/_sandbox/health" && r.Method == http.MethodGet:
		s.inspectHealth(w)
	case path == "/_sandbox/reset" && r.Method == http.MethodPost:
		if err := s.reset(); err != nil {
			writeInspectError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	case path == "/_sandbox/state" && r.Method == http.MethodGet:
		s.world.RLock()
		data, err := s.world.Snapshot()
		s.world.RUnlock()
		if err != nil {
			writeInspectError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	case path == "/_sandbox/ses/messages":
		s.inspectMessages(w, r)
	case path == "/_sandbox/faults":
		s.inspectFaults(w, r)
	case path == "/_sandbox/requests":
		s.inspectRequests(w, r)
	case path == "/_sandbox/iam/mfa-devices" && r.Method == http.MethodPost:
		s.inspectRegisterMFA(w, r)
	case path == "/_sandbox/iam/check-password" && r.Method == http.MethodPost:
		s.inspectCheckPassword(w, r)
	case path == "/_sandbox/fixture" && r.Method == http.MethodPost:
		s.inspectLoadFixture(w, r)
	default:
		writeInspectError(w, http.StatusNotFound, fmt.Sprintf("no inspection endpoint %s %s; see the README's sandbox section", r.Method, r.URL.Path))
	}
}

func (s *Server) inspectHealth(w http.ResponseWriter) {
	names := make([]string, 0, len(s.apis))
	for _, api := range s.apis {
		names = append(names, api.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status":         "ok",
		"services":       names,
		"strict_auth":    s.opts.StrictAuth,
		"persistent":     s.store != nil,
		"uptime_seconds": time.Since(s.started).Seconds(),
	})
}

func (s *Server) inspectMessages(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		account, to := q.Get("account"), strings.ToLower(q.Get("to"))
		s.world.RLock()
		out := []*state.Message{}
		for _, m := range s.world.Mail {
			if (account == "" || m.Account == account) && (to == "" || containsFold(m.Destinations, to)) {
				out = append(out, m)
			}
		}
		s.world.RUnlock()
		writeJSON(w, http.StatusOK, map[string]any{"messages": out})
	case http.MethodDelete:
		s.world.Lock()
		s.world.Mail = nil
		s.world.Unlock()
		s.persist(w)
		writeJSON(w, http.StatusOK, map[string]string{"status": "cleared"})
	default:
		writeInspectError(w, http.StatusMethodNotAllowed, "use GET or DELETE")
	}
}

func (s *Server) inspectFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.faults.get())
	case http.MethodPut, http.MethodPost:
		var cfg FaultConfig
		if !decodeInspect(w, r, &cfg) {
			return
		}
		if err := cfg.Validate(); err != nil {
			writeInspectError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.faults.set(cfg)
		writeJSON(w, http.StatusOK, s.faults.get())
	default:
		writeInspectError(w, http.StatusMethodNotAllowed, "use GET or PUT")
	}
}

func (s *Server) inspectRequests(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		writeJSON(w, http.StatusOK, s.counts.snapshot(q.Get("account"), q.Get("service")))
	case http.MethodDelete:
		s.counts.reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "cleared"})
	default:
		writeInspectError(w, http.StatusMethodNotAllowed, "use GET or DELETE")
	}
}

// mfaRegistration is the body of POST /_sandbox/iam/mfa-devices.
type mfaRegistration struct {
	Account string `json:"account"`
	User    string `json:"user"`
	Type    string `json:"type"` // hardware | passkey
	Name    string `json:"name"`
}

// inspectRegisterMFA registers and enables a hardware TOTP token or a passkey for a
// user: AWS has no API for that (it happens in the console), so tests use this.
func (s *Server) inspectRegisterMFA(w http.ResponseWriter, r *http.Request) {
	var reg mfaRegistration
	if !decodeInspect(w, r, &reg) {
		return
	}
	if reg.Account == "" {
		reg.Account = state.DefaultAccount
	}
	if !state.IsAccountID(reg.Account) || reg.User == "" {
		writeInspectError(w, http.StatusBadRequest, "account must be 12 digits and user must be set")
		return
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
		writeInspectError(w, http.StatusBadRequest, `type must be "hardware" or "passkey" (virtual devices come from CreateVirtualMFADevice)`)
		return
	}
	s.world.Lock()
	u, ok := iamstate.Of(s.world.Account(reg.Account)).Users.Get(reg.User)
	if ok {
		dev.User = u.Name
		u.MFADevices = append(u.MFADevices, dev)
	}
	s.world.Unlock()
	if !ok {
		writeInspectError(w, http.StatusNotFound, fmt.Sprintf("no user %s in account %s", reg.User, reg.Account))
		return
	}
	if !s.persist(w) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"serial": dev.Serial, "type": dev.Type, "seed": dev.Seed})
}

// inspectCheckPassword answers whether a password would sign the user in.
func (s *Server) inspectCheckPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account  string `json:"account"`
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if !decodeInspect(w, r, &req) {
		return
	}
	if req.Account == "" {
		req.Account = state.DefaultAccount
	}
	s.world.RLock()
	u, ok := iamstate.Of(s.world.LookupAccount(req.Account)).Users.Get(req.User)
	valid := ok && u.LoginProfile != nil && u.LoginProfile.Matches(req.Password)
	resetRequired := valid && u.LoginProfile.ResetRequired
	s.world.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"valid": valid, "user_exists": ok, "password_reset_required": resetRequired})
}

func (s *Server) inspectLoadFixture(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeInspectError(w, http.StatusBadRequest, "reading fixture body: "+err.Error())
		return
	}
	s.world.Lock()
	err = s.fixtures.Apply(body, "request body", s.world)
	s.world.Unlock()
	if err != nil {
		writeInspectError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !s.persist(w) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "loaded"})
}

// persist writes the state after an inspection change; it answers 500 on failure.
func (s *Server) persist(w http.ResponseWriter) bool {
	if s.store == nil {
		return true
	}
	if err := s.store.commit(); err != nil {
		writeInspectError(w, http.StatusInternalServerError, err.Error())
		return false
	}
	return true
}

func decodeInspect(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeInspectError(w, http.StatusBadRequest, "decoding JSON body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeInspectError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
