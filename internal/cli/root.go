// Package cli holds gatehouse's commands, one file each, built the GitHub CLI way:
// an options struct, a NewCmdX constructor taking a runF for tests, and a runX.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/internal/runenv"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailed   = 1 // the command ran and something failed
	ExitUsage    = 2 // bad input or usage; nothing was changed
	ExitChanges  = 3 // plan --detailed-exitcode: changes are pending
	ExitFindings = 3 // audit --fail-on-findings: the audit ran and found something
	exitUnknown  = 1
)

// ExitError ends a command with Code, saying Msg when it is not empty: an
// outcome a script reads from the exit code, not a failure.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// IO is where commands read and write; tests pass buffers.
type IO struct {
	In         io.Reader
	Out        io.Writer
	Err        io.Writer
	IsTerminal bool
	// Getenv reads the environment (secrets such as GATEHOUSE_SMTP_PASSWORD
	// come from there, never from flags); nil is os.Getenv.
	Getenv func(string) string
}

// getenv reads the environment variable key through Getenv.
func (s *IO) getenv(key string) string {
	if s.Getenv == nil {
		return os.Getenv(key)
	}
	return s.Getenv(key)
}

// StdIO is the process's standard streams.
func StdIO() *IO {
	fi, err := os.Stdout.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, IsTerminal: tty, Getenv: os.Getenv}
}

// UsageError marks bad input: exit code 2.
type UsageError = runenv.UsageError

// usageErrorf builds a UsageError.
func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// NewCmdRoot builds the gatehouse command tree. Every subcommand is added here.
func NewCmdRoot(streams *IO) *cobra.Command {
	root := &cobra.Command{
		Use:           "gatehouse",
		Short:         "Onboard, deliver credentials to and offboard people in AWS accounts",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })

	root.AddCommand(NewCmdVersion(streams, nil))
	root.AddCommand(NewCmdSandbox(streams))
	root.AddCommand(NewCmdOnboard(streams, nil))
	root.AddCommand(NewCmdHistory(streams, nil))
	root.AddCommand(NewCmdOffboard(streams, nil))
	root.AddCommand(NewCmdServe(streams, nil))
	root.AddCommand(NewCmdDeliver(streams, nil))
	root.AddCommand(NewCmdTemplate(streams))
	root.AddCommand(NewCmdWatch(streams, nil))
	root.AddCommand(NewCmdPolicy(streams, nil))
	root.AddCommand(NewCmdDoctor(streams, nil))
	root.AddCommand(NewCmdExport(streams, nil))
	root.AddCommand(NewCmdPlan(streams, nil))
	root.AddCommand(NewCmdApply(streams, nil))
	root.AddCommand(NewCmdAudit(streams, nil))
	return root
}

// Main runs the command line and maps errors to exit codes; it is the only place
// that decides an exit code.
func Main(ctx context.Context, streams *IO, args []string) int {
	root := NewCmdRoot(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		if exit.Msg != "" {
			fmt.Fprintln(streams.Err, "gatehouse:", exit.Msg)
		}
		return exit.Code
	}
	fmt.Fprintln(streams.Err, "gatehouse:", err)
	var usage *UsageError
	if errors.As(err, &usage) || isCobraUsage(err) {
		return ExitUsage
	}
	return exitUnknown
}

// isCobraUsage recognises cobra's own argument errors (unknown command, arg counts).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "invalid argument"} {
		if len(msg) >= len(p) && contains(msg, p) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
