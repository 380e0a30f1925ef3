#!/usr/bin/env bash
# bench-profiles.sh: scanner MB/s per JSON input profile, on the same requests in each format.
#
#   bench/bench-profiles.sh [--size small|month] [--runs N]
#
# Builds bench_scan (Release, build-bench/), generates the Distribution month once (regsla-gen, as
# run-bench.sh does), rewrites it as gitlab, zot and nginx-json lines with
# tests/oracle/convert_month.py (same requests, times and statuses), and runs bench_scan on each
# with --profile: every kernel, one thread, thread CPU time, minimum of N runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build-bench
size=small runs=3
while [ $# -gt 0 ]; do
    case $1 in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "bench-profiles.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case $size in
small) lines=200000 ;;
month) lines=2000000 ;;
*) echo "bench-profiles.sh: --size small|month" >&2; exit 2 ;;
esac
data=$here/data/profiles-$size
mkdir -p "$data"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSLA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target regsla-gen bench_scan >/dev/null
if [ ! -s "$data/distribution.jsonl" ]; then
    "$build/bench/regsla-gen" --seed 1 --lines "$lines" --instances 50 --outages 40 \
        --out "$data/distribution.jsonl" >/dev/null
fi
for format in gitlab zot nginx-json; do
    if [ ! -s "$data/$format.jsonl" ]; then
        rm -rf "$data/$format.d"
        python3 "$root/tests/oracle/convert_month.py" "$format" "$data/distribution.jsonl" "$data/$format.d" >/dev/null
        cat "$data/$format.d"/*.jsonl >"$data/$format.jsonl"
        rm -rf "$data/$format.d"
    fi
done
for profile in distribution gitlab zot nginx-json; do
    echo
    "$build/bench/bench_scan" "$data/$profile.jsonl" --profile "$profile" --runs "$runs" --no-peer
done
