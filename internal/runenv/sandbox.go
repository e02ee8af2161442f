package runenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/sandbox"
)

// Sandbox is the sandbox `--sandbox` runs in-process, its state kept in a
// folder so a second run sees what the first one did.
type Sandbox struct {
	URL    string
	srv    *sandbox.Server
	cancel context.CancelFunc
	done   chan error
	seen   map[string]bool // IDs of the mail sent before this run
}

// startSandbox serves a sandbox on a free loopback port with its
// state in dir, seeded from the embedded world the first time.
func startSandbox(dir string) (*Sandbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("starting the embedded sandbox: %w", err)
	}
	// The fixture is where /_sandbox/reset goes back to; the saved state, when
	// there is one, wins over it at start.
	fixture := filepath.Join(dir, "world.yaml")
	if err := os.WriteFile(fixture, embeddedWorld, 0o600); err != nil {
		return nil, fmt.Errorf("starting the embedded sandbox: %w", err)
	}
	srv, err := sandbox.New(sandbox.Options{StateDir: dir, Fixture: fixture})
	if err != nil {
		return nil, fmt.Errorf("starting the embedded sandbox (delete %s to start afresh): %w", dir, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting the embedded sandbox: %w", err), srv.Close())
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sandbox{URL: "http://" + ln.Addr().String(), srv: srv, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ctx, ln) }()
	return s, nil
}

// stop shuts the sandbox down — every request has been answered by now — and
// flushes its state to disk.
func (s *Sandbox) stop() error {
	s.cancel()
	return <-s.done
}

// sentMail is a message from GET /_sandbox/ses/messages.
type sentMail struct {
	ID           string   `json:"id"`
	Destinations []string `json:"destinations"`
	Raw          string   `json:"raw"`
}

func (s *Sandbox) messages() ([]sentMail, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/_sandbox/ses/messages", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the sandbox's sent mail: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []sentMail `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("reading the sandbox's sent mail: %w", err)
	}
	return out.Messages, nil
}

// MarkMail remembers the mail sent so far, so SaveMail saves only this run's.
func (s *Sandbox) MarkMail() error {
	msgs, err := s.messages()
	if err != nil {
		return err
	}
	s.seen = map[string]bool{}
	for _, m := range msgs {
		s.seen[m.ID] = true
	}
	return nil
}

// SaveMail writes the mail this run sent as .eml files (raw MIME) in dir,
// readable by their owner only — they hold passwords — and says where they went.
func (s *Sandbox) SaveMail(w io.Writer, dir string) error {
	msgs, err := s.messages()
	if err != nil {
		return err
	}
	slices.SortStableFunc(msgs, func(a, b sentMail) int {
		return strings.Compare(strings.Join(a.Destinations, ","), strings.Join(b.Destinations, ","))
	})
	var saved []string
	for _, m := range msgs {
		if s.seen[m.ID] {
			continue
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("saving the sandbox's mail: %w", err)
		}
		path := filepath.Join(dir, mailFileName(m))
		if err := os.WriteFile(path, []byte(m.Raw), 0o600); err != nil {
			return fmt.Errorf("saving the sandbox's mail: %w", err)
		}
		saved = append(saved, fmt.Sprintf("  %s  %s", strings.Join(m.Destinations, ", "), path))
	}
	if len(saved) == 0 {
		_, err = fmt.Fprintln(w, "The sandbox sent no mail in this run.")
		return err
	}
	_, err = fmt.Fprintf(w, "The sandbox sent %d mail(s), saved as .eml files (open them in a mail client):\n%s\n",
		len(saved), strings.Join(saved, "\n"))
	return err
}

// mailFileName is the first recipient's address and a short hash of the
// message ID: readable, and unique across runs.
func mailFileName(m sentMail) string {
	to := "unknown"
	if len(m.Destinations) > 0 {
		to = m.Destinations[0]
	}
	to = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, to)
	sum := sha256.Sum256([]byte(m.ID))
	return to + "-" + hex.EncodeToString(sum[:4]) + ".eml"
}
