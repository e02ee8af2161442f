package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// report is everything one run measured.
type report struct {
	workers     int
	duration    time.Duration
	rounds      []round
	startups    []startup
	memory      memoryResult
	persistence []persistence
}

// round is one side-by-side throughput measurement.
type round struct{ sandbox, moto throughput }

func (r round) ratio() float64 {
	if r.moto.requests == 0 {
		return 0
	}
	return r.sandbox.rate() / r.moto.rate()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func pair(p [2]time.Duration) string { return ms(p[0]) + " / " + ms(p[1]) }

// write prints the report as Markdown.
func (r report) write(w io.Writer) {
	if len(r.rounds) > 0 {
		r.writeThroughput(w)
	}
	if len(r.startups) > 0 {
		r.writeStartups(w)
	}
	if r.memory.users > 0 {
		r.writeMemory(w)
	}
	if len(r.persistence) > 0 {
		r.writePersistence(w)
	}
}

func (r report) writePersistence(w io.Writer) {
	p := r.persistence[0]
	fmt.Fprintf(w, "\n### Persistence: acknowledged CreateUser with `--state`, %d workers, %s per world size\n\n", r.workers, p.elapsed.Round(time.Second))
	fmt.Fprintln(w, "| users in the account at start | acknowledged CreateUser | per second | p50 | p99 | errors | state directory after |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|")
	for _, p := range r.persistence {
		fmt.Fprintf(w, "| %d | %d | %.0f | %s | %s | %d | %s |\n", p.users, p.acked, p.rate(), ms(p.p50), ms(p.p99), p.errors, mb(p.stateSize))
	}
	for _, p := range r.persistence {
		if p.firstErr != "" {
			fmt.Fprintf(w, "\nWith %d users, first error: `%s`\n", p.users, p.firstErr)
		}
	}
}

func (r report) writeThroughput(w io.Writer) {
	fmt.Fprintf(w, "### Throughput: 1 CreateUser : 3 GetUser : 1 ListUsers (MaxItems 100), %d workers, %s per server, %d rounds\n\n", r.workers, r.duration, len(r.rounds))
	fmt.Fprintln(w, "| round | server | requests | errors | req/s | p50 | p99 | CreateUser p50 / p99 | GetUser p50 / p99 | ListUsers p50 / p99 | CPU per request: server / client | other processes' CPU | server RSS after |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var ratios []float64
	for i, rd := range r.rounds {
		for _, t := range []throughput{rd.sandbox, rd.moto} {
			if t.server == "" {
				continue
			}
			fmt.Fprintf(w, "| %d | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %s / %s | %.0f%% | %s |\n", i+1, t.server, t.requests, t.errors, t.rate(), ms(t.p50), ms(t.p99),
				pair(t.perOp["CreateUser"]), pair(t.perOp["GetUser"]), pair(t.perOp["ListUsers"]), us(t.serverCPU), us(t.clientCPU), 100*t.others, mb(t.rss.RSS))
		}
		if rd.moto.server != "" {
			ratios = append(ratios, rd.ratio())
		}
	}
	if len(ratios) > 0 {
		each := make([]string, len(ratios))
		for i, x := range ratios {
			each[i] = fmt.Sprintf("%.1f×", x)
		}
		sorted := slices.Clone(ratios)
		slices.Sort(sorted)
		fmt.Fprintf(w, "\n**Sandbox / moto throughput: median %.1f×** over the rounds (%s; goal ≥ 20×).\n", sorted[len(sorted)/2], strings.Join(each, ", "))
	}
	for i, rd := range r.rounds {
		for _, t := range []throughput{rd.sandbox, rd.moto} {
			if t.firstErr != "" {
				fmt.Fprintf(w, "\nRound %d, first error from %s: `%s`\n", i+1, t.server, t.firstErr)
			}
		}
	}
}

func (r report) writeStartups(w io.Writer) {
	fmt.Fprintf(w, "\n### Start-up: process start → first 200 from /_sandbox/health (%d runs each)\n\n", r.startups[0].runs)
	fmt.Fprintln(w, "| configuration | median | min | max |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, s := range r.startups {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", s.config, ms(s.median), ms(s.min), ms(s.max))
	}
}

func (r report) writeMemory(w io.Writer) {
	m := r.memory
	fmt.Fprintf(w, "\n### Memory: %d users (path, two tags each) created over the API\n\n", m.users)
	fmt.Fprintln(w, "| users | load time | create rate | VmRSS | VmHWM (peak) | Go live heap at last GC | GCs | users listed back |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|")
	fmt.Fprintf(w, "| %d | %.1f s | %.0f/s | %s | %s | %s | %d | %d |\n", m.users, m.load.Seconds(), float64(m.users)/m.load.Seconds(),
		mb(m.mem.RSS), mb(m.mem.HWM), mb(m.liveHeap), m.gcs, m.listed)
}
