#!/usr/bin/env bash
# Measures `gatehouse watch` against the sandbox and prints Markdown for the
# Events section of BENCHMARKS.md: the machine, then
#   - throughput: 200 CreateUser events completed by one watcher and by three
#     sharing the queue and the journal, against a sandbox with 50 ms latency
#     and 50 requests/s per account, next to the bound that rate sets;
#   - delay: CreateUser answered → mail sent, p50 and p99, for users created
#     one at a time and for a burst, with one watcher running.
#
#   bench/events/run.sh                         # everything (about 6 minutes)
#   bench/events/run.sh -only delay             # extra flags go to bench/events (-h lists them)
#   bench/events/run.sh -only throughput -watchers 1,2,3 -users 500
#
# Needs Go. Run it on a quiet machine: the watchers and the sandbox share the CPUs.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/bench" ./bench/events

echo "### Results — $(date -u +%Y-%m-%d)"
echo
echo "| | |"
echo "|---|---|"
echo "| date | $(date -u +%Y-%m-%d) |"
echo "| machine | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr) |"
echo "| Go | $(go env GOVERSION) |"
echo "| gatehouse | $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes') |"
echo "| load average before | $(cut -d' ' -f1-3 /proc/loadavg) |"
echo "| command | \`bench/events/run.sh $*\` |"
echo

"$work/bench" -gatehouse "$work/gatehouse" "$@"
echo "Load average after the measurements: $(cut -d' ' -f1-3 /proc/loadavg)."
