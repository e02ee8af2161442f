package claim

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
)

// Hook is a route gatehouse serve serves beside the claim pages, behind a
// shared secret: the Okta event hook, which offers nothing stronger (no
// signature). Requests without the secret are refused before the handler
// sees them, and counted against their client as wrong API tokens are,
// on a limiter of their own.
type Hook struct {
	Pattern string // a ServeMux pattern: "POST /hooks/okta"
	// Secret is the whole Authorization header a request must carry,
	// compared in constant time. It is never logged.
	Secret  string
	Handler http.Handler
}

// hook is a Hook ready to serve: its secret kept only as a hash.
type hook struct {
	pattern string
	secret  [sha256.Size]byte
	handler http.Handler
}

// newHooks checks each hook's secret and keeps its hash.
func newHooks(hs []Hook) ([]hook, error) {
	out := make([]hook, 0, len(hs))
	for _, h := range hs {
		if len(h.Secret) < MinTokenLength {
			return nil, fmt.Errorf("setting up %s: its secret must be at least %d characters; make one with: openssl rand -base64 32", h.Pattern, MinTokenLength)
		}
		if h.Handler == nil || h.Pattern == "" {
			return nil, fmt.Errorf("setting up hook %q: it needs a pattern and a handler", h.Pattern)
		}
		out = append(out, hook{pattern: h.Pattern, secret: sha256.Sum256([]byte(h.Secret)), handler: h.Handler})
	}
	return out, nil
}

// guard lets through to h only requests whose Authorization header is its
// secret. The right secret always gets through, whoever else sends wrong
// ones from the same address; a wrong or missing one counts against its
// client, which after too many is answered 429 (and no longer logged)
// instead of 401. Comparing hashes keeps the comparison's time independent
// of the secret's length too.
func (s *Server) guard(h hook) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(sum[:], h.secret[:]) == 1 {
			h.handler.ServeHTTP(w, r)
			return
		}
		now, addr := s.now(), s.clientAddr(r)
		if wait, ok := s.hookFailures.take(limitKey{client: clientPrefix(addr)}, now); !ok {
			writeTooMany(w, now, wait)
			return
		}
		s.logger.Warn("hook request with a missing or wrong secret", "remote", addrText(addr), "path", r.URL.Path)
		writeError(w, http.StatusUnauthorized, errorBody{Error: codeUnauthorized, Message: "missing or wrong Authorization header"})
	})
}
