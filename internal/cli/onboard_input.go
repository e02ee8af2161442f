package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// maxInput bounds what is read from a file or standard input.
const maxInput = 64 << 20

// readOnboardInput reads and validates who to onboard: the -f file (or
// standard input for -) or the e-mail arguments, with the flags over them.
// Bad input is a UsageError carrying spec.Problems; no AWS call has been made.
func readOnboardInput(opts *OnboardOptions) (*spec.Input, error) {
	var (
		in  *spec.Input
		err error
	)
	if opts.File == "" {
		in, err = spec.FromArgs(opts.Emails, opts.Flags)
	} else {
		data, rerr := readInputFile(opts)
		if rerr != nil {
			return nil, rerr
		}
		in, err = spec.Parse(inputName(opts.File), data, opts.Flags)
	}
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return in, nil
}

func readInputFile(opts *OnboardOptions) ([]byte, error) {
	r := opts.IO.In
	if opts.File != "-" {
		f, err := os.Open(opts.File)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("reading %s: %w", opts.File, err)}
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("reading %s: %w", inputName(opts.File), err)}
	}
	if len(data) > maxInput {
		return nil, &UsageError{Err: fmt.Errorf("reading %s: more than %d MiB; split it", inputName(opts.File), maxInput>>20)}
	}
	return data, nil
}

func inputName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return file
}
