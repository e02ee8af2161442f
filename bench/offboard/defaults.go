package main

import (
	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/internal/engine"
)

// concurrency is offboard's default --concurrency, for labels and reports.
func concurrency() gatehouseflags.Concurrency {
	return gatehouseflags.Concurrency{Min: engine.DefaultConcurrency, PerAccount: engine.ConcurrencyPerScope, Pair: "(user, account)"}
}
