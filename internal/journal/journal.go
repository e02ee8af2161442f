// Package journal records what gatehouse did — runs, each (account, person)
// step, each credential issued and each delivery — in an embedded SQLite file,
// so a rerun knows what is done and `gatehouse history` can show it.
//
// The journal never holds a password or any other secret: no method takes one.
// A credential is known only by an ID that the caller makes up.
//
// Writes are durable when they return: a single writer goroutine commits every
// write waiting at that moment in one transaction (group commit, synchronous=FULL),
// and each call returns only after its transaction committed.
package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite, registered as "sqlite"
)

// readers is how many connections serve reads besides the writer's own; WAL
// lets them read while the writer commits.
const readers = 4

// busyTimeout is how long a statement waits for another process holding the
// write lock (a second gatehouse on the same journal).
const busyTimeout = 10 * time.Second

// Journal is an open journal file. It is safe for concurrent use.
type Journal struct {
	path string
	db   *sql.DB
	w    *writer
}

// Open opens the journal at path, creating it (directory 0700, file 0600) and
// bringing its schema up to date.
func Open(ctx context.Context, path string) (*Journal, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("opening journal (%s): %w", path, err)
	}
	if err := createFile(abs); err != nil {
		return nil, fmt.Errorf("opening journal (%s): %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("opening journal (%s): %w", path, err)
	}
	db.SetMaxOpenConns(readers + 1)
	db.SetMaxIdleConns(readers + 1)
	j, err := start(ctx, abs, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("opening journal (%s): %w", path, err)
	}
	return j, nil
}

func start(ctx context.Context, path string, db *sql.DB) (*Journal, error) {
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return nil, fmt.Errorf("reading journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return nil, fmt.Errorf("the file system refused write-ahead logging (journal mode %q)", mode)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting the writer: %w", err)
	}
	return &Journal{path: path, db: db, w: newWriter(conn)}, nil
}

// createFile makes the directory (0700) and an empty file (0600) before SQLite
// does, so the journal and its -wal and -shm files (which SQLite creates with
// the database file's mode) are private.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// dsn builds a file: URI (so any path works) with the settings every
// connection gets: WAL, full fsync on commit, a busy timeout, foreign keys,
// and BEGIN IMMEDIATE for transactions so writers never deadlock on upgrade.
func dsn(path string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// Path is the journal file's absolute path.
func (j *Journal) Path() string { return j.path }

// Close waits for queued writes to commit, then closes the file.
func (j *Journal) Close() error {
	err := j.w.close()
	return errors.Join(err, j.db.Close())
}

// timeFormat sorts as text and keeps microseconds.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func now() string { return time.Now().UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(timeFormat, s)
	return t
}
