#!/usr/bin/env bash
# Measures gatehouse's Identity Center directory against the sandbox's
# Identity Center quotas (AWS's: 20 requests/s for the instance, 15
# assignment operations in flight) and prints Markdown for the Identity
# Center section of BENCHMARKS.md: 200 people × 5 accounts onboarded, the
# no-op rerun, and everyone offboarded, each against the bound the 20
# requests/s set (about 5 minutes in all).
#
#   bench/identitycenter/run.sh                    # the defaults
#   bench/identitycenter/run.sh -people 50 -latency 0 -offboard=false
#   go run ./bench/identitycenter -h               # the measurement program's flags
#
# Needs Go and GNU time (/usr/bin/time, for peak RSS). The runs are bound by
# the quota, not the CPU, but a loaded machine still shows in the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/bench" ./bench/identitycenter

echo "### Results — $(date -u +%Y-%m-%d)"
echo
echo "| | |"
echo "|---|---|"
echo "| date | $(date -u +%Y-%m-%d) |"
echo "| machine | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr) |"
echo "| Go | $(go env GOVERSION) |"
echo "| gatehouse | $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes') |"
echo "| load average before | $(cut -d' ' -f1-3 /proc/loadavg) |"
echo "| command | \`bench/identitycenter/run.sh $*\` |"
echo

"$work/bench" -gatehouse "$work/gatehouse" "$@"
