#!/usr/bin/env bash
# bench-peers.sh: time a full hivescan dump against hivexml and reglookup on
# one hive (default: the corpus's SYSTEM_WIN_10_1709, 15.5 MB, 43,211 keys,
# 90,307 values) and print wall time, peak RSS and ratios.
#
#   scripts/bench-peers.sh [HIVE] [RUNS]
#
# Uses hyperfine for timing when installed; peak RSS always comes from
# /usr/bin/time -v. Until cmd/hivescan exists, hivescan is timed through
# BenchmarkDump (in-process, output discarded) and its peak RSS is that of
# the test binary running one dump.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${HIVESCAN_CORPUS:-../shared/corpus}
hive=${1:-$corpus/mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709}
runs=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -f "$hive" ] || { echo "no hive at $hive" >&2; exit 2; }
size=$(stat -c %s "$hive")

declare -A cmds
if [ -d cmd/hivescan ] && go build -o "$tmp/hivescan" ./cmd/hivescan 2>/dev/null &&
	"$tmp/hivescan" dump --format jsonl "$hive" >/dev/null 2>&1; then
	cmds[hivescan]="$tmp/hivescan dump --format jsonl $hive"
else
	echo "note: cmd/hivescan dump not available; timing BenchmarkDump/jsonl instead" >&2
fi
command -v hivexml >/dev/null && cmds[hivexml]="hivexml -k $hive"
command -v reglookup >/dev/null && cmds[reglookup]="reglookup -H $hive"

# seconds NAME: mean wall time over $runs runs, output to /dev/null.
seconds() {
	local cmd=${cmds[$1]}
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 1 -r "$runs" --export-json "$tmp/$1.json" "$cmd" >/dev/null 2>&1
		python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$tmp/$1.json"
	else
		local start end
		start=$(date +%s.%N)
		for _ in $(seq "$runs"); do $cmd >/dev/null 2>&1 || true; done
		end=$(date +%s.%N)
		echo "($end - $start) / $runs" | bc -l
	fi
}

# rss NAME: peak resident set size in KiB of one run.
rss() {
	/usr/bin/time -v ${cmds[$1]} 2>"$tmp/$1.time" >/dev/null || true
	awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$1.time"
}

declare -A secs kib
for name in "${!cmds[@]}"; do
	secs[$name]=$(seconds "$name")
	kib[$name]=$(rss "$name")
done
if [ -z "${cmds[hivescan]:-}" ]; then
	ns=$(go test ./hive/ -run XXX -bench 'BenchmarkDump/jsonl' -benchtime="${runs}x" 2>/dev/null |
		awk '/BenchmarkDump\/jsonl/ {print $3}')
	secs[hivescan]=$(echo "$ns / 1000000000" | bc -l)
	# Peak RSS of one in-process dump (test binary, output discarded).
	go test -c -o "$tmp/hive.test" ./hive/
	(cd hive && /usr/bin/time -v "$tmp/hive.test" -test.run XXX -test.bench 'BenchmarkDump/jsonl' \
		-test.benchtime=1x 2>"$tmp/hivescan.time" >/dev/null) || true
	kib[hivescan]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/hivescan.time")
fi

printf '%s: %d bytes, %d runs\n' "$hive" "$size" "$runs"
printf '%-10s %10s %12s %10s\n' tool seconds peak_MiB rss/hive
for name in hivescan hivexml reglookup; do
	[ -n "${secs[$name]:-}" ] || continue
	mib=""; ratio=""
	if [ -n "${kib[$name]:-}" ]; then
		mib=$(echo "${kib[$name]} / 1024" | bc -l)
		ratio=$(echo "${kib[$name]} * 1024 / $size" | bc -l)
	fi
	printf '%-10s %10.3f %12.1f %10.2f\n' "$name" "${secs[$name]}" "${mib:-0}" "${ratio:-0}"
done
for peer in hivexml reglookup; do
	[ -n "${secs[$peer]:-}" ] || continue
	printf 'hivescan time / %s time: %.2f\n' "$peer" "$(echo "${secs[hivescan]} / ${secs[$peer]}" | bc -l)"
done
