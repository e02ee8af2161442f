package harness

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// Seed returns the seed for a test's random choices: GATEHOUSE_E2E_SEED when
// set (to replay a failure), else the clock. It is logged either way, with
// the command that replays it (pkg is the suite's path, "./e2e/onboard").
func Seed(t *testing.T, pkg string) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if env := os.Getenv("GATEHOUSE_E2E_SEED"); env != "" {
		var err error
		if s, err = strconv.ParseUint(env, 10, 64); err != nil {
			t.Fatalf("GATEHOUSE_E2E_SEED=%q: %v", env, err)
		}
	}
	t.Logf("seed %d (replay with GATEHOUSE_E2E_SEED=%d go test %s -run '^%s$')", s, s, pkg, t.Name())
	return s
}

// Main builds the gatehouse binary (into a temporary directory named after
// prefix) for a suite's TestMain, sets *binary to it, runs the tests and
// removes it.
func Main(m *testing.M, prefix string, binary *string) {
	bin, cleanup, err := Build(prefix)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	*binary = bin
	code := m.Run()
	cleanup()
	os.Exit(code)
}
