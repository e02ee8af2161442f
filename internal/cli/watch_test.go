package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/sandboxtest"
)

// SIGTERM while the watcher is still starting is the clean stop SIGTERM
// asks for — nothing was in hand — not a failure: it used to end with exit
// code 1 and "opening journal …: context canceled", which a service manager
// stopping a freshly started watcher reads as a crash.
func TestWatchStoppedWhileStarting(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	dir := t.TempDir()
	config := filepath.Join(dir, "watch.yaml")
	protect := filepath.Join(dir, "gatehouse.yaml")
	for path, text := range map[string]string{config: "delivery: {channel: ses, from: it@example.com}\nevents: {}\n", protect: "protect: {users: [break-glass]}\n"} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	streams, _, errb := testIO()
	streams.Getenv = func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "111111111111", "AWS_SECRET_ACCESS_KEY": "x"}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // SIGTERM arrived
	opts := &WatchOptions{IO: streams, Queue: sb.URL + "/111111111111/new-users", Config: config, InFlight: 4, Visibility: time.Minute,
		Protect: protect}
	opts.Settings.Journal, opts.Settings.EndpointURL, opts.Settings.Region = filepath.Join(dir, "journal.db"), sb.URL, "us-east-1"
	if err := runWatch(ctx, opts); err != nil {
		t.Errorf("runWatch after SIGTERM while starting: %v, want a clean stop", err)
	}
	if !strings.Contains(errb.String(), "stopped") {
		t.Errorf("stderr %q: want it to say the watcher stopped", errb.String())
	}
}
