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

// store persists the world in DIR: state.json, a snapshot in the format
// snapshots always had, and state.log, the changes since (storelog.go).
// Every successful mutation waits until a record holding it is on disk (group
// commit: one append and fsync covers every mutation that arrived while the
// previous one ran), and a record holds only what writers reached
// (state.World.Delta), so a commit costs the same with 1,000 users as with
// 50,000. When the log outgrows twice the snapshot, at start when it holds
// records and at a clean stop, a checkpoint writes the whole world to
// state.json (temporary file, fsync, rename) and starts a new log; a kill -9
// at any point leaves a snapshot and, at most, a log of changes after it.
type store struct {
	dir   string
	world *state.World

	mu      sync.Mutex
	cond    *sync.Cond
	gen     uint64 // mutations announced
	saved   uint64 // mutations known to be on disk
	writing bool   // a goroutine is writing; it alone uses the fields below

	snapshotSize int64 // bytes of state.json
	logSize      int64 // bytes of state.log
	logged       bool  // the log holds records after its header
	checkpoint   bool  // the next write must be a checkpoint: no usable log, or a failed write
	logFloor     int64 // the log may outgrow twice the snapshot by this much before a checkpoint
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
	st := &store{dir: dir, world: w, checkpoint: true, logFloor: 1 << 20}
	st.cond = sync.NewCond(&st.mu)
	return st, nil
}

// load reads the snapshot and replays the log after it; found is false when
// there is no snapshot yet.
func (st *store) load() (found bool, err error) {
	path := filepath.Join(st.dir, stateFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading sandbox state (%s): %w", st.dir, err)
	}
	lc, err := readLog(st.dir, data)
	if err != nil {
		return false, err
	}
	st.world.Lock()
	defer st.world.Unlock()
	if err := st.world.Restore(data); err != nil {
		return false, fmt.Errorf("decoding sandbox state (%s): %w", path, err)
	}
	for i, rec := range lc.records {
		if err := st.world.ApplyDelta(rec); err != nil {
			return false, fmt.Errorf("replaying record %d of the change log (%s): %w", i+1, filepath.Join(st.dir, logFile), err)
		}
	}
	st.snapshotSize, st.logSize = int64(len(data)), lc.size
	st.logged, st.checkpoint = len(lc.records) > 0, !lc.usable
	return true, nil
}

// resume makes the loaded world the base of later records: a checkpoint when
// the log held records or cannot be appended to, else nothing to write.
func (st *store) resume() error {
	if st.checkpoint || st.logged {
		return st.flush(true)
	}
	st.world.RLock()
	st.world.Checkpointed()
	st.world.RUnlock()
	return nil
}

// commit announces a mutation already applied to the world and returns once a
// record containing it has been written.
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
		target := st.gen
		if err := st.writeLocked(false); err != nil {
			return err
		}
		st.saved = max(st.saved, target)
	}
	return nil
}

// flush writes what is pending, as a checkpoint when asked.
func (st *store) flush(checkpoint bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	for st.writing {
		st.cond.Wait()
	}
	target := st.gen
	if err := st.writeLocked(checkpoint); err != nil {
		return err
	}
	st.saved = max(st.saved, target)
	return nil
}

// writeLocked writes with st.mu released, as the one writer.
func (st *store) writeLocked(checkpoint bool) error {
	st.writing = true
	st.mu.Unlock()
	err := st.write(checkpoint)
	st.mu.Lock()
	st.writing = false
	st.cond.Broadcast()
	return err
}

// close writes what is pending and, when the log holds records, checkpoints,
// so that after a clean stop state.json alone holds the world.
func (st *store) close() error {
	st.mu.Lock()
	pending := st.saved < st.gen
	st.mu.Unlock()
	if !pending && !st.logged {
		return nil
	}
	return st.flush(true)
}

// write appends what changed to the log, or writes a checkpoint when asked,
// when only one can record the world, or when the log has outgrown twice the
// snapshot. After a failure the changes taken are lost to the log, so the
// next write is a checkpoint.
func (st *store) write(checkpoint bool) error {
	checkpoint = checkpoint || st.checkpoint || st.logSize > 2*st.snapshotSize+st.logFloor
	st.world.RLock()
	var (
		data []byte
		err  error
	)
	if !checkpoint {
		data, err = st.world.Delta()
		checkpoint = errors.Is(err, state.ErrNoCheckpoint)
	}
	if checkpoint {
		data, err = st.world.Checkpoint()
	}
	st.world.RUnlock()
	switch {
	case err != nil:
		err = fmt.Errorf("encoding sandbox state: %w", err)
	case checkpoint:
		err = st.writeCheckpoint(data)
	case data != nil:
		err = st.appendRecord(data)
	}
	st.checkpoint = err != nil
	return err
}

// writeCheckpoint replaces the snapshot, then starts the log that follows it.
func (st *store) writeCheckpoint(snapshot []byte) error {
	if err := writeFileAtomic(filepath.Join(st.dir, stateFile), snapshot); err != nil {
		return err
	}
	header := newLog(snapshot)
	if err := writeFileAtomic(filepath.Join(st.dir, logFile), header); err != nil {
		return err
	}
	st.snapshotSize, st.logSize, st.logged = int64(len(snapshot)), int64(len(header)), false
	return nil
}

// appendRecord appends one record and syncs it. The log is opened each time,
// so a state directory removed or replaced under the sandbox fails the
// commit instead of acknowledging writes to a file nobody will read.
func (st *store) appendRecord(rec []byte) error {
	f, err := os.OpenFile(filepath.Join(st.dir, logFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("opening the change log: %w", err)
	}
	line := logLine(rec)
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("appending to the change log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("syncing the change log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing the change log: %w", err)
	}
	st.logSize += int64(len(line))
	st.logged = true
	return nil
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
		if err != nil {
			return err
		}
		if found {
			return s.store.resume()
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

// ReadState returns the world a sandbox started with --state dir would load,
// as the files in dir are now, without changing them: for tests and tools
// that look at what is on disk.
func ReadState(dir string) (*state.World, error) {
	w := NewWorld()
	st := &store{dir: dir, world: w}
	if _, err := st.load(); err != nil {
		return nil, err
	}
	return w, nil
}
