// Command gatehouse automates the life of a person's AWS identity: onboard,
// deliver credentials, offboard — and ships the sandbox, a local AWS to rehearse on.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/cli"
)

// exitCrash is the exit code of a panic in the command: a bug in gatehouse,
// which says nothing about the input (EX_SOFTWARE of sysexits.h). Go's own
// exit code for a crash is 2, which gatehouse uses for bad input alone.
const exitCrash = 70

func main() {
	prepareForCrash()
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		// The same binary, named bootstrap, is a Lambda function on
		// provided.al2023: it serves invocations until Lambda stops it.
		os.Exit(run(func(ctx context.Context, streams *cli.IO, _ []string) int { return cli.Lambda(ctx, streams) }))
	}
	os.Exit(run(cli.Main))
}

// prepareForCrash makes the crashes no recover can catch — a panic in
// another goroutine, a fatal error of the runtime such as running out of
// memory — end the process with SIGABRT instead of exit code 2, and turns
// core dumps off first: the process holds passwords, and a core file would
// write them to disk.
func prepareForCrash() {
	disableCoreDumps()
	debug.SetTraceback("crash")
}

// run runs the command line through mainFn (cli.Main) and returns the exit
// code; a panic in it is reported as a bug and exits exitCrash.
func run(mainFn func(context.Context, *cli.IO, []string) int) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "gatehouse: internal error (a bug in gatehouse, not a problem with the input; please report it): %v\n%s", r, debug.Stack())
			code = exitCrash
		}
	}()
	return mainFn(ctx, cli.StdIO(), os.Args[1:])
}
