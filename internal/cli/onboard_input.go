package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/gatehouse/gatehouse/internal/spec"
)

// maxInput bounds what is read from a file or standard input.
const maxInput = 64 << 20

// readInput reads and validates who a command is about: the -f file (or
// standard input for -), else what fromArgs makes of the arguments, with the
// flags over them. Bad input is a UsageError carrying spec.Problems; no AWS
// call has been made.
func readInput(streams *IO, file string, flags spec.Flags, fromArgs func() (*spec.Input, error)) (*spec.Input, error) {
	var (
		in  *spec.Input
		err error
	)
	if file == "" {
		in, err = fromArgs()
	} else {
		data, rerr := readInputFile(streams, file)
		if rerr != nil {
			return nil, rerr
		}
		in, err = spec.Parse(inputName(file), data, flags)
	}
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return in, nil
}

func readInputFile(streams *IO, file string) ([]byte, error) {
	r := streams.In
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("reading %s: %w", file, err)}
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("reading %s: %w", inputName(file), err)}
	}
	if len(data) > maxInput {
		return nil, &UsageError{Err: fmt.Errorf("reading %s: more than %d MiB; split it", inputName(file), maxInput>>20)}
	}
	return data, nil
}

func inputName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return file
}
