//go:build unix

package main

import "syscall"

// disableCoreDumps sets the core file size limit to zero, soft and hard.
func disableCoreDumps() {
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
