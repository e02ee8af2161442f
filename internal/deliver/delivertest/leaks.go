package delivertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"log"
	"log/slog"
	"net/url"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/deliver"
)

// secrets are what must never show: the setup's secrets and every password
// the suite has handed the channel.
type secrets struct {
	mu        sync.Mutex
	setup     []string
	passwords []string
}

// newPassword is a password no other test uses, with every one of IAM's 20
// symbols, so a channel that escapes or mangles one of them shows.
func (s *secrets) newPassword(i int) string {
	p := fmt.Sprintf("Pw%d-%s-!@#$%%^&*()_+-=[]{}|'", i, rand.Text()[:10])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passwords = append(s.passwords, p)
	return p
}

// check fails t when text holds a secret, as written or in the form it takes
// in HTML, JSON, URLs or Slack's mrkdwn.
func (s *secrets) check(t *testing.T, where, text string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for kind, list := range map[string][]string{"a password": s.passwords, "a setup secret": s.setup} {
		for _, secret := range list {
			if form := foundIn(text, secret); form != "" {
				t.Errorf("%s holds %s (%s):\n%.2000s", where, kind, form, text)
			}
		}
	}
}

// foundIn names the form in which secret appears in text, or returns "".
func foundIn(text, secret string) string {
	if secret == "" {
		return ""
	}
	j, _ := json.Marshal(secret)
	forms := []struct{ name, form string }{
		{"as written", secret},
		{"HTML-escaped", html.EscapeString(secret)},
		{"JSON-encoded", strings.Trim(string(j), `"`)},
		{"URL-encoded", url.QueryEscape(secret)},
		{"mrkdwn-escaped", strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(secret)},
	}
	for _, f := range forms {
		if strings.Contains(text, f.form) {
			return f.name
		}
	}
	return ""
}

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureLogs sends the process's log — slog's default logger at every
// level, and the log package through it — to a buffer until t ends. No
// channel takes a logger today; this catches one that logs anyway, and the
// servers in the harness, which are gatehouse's (gatehouse serve) or
// stand-ins for others'.
func captureLogs(t *testing.T) *logBuffer {
	buf := &logBuffer{}
	oldDefault, oldOut, oldFlags, oldPrefix := slog.Default(), log.Writer(), log.Flags(), log.Prefix()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() {
		slog.SetDefault(oldDefault) // does not give the log package its writer back
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
		log.SetPrefix(oldPrefix)
	})
	return buf
}

// closesWithoutLeaking builds the channel, delivers to a few people at once
// and closes it: every goroutine it started, and every connection it opened
// (each holds a goroutine in the server too), must be gone soon after.
func closesWithoutLeaking(t *testing.T, h *Harness, s *secrets) {
	before := runtime.NumGoroutine()
	ch, err := deliver.New(h.Name, h.Deps)
	if err != nil {
		t.Fatalf("deliver.New with a good setup: %v", err)
	}
	if err := deliver.Preflight(context.Background(), ch); err != nil {
		_ = ch.Close()
		t.Fatalf("deliver.Preflight with a good setup: %v", err)
	}
	people := make([]deliver.Credential, 3)
	var wg sync.WaitGroup
	for i := range people {
		people[i] = person(h, s, i)
		wg.Go(func() {
			if _, err := ch.Deliver(context.Background(), people[i]); err != nil {
				s.check(t, "the error", err.Error())
				t.Errorf("Deliver to person %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if err := ch.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if n := settle(before); n > before {
		t.Errorf("%d goroutines outlive Close (%d before the channel was built):\n%s", n-before, before, goroutines())
	}
	if err := ch.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if h.Received == nil {
		return
	}
	for i, c := range people { // after counting: reading may open connections of its own
		if got := h.Received(t, c); len(got) != 1 || got[0] != c.Password {
			t.Errorf("person %d recovered %q; want their own password, once", i, got)
		}
	}
}

// settle waits up to five seconds for the number of goroutines to fall to
// want (servers notice a closed connection a moment later) and returns it.
func settle(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutines is a summary of the running goroutines, for a failure message.
func goroutines() string {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	const limit = 8000
	if b.Len() > limit {
		return b.String()[:limit] + "\n…"
	}
	return b.String()
}
