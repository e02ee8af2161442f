package okta

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// The hook's paths on gatehouse serve.
const (
	PathEvents    = "/hooks/okta"           // Okta's event hook: the verification (GET) and deliveries (POST)
	PathWorkflows = "/hooks/okta/workflows" // an Okta Workflows flow's payload, seed 004's
)

// Limits of what the hook reads.
const (
	// MaxDeliveryBytes bounds an event hook request: Okta sends a few
	// events of a few kilobytes each.
	MaxDeliveryBytes = 2 << 20
	// MaxPayloadBytes bounds a Workflows payload: one person.
	MaxPayloadBytes = 64 << 10
	// maxChallenge bounds the verification challenge echoed back.
	maxChallenge = 512
)

// Hook answers Okta: the one-time verification, event deliveries and
// Workflows payloads. It stores what it is sent and wakes the processor;
// it never works on an event while Okta waits for the answer. Requests
// reach it only with the hook's secret (gatehouse serve checks it).
type Hook struct {
	Journal *journal.Journal
	// Mapping says which apps and groups matter; events about others are
	// stored as ignored.
	Mapping *spec.Okta
	Wake    func()           // tells the processor there is work (nil: none)
	Logger  *slog.Logger     // nil: discard
	Now     func() time.Time // nil: time.Now
}

// Routes are the hook's routes, by ServeMux pattern.
func (h *Hook) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + PathEvents:     http.HandlerFunc(h.serveVerification),
		"POST " + PathEvents:    http.HandlerFunc(h.serveDelivery),
		"POST " + PathWorkflows: http.HandlerFunc(h.serveWorkflows),
	}
}

// serveVerification answers the one-time verification Okta sends when the
// hook is set up: the challenge header's value, echoed as JSON.
func (h *Hook) serveVerification(w http.ResponseWriter, r *http.Request) {
	challenge := r.Header.Get("X-Okta-Verification-Challenge")
	switch {
	case challenge == "":
		writeError(w, http.StatusBadRequest, "no X-Okta-Verification-Challenge header: this address takes Okta's verification (GET) and event deliveries (POST)")
		return
	case len(challenge) > maxChallenge || strings.ContainsFunc(challenge, unicode.IsControl):
		writeError(w, http.StatusBadRequest, "the X-Okta-Verification-Challenge header is not one Okta sends")
		return
	}
	h.logger().Info("okta verification answered")
	writeJSON(w, http.StatusOK, map[string]string{"verification": challenge})
}

// serveDelivery stores a delivery's events, then answers 200: Okta retries
// (once) what it does not see acknowledged, and a retry changes nothing.
func (h *Hook) serveDelivery(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, MaxDeliveryBytes)
	if !ok {
		return
	}
	d, err := ParseDelivery(body)
	if err != nil {
		h.logger().Warn("okta delivery refused", "err", err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	events := make([]journal.OktaEvent, 0, len(d.Data.Events))
	for _, e := range d.Data.Events {
		events = append(events, queued(h.Mapping, e))
	}
	in, err := h.Journal.RecordOktaEvents(r.Context(), events)
	if err != nil {
		h.logger().Error("storing okta events", "delivery", d.EventID, "err", err)
		writeError(w, http.StatusInternalServerError, "the events could not be stored; Okta will send them again")
		return
	}
	h.logger().Info("okta delivery stored", "delivery", d.EventID, "events", len(events), "new", in.Stored,
		"duplicates", in.Duplicates, "to_apply", in.Pending)
	if in.Pending > 0 && h.Wake != nil {
		h.Wake()
	}
	w.WriteHeader(http.StatusOK)
}

// serveWorkflows stores an Okta Workflows payload (seed 004's: UserName,
// DisplayName, GivenName, FamilyName, Emails) as a request to provision its
// person, checked as gatehouse onboard -f checks the same payload. An
// Idempotency-Key header makes a repeat of the same request change nothing.
func (h *Hook) serveWorkflows(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, MaxPayloadBytes)
	if !ok {
		return
	}
	in, err := spec.Parse("the Workflows payload", body, spec.Flags{})
	if err == nil && in.Format != spec.FormatSeed004 {
		err = errors.New(`expected an Okta Workflows payload: {"UserName", "DisplayName", "GivenName", "FamilyName", "Emails": [{"Value", "Primary"}]}`)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id, err := requestID(r.Header.Get("Idempotency-Key"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	p := in.People[0]
	e := journal.OktaEvent{UUID: id, Subject: WorkflowsSubject(p.UserName), Kind: journal.OktaKindWorkflows, Type: "workflows",
		Published: h.now(), Login: p.UserName, DisplayName: p.DisplayName, Change: journal.OktaProvision, Payload: body}
	stored, err := h.Journal.RecordOktaEvents(r.Context(), []journal.OktaEvent{e})
	if err != nil {
		h.logger().Error("storing a workflows payload", "user", p.UserName, "err", err)
		writeError(w, http.StatusInternalServerError, "the payload could not be stored; send it again")
		return
	}
	status := "queued"
	if stored.Duplicates > 0 {
		status = "duplicate"
	}
	h.logger().Info("okta workflows payload "+status, "id", id, "user", p.UserName)
	if stored.Pending > 0 && h.Wake != nil {
		h.Wake()
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status, "id": id})
}

// WorkflowsSubject is the queue's subject for a Workflows payload's person.
func WorkflowsSubject(userName string) string { return "workflows:" + strings.ToLower(userName) }

// requestID is the queue's ID of a Workflows request: its Idempotency-Key,
// or one made up.
func requestID(key string) (string, error) {
	if key != "" {
		if len(key) > 128 || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r > '~' }) {
			return "", errors.New("the Idempotency-Key header must be at most 128 printable ASCII characters")
		}
		return "wf-" + key, nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "wf-" + hex.EncodeToString(b), nil
}

// readBody reads at most limit bytes of r's body, answering 413 beyond.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than the hook takes")
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "reading the body failed")
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": http.StatusText(status), "message": message})
}

func (h *Hook) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *Hook) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}
