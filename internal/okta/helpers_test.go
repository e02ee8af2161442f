package okta_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/claim"
	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/engine"
	"github.com/gatehouse/gatehouse/internal/engine/enginetest"
	"github.com/gatehouse/gatehouse/internal/journal"
	"github.com/gatehouse/gatehouse/internal/okta"
	"github.com/gatehouse/gatehouse/internal/spec"
)

const (
	secret    = "okta-hook-secret-0123456789"
	claimTok  = "claim-api-token-0123456789"
	appAWS    = "0oaAWS"
	groupAdm  = "00gADMINS"
	groupAud  = "00gAUDIT"
	groupNone = "00gUNMAPPED"
)

// mapping is the hook configuration most tests use: the AWS app grants
// engineers and ReadOnly in one account; the admins group (by name)
// AdministratorAccess everywhere; the auditors group (by ID) ReadOnly
// everywhere.
const mapping = `directory: identity-center
delivery: {channel: ses, from: it@example.com}
okta:
  apps:
    ` + appAWS + `:
      groups: [engineers]
      assignments: [{permission_set: ReadOnly, accounts: ["111111111111"]}]
  groups:
    aws-admins:
      groups: [admins]
      assignments: [{permission_set: AdministratorAccess, accounts: all}]
    ` + groupAud + `:
      groups: [auditors]
      assignments: [{permission_set: ReadOnly, accounts: all}]
`

// world is the hook on a claim server, its queue in a journal, and an
// Identity Center: in memory (dir), or the sandbox's.
type world struct {
	dir     *memory                                  // nil on the sandbox
	look    func(t *testing.T, name string) *memUser // a user as Identity Center has it, or nil
	journal *journal.Journal
	path    string // the journal's file
	mail    *enginetest.Recorder
	cfg     *spec.Input
	rec     *okta.Reconciler
	proc    *okta.Processor
	url     string
}

func newWorld(t *testing.T, config string) *world {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	return openWorld(t, config, path, newMemory(), &enginetest.Recorder{})
}

// openWorld opens the world's journal at path: a restart opens the same
// file again.
func openWorld(t *testing.T, config, path string, dir *memory, mail *enginetest.Recorder) *world {
	t.Helper()
	w := openWorldWith(t, config, path, func(context.Context) (engine.Directory, error) { return dir, nil }, mail)
	w.dir = dir
	w.look = func(_ *testing.T, name string) *memUser { return dir.user(name) }
	return w
}

