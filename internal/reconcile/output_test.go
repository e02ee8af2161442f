package reconcile

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/engine"
)

// An empty plan names what matches the spec: the accounts, or the
// identity store.
func TestSentenceOfAnEmptyPlanNamesTheDirectory(t *testing.T) {
	for dir, want := range map[string]string{
		engine.DirectoryIAM:            "No changes: the accounts match the spec.\n",
		engine.DirectoryIdentityCenter: "No changes: the identity store matches the spec.\n",
	} {
		if got := sentence(dir, nil); got != want {
			t.Errorf("%s: %q, want %q", dir, got, want)
		}
	}
	if got := sentence(engine.DirectoryIAM, []Change{{Action: ActionCreate}, {Action: ActionRemove}, {Action: ActionCreate}}); got != "Plan: 2 to create, 1 to remove.\n" {
		t.Errorf("a plan of changes: %q", got)
	}
}
