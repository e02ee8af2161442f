package main

import (
	"github.com/gatehouse/gatehouse/bench/internal/gatehouseflags"
	"github.com/gatehouse/gatehouse/internal/onboard"
)

// concurrency is onboard's default --concurrency, for labels and reports.
func concurrency() gatehouseflags.Concurrency {
	return gatehouseflags.Concurrency{Min: onboard.DefaultConcurrency, PerAccount: onboard.ConcurrencyPerAccount, Pair: "(person, account)"}
}
