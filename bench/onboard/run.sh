#!/usr/bin/env bash
# Measures `gatehouse onboard` against the sandbox and prints Markdown for the
# Onboarding section of BENCHMARKS.md: the machine, then
#   - 1,000 people × 10 member accounts with 50 ms latency and 50 requests/s
#     per account (in the sandbox and, as --rate-limit 50, in gatehouse): wall
#     time against the bound the rate limits set, and peak RSS, with and
#     without SES mail, at gatehouse's default --concurrency (8 per account:
#     80) and at 128;
#   - 100 people side by side with a shell loop of AWS CLI v2 calls doing the
#     same steps (bench/onboard/cli-loop.sh), same latency: gatehouse at its
#     defaults (no --rate-limit, no --concurrency) and with
#     --rate-limit 1000 --concurrency 100.
#
# A -concurrency or -gatehouse-rate of 0 leaves gatehouse's flag out, so it
# runs at its default (for --rate-limit: adaptive, up to 100/s, burst 50).
#
#   bench/onboard/run.sh                       # everything (about 20 minutes)
#   bench/onboard/run.sh -only cli             # extra flags go to bench/onboard (-h lists them)
#   bench/onboard/run.sh -only scale -deliver ses -concurrency 128
#   bench/onboard/run.sh -only scale -gatehouse-rate 0   # gatehouse's adaptive rate limit in the scale runs
#
# Needs Go and, for the comparison, the AWS CLI v2 (Debian's awscli package
# puts it at /usr/bin/aws; a v1 earlier on PATH is skipped). Run it on a quiet
# machine: gatehouse, the sandbox and the CLI share the CPUs.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/bench" ./bench/onboard

echo "### Results — $(date -u +%Y-%m-%d)"
echo
echo "| | |"
echo "|---|---|"
echo "| date | $(date -u +%Y-%m-%d) |"
echo "| machine | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr) |"
echo "| Go | $(go env GOVERSION) |"
echo "| gatehouse | $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes') |"
echo "| load average before | $(cut -d' ' -f1-3 /proc/loadavg) |"
echo "| command | \`bench/onboard/run.sh $*\` |"
echo

"$work/bench" -gatehouse "$work/gatehouse" -loop bench/onboard/cli-loop.sh "$@"
