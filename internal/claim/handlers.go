package claim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Request body limits: a create request is a few hundred bytes (up to some
// 200 KiB for a claim for MaxAccounts accounts), a reveal request less than
// a hundred.
const (
	maxCreateBody = 256 << 10
	maxRevealBody = 1 << 10
)

// serveCreate is POST /api/v1/claims: store a sealed claim (API token required).
func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	var body createBody
	if err := decodeJSON(w, r, maxCreateBody, &body); err != nil {
		writeError(w, http.StatusBadRequest, errorBody{Error: codeBadRequest, Message: err.Error()})
		return
	}
	if err := body.check(); err != nil {
		writeError(w, http.StatusBadRequest, errorBody{Error: codeBadRequest, Message: err.Error()})
		return
	}
	id, err := newID()
	if err != nil {
		s.internalError(w, "making a claim ID", err)
		return
	}
	ttl := time.Duration(body.TTLSeconds) * time.Second
	if ttl == 0 {
		ttl = DefaultTTL
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	expires := now.Add(ttl)
	req := Request{Meta: body.Meta, Sealed: Sealed{Verifier: body.Verifier, Nonce: body.Nonce, Ciphertext: body.Ciphertext}}
	if err := s.store.Create(r.Context(), id, req, now, expires, s.origin(r)); err != nil {
		s.internalError(w, "storing a claim", err)
		return
	}
	s.logger.Info("claim created", "id", id, "user", body.Users(), "account", body.AccountIDs(), "expires", expires, "remote", addrText(s.clientAddr(r)))
	w.Header().Set("Location", "/c/"+id)
	writeJSON(w, http.StatusCreated, createdBody{ID: id, Path: "/c/" + id, Expires: expires})
}

// serveWithdraw is DELETE /api/v1/claims/{id}: remove a claim nobody revealed
// (API token required).
func (s *Server) serveWithdraw(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		writeError(w, http.StatusNotFound, errorBody{Error: codeNotFound, Message: "no claim with this ID"})
		return
	}
	st, err := s.store.Withdraw(r.Context(), id, s.now(), s.origin(r))
	if err != nil {
		s.internalError(w, "withdrawing a claim", err)
		return
	}
	if st.State == StateWithdrawn {
		s.logger.Info("claim withdrawn", "id", id, "remote", addrText(s.clientAddr(r)))
		writeJSON(w, http.StatusOK, map[string]string{"state": string(st.State)})
		return
	}
	s.writeState(w, st)
}

// serveStatus is GET /api/v1/claims/{id}: what became of a claim — ready,
// claimed, withdrawn or expired, and when (API token required). It never
// hands out anything sealed; gatehouse history asks it.
func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		writeError(w, http.StatusNotFound, errorBody{Error: codeNotFound, Message: "no claim with this ID"})
		return
	}
	st, err := s.store.Status(r.Context(), id, s.now())
	if err != nil {
		s.internalError(w, "reading a claim's state", err)
		return
	}
	if st.State == "" {
		writeError(w, http.StatusNotFound, errorBody{Error: codeNotFound, Message: "no claim with this ID"})
		return
	}
	body := StateBody{State: string(st.State)}
	if !st.At.IsZero() {
		body.At = &st.At
	}
	if !st.Expires.IsZero() {
		body.Expires = &st.Expires
	}
	writeJSON(w, http.StatusOK, body)
}

