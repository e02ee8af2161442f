package sandbox

import (
	"fmt"
	"os"

	"github.com/gatehouse/gatehouse/sandbox/state"
)

// loadFixtureFile sets up w from a fixture file.
func loadFixtureFile(path string, w *state.World) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading fixture: %w", err)
	}
	w.Lock()
	defer w.Unlock()
	return applyFixture(data, path, w)
}

// applyFixture adds a YAML fixture's world to w. Call with w's write lock held.
// TODO(fixture helper): replaced by the real loader in this session.
func applyFixture(data []byte, source string, w *state.World) error {
	return fmt.Errorf("loading fixture (%s): fixtures are not implemented yet", source)
}
