#!/usr/bin/env bash
# Measures `gatehouse offboard` against the sandbox and prints Markdown for
# the Offboarding section of BENCHMARKS.md: the machine, then
#   1. critical path: one fully loaded user, 50 ms per call, at gatehouse's
#      default rate limit (adaptive: up to 100 requests/s, burst 50), at a
#      fixed --rate-limit 20 and with the limit out of the way (1000);
#   2. 200 people × 5 member accounts under a per-account rate limit of 100
#      requests/s (gatehouse's --rate-limit 95), against the bound the limit
#      sets, at gatehouse's default --concurrency (8 per account: 40) and at
#      1000; peak RSS;
#   3. side by side with bench/offboard/runbook.py, a boto3 script making
#      AWSConfigRemediation-DeleteIAMUser's calls one after another (seed 002):
#      gatehouse at its defaults (no --rate-limit, no --concurrency) in an
#      account limited to 100 and to 20 requests/s, and with --rate-limit 1000
#      in one without a limit.
#
# A gatehouse rate or concurrency of 0 (-critical-rates, -gatehouse-rate,
# -runbook-gatehouse-rate, -concurrency) leaves the flag out, so gatehouse
# runs at its default.
#
#   bench/offboard/run.sh                          # everything (about 15 minutes)
#   bench/offboard/run.sh -only critical           # extra flags go to bench/offboard (-h lists them)
#   bench/offboard/run.sh -only scale -concurrency 0,1000
#   bench/offboard/run.sh -only scale -gatehouse-rate 0   # gatehouse's adaptive rate limit in the scale run
#   bench/offboard/run.sh -only runbook -runbook-users 20
#
# Needs Go and python3 with boto3. Run it on a quiet machine: gatehouse, the
# sandbox and the script share the CPUs.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/bench" ./bench/offboard

echo "### Measured"
echo
echo "| | |"
echo "|---|---|"
echo "| date | $(date -u +%Y-%m-%d) |"
echo "| machine | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr) |"
echo "| Go | $(go env GOVERSION) |"
echo "| Python, boto3 | $(python3 -c 'import sys, boto3; print(sys.version.split()[0] + ", " + boto3.__version__)') |"
echo "| gatehouse | $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes') |"
echo "| load average before | $(cut -d' ' -f1-3 /proc/loadavg) |"
echo "| command | \`bench/offboard/run.sh $*\` |"
echo

"$work/bench" -gatehouse "$work/gatehouse" -runbook bench/offboard/runbook.py -gatehouse-rate 95 "$@"
