package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// stateFile is the snapshot's name inside --state DIR.
const stateFile = "state.json"

// store persists the world to DIR/state.json. Every successful mutation waits
// until a snapshot that includes it is on disk (group commit: one write covers
// every mutation that arrived while the previous write ran). A snapshot is written
// to a temporary file, synced and renamed over the old one, so a kill -9 leaves
// either the old state or the new one, never a torn file.
type store struct {
	dir   string
	world *state.World

	mu      sync.Mutex
	cond    *sync.Cond
	gen     uint64 // mutations announced
	saved   uint64 // mutations known to be on disk
	writing bool
}

func newStore(dir string, w *state.World) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating state directory (%s): %w", dir, err)
	}
	// A kill during a write leaves its temporary file behind; the snapshot
	// itself is whole either way.
	if stale, err := filepath.Glob(filepath.Join(dir, ".state-*.tmp")); err == nil {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	st := &store{dir: dir, world: w}
	st.cond = sync.NewCond(&st.mu)
	return st, nil
}

// load reads the saved snapshot; found is false when there is none yet.
func (st *store) load() (found bool, err error) {
	data, err := os.ReadFile(filepath.Join(st.dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading sandbox state (%s): %w", st.dir, err)
	}
	st.world.Lock()
	defer st.world.Unlock()
	if err := st.world.Restore(data); err != nil {
		return false, fmt.Errorf("decoding sandbox state (%s): %w", filepath.Join(st.dir, stateFile), err)
	}
	return true, nil
}

// commit announces a mutation already applied to the world and returns once a
// snapshot containing it has been written.
func (st *store) commit() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.gen++
	mine := st.gen
	for st.saved < mine {
		if st.writing {
			st.cond.Wait()
			continue
		}
		st.writing = true
		target := st.gen
		st.mu.Unlock()
		err := st.write()
		st.mu.Lock()
		st.writing = false
		st.cond.Broadcast()
		if err != nil {
			return err
		}
		st.saved = max(st.saved, target)
	}
	return nil
}

func (st *store) close() error {
	st.mu.Lock()
	pending := st.saved < st.gen
	st.mu.Unlock()
	if !pending {
		return nil
	}
	return st.commit()
}

func (st *store) write() error {
	st.world.RLock()
	data, err := st.world.Snapshot()
	st.world.RUnlock()
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	return writeFileAtomic(filepath.Join(st.dir, stateFile), data)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and renames
// it over path, then syncs the directory so the rename itself is durable.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".state-*.tmp")
	if err != nil {
		return fmt.Errorf("creating temporary state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing state file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("setting state file mode: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing state file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// loadWorld sets up the world: the saved state when --state holds one, else the
// fixture (or nothing). The fixture's world is kept for /_sandbox/reset.
func (s *Server) loadWorld() error {
	fresh := s.world.Empty()
	if s.opts.Fixture != "" {
		if err := s.fixtures.LoadFile(s.opts.Fixture, fresh); err != nil {
			return err
		}
	}
	initial, err := fresh.Snapshot()
	if err != nil {
		return fmt.Errorf("encoding fixture world: %w", err)
	}
	s.initial = initial
	if s.opts.StateDir != "" {
		if s.store, err = newStore(s.opts.StateDir, s.world); err != nil {
			return err
		}
		found, err := s.store.load()
		if err != nil || found {
			return err
		}
	}
	s.world.Lock()
	err = s.world.Restore(initial)
	s.world.Unlock()
	if err != nil {
		return err
	}
	if s.store != nil {
		return s.store.commit()
	}
	return nil
}

// reset puts the world back to the fixture's state and clears the request counters.
func (s *Server) reset() error {
	s.world.Lock()
	err := s.world.Restore(s.initial)
	s.world.Unlock()
	if err != nil {
		return err
	}
	s.counts.reset()
	if s.store != nil {
		return s.store.commit()
	}
	return nil
}
