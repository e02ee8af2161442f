// Package measure runs a command to the end and measures it for the
// benchmark programs: wall time, peak RSS, exit code and output.
package measure

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is one finished run.
type Process struct {
	Start, End time.Time
	Wall       time.Duration
	CPU        time.Duration // user + system, the command's and its children's
	MaxRSSKB   int64
	Code       int
	Stdout     bytes.Buffer
	Stderr     bytes.Buffer
}

// timeBinary is GNU time, which reports a command's peak RSS (%M).
const timeBinary = "/usr/bin/time"

// Run runs a command to the end and measures it. The peak RSS is the
// largest of the command and the processes it waited for (ru_maxrss), taken
// by /usr/bin/time: Go starts children with vfork semantics, and Linux then
// counts the parent's own high-water mark into the child's ru_maxrss, so the
// rusage Go hands back would show this program's size for small commands.
// Without /usr/bin/time that rusage is used, an upper bound.
func Run(ctx context.Context, env []string, name string, args ...string) (*Process, error) {
	p := &Process{}
	rss, err := os.CreateTemp("", "maxrss-")
	if err != nil {
		return nil, err
	}
	rss.Close()
	defer os.Remove(rss.Name())
	cmd := exec.CommandContext(ctx, timeBinary, append([]string{"-f", "%M", "-o", rss.Name(), name}, args...)...)
	if _, err := os.Stat(timeBinary); err != nil {
		cmd = exec.CommandContext(ctx, name, args...)
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &p.Stdout, &p.Stderr
	p.Start = time.Now()
	err = cmd.Run()
	p.End = time.Now()
	p.Wall = p.End.Sub(p.Start)
	if cmd.ProcessState == nil {
		return nil, err
	}
	p.Code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.MaxRSSKB = ru.Maxrss
		p.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if data, err := os.ReadFile(rss.Name()); err == nil {
		// GNU time writes "Command exited with non-zero status N" first when it fails.
		if words := strings.Fields(string(data)); len(words) > 0 {
			if n, err := strconv.ParseInt(words[len(words)-1], 10, 64); err == nil {
				p.MaxRSSKB = n
			}
		}
	}
	return p, nil
}

// MustSucceed turns a non-zero exit into an error carrying the output's end.
func (p *Process) MustSucceed(what string) error {
	if p.Code == 0 {
		return nil
	}
	return fmt.Errorf("%s exited with %d:\n%s\n%s", what, p.Code, Tail(p.Stdout.String(), 15), Tail(p.Stderr.String(), 15))
}

// Tail is the last n lines of s.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
