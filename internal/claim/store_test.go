package claim

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	t0     = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	expiry = t0.Add(DefaultTTL)
	alice  = Origin{Addr: "198.51.100.7", UserAgent: "Firefox"}
)

func createInStore(t *testing.T, s *Store, id string) Key {
	t.Helper()
	k, req := sealedRequest(t)
	if err := s.Create(context.Background(), id, req, t0, expiry, Origin{Addr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestStoreWrongKeyLeavesTheClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTestStore(t)
	k := createInStore(t, s, "id-wrong-key-0000000000")
	wrong := k
	wrong[0] ^= 0xff
	for range 3 {
		if _, st, err := s.Reveal(ctx, "id-wrong-key-0000000000", mustToken(t, wrong), t0.Add(time.Minute), alice); !errors.Is(err, ErrWrongKey) || st.State != StateReady {
			t.Fatalf("wrong key: %v, %v", st.State, err)
		}
	}
	sealed, st, err := s.Reveal(ctx, "id-wrong-key-0000000000", mustToken(t, k), t0.Add(time.Hour), alice)
	if err != nil || st.State != StateClaimed {
		t.Fatalf("right key after wrong ones: %v, %v", st.State, err)
	}
	if got, err := Open(k, sealed); err != nil || got != testPassword {
		t.Errorf("Open = %q, %v", got, err)
	}
	checkEvents(t, s, "id-wrong-key-0000000000", "created", "refused", "refused", "refused", "claimed")
}

func TestStoreRevealsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTestStore(t)
	k := createInStore(t, s, "id-once-00000000000000")
	claimedAt := t0.Add(2 * time.Hour)
	if _, st, err := s.Reveal(ctx, "id-once-00000000000000", mustToken(t, k), claimedAt, alice); err != nil || st.State != StateClaimed {
		t.Fatalf("first reveal: %v, %v", st.State, err)
	}
	for _, check := range []func() (Sealed, Status, error){
		func() (Sealed, Status, error) {
			return s.Reveal(ctx, "id-once-00000000000000", mustToken(t, k), claimedAt.Add(time.Minute), alice)
		},
		func() (Sealed, Status, error) {
			st, err := s.Status(ctx, "id-once-00000000000000", claimedAt.Add(time.Minute))
			return Sealed{}, st, err
		},
	} {
		sealed, st, err := check()
		if err != nil || st.State != StateClaimed || !st.At.Equal(claimedAt) || sealed.Ciphertext != nil {
			t.Errorf("after the claim: %+v, %v (sealed %d bytes)", st, err, len(sealed.Ciphertext))
		}
	}
	events := checkEvents(t, s, "id-once-00000000000000", "created", "claimed")
	if e := events[1]; e.Addr != "198.51.100.7" || e.UserAgent != "Firefox" || e.UserName != "alice@example.com" || e.Account != "111122223333" || !e.At.Equal(claimedAt) {
		t.Errorf("claim event = %+v", e)
	}
}

func TestStoreExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTestStore(t)
	k := createInStore(t, s, "id-expire-on-access-000")
	createInStore(t, s, "id-expire-by-sweep-0000")
	createInStore(t, s, "id-still-fresh-00000000")
	later := Request{Meta: testMeta(), Sealed: sealedOf(t)}
	if err := s.Create(ctx, "id-still-fresh-11111111", later, t0, expiry.Add(time.Hour), Origin{}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Status(ctx, "id-expire-on-access-000", expiry.Add(-time.Millisecond)); err != nil || st.State != StateReady {
		t.Fatalf("just before expiry: %v, %v", st.State, err)
	}
	_, st, err := s.Reveal(ctx, "id-expire-on-access-000", mustToken(t, k), expiry, alice)
	if err != nil || st.State != StateExpired || !st.At.Equal(expiry) {
		t.Fatalf("reveal at expiry: %+v, %v", st, err)
	}
	n, err := s.Purge(ctx, expiry.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want the two expired claims", n, err)
	}
	for id, want := range map[string]State{
		"id-expire-on-access-000": StateExpired, "id-expire-by-sweep-0000": StateExpired,
		"id-still-fresh-00000000": StateExpired, "id-still-fresh-11111111": StateReady, "id-never-created-000000": StateNotFound,
	} {
		if st, err := s.Status(ctx, id, expiry.Add(time.Minute)); err != nil || st.State != want {
			t.Errorf("%s: %v, %v; want %s", id, st.State, err, want)
		}
	}
	checkEvents(t, s, "id-expire-by-sweep-0000", "created", "expired")
}

func TestStoreWithdraw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTestStore(t)
	k := createInStore(t, s, "id-withdraw-00000000000")
	if st, err := s.Withdraw(ctx, "id-withdraw-00000000000", t0.Add(time.Minute), Origin{Addr: "192.0.2.1"}); err != nil || st.State != StateWithdrawn {
		t.Fatalf("Withdraw = %v, %v", st.State, err)
	}
	if _, st, err := s.Reveal(ctx, "id-withdraw-00000000000", mustToken(t, k), t0.Add(2*time.Minute), alice); err != nil || st.State != StateWithdrawn {
		t.Errorf("reveal after withdrawal: %v, %v", st.State, err)
	}
	if st, err := s.Withdraw(ctx, "id-unknown-000000000000", t0, Origin{}); err != nil || st.State != StateNotFound {
		t.Errorf("withdrawing an unknown claim: %v, %v", st.State, err)
	}
}

// TestStoreFilesHoldNoSecret searches the database and its -wal and -shm
// files, byte for byte, for the password and the key in every form a bug
// could write them; after the reveal, for the ciphertext too.
func TestStoreFilesHoldNoSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenStore(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, req := sealedRequest(t)
	if err := s.Create(ctx, "id-secret-search-000000", req, t0, expiry, Origin{}); err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"password": []byte(testPassword), "password (base64)": []byte(base64.StdEncoding.EncodeToString([]byte(testPassword))),
		"key": k[:], "key (fragment)": []byte(k.Fragment()), "key (base64)": []byte(base64.StdEncoding.EncodeToString(k[:])),
		"auth token": mustToken(t, k),
	}
	searchFiles(t, dir, secrets)
	if _, st, err := s.Reveal(ctx, "id-secret-search-000000", mustToken(t, k), t0.Add(time.Minute), alice); err != nil || st.State != StateClaimed {
		t.Fatalf("reveal: %v, %v", st.State, err)
	}
	secrets["ciphertext"], secrets["verifier"] = req.Ciphertext, req.Verifier
	searchFiles(t, dir, secrets)
	for _, name := range []string{StoreFile, StoreFile + "-wal", StoreFile + "-shm"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}

func searchFiles(t *testing.T, dir string, secrets map[string][]byte) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, StoreFile+"*"))
	if len(files) < 2 {
		t.Fatalf("files %v: want the database and its write-ahead log", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, secret := range secrets {
			if bytes.Contains(data, secret) {
				t.Errorf("%s holds the %s", filepath.Base(f), name)
			}
		}
	}
}

func TestStoreRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := OpenStore(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 7"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenStore(context.Background(), dir, nil); err == nil || !strings.Contains(err.Error(), "upgrade gatehouse") {
		t.Errorf("opening a newer store: %v", err)
	}
}

func sealedOf(t *testing.T) Sealed {
	t.Helper()
	_, s, err := Seal(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkEvents(t *testing.T, s *Store, id string, want ...string) []Event {
	t.Helper()
	events, err := s.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Event)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events of %s = %v, want %v", id, got, want)
	}
	return events
}
