package offboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// writeArchive writes rec as indented JSON to
// DIR/SCOPE/USER.TIME.run-N.ACTION.json, atomically (a temporary file in the
// same folder, synced, then renamed), readable by its owner only (folders
// 0700, file 0600), and returns the path and the record as the journal keeps
// it. Earlier records are never overwritten.
func writeArchive(dir, scope string, rec engine.Record, runID int64, action engine.Action) (string, []byte, error) {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", nil, err
	}
	folder := filepath.Join(dir, scope)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("%s.%s.run-%d.%s.json", fileSafe(rec.UserName()),
		rec.ArchivedAt().UTC().Format("20060102T150405.000Z"), runID, action)
	path := filepath.Join(folder, name)
	if err := writeFileAtomic(path, append(data, '\n')); err != nil {
		return "", nil, fmt.Errorf("writing %s: %w", path, err)
	}
	compact, err := json.Marshal(rec)
	return path, compact, err
}

// staleTempAge is how old a temporary archive file must be before a run
// removes it: one that old was left by a run that died between writing and
// renaming it, not by a run still going.
const staleTempAge = time.Hour

// removeStaleTemps removes the temporary files killed runs left in the
// archive's account folders, so half-written records do not pile up.
func removeStaleTemps(dir string, now time.Time) error {
	temps, err := filepath.Glob(filepath.Join(dir, "*", ".archive-*.tmp"))
	if err != nil {
		return err
	}
	var errs []error
	for _, path := range temps {
		if fi, err := os.Stat(path); err == nil && now.Sub(fi.ModTime()) > staleTempAge {
			errs = append(errs, os.Remove(path))
		}
	}
	return errors.Join(errs...)
}

func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".archive-*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if _, err = os.Stat(path); err == nil {
		return fmt.Errorf("%s exists already", path)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes the rename durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// fileSafe keeps a user name usable as a file name. IAM names only hold
// letters, digits and +=,.@_- already; this guards against anything else.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, s)
}
