// Package conformance drives every supported sandbox action with the real AWS CLI v2
// against `gatehouse sandbox serve`, checking outputs and error codes. It holds only
// tests; the harness is in harness_test.go. Each test works in an account of its own
// (a distinct 12-digit access key), so tests run in parallel against one server.
package conformance
