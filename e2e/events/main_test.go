// Package events_test drives gatehouse's event handling end to end: the
// binary as a Lambda function through the Lambda Runtime API, and (with the
// sandbox's SQS, SNS and EventBridge) as a queue worker.
package events_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/e2e/internal/harness"
)

var binary string

func TestMain(m *testing.M) {
	var cleanup func()
	var err error
	binary, cleanup, err = harness.Build("gatehouse-events-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}
