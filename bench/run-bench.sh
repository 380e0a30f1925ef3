#!/usr/bin/env bash
# run-bench.sh: regsla against its floors and its peers on the same generated month.
#
#   bench/run-bench.sh [--size small|month|large|wide] [--runs N] [--threads] [--peers LIST]
#                      [--seed N] [--no-build]
#
# 1. Builds a Release into build-bench/ (regsla-gen must build; regsla and the other benches are used
#    when they build).
# 2. Generates the data set once into bench/data/<size>-s<seed>/ (reused while the generator and its
#    options are unchanged): month.jsonl (plain), month.jsonl.zst (libzstd level 3, one frame),
#    truth.json, and with --threads split16/ (the same lines in 16 rotated .zst files). The reference
#    counts (tests/oracle/sla_oracle.py --minute-counts) are computed once per data set too.
# 3. Times each row with /usr/bin/time (minimum wall time of N runs; CPU and peak RSS of that run)
#    and prints a markdown table. Every peer is optional: a missing one is listed as skipped.
# 4. Then times the issue's two comparisons again in alternation, N pairs each: regsla against
#    `zstd -dc` on the single .zst (or, with --threads, --threads 2 against --threads 1 on the 16
#    files), and prints each pair and the median of the pairs' ratios. On a shared machine whose
#    speed drifts over a minute, rows timed one after the other compare different moments; a pair
#    compares the same one.
#
# Sizes (lines, instances): small 200k/50 (~0.15 GB), month 2.0M/50 (~1.47 GB, PERF-ANCHORS.md),
# large 8.0M/50 (~5.9 GB, the 4x month of issue 4), wide 2.0M/10,000 instances.
#
# "counts agree": each tool's per (host, UTC minute) count of completion lines and of 5xx among them,
# compared with the oracle's (`host<TAB>minute<TAB>lines<TAB>5xx`, sorted). regsla takes part when
# REGSLA_COUNTS_ARGS names the report options that make it print that format on stdout
# (default "--quiet --minute-counts"; set it empty to skip the check).
#
# Environment: REGSLA_COUNTS_ARGS (above), SIMDJSON_BENCH (path of the simdjson peer; default
# build-bench/bench/simdjson_ondemand or bench/simdjson_ondemand), JQ_RUNS (runs for jq, default 1:
# it takes about a minute per run on the month).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build-bench

size=month
runs=3
threads_mode=0
peers="floors,regsla,simdjson,duckdb,jq"
seed=1
do_build=1

while [ $# -gt 0 ]; do
    case $1 in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads_mode=1; shift ;;
    --peers) peers=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "run-bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

case $size in
small) lines=200000; instances=50 ;;
month) lines=2000000; instances=50 ;;
large) lines=8000000; instances=50 ;;
wide) lines=2000000; instances=10000 ;;
*) echo "run-bench.sh: --size small|month|large|wide" >&2; exit 2 ;;
esac

