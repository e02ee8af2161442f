package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
)

const apiToken = "00okta-api-token-abcdefghijklmnop"

// fakeOkta is Okta's Users API for a few users: GET /api/v1/users/{id}
// with Authorization: SSWS token.
func fakeOkta(t *testing.T, users map[string]map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "SSWS "+apiToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`))
			return
		}
		id, ok := strings.CutPrefix(r.URL.Path, "/api/v1/users/")
		profile, found := users[id]
		if r.Method != http.MethodGet || !ok || !found {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: ` + id + ` (User)"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "status": "ACTIVE", "profile": profile})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// syncBuffer is a log many goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// With the Users API configured, a person's names and address come from
// Okta's profile — here not the display name's split, and an address that
// is not the login — and a user Okta no longer has falls back to the
// event's profile. The token is sent as SSWS and never logged.
func TestProfileFromTheUsersAPI(t *testing.T) {
	t.Parallel()
	api, calls := fakeOkta(t, map[string]map[string]string{
		"00uada": {"login": "ada@example.com", "email": "ada.lovelace@example.org", "firstName": "Augusta Ada", "lastName": "King",
			"displayName": "Ada Lovelace"},
	})
	w := newWorld(t, mapping)
	log := &syncBuffer{}
	w.rec.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.rec.Profiles = &okta.Users{OrgURL: api.URL, Token: apiToken}
	w.deliver(t, joinApp("e1", "ada", 1), joinApp("e2", "bob", 1))
	w.drain(t)
	ada := w.dir.user("ada@example.com")
	if ada == nil || ada.Given != "Augusta Ada" || ada.Family != "King" || ada.Email != "ada.lovelace@example.org" {
		t.Errorf("ada from the Users API: %+v", ada)
	}
	if bob := w.dir.user("bob@example.com"); bob == nil || bob.Given != "Bob" || bob.Family != "Tester" {
		t.Errorf("bob, whom Okta does not have, from the event: %+v", bob)
	}
	if calls.Load() != 2 {
		t.Errorf("%d Users API calls, want 2", calls.Load())
	}
	if strings.Contains(log.String(), apiToken) {
		t.Error("the token reached the log")
	}
	noSecretIn(t, filepath.Dir(w.path), apiToken, secret)
}

// noSecretIn searches every file under dir — the journal, its WAL, the
// archives — for the secrets.
func noSecretIn(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret", path)
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("searched %d files: %v", n, err)
	}
}

// A token Okta refuses fails the reconcile with a hint, and the error
// holds no token; the event is retried, then failed and listed.
func TestUsersAPIRefusesTheToken(t *testing.T) {
	t.Parallel()
	api, _ := fakeOkta(t, nil)
	_, err := (&okta.Users{OrgURL: api.URL, Token: "wrong-" + apiToken}).Profile(context.Background(), "00uada")
	if err == nil || !strings.Contains(err.Error(), "401 Invalid token provided") || !strings.Contains(err.Error(), "GATEHOUSE_OKTA_TOKEN") ||
		strings.Contains(err.Error(), apiToken) {
		t.Errorf("a refused token: %v", err)
	}
	_, err = (&okta.Users{OrgURL: api.URL, Token: apiToken}).Profile(context.Background(), "00unobody")
	if !errors.Is(err, okta.ErrNoOktaUser) {
		t.Errorf("an unknown user: %v, want ErrNoOktaUser", err)
	}

	w := newWorld(t, mapping)
	w.rec.Profiles = &okta.Users{OrgURL: api.URL, Token: "wrong-" + apiToken}
	w.deliver(t, joinApp("e1", "ada", 1))
	w.drain(t)
	failed, err := w.journal.OktaEvents(context.Background(), journal.OktaFilter{States: []string{journal.OktaFailed}})
	if err != nil || len(failed) != 1 || !strings.Contains(failed[0].Detail, "Invalid token provided") || strings.Contains(failed[0].Detail, apiToken) {
		t.Errorf("failed events: %+v, %v", failed, err)
	}
	if w.dir.user("ada@example.com") != nil {
		t.Error("a user was made without the profile")
	}
}
