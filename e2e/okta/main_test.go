// Package okta_test drives gatehouse serve's Okta hook end to end: the
// binary, built once, serves the hook against `gatehouse sandbox serve`
// (our local AWS, with an IAM Identity Center instance), and is posted to,
// killed with SIGKILL and restarted the way Okta and an operator would.
package okta_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

// binary is the gatehouse binary built for this run.
var binary string

func TestMain(m *testing.M) { harness.Main(m, "gatehouse-e2e-okta-", &binary) }
