package conformance

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/sandbox"
	"github.com/gatehouse/gatehouse/sandbox/iam/iamstate"
	"github.com/gatehouse/gatehouse/sandbox/state"
)

// createUserRaw sends an IAM CreateUser as account over plain HTTP (the server
// runs without --strict-auth) and reports whether it was acknowledged.
func createUserRaw(client *http.Client, base, account, name string) (bool, error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader("Action=CreateUser&Version=2010-05-08&UserName="+url.QueryEscape(name)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+account+"/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("CreateUser %s: %s: %s", name, resp.Status, body)
	}
	return true, nil
}

// readState is the world a sandbox restarted on DIR would load — the
// snapshot and the change log after it — as the files are now.
func readState(t *testing.T, dir string) *state.World {
	t.Helper()
	w, err := sandbox.ReadState(dir)
	if err != nil {
		t.Fatalf("reading the state in %s: %v", dir, err)
	}
	return w
}

// hammer creates users from several goroutines until the server stops
// answering; wait returns the names that were acknowledged.
func hammer(base, account string, round int) (wait func() []string) {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		acked []string
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for g := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				name := fmt.Sprintf("r%dw%dn%d", round, g, i)
				ok, err := createUserRaw(client, base, account, name)
				if err != nil {
					return
				}
				if ok {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			}
		})
	}
	return func() []string { wg.Wait(); return acked }
}

func TestKillNineNeverLosesAcknowledgedMutations(t *testing.T) {
	t.Parallel()
	dir, account := t.TempDir(), freshAccount()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var acked []string
	deadline := time.Now().Add(15 * time.Second)
	rounds := 0
	for ; rounds < 30 && time.Now().Before(deadline); rounds++ {
		srv := startServer(t, "--state", dir)
		wait := hammer(srv.url, account, rounds)
		time.Sleep(time.Duration(5+rng.IntN(150)) * time.Millisecond)
		_ = srv.cmd.Process.Kill() // SIGKILL: no chance to flush
		_ = srv.cmd.Wait()
		acked = append(acked, wait()...)

		users := iamstate.Of(readState(t, dir).LookupAccount(account)).Users
		for _, name := range acked {
			if _, ok := users.Get(name); !ok {
				t.Fatalf("round %d: acknowledged user %s is not in the state on disk after kill -9", rounds, name)
			}
		}
	}
	if rounds < 5 || len(acked) < 50 {
		t.Fatalf("only %d rounds and %d acknowledged mutations: the test proved little", rounds, len(acked))
	}
	// The restarted server serves exactly what the file holds.
	srv := startServer(t, "--state", dir)
	defer srv.stop()
	served := sandbox.NewWorld()
	getJSON(t, srv, "state", served)
	if n := iamstate.Of(served.LookupAccount(account)).Users.Len(); n < len(acked) {
		t.Errorf("restarted server has %d users, %d were acknowledged", n, len(acked))
	}
	t.Logf("%d kill -9 rounds, %d acknowledged mutations, none lost", rounds, len(acked))
}

func TestStateSurvivesRestartOfTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startServer(t, "--state", dir)
	cli := newCLIFor(t, srv, freshAccount())
	cli.Run("iam", "create-user", "--user-name", "persistent", "--tags", "Key=k,Value=v")
	srv.stop()

	srv = startServer(t, "--state", dir)
	defer srv.stop()
	cli = newCLIFor(t, srv, cli.Account)
	out := cli.Run("iam", "get-user", "--user-name", "persistent")
	if str(out, "User", "Tags", 0, "Value") != "v" {
		t.Errorf("after restart get-user = %v", out)
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir, account := t.TempDir(), freshAccount()
			srv := startServer(t, "--state", dir, "--latency", "700ms")
			result := make(chan error, 1)
			go func() {
				_, err := createUserRaw(&http.Client{Timeout: 10 * time.Second}, srv.url, account, "in-flight")
				result <- err
			}()
			time.Sleep(250 * time.Millisecond)
			if err := srv.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := <-result; err != nil {
				t.Errorf("in-flight request during shutdown: %v", err)
			}
			exited := make(chan error, 1)
			go func() { exited <- srv.cmd.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("sandbox exited with %v after %s, want 0", err, sig)
				}
			case <-time.After(10 * time.Second):
				_ = srv.cmd.Process.Kill()
				t.Fatalf("sandbox still running 10s after %s", sig)
			}
			if _, ok := iamstate.Of(readState(t, dir).LookupAccount(account)).Users.Get("in-flight"); !ok {
				t.Error("the in-flight mutation is not in the state file")
			}
		})
	}
}
