package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox/service"
)

// inspectPrefix is where the inspection API lives. It is not AWS and is named so.
const inspectPrefix = "/_sandbox/"

func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if !(path == "/_sandbox/health" && r.Method == http.MethodGet) && !s.inspectAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse sandbox inspection API"`)
		writeInspectError(w, http.StatusUnauthorized, "the inspection API needs the sandbox's token: send it as "+
			"'Authorization: Bearer TOKEN' (gatehouse sandbox serve prints it at start, or takes it from GATEHOUSE_SANDBOX_TOKEN)")
		return
	}
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
	case path == "/_sandbox/faults":
		s.inspectFaults(w, r)
	case path == "/_sandbox/requests":
		s.inspectRequests(w, r)
	case path == "/_sandbox/clock":
		s.inspectClock(w, r)
	case path == "/_sandbox/fixture" && r.Method == http.MethodPost:
		s.inspectLoadFixture(w, r)
	default:
		s.serveHook(w, r, strings.TrimPrefix(path, inspectPrefix))
	}
}

// inspectAuthorized reports whether the request carries the inspection
// token, when there is one. The digests are compared, in constant time, so
// neither the token nor its length leaks through timing.
func (s *Server) inspectAuthorized(r *http.Request) bool {
	if s.token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	want, sent := sha256.Sum256([]byte(s.token)), sha256.Sum256([]byte(got))
	return ok && subtle.ConstantTimeCompare(want[:], sent[:]) == 1
}

// newInspectToken is 32 random bytes, hex-encoded.
func newInspectToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serveHook answers an endpoint a service added (service.Hook).
func (s *Server) serveHook(w http.ResponseWriter, r *http.Request, path string) {
	var hook *service.Hook
	var methods []string
	for i, h := range s.hooks[path] {
		methods = append(methods, h.Method)
		if h.Method == r.Method {
			hook = &s.hooks[path][i]
		}
	}
	switch {
	case len(methods) == 0:
		writeInspectError(w, http.StatusNotFound, fmt.Sprintf("no inspection endpoint %s %s; see the README's sandbox section", r.Method, r.URL.Path))
		return
	case hook == nil:
		writeInspectError(w, http.StatusMethodNotAllowed, "use "+strings.Join(methods, " or "))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeInspectError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	result, err := s.runHook(hook, &service.HookRequest{Query: r.URL.Query(), Body: body})
	var herr *service.HookError
	switch {
	case errors.As(err, &herr):
		writeInspectError(w, herr.Status, herr.Message)
	case err != nil:
		writeInspectError(w, http.StatusInternalServerError, err.Error())
	case !hook.Writes || s.persist(w):
		writeJSON(w, http.StatusOK, result)
	}
}

func (s *Server) runHook(h *service.Hook, in *service.HookRequest) (any, error) {
	if h.Writes {
		s.world.Lock()
		defer s.world.Unlock()
	} else {
		s.world.RLock()
		defer s.world.RUnlock()
	}
	return h.Handle(s.world, in)
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
		"inspect_token":  s.token != "",
		"persistent":     s.store != nil,
		"uptime_seconds": time.Since(s.started).Seconds(),
	})
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
