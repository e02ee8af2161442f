package claim

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite, registered as "sqlite"
)

// StoreFile is the database's name in the data directory.
const StoreFile = "claims.db"

// schema is the store's first version (PRAGMA user_version 1). claims holds
// what is waiting to be revealed; a row leaves when it is revealed, withdrawn
// or expired. claim_events is the audit trail, kept for good, and also what
// tells a reload that a link was already claimed. Neither table ever holds a
// password or a link's key.
const schema = `
CREATE TABLE claims (
	id         TEXT PRIMARY KEY,
	verifier   BLOB NOT NULL,
	nonce      BLOB NOT NULL,
	ciphertext BLOB NOT NULL,
	metadata   TEXT NOT NULL,
	created    TEXT NOT NULL,
	expires    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX claims_expires ON claims(expires);
CREATE TABLE claim_events (
	seq         INTEGER PRIMARY KEY,
	claim_id    TEXT NOT NULL,
	event       TEXT NOT NULL CHECK (event IN ('created', 'claimed', 'refused', 'withdrawn', 'expired')),
	at          TEXT NOT NULL,
	remote_addr TEXT NOT NULL DEFAULT '',
	user_agent  TEXT NOT NULL DEFAULT '',
	user_name   TEXT NOT NULL,
	account     TEXT NOT NULL,
	expires     TEXT NOT NULL
);
CREATE INDEX claim_events_claim ON claim_events(claim_id, seq);
PRAGMA user_version = 1;`

// timeFormat stores times in UTC at a fixed width, so text order is time order.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// Store keeps claims in SQLite. It is safe for concurrent use: one
// connection serialises every statement, which a claim server's traffic
// never notices.
type Store struct {
	db     *sql.DB
	path   string
	logger *slog.Logger
}

// OpenStore opens (creating) the store in dir: the directory 0700, the
// database 0600. Deleted rows are overwritten (secure_delete), and the
// write-ahead log is emptied after every removal, so a revealed ciphertext
// does not linger in the files. logger (nil: discard) hears of trouble
// emptying the log.
func OpenStore(ctx context.Context, dir string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(dir, StoreFile)
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("opening the claim store (%s): %w", path, err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "secure_delete(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+u.EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening the claim store (%s): %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path, logger: logger}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("opening the claim store (%s): %w", path, err)
	}
	return s, nil
}

// createPrivate makes the directory (0700) and an empty file (0600) before
// SQLite does, so the database and its -wal and -shm files are private.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	switch version {
	case 0:
		if _, err := s.db.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("creating the schema: %w", err)
		}
	case 1:
	default:
		return fmt.Errorf("the store has schema version %d, newer than this gatehouse knows (1): upgrade gatehouse", version)
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting a claim store transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing to the claim store: %w", err)
	}
	return nil
}

// scrub moves the write-ahead log into the database (where secure_delete has
// zeroed the removed rows) and truncates it, so the removed ciphertext is in
// no file. A failure leaves the old frames until SQLite's next checkpoint;
// the claim is gone either way, so it is logged, not returned.
func (s *Store) scrub(ctx context.Context) {
	if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		s.logger.Warn("emptying the claim store's write-ahead log", "err", err)
	}
}