want() { case ",$peers," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
log() { printf '%s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------------
TIME=/usr/bin/time
if ! [ -x "$TIME" ]; then
    log "installing GNU time (/usr/bin/time) ..."
    (apt-get install -y time >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1)) ||
        { log "run-bench.sh: /usr/bin/time is needed (apt-get install time)"; exit 1; }
fi
command -v zstd >/dev/null || { log "run-bench.sh: the zstd CLI is needed"; exit 1; }

# --- build -------------------------------------------------------------------------------------
if [ $do_build = 1 ]; then
    log "building Release into build-bench/ ..."
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRSLA_BUILD_TESTS=OFF -DRSLA_BUILD_BENCH=ON >/dev/null
    cmake --build "$build" --target regsla-gen -j "$(nproc)" >/dev/null
    if ! cmake --build "$build" -j "$(nproc)" >"$build/run-bench-build.log" 2>&1; then
        log "note: part of the build failed (see build-bench/run-bench-build.log); going on with what built"
    fi
fi
gen=$build/bench/regsla-gen
regsla=$build/regsla
[ -x "$gen" ] || { log "run-bench.sh: $gen missing (drop --no-build)"; exit 1; }

# --- data --------------------------------------------------------------------------------------
data=$here/data/$size-s$seed
mkdir -p "$data"
gen_args="--seed $seed --month 2024-02 --instances $instances --lines $lines --outages 40 --noise 8"
stamp="gen.c $(md5sum "$here/gen.c" | cut -c1-32) | $gen_args"
if [ "$(cat "$data/stamp" 2>/dev/null)" != "$stamp" ] || ! [ -s "$data/month.jsonl.zst" ]; then
    log "generating $size data set into $data ..."
    rm -rf "$data"/*
    # shellcheck disable=SC2086
    "$gen" $gen_args --out "$data/month.jsonl" --truth "$data/truth.json"
    # shellcheck disable=SC2086
    "$gen" $gen_args --zstd 3 --out "$data/month.jsonl.zst"
    echo "$stamp" >"$data/stamp"
fi
if [ $threads_mode = 1 ] && ! [ -s "$data/split16/registry-2024-02-0015.jsonl.zst" ]; then
    log "generating the 16-file split ..."
    # shellcheck disable=SC2086
    "$gen" $gen_args --zstd 3 --files 16 --out "$data/split16"
fi
plain=$data/month.jsonl
zst=$data/month.jsonl.zst
bytes=$(stat -c %s "$plain")
zbytes=$(stat -c %s "$zst")
if ! [ -s "$data/reference.counts" ]; then
    log "reference counts (oracle, once per data set; about 40 s per million lines) ..."
    python3 "$root/tests/oracle/sla_oracle.py" --minute-counts "$plain" | LC_ALL=C sort >"$data/reference.counts.tmp"
    mv "$data/reference.counts.tmp" "$data/reference.counts"
fi

# --- measuring ---------------------------------------------------------------------------------
results=$here/results/$size-s$seed
mkdir -p "$results"
rows=()
zstd_wall=""

# measure NAME INPUT THREADS N COUNTS_FILE CMD: min wall of N runs; CMD runs under sh -c.
measure() {
    local name=$1 input=$2 thr=$3 n=$4 counts=$5 cmd=$6
    local best="" cpu="" rss="" rc=0 i
    for ((i = 0; i < n; i++)); do
        rc=0
        $TIME -f '%e %U %S %M' -o "$results/time.txt" sh -c "$cmd" >"$results/stdout.txt" 2>"$results/stderr.txt" || rc=$?
        if [ $rc != 0 ]; then
            log "  $name failed (exit $rc): $(tail -n 2 "$results/stderr.txt" | tr '\n' ' ')"
            rows+=("| $name | $input | $thr | failed (exit $rc) | | | | | |")
            return 0
        fi
        read -r w u s m < <(tail -n 1 "$results/time.txt")
        if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then
            best=$w
            cpu=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
            rss=$(awk "BEGIN{printf \"%.0f\", $m / 1024}")
            [ -n "$counts" ] && LC_ALL=C sort "$results/stdout.txt" >"$counts"
        fi
    done
    local mbs ratio agree
    mbs=$(awk "BEGIN{printf \"%.0f\", $bytes / 1e6 / ($best > 0 ? $best : 0.001)}")
    case $name in "zstd -dc"*) [ -n "$zstd_wall" ] || zstd_wall=$best ;; esac
    ratio=""
    [ -n "$zstd_wall" ] && ratio=$(awk "BEGIN{printf \"%.2f\", $best / $zstd_wall}")
    agree=""
    if [ -n "$counts" ]; then
        if cmp -s "$counts" "$data/reference.counts"; then
            agree=yes
        else
            agree="no ($(diff "$counts" "$data/reference.counts" | grep -c '^[<>]' || true) lines differ)"
        fi
    fi
    log "  $name: ${best}s"
    rows+=("| $name | $input | $thr | $best | $cpu | $mbs | $ratio | $rss | $agree |")
}

# alternate NAME_A CMD_A NAME_B CMD_B N: N pairs, A then B, each timed once; prints every pair's
# wall times and B/A, then the median of the ratios and the ratio of the two minima.
pairs=()
alternate() {
    local name_a=$1 cmd_a=$2 name_b=$3 cmd_b=$4 n=$5 i wa wb ratios=() min_a="" min_b=""
    for ((i = 0; i < n; i++)); do
        $TIME -f '%e' -o "$results/time.txt" sh -c "$cmd_a" >/dev/null 2>&1 || return 0
        wa=$(tail -n 1 "$results/time.txt")
        $TIME -f '%e' -o "$results/time.txt" sh -c "$cmd_b" >/dev/null 2>&1 || return 0
        wb=$(tail -n 1 "$results/time.txt")
        ratios+=("$(awk "BEGIN{printf \"%.3f\", $wb / ($wa > 0 ? $wa : 0.001)}")")
        pairs+=("| $((i + 1)) | $wa | $wb | ${ratios[-1]} |")
        if [ -z "$min_a" ] || awk "BEGIN{exit !($wa < $min_a)}"; then min_a=$wa; fi
        if [ -z "$min_b" ] || awk "BEGIN{exit !($wb < $min_b)}"; then min_b=$wb; fi
    done
    local median
    median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END{printf "%.2f", NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
    pair_head="| pair | $name_a s | $name_b s | ratio |"
    pair_summary="Alternated, $n pairs: median ratio **${median}x**, minimum to minimum $(awk "BEGIN{printf \"%.2f\", $min_b / $min_a}")x ($min_b s against $min_a s)."
    log "  alternated: median ratio ${median}x"
}

# regsla's counts (untimed, only when the lead's flag is named)
regsla_agree() {
    local input=$1
    if [ -z "${REGSLA_COUNTS_ARGS-"--quiet --minute-counts"}" ]; then echo "n/a"; return; fi
    local REGSLA_COUNTS_ARGS=${REGSLA_COUNTS_ARGS-"--quiet --minute-counts"}
    # shellcheck disable=SC2086
    if "$regsla" report $REGSLA_COUNTS_ARGS "$input" 2>/dev/null | LC_ALL=C sort >"$results/regsla.counts"; then
        if cmp -s "$results/regsla.counts" "$data/reference.counts"; then echo yes; else
            echo "no ($(diff "$results/regsla.counts" "$data/reference.counts" | grep -c '^[<>]' || true) lines differ)"
        fi
    else
        echo "failed"
    fi
}

regsla_ok=0
head -n 1000 "$plain" >"$results/tiny.jsonl"
if want regsla && [ -x "$regsla" ] && "$regsla" report --format json -o /dev/null "$results/tiny.jsonl" >/dev/null 2>&1; then
    regsla_ok=1
fi

simd=${SIMDJSON_BENCH:-}
if [ -z "$simd" ]; then
    for c in "$build/bench/simdjson_ondemand" "$here/simdjson_ondemand"; do
        [ -x "$c" ] && { simd=$c; break; }
    done
fi

log "benchmarking ($size, $runs runs each) ..."
skipped=()
if [ $threads_mode = 0 ]; then
    if want floors; then
        measure "cat > /dev/null" "plain" 1 "$runs" "" "cat '$plain' > /dev/null"
        measure "zstd -dc > /dev/null" "zst" 1 "$runs" "" "zstd -dcq '$zst' > /dev/null"
    fi
    if [ $regsla_ok = 1 ]; then
        a=$(regsla_agree "$zst")
        measure "regsla report" "zst" "default" "$runs" "" "'$regsla' report --format json -o /dev/null '$zst'"
        rows[${#rows[@]} - 1]=$(echo "${rows[${#rows[@]} - 1]}" | sed "s/| *|\$/| $a |/")
        measure "regsla report" "plain" "default" "$runs" "" "'$regsla' report --format json -o /dev/null '$plain'"
        rows[${#rows[@]} - 1]=$(echo "${rows[${#rows[@]} - 1]}" | sed "s/| *|\$/| $a |/")
    elif want regsla; then
        skipped+=("regsla (build-bench/regsla missing, or \`regsla report --format json -o /dev/null FILE\` failed)")
    fi
    if want floors && [ $regsla_ok = 1 ]; then
        alternate "zstd -dc" "zstd -dcq '$zst' > /dev/null" "regsla report" \
            "'$regsla' report --format json -o /dev/null '$zst'" "$runs"
    fi
    if want simdjson; then
        if [ -n "$simd" ]; then
            measure "simdjson on-demand" "plain" 1 "$runs" "$results/simdjson.counts" "'$simd' '$plain'"
            measure "simdjson on-demand" "zst" 1 "$runs" "$results/simdjson-zst.counts" "'$simd' '$zst'"
        else
            skipped+=("simdjson on-demand (bench/simdjson_ondemand not built)")
        fi
    fi
    if want duckdb; then
        if [ -d "$here/node_modules/@duckdb/node-api" ] ||
            (cd "$here" && timeout 300 npm install --no-audit --no-fund --prefix "$here" @duckdb/node-api >/dev/null 2>&1); then
            measure "DuckDB read_json + GROUP BY" "zst" "default" "$runs" "$results/duckdb-zst.counts" \
                "cd '$here' && node peers/duckdb-counts.mjs '$zst'"
            measure "DuckDB read_json + GROUP BY" "plain" "default" "$runs" "$results/duckdb.counts" \
                "cd '$here' && node peers/duckdb-counts.mjs '$plain'"
        else
            skipped+=("DuckDB (npm could not install @duckdb/node-api)")
        fi
    fi
    if want jq; then
        if command -v jq >/dev/null; then
            measure "jq (zstd -dc, jq, awk)" "zst" "3 processes" "${JQ_RUNS:-1}" "$results/jq.counts" \
                "sh '$here/peers/jq-counts.sh' '$zst'"
        else
            skipped+=("jq (not installed)")
        fi
    fi
else
    [ $regsla_ok = 1 ] || { log "run-bench.sh: --threads needs a working build-bench/regsla"; exit 1; }
    measure "zstd -dc (16 files) > /dev/null" "16 zst" 1 "$runs" "" "zstd -dcq '$data'/split16/*.zst > /dev/null"
    measure "regsla report --threads 1" "16 zst" 1 "$runs" "" "'$regsla' report --threads 1 --format json -o /dev/null '$data/split16'"
    measure "regsla report --threads 2" "16 zst" 2 "$runs" "" "'$regsla' report --threads 2 --format json -o /dev/null '$data/split16'"
    alternate "--threads 2" "'$regsla' report --threads 2 --format json -o /dev/null '$data/split16'" \
        "--threads 1" "'$regsla' report --threads 1 --format json -o /dev/null '$data/split16'" "$runs"
fi

# --- report ------------------------------------------------------------------------------------
cpu_model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo
echo "### regsla bench: \`--size $size\` ($lines lines, $instances instances, seed $seed)"
echo
echo "Input: $(awk "BEGIN{printf \"%.3f\", $bytes/1e9}") GB plain, $(awk "BEGIN{printf \"%.3f\", $zbytes/1e9}") GB zstd -3 (one frame)." \
    "Machine: ${cpu_model:-unknown CPU}, $(nproc) CPUs. $(date -u +%Y-%m-%dT%H:%MZ), git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')." \
    "Minimum of $runs runs (jq: ${JQ_RUNS:-1})."
echo
echo "| what | input | threads | wall s | CPU s | MB/s | × zstd -dc | peak RSS MiB | counts agree |"
echo "|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do echo "$r"; done
if [ $threads_mode = 1 ]; then
    w1=$(printf '%s\n' "${rows[@]}" | grep -- '--threads 1' | cut -d'|' -f5 | tr -d ' ')
    w2=$(printf '%s\n' "${rows[@]}" | grep -- '--threads 2' | cut -d'|' -f5 | tr -d ' ')
    if [ -n "$w1" ] && [ -n "$w2" ] && [[ $w1 =~ ^[0-9.]+$ ]] && [[ $w2 =~ ^[0-9.]+$ ]]; then
        echo
        echo "Speed-up of --threads 2 over --threads 1: $(awk "BEGIN{printf \"%.2f\", $w1 / $w2}")x (target >= 1.8x)."
    fi
fi
if [ ${#pairs[@]} -gt 0 ]; then
    echo
    echo "$pair_head"
    echo "|---|---|---|---|"
    for r in "${pairs[@]}"; do echo "$r"; done
    echo
    if [ $threads_mode = 1 ]; then
        echo "${pair_summary/ratio/speed-up of --threads 2 (--threads 1 over --threads 2)} (target >= 1.8x)"
    else
        echo "$pair_summary (regsla over \`zstd -dc\`; target <= 1.0x)"
    fi
fi
if [ ${#skipped[@]} -gt 0 ]; then
    echo
    for s in "${skipped[@]}"; do echo "- skipped: $s"; done
fi
echo
echo "MB/s is uncompressed bytes per wall second. \"counts agree\" compares the tool's per (host, UTC" \
    "minute) completion-line and 5xx counts with the oracle's (tests/oracle/sla_oracle.py --minute-counts);" \
    "outputs are kept in bench/results/."
