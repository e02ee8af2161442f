package offboard

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A run removes the temporary files killed runs left in the archive, but not
// one young enough to belong to a run still going, nor any record.
func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	folder := filepath.Join(dir, "222222222222")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	files := map[string]time.Time{
		".archive-old.tmp":                now.Add(-2 * time.Hour),
		".archive-young.tmp":              now.Add(-time.Minute),
		"alice.20260101T000000.000Z.json": now.Add(-48 * time.Hour),
	}
	for name, mtime := range files {
		path := filepath.Join(folder, name)
		if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeStaleTemps(dir, now); err != nil {
		t.Fatal(err)
	}
	for name, wantKept := range map[string]bool{".archive-old.tmp": false, ".archive-young.tmp": true, "alice.20260101T000000.000Z.json": true} {
		_, err := os.Stat(filepath.Join(folder, name))
		if kept := err == nil; kept != wantKept {
			t.Errorf("%s kept = %v, want %v", name, kept, wantKept)
		}
	}
	if err := removeStaleTemps(filepath.Join(dir, "missing"), now); err != nil {
		t.Errorf("a missing archive folder: %v", err)
	}
}
