package journal

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentWriters runs the engine's write pattern from 64 goroutines
// while others read, and checks every record landed exactly once.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	const writers, perWriter = 64, 40
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := j.Unconfirmed(ctx); err != nil {
					t.Errorf("Unconfirmed: %v", err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if err := onboardOne(ctx, j, run, fmt.Sprintf("u%d-%d", g, i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	steps, err := j.Steps(ctx, run)
	must(t, err)
	people, err := j.People(ctx, "111122223333")
	must(t, err)
	unconfirmed, err := j.Unconfirmed(ctx)
	must(t, err)
	if len(steps) != 2*writers*perWriter || len(people) != writers*perWriter || len(unconfirmed) != 0 {
		t.Errorf("%d steps, %d people, %d unconfirmed; want %d, %d, 0", len(steps), len(people), len(unconfirmed), 2*writers*perWriter, writers*perWriter)
	}
	for _, p := range people {
		if p.CredentialState != CredentialDelivered || p.CredentialID != "c-"+p.UserName || !p.Managed {
			t.Fatalf("person %+v", p)
		}
	}
}

// TestGroupCommit checks that concurrent writers share transactions.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := openTemp(t)
	run := startRun(t, j)
	const writers, perWriter = 64, 20
	before := j.w.commits.Load()
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				s := StepRecord{RunID: run, Account: "111122223333", UserName: fmt.Sprintf("u%d", g), Step: fmt.Sprint(i), Status: StepDone}
				if err := j.RecordStep(ctx, s); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	commits := j.w.commits.Load() - before
	if commits > writers*perWriter/8 {
		t.Errorf("%d records took %d commits; want at most one per 8 records", writers*perWriter, commits)
	}
	t.Logf("%d records in %d commits", writers*perWriter, commits)
}

// onboardOne writes what the engine writes for one (account, person) pair.
func onboardOne(ctx context.Context, j *Journal, run int64, user string) error {
	const acct = "111122223333"
	step := StepRecord{RunID: run, Account: acct, UserName: user, Email: user + "@example.com", Step: "create-user", Status: StepDone}
	if err := j.RecordStep(ctx, step); err != nil {
		return err
	}
	if err := j.MarkUser(ctx, run, acct, user, user+"@example.com", true); err != nil {
		return err
	}
	if err := j.CredentialIssued(ctx, run, acct, user, "c-"+user); err != nil {
		return err
	}
	step.Step = "login-profile"
	if err := j.RecordStep(ctx, step); err != nil {
		return err
	}
	return j.CredentialDelivered(ctx, run, acct, user, "c-"+user, "ses", "msg-"+user)
}

const killHelperEnv = "GATEHOUSE_JOURNAL_KILL_HELPER"

// TestKillHelperProcess is the process TestKill9KeepsAcknowledgedWrites kills:
// it writes from 16 goroutines and prints "ack NAME" after each write returns.
func TestKillHelperProcess(t *testing.T) {
	path := os.Getenv(killHelperEnv)
	if path == "" {
		t.Skip("runs only as TestKill9KeepsAcknowledgedWrites's helper")
	}
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	run, err := j.StartRun(ctx, RunInfo{Command: "onboard"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Printf("run %d\n", run)
	for g := range 16 {
		go func() {
			for i := 0; ; i++ {
				name := fmt.Sprintf("r%d-w%d-%d", run, g, i)
				if err := onboardOne(ctx, j, run, name); err != nil {
					fmt.Println("error", err)
					os.Exit(3)
				}
				fmt.Printf("ack %s\n", name) // one write(2) per line: atomic on a pipe
			}
		}()
	}
	select {} // until killed
}

// TestKill9KeepsAcknowledgedWrites kills a writing process at random points,
// many times over one file, and checks after each kill that the file is
// intact and holds everything that was acknowledged.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.db")
	for round := range 6 {
		target := 20 + rand.IntN(600)
		acked, runs := killAfter(t, path, target)
		if len(acked) < target {
			t.Fatalf("round %d: only %d acknowledgements before the helper ended", round, len(acked))
		}
		checkAfterKill(t, path, acked, runs)
	}
}

// killAfter starts the helper and SIGKILLs it after target acknowledgements,
// then reads what it had printed before dying.
func killAfter(t *testing.T, path string, target int) (acked []string, run string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		kind, val, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "run":
			run = val
		case "ack":
			acked = append(acked, val)
		case "error":
			t.Errorf("helper: %s", val)
		}
		if len(acked) == target && !killed {
			killed = true
			must(t, cmd.Process.Kill()) // SIGKILL
		}
	}
	_ = cmd.Wait()
	return acked, run
}

func checkAfterKill(t *testing.T, path string, acked []string, run string) {
	t.Helper()
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening after kill: %v", err)
	}
	defer j.Close()
	var ok string
	must(t, j.db.QueryRow("PRAGMA integrity_check").Scan(&ok))
	if ok != "ok" {
		t.Fatalf("integrity_check: %s", ok)
	}
	runID, err := strconv.ParseInt(run, 10, 64)
	must(t, err)
	steps, err := j.Steps(ctx, runID)
	must(t, err)
	stepsOf := map[string]int{}
	for _, s := range steps {
		stepsOf[s.UserName]++
	}
	for _, name := range acked {
		p, found, err := j.Person(ctx, "111122223333", name)
		must(t, err)
		if !found || p.CredentialState != CredentialDelivered || stepsOf[name] != 2 {
			t.Fatalf("acknowledged %s lost: person %+v (found %v), %d steps", name, p, found, stepsOf[name])
		}
	}
	if r, found, _ := j.Run(ctx, runID); !found || r.Status != RunRunning {
		t.Errorf("run %s after kill: %+v, %v", run, r, found)
	}
}

func BenchmarkRecordStep64Writers(b *testing.B) { benchmarkWriters(b, 64) }
func BenchmarkRecordStep1Writer(b *testing.B)   { benchmarkWriters(b, 1) }

// benchmarkWriters measures durable records per second with n concurrent
// writers; each record is acknowledged only once on disk.
func benchmarkWriters(b *testing.B, n int) {
	ctx := context.Background()
	j := openTemp(b)
	run := startRun(b, j)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				err := j.RecordStep(ctx, StepRecord{RunID: run, Account: "111122223333", UserName: fmt.Sprintf("u%d", g),
					Step: "create-user", Status: StepDone, Detail: "created"})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
