#!/usr/bin/env bash
# bench-jobs.sh: scan a folder of many hosts at --jobs 1, 2, ... side by side
# and print wall time, CPU time and peak RSS per N.
#
#   scripts/bench-jobs.sh [HOSTS] [JOBS...]     (default: 64 hosts, jobs 1 2)
#
# The folder is the sample hosts of testdata/evidence copied over and over
# (BenchmarkScanHosts builds the same fleet in-process), or FLEET=/path to
# time a real one.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-64}
shift || true
if [ $# -gt 0 ]; then jobs=("$@"); else jobs=(1 2); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/hivescan" ./cmd/hivescan
fleet=${FLEET:-}
if [ -z "$fleet" ]; then
	fleet=$tmp/fleet
	samples=(testdata/evidence/*/)
	for ((i = 0; i < hosts; i++)); do
		src=${samples[i % ${#samples[@]}]}
		mkdir -p "$fleet"
		cp -r "$src" "$fleet/host-$(printf %02d "$i")-$(basename "$src")"
	done
fi
printf '%-6s %10s %10s %10s\n' jobs wall_s cpu_s rss_kb
for j in "${jobs[@]}"; do
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$tmp/hivescan" scan --quiet --problems-ok --jobs "$j" --format jsonl "$fleet" >/dev/null || true
	read -r wall user sys rss <"$tmp/t"
	printf '%-6s %10s %10.2f %10s\n' "$j" "$wall" "$(echo "$user + $sys" | bc)" "$rss"
done