// serveReveal is POST /api/v1/claims/{id}/reveal: the page presents the
// token derived from the link's key; a match hands out the ciphertext once.
// The attempt is counted as a failure of this client on this claim before
// it is tried, and forgiven when it was not one.
func (s *Server) serveReveal(w http.ResponseWriter, r *http.Request) {
	now, addr := s.now(), s.clientAddr(r)
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		s.notFound(w, addr, now)
		return
	}
	key := limitKey{client: clientPrefix(addr), claim: id}
	if wait, ok := s.keyFailures.take(key, now); !ok {
		writeTooMany(w, now, wait)
		return
	}
	var body revealBody
	if err := decodeJSON(w, r, maxRevealBody, &body); err != nil || len(body.Token) != TokenSize {
		writeError(w, http.StatusBadRequest, errorBody{Error: codeBadRequest, Message: "the body must be {\"token\": 32 bytes in base64}"})
		return
	}
	sealed, st, err := s.store.Reveal(r.Context(), id, body.Token, now, s.origin(r))
	if !errors.Is(err, ErrWrongKey) {
		s.keyFailures.forgive(key, now)
	}
	switch {
	case errors.Is(err, ErrWrongKey):
		s.logger.Warn("claim refused: wrong key", "id", id, "remote", addrText(addr))
		writeError(w, http.StatusForbidden, errorBody{Error: codeWrongKey, Message: "the link's key does not fit this claim; nothing was revealed"})
	case err != nil:
		s.internalError(w, "revealing a claim", err)
	case len(sealed.Ciphertext) > 0:
		s.logger.Info("claim revealed", "id", id, "user", st.Meta.Users(), "account", st.Meta.AccountIDs(), "remote", addrText(addr))
		writeJSON(w, http.StatusOK, revealedBody{Nonce: sealed.Nonce, Ciphertext: sealed.Ciphertext})
	case st.State == StateNotFound:
		s.notFound(w, addr, now)
	default:
		s.writeState(w, st)
	}
}

// notFound answers an unknown claim ID, counting it against the client:
// after too many, 429 instead of 404.
func (s *Server) notFound(w http.ResponseWriter, addr netip.Addr, now time.Time) {
	if wait, ok := s.lookupFailures.take(limitKey{client: clientPrefix(addr)}, now); !ok {
		writeTooMany(w, now, wait)
		return
	}
	writeError(w, http.StatusNotFound, errorBody{Error: codeNotFound, Message: "no claim with this ID"})
}

// writeState answers for a claim that is not ready.
func (s *Server) writeState(w http.ResponseWriter, st Status) {
	at := st.At
	switch st.State {
	case StateClaimed:
		writeError(w, http.StatusGone, errorBody{Error: codeClaimed, Message: "this claim was already revealed", At: &at})
	case StateExpired:
		writeError(w, http.StatusGone, errorBody{Error: codeExpired, Message: "this claim has expired", At: &at})
	case StateWithdrawn:
		writeError(w, http.StatusGone, errorBody{Error: codeWithdrawn, Message: "this claim was withdrawn", At: &at})
	default:
		writeError(w, http.StatusNotFound, errorBody{Error: codeNotFound, Message: "no claim with this ID"})
	}
}

// authorized checks the API token. The right token always gets through,
// whoever else sends wrong ones from the same address; a wrong one counts
// against its client, which after too many is answered 429 (and no longer
// logged) instead of 401.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(token))
	if ok && subtle.ConstantTimeCompare(sum[:], s.tokenHash[:]) == 1 {
		return true
	}
	now, addr := s.now(), s.clientAddr(r)
	if wait, ok := s.tokenFailures.take(limitKey{client: clientPrefix(addr)}, now); !ok {
		writeTooMany(w, now, wait)
		return false
	}
	s.logger.Warn("claims API request with a missing or wrong token", "remote", addrText(addr), "path", r.URL.Path)
	w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse claims"`)
	writeError(w, http.StatusUnauthorized, errorBody{Error: codeUnauthorized, Message: "missing or wrong API token"})
	return false
}

func (s *Server) internalError(w http.ResponseWriter, doing string, err error) {
	s.logger.Error(doing, "err", err)
	writeError(w, http.StatusInternalServerError, errorBody{Error: codeInternal, Message: doing + " failed; see the server's log"})
}

func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// retryAfter is wait in whole seconds, rounded up, at least 1.
func retryAfter(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

func writeTooMany(w http.ResponseWriter, now time.Time, wait time.Duration) {
	secs := retryAfter(wait)
	at := now.Add(time.Duration(secs) * time.Second).UTC()
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, errorBody{Error: codeTooMany, Message: "too many failed attempts; try again later", At: &at, RetryAfter: secs})
}

func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	if err := dec.Decode(v); err != nil {
		return errors.New("the body is not the expected JSON")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, body errorBody) { writeJSON(w, status, body) }
