package sandbox

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// serveDir runs a persistent sandbox on dir until the returned stop is called.
func serveDir(t *testing.T, dir string, opts Options) (url string, stop func()) {
	t.Helper()
	opts.StateDir = dir
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("starting sandbox on %s: %v", dir, err)
	}
	ts := httptest.NewServer(srv)
	return ts.URL, func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("closing sandbox: %v", err)
		}
	}
}

func userNames(t *testing.T, url, account string) []string {
	t.Helper()
	var names []string
	p := iam.NewListUsersPaginator(iam.NewFromConfig(sdkConfig(url, account, "s", "")), &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("listing users: %v", err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	return names
}

// readState is the world a sandbox restarted on dir would load, as the
// files are right now.
func readState(t *testing.T, dir string) *state.World {
	t.Helper()
	w, err := ReadState(dir)
	if err != nil {
		t.Fatalf("reading the state in %s: %v", dir, err)
	}
	return w
}

func TestStateSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fixture := writeFixture(t, "accounts:\n  \"111111111111\":\n    users: [{name: from-fixture}]\n")
	url, stop := serveDir(t, dir, Options{Fixture: fixture})
	client := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	if _, err := client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("created")}); err != nil {
		t.Fatal(err)
	}
	stop()

	url, stop = serveDir(t, dir, Options{Fixture: fixture})
	defer stop()
	if got := strings.Join(userNames(t, url, "111111111111"), ","); got != "created,from-fixture" {
		t.Errorf("users after restart = %s, want created,from-fixture", got)
	}
	inspectJSON(t, "POST", url+"/_sandbox/reset", nil, 200, nil)
	if got := strings.Join(userNames(t, url, "111111111111"), ","); got != "from-fixture" {
		t.Errorf("users after reset = %s, want the fixture's only", got)
	}
	if _, ok := iamstate.Of(readState(t, dir).Accounts["111111111111"]).Users.Get("created"); ok {
		t.Error("the reset was not written to disk")
	}
}

func TestEveryAcknowledgedMutationIsOnDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := serveDir(t, dir, Options{})
	defer stop()
	client := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if _, err := client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%02d", i))}); err != nil {
				t.Errorf("CreateUser u%02d: %v", i, err)
			}
		})
	}
	wg.Wait()
	// No Close: each acknowledgement alone must mean "on disk".
	if n := iamstate.Of(readState(t, dir).Accounts["111111111111"]).Users.Len(); n != 40 {
		t.Errorf("state file holds %d users after 40 acknowledged CreateUser calls", n)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != stateFile && e.Name() != logFile {
			t.Errorf("unexpected file %s left in the state directory", e.Name())
		}
	}
	for _, name := range []string{stateFile, logFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v; want mode 0600 (it holds secrets)", name, err)
		}
	}
}

func TestCorruptStateRefusesToStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"accounts": {`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{StateDir: dir})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, stateFile)) {
		t.Errorf("New with a torn state file: %v, want an error naming the file", err)
	}
}

func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stale := filepath.Join(dir, ".state-123.tmp")
	if err := os.WriteFile(stale, []byte("half a snapsh"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stop := serveDir(t, dir, Options{})
	defer stop()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file still there: %v", err)
	}
}

func TestFailedPersistenceIsNotAcknowledged(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	url, stop := serveDir(t, dir, Options{})
	defer stop()
	// Replace the directory by a file: the next snapshot cannot be written.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", "")).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("lost")})
	expectCode(t, "CreateUser with an unwritable state directory", err, "InternalFailure", 500)
	os.Remove(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

// bigFixture is a fixture of n users in account 111111111111.
func bigFixture(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("accounts:\n  \"111111111111\":\n    users:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {name: user-%06d, path: /staff/, tags: {team: team-%d}}\n", i, i%50)
	}
	return writeFixture(t, b.String())
}

// TestCommitWritesOnlyWhatChanged: a commit's cost must not grow with the
// world. With 20,000 users, acknowledged CreateUser calls must neither
// rewrite the snapshot nor write more than what they changed.
func TestCommitWritesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := serveDir(t, dir, Options{Fixture: bigFixture(t, 20000)})
	defer stop()
	snapshot := filepath.Join(dir, stateFile)
	before, err := os.Stat(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	sizeBefore := dirBytes(t, dir)
	client := iam.NewFromConfig(sdkConfig(url, "111111111111", "s", ""))
	for i := range 10 {
		if _, err := client.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("new-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	after, err := os.Stat(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("10 CreateUser calls rewrote the %d-byte snapshot of 20,000 users", before.Size())
	}
	if grown := dirBytes(t, dir) - sizeBefore; grown > 10*2048 {
		t.Errorf("10 CreateUser calls grew the state directory by %d bytes; want what they changed, under 2 KiB each", grown)
	}
	if n := iamstate.Of(readState(t, dir).Accounts["111111111111"]).Users.Len(); n != 20010 {
		t.Errorf("the state on disk holds %d users, want 20,010", n)
	}
}

func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}
