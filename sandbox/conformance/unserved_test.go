package conformance

import (
	"strings"
	"testing"
)

// TestUnservedRequestsSpeakTheCLIsProtocol: a service or operation the sandbox
// does not serve is still answered in the protocol the client speaks, so the
// CLI prints an AWS error code instead of raw XML and a bare status.
func TestUnservedRequestsSpeakTheCLIsProtocol(t *testing.T) {
	cli := newCLI(t)
	msg := cli.Fail("UnknownService", "ecs", "list-clusters")
	if !strings.Contains(msg, "AmazonEC2ContainerServiceV20141113.ListClusters") {
		t.Errorf("ecs message = %q, want it to name the target", msg)
	}
	cli.Fail("UnknownOperationException", "sesv2", "list-configuration-sets")
}
