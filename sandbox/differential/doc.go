// Package differential holds the moto differential suite: scenarios that run the
// same aws-sdk-go-v2 calls against the sandbox and against moto_server, and check
// both against AWS's documented behaviour. The sandbox must match AWS — a
// scenario fails otherwise. Where moto departs from AWS the departure is
// recorded, not failed, and the suite keeps docs/moto-differences.md in step
// with what it found:
//
//	go test ./sandbox/differential/                         # compare with the document
//	GATEHOUSE_WRITE_DIFF=1 go test ./sandbox/differential/  # rewrite it
//
// Without moto_server on PATH (pip install 'moto[server]'), or with
// GATEHOUSE_MOTO_SERVER naming another executable, every scenario is skipped with
// one message saying so; that includes CI.
package differential
