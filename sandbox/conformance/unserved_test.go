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
	msg := cli.Fail("UnknownService", "identitystore", "list-users", "--identity-store-id", "d-1234567890")
	if !strings.Contains(msg, "AWSIdentityStore.ListUsers") {
		t.Errorf("identitystore message = %q, want it to name the target", msg)
	}
	cli.Fail("UnknownOperationException", "sesv2", "list-configuration-sets")
}
