package main

import (
	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/internal/offboard"
)

// concurrency is offboard's default --concurrency, for labels and reports.
func concurrency() gatehouseflags.Concurrency {
	return gatehouseflags.Concurrency{Min: offboard.DefaultConcurrency, PerAccount: offboard.ConcurrencyPerAccount, Pair: "(user, account)"}
}
