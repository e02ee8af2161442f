// Command profiled is gatehouse with profiling: it runs gatehouse's own
// command line (cli.Main) in-process and writes a CPU profile, the heap
// profile taken when the live heap peaked, and goroutine profiles at
// intervals (where the workers wait: the rate limiter, the network, the
// journal). bench/onboard uses it to find where a run's time and memory go:
//
//	go build -o /tmp/profiled ./bench/onboard/profiled
//	/tmp/profiled -dir /tmp/prof -- onboard -f spec.yaml --endpoint-url … --concurrency 128
//	go tool pprof -top /tmp/profiled /tmp/prof/cpu.pprof
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/cli"
)

func main() {
	dir := flag.String("dir", "profiles", "write the profiles into `DIR`")
	every := flag.Duration("goroutines-every", 10*time.Second, "take a goroutine profile this often")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "profiled:", err)
		os.Exit(1)
	}
	cpu, err := os.Create(filepath.Join(*dir, "cpu.pprof"))
	if err == nil {
		err = pprof.StartCPUProfile(cpu)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "profiled:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	watched := make(chan struct{})
	go watch(*dir, *every, done, watched)
	code := cli.Main(ctx, cli.StdIO(), flag.Args())
	stop()
	close(done)
	<-watched
	pprof.StopCPUProfile()
	cpu.Close()
	os.Exit(code)
}

// watch keeps the heap profile of the largest live heap seen and writes a
// goroutine profile every so often, until done.
func watch(dir string, every time.Duration, done <-chan struct{}, finished chan<- struct{}) {
	defer close(finished)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	var heap bytes.Buffer
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	start, n := time.Now(), 0
	for {
		select {
		case <-done:
			_ = os.WriteFile(filepath.Join(dir, "heap-peak.pprof"), heap.Bytes(), 0o600)
			fmt.Fprintf(os.Stderr, "profiled: live heap peaked at %d MiB; profiles in %s\n", peak>>20, dir)
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if live := sample[0].Value.Uint64(); live > peak {
			peak = live
			heap.Reset()
			_ = pprof.Lookup("heap").WriteTo(&heap, 0)
		}
		if time.Since(start) >= time.Duration(n+1)*every {
			n++
			var g bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&g, 1)
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("goroutines-%03ds.txt", n*int(every/time.Second))), g.Bytes(), 0o600)
			fmt.Fprintf(os.Stderr, "profiled: %d goroutines at %v\n", runtime.NumGoroutine(), time.Since(start).Round(time.Second))
		}
	}
}
