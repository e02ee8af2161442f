package offboard_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the journal's own pure-Go driver, read here with plain SQL
)

// archived is one archive record, from a file or from the journal.
type archived struct {
	where  string // the file, or "journal archive N"
	record archiveRecord
}

// archives are what gatehouse has archived so far, per user (account/name,
// lower-cased as IAM compares names), oldest first.
type archives struct {
	files     map[string][]archived
	journal   map[string][]archived
	leftovers []string // temporary files a killed write left behind
}

func archiveKey(account, name string) string { return account + "/" + strings.ToLower(name) }

// readArchives reads the archive folder and the journal's archives table.
// The folder's records must be private: folders 0700, files 0600.
func readArchives(t *testing.T, dir, journalPath string) archives {
	t.Helper()
	a := archives{files: map[string][]archived{}, journal: map[string][]archived{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == dir {
			return filepath.SkipDir // nothing archived yet
		}
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if info.Mode().Perm() != 0o700 {
				t.Errorf("archive folder %s has mode %v, want 0700", path, info.Mode().Perm())
			}
			return nil
		case info.Mode().Perm() != 0o600:
			t.Errorf("archive file %s has mode %v, want 0600", path, info.Mode().Perm())
		}
		if strings.HasPrefix(d.Name(), ".") {
			a.leftovers = append(a.leftovers, path)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var rec archiveRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Errorf("archive file %s is not a record: %v", path, err)
			return nil
		}
		key := archiveKey(rec.Account, rec.User.UserName)
		a.files[key] = append(a.files[key], archived{where: path, record: rec})
		return nil
	})
	if err != nil {
		t.Fatalf("reading the archive folder: %v", err)
	}
	for _, list := range a.files {
		slices.SortFunc(list, func(x, y archived) int { return int(x.record.RunID - y.record.RunID) })
	}
	a.readJournal(t, journalPath)
	return a
}

// readJournal reads the journal's archive records with plain SQL, not with
// the engine's code: the test checks what is on disk.
func (a *archives) readJournal(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return // killed before the journal was created
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'archives'`).Scan(&tables); err != nil {
		t.Fatalf("reading the journal: %v", err)
	}
	if tables == 0 {
		return // killed before the schema was made
	}
	rows, err := db.Query(`SELECT id, account, user_name, record FROM archives ORDER BY id`)
	if err != nil {
		t.Fatalf("reading the journal's archives: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                    int64
			account, name, record string
		)
		if err := rows.Scan(&id, &account, &name, &record); err != nil {
			t.Fatal(err)
		}
		var rec archiveRecord
		if err := json.Unmarshal([]byte(record), &rec); err != nil {
			t.Errorf("journal archive %d (%s/%s) is not a record: %v", id, account, name, err)
			continue
		}
		key := archiveKey(account, name)
		a.journal[key] = append(a.journal[key], archived{where: "journal archive " + itoa(id), record: rec})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// firstComplete checks that the oldest of a user's records holds everything
// the user had before anything was removed (want); it returns what is wrong.
func firstComplete(list []archived, want contents, place string) string {
	if len(list) == 0 {
		return "no record in the " + place
	}
	first := list[0]
	got := first.record.contents()
	if first.record.Format != "gatehouse-offboard-archive/1" || first.record.Action != "remove" {
		return first.where + ": format " + first.record.Format + ", action " + first.record.Action
	}
	if sameContents(got, want) {
		return ""
	}
	return fmt.Sprintf("%s (the first of %d) lacks %d items %q and has %d others %q", first.where, len(list),
		len(want.missingFrom(got)), head(want.missingFrom(got), 3), len(got.missingFrom(want)), head(got.missingFrom(want), 3))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
