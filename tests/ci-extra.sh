#!/usr/bin/env bash
# CI extras, called by .ci/run when executable:
#   1. every libFuzzer target (tests/fuzz/fuzz_<name>.c) built with clang under ASan+UBSan and run
#      for a bounded time from its committed corpus (tests/fuzz/corpus/<name>/);
#   2. tests/neon_cross.sh when it exists and is executable (NEON kernel under qemu).
# Exits 1 when a fuzzer crashes, leaks, times out or fails to build, or neon_cross.sh fails.
# Skips a part, with a message, when clang or libFuzzer (or the cross tools) are missing.
#
# Environment:
#   RSLA_FUZZ_SECONDS  seconds per fuzz target (default: RSLA_FUZZ_BUDGET shared out, at least 20)
#   RSLA_FUZZ_BUDGET   seconds of fuzzing in all (default 420: with the build, under 10 minutes)
#   RSLA_FUZZ_BUILD    build folder (default build-fuzz)
#   RSLA_JOBS          build parallelism (default: the online CPUs)
#   CC_FUZZ            the clang to use (default clang)
#   RSLA_FUZZ_SKIP_KNOWN  1: fuzz targets set known, reported bugs aside (default 0: none is open)
#
# A crash leaves its input in $RSLA_FUZZ_BUILD/fuzz-artifacts/<name>/. To keep it as a regression
# test: copy it into tests/fuzz/corpus/<name>/ under a name saying what it found (the corpus
# replays under plain ctest as fuzz_replay_<name>), fix the bug, commit both.
set -uo pipefail
cd "$(dirname "$0")/.."

BUDGET=${RSLA_FUZZ_BUDGET:-420}
# fuzz_chunker's once-known bug (verdicts depending on chunks smaller than the detection window)
# is fixed (541ee91; 10 minutes of fuzzing clean since), so nothing is set aside by default.
export RSLA_FUZZ_SKIP_KNOWN=${RSLA_FUZZ_SKIP_KNOWN:-0}
BUILD=${RSLA_FUZZ_BUILD:-build-fuzz}
JOBS=${RSLA_JOBS:-$(nproc 2>/dev/null || echo 2)}
CLANG=${CC_FUZZ:-clang}
status=0

fuzzers() {
    echo "== fuzzers (ASan+UBSan)"
    if ! command -v "$CLANG" >/dev/null 2>&1; then
        echo "ci-extra: $CLANG not found: fuzzers skipped (apt-get install clang)"
        return 0
    fi
    local probe
    probe=$(mktemp -d)
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
        'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
        > "$probe/p.c"
    if ! "$CLANG" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
        rm -rf "$probe"
        echo "ci-extra: $CLANG cannot link libFuzzer with ASan+UBSan (-fsanitize=fuzzer): fuzzers skipped"
        return 0
    fi
    rm -rf "$probe"

    local names=() targets=() src name
    for src in tests/fuzz/fuzz_*.c; do
        [ -e "$src" ] || continue
        name=$(basename "$src" .c)
        names+=("${name#fuzz_}")
        targets+=("$name")
    done
    if [ ${#names[@]} -eq 0 ]; then
        echo "ci-extra: no tests/fuzz/fuzz_*.c: nothing to fuzz"
        return 0
    fi
    local seconds=${RSLA_FUZZ_SECONDS:-$((BUDGET / ${#names[@]}))}
    [ "$seconds" -ge 20 ] || seconds=${RSLA_FUZZ_SECONDS:-20}
    echo "ci-extra: ${#names[@]} targets, ${seconds}s each"
    # -fsanitize=fuzzer-no-link on every file: libFuzzer's coverage reaches into rsla_core, not
    # only the target's own file (tests/fuzz.cmake adds -fsanitize=fuzzer to the target alone).
    mkdir -p "$BUILD"
    if ! CC="$CLANG" cmake -S . -B "$BUILD" -DRSLA_BUILD_FUZZERS=ON \
            -DRSLA_SANITIZE=address,undefined -DRSLA_BUILD_BENCH=OFF \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link \
            >"$BUILD/ci-extra-build.log" 2>&1 ||
       ! cmake --build "$BUILD" -j"$JOBS" --target "${targets[@]}" >>"$BUILD/ci-extra-build.log" 2>&1; then
        grep -E 'error|Error' "$BUILD/ci-extra-build.log" | head -30
        echo "ci-extra: FAILED to build the fuzzers (log: $BUILD/ci-extra-build.log)"
        status=1
        return 0
    fi

    local failed=()
    for name in "${names[@]}"; do
        local bin="$BUILD/tests/fuzz_$name" seed="tests/fuzz/corpus/$name"
        local work="$BUILD/fuzz-work/$name" art="$BUILD/fuzz-artifacts/$name"
        mkdir -p "$work" "$art"
        [ -d "$seed" ] || seed=""
        echo "-- fuzz_$name"
        # The committed corpus is read, never written: new units go to the work folder.
        "$bin" "$work" $seed -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
            -artifact_prefix="$art/" -print_final_stats=1 >"$BUILD/fuzz-$name.log" 2>&1
        local rc=$?
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
            "$BUILD/fuzz-$name.log" | tr '\n' ' '
        echo
        if [ $rc -ne 0 ]; then
            echo "ci-extra: fuzz_$name FAILED (exit $rc); input(s) in $art/:"
            ls -1 "$art"
            grep -E 'ERROR|SUMMARY|fuzz_[a-z_]+:|runtime error' "$BUILD/fuzz-$name.log" | head -20
            failed+=("$name")
        fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "ci-extra: fuzz targets that failed: ${failed[*]} (logs: $BUILD/fuzz-<name>.log)"
        status=1
    fi
}

neon() {
    if [ ! -x tests/neon_cross.sh ]; then
        echo "== neon_cross: tests/neon_cross.sh absent or not executable: skipped"
        return 0
    fi
    echo "== neon_cross"
    tests/neon_cross.sh
    local rc=$?
    if [ $rc -eq 77 ]; then
        echo "ci-extra: neon_cross skipped (its tools are missing)"
    elif [ $rc -ne 0 ]; then
        echo "ci-extra: neon_cross FAILED (exit $rc)"
        status=1
    fi
}

fuzzers
neon
exit $status
