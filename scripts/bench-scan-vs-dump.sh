#!/usr/bin/env bash
# bench-scan-vs-dump.sh: the CPU time (user + system) of `hivescan scan` of
# one host against `hivescan dump --format jsonl` of each of its hives, each
# a fresh process as a responder runs them, and their ratio (the goal of
# issue 15: a scan at most 0.5x a full dump).
#
#   scripts/bench-scan-vs-dump.sh [RUNS [REPS]]   (default 10 and 10)
#
# Each of RUNS measurements times REPS runs of a command in one go (so that
# time's 10 ms resolution is a tenth of that per run) and divides; the
# medians of the RUNS measurements are printed.
#
# The host is regipy's SYSTEM, SAM, SECURITY, Amcache.hve, NTUSER.DAT and
# UsrClass.dat with its logs from the corpus ($HIVESCAN_CORPUS, default
# ../shared/corpus), laid out as BenchmarkScanVsDump lays them out.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
reps=${2:-10}
corpus=${HIVESCAN_CORPUS:-../shared/corpus}
src=$corpus/mkorman90__regipy/regipy_tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/hivescan" ./cmd/hivescan
host=$tmp/host
mkdir -p "$host/Windows/System32/config" "$host/Windows/AppCompat/Programs" "$host/Users/user/AppData/Local/Microsoft/Windows"
cp "$src/SYSTEM" "$src/SAM" "$src/SECURITY" "$host/Windows/System32/config/"
cp "$src/amcache.hve" "$host/Windows/AppCompat/Programs/Amcache.hve"
cp "$src/NTUSER.DAT" "$host/Users/user/"
cp "$src/UsrClass.dat" "$src/UsrClass.dat.LOG1" "$src/UsrClass.dat.LOG2" "$host/Users/user/AppData/Local/Microsoft/Windows/"
hives=("$host/Windows/System32/config/SYSTEM" "$host/Windows/System32/config/SAM" "$host/Windows/System32/config/SECURITY"
	"$host/Windows/AppCompat/Programs/Amcache.hve" "$host/Users/user/NTUSER.DAT" "$host/Users/user/AppData/Local/Microsoft/Windows/UsrClass.dat")

cpu() { # CPU seconds (user + system) and wall seconds of one run of a command, over reps runs
	/usr/bin/time -f "%U %S %e" -o "$tmp/t" sh -c 'n=$1; shift; for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done' sh "$reps" "$@" || true
	awk -v n="$reps" '{print ($1 + $2) / n, $3 / n}' "$tmp/t"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
: >"$tmp/scan"
: >"$tmp/dump"
: >"$tmp/live"
for ((i = 0; i < runs; i++)); do
	cpu "$tmp/hivescan" scan --quiet --problems-ok --format jsonl "$host" >>"$tmp/scan"
	cpu "$tmp/hivescan" scan --quiet --problems-ok --no-deleted --format jsonl "$host" >>"$tmp/live"
	t=0 w=0
	for h in "${hives[@]}"; do
		read -r c e < <(cpu "$tmp/hivescan" dump --format jsonl "$h")
		t=$(echo "$t + $c" | bc) w=$(echo "$w + $e" | bc)
	done
	echo "$t $w" >>"$tmp/dump"
done
col() { cut -d' ' -f"$1" "$2" | median; }
s=$(col 1 "$tmp/scan") l=$(col 1 "$tmp/live") d=$(col 1 "$tmp/dump")
sw=$(col 2 "$tmp/scan") dw=$(col 2 "$tmp/dump")
printf 'CPU:  scan %.3f s, scan --no-deleted %.3f s, dump of its %d hives %.3f s (medians of %d runs of %d each)\n' "$s" "$l" "${#hives[@]}" "$d" "$runs" "$reps"
printf 'CPU:  scan/dump %.2f, scan --no-deleted/dump %.2f\n' "$(echo "$s / $d" | bc -l)" "$(echo "$l / $d" | bc -l)"
printf 'wall: scan %.3f s, dumps %.3f s, scan/dump %.2f (scan on every core, as by default)\n' "$sw" "$dw" "$(echo "$sw / $dw" | bc -l)"
