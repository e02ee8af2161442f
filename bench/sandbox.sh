#!/usr/bin/env bash
# Measures the sandbox side by side with moto_server and prints Markdown for
# BENCHMARKS.md: the machine, then throughput (sandbox and moto in one run),
# start-up, memory with 100,000 users, and the in-process Go benchmarks.
#
#   bench/sandbox.sh                      # everything (about 2 minutes)
#   bench/sandbox.sh -duration 30s        # extra flags go to bench/sandbox (see -h)
#
# Needs Go and moto_server (pip install 'moto[server]'); pass -skip-moto without it.
# Run it on a quiet machine: the client and both servers share the CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/bench" ./bench/sandbox

moto_version=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo "not installed")
echo "## Sandbox benchmarks"
echo
echo "| | |"
echo "|---|---|"
echo "| date | $(date -u +%Y-%m-%d) |"
echo "| machine | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr) |"
echo "| Go | $(go env GOVERSION) |"
echo "| moto | $moto_version |"
echo "| gatehouse | $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes') |"
echo "| load average before | $(cut -d' ' -f1-3 /proc/loadavg) |"
echo "| command | \`bench/sandbox.sh $*\` |"
echo

"$work/bench" -gatehouse "$work/gatehouse" -fixture examples/sandbox/world.yaml "$@"
echo
echo "Load average after the measurements: $(cut -d' ' -f1-3 /proc/loadavg)."

echo
echo "### Go benchmarks (in process, through Server.ServeHTTP, no network or SDK)"
echo
echo '```'
go test ./sandbox -run '^$' -bench . -benchmem | grep -E '^(Benchmark|cpu:)'
echo '```'
