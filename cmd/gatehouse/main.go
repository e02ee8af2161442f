// Command gatehouse automates the life of a person's AWS identity: onboard,
// deliver credentials, offboard — and ships the sandbox, a local AWS to rehearse on.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.Main(ctx, cli.StdIO(), os.Args[1:]))
}