// openWorldWith is a world whose Identity Center the directory function
// makes; its look is the caller's to set.
func openWorldWith(t *testing.T, config, path string, directory func(context.Context) (engine.Directory, error), mail *enginetest.Recorder) *world {
	t.Helper()
	cfg, err := spec.ParseOktaConfig("okta.yaml", []byte(config), spec.Flags{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	if mail == nil {
		mail = &enginetest.Recorder{}
	}
	w := &world{journal: j, path: path, mail: mail, cfg: cfg}
	rec := &okta.Reconciler{Config: cfg, Journal: j, ArchiveDir: filepath.Join(filepath.Dir(path), "archive"),
		Directory: directory, Channel: func(string) (deliver.Channel, error) { return mail, nil }}
	w.rec = rec
	w.proc = &okta.Processor{Journal: j, Reconcile: rec.Reconcile, Owner: "test", Poll: 5 * time.Millisecond,
		Backoff: okta.Backoff{First: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 4}}
	hook := &okta.Hook{Journal: j, Mapping: cfg.Okta, Wake: w.proc.Wake}
	w.url = serve(t, hook)
	return w
}

// serve mounts the hook on a claim server behind the secret, as gatehouse
// serve does, and returns its address.
func serve(t *testing.T, hook *okta.Hook) string {
	t.Helper()
	store, err := claim.OpenStore(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	var hooks []claim.Hook
	for pattern, h := range hook.Routes() {
		hooks = append(hooks, claim.Hook{Pattern: pattern, Secret: secret, Handler: h})
	}
	srv, err := claim.NewServer(claim.Config{Store: store, Token: claimTok, Hooks: hooks, MaxFailures: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// post sends body to path with the secret (or the headers given instead).
func (w *world) post(t *testing.T, path string, body []byte, header ...string) (int, string) {
	t.Helper()
	if header == nil {
		header = []string{"Authorization", secret}
	}
	return send(t, http.MethodPost, w.url+path, body, header...)
}

func send(t *testing.T, method, url string, body []byte, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// deliver posts events as one delivery and fails the test unless it is
// acknowledged.
func (w *world) deliver(t *testing.T, events ...okta.Event) {
	t.Helper()
	if status, body := w.post(t, okta.PathEvents, delivery(t, events...)); status != http.StatusOK {
		t.Fatalf("delivery: %d %s", status, body)
	}
}

// drain works the queue until nothing is pending.
func (w *world) drain(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if w.proc.Step(ctx) {
			continue
		}
		counts, err := w.journal.OktaCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[journal.OktaPending] == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the queue did not drain")
}

// counts are the queue's events by state.
func (w *world) counts(t *testing.T) map[string]int {
	t.Helper()
	c, err := w.journal.OktaCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// delivery is an event hook request's body as Okta sends it, with the
// parts the hook does not read.
func delivery(t *testing.T, events ...okta.Event) []byte {
	t.Helper()
	var list []map[string]any
	for _, e := range events {
		targets := []map[string]any{}
		for _, tg := range e.Target {
			targets = append(targets, map[string]any{"id": tg.ID, "type": tg.Type, "alternateId": tg.AlternateID,
				"displayName": tg.DisplayName, "detailEntry": nil})
		}
		list = append(list, map[string]any{"uuid": e.UUID, "published": e.Published.Format("2006-01-02T15:04:05.000Z"),
			"eventType": e.EventType, "version": "0", "displayMessage": e.DisplayMessage, "severity": "INFO",
			"client":  map[string]any{"ipAddress": "198.51.100.7", "userAgent": map[string]any{"rawUserAgent": "Mozilla/5.0"}},
			"actor":   map[string]any{"id": "00uADMIN", "type": "User", "alternateId": "admin@example.com", "displayName": "Admin"},
			"outcome": map[string]any{"result": "SUCCESS", "reason": nil}, "target": targets})
	}
	body, err := json.Marshal(map[string]any{"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0",
		"cloudEventsVersion": "0.1", "source": "https://example.okta.com/api/v1/eventHooks/who1", "eventId": "delivery-" + time.Now().Format(time.RFC3339Nano),
		"data": map[string]any{"events": list}, "eventTime": time.Now().UTC().Format(time.RFC3339), "contentType": "application/json"})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// person names an Okta user by a short name: ID 00u<name>, login
// <name>@example.com, display name "<Name> Tester".
func person(name string) okta.Target {
	return okta.Target{ID: "00u" + name, Type: "User", AlternateID: name + "@example.com",
		DisplayName: strings.ToUpper(name[:1]) + name[1:] + " Tester"}
}

// ev is an event at t0 plus at seconds.
func ev(uuid, eventType string, at int, targets ...okta.Target) okta.Event {
	return okta.Event{UUID: uuid, EventType: eventType, Published: t0.Add(time.Duration(at) * time.Second), Target: targets}
}

func app(id, name string) okta.Target {
	return okta.Target{ID: id, Type: "AppInstance", AlternateID: strings.ToLower(name), DisplayName: name}
}

func group(id, name string) okta.Target {
	return okta.Target{ID: id, Type: "UserGroup", AlternateID: "unknown", DisplayName: name}
}

func appUser(name string) okta.Target {
	p := person(name)
	return okta.Target{ID: "0ua" + name, Type: "AppUser", AlternateID: p.AlternateID, DisplayName: p.DisplayName}
}

var (
	awsApp   = app(appAWS, "AWS IAM Identity Center")
	admins   = group(groupAdm, "aws-admins")
	auditors = group(groupAud, "Auditors")
	unmapped = group(groupNone, "Everyone")
)

// joinApp, leaveApp, joinGroup, leaveGroup and the lifecycle events of
// one person.
func joinApp(uuid, who string, at int) okta.Event {
	return ev(uuid, okta.AppUserAdd, at, appUser(who), awsApp, person(who))
}
func leaveApp(uuid, who string, at int) okta.Event {
	return ev(uuid, okta.AppUserRemove, at, appUser(who), awsApp, person(who))
}
func joinGroup(uuid, who string, g okta.Target, at int) okta.Event {
	return ev(uuid, okta.GroupUserAdd, at, person(who), g)
}
func leaveGroup(uuid, who string, g okta.Target, at int) okta.Event {
	return ev(uuid, okta.GroupUserRemove, at, person(who), g)
}
func lifecycle(uuid, eventType, who string, at int) okta.Event {
	return ev(uuid, eventType, at, person(who))
}
