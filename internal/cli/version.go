package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/gatehouse/gatehouse/internal/cli.Version=…".
var Version = "dev"

// VersionOptions are the version command's options.
type VersionOptions struct {
	IO *IO
}

// NewCmdVersion builds `gatehouse version`.
func NewCmdVersion(streams *IO, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: streams}
	return &cobra.Command{
		Use:   "version",
		Short: "Print gatehouse's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runVersion(opts)
		},
	}
}

func runVersion(opts *VersionOptions) error {
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " (" + s.Value[:12] + ")"
			}
		}
	}
	_, err := fmt.Fprintf(opts.IO.Out, "gatehouse %s%s %s %s/%s\n", Version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
