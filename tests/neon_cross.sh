#!/bin/sh
# Cross-builds the JSON scanner with its NEON kernel and its tests for AArch64 (static binaries,
# Debian's gcc-aarch64-linux-gnu) and runs them under qemu-user: test_value, test_scan,
# test_scan_diff (NEON against scalar) and the scanner fuzz corpus replay.
#
#   tests/neon_cross.sh [build-dir]        default build-dir: build-neon (under the repository)
#
# Needs: apt-get install gcc-aarch64-linux-gnu qemu-user. Exits 77 (the ctest/automake "skipped"
# code) when either is missing, 1 when a build or a test fails.
# Environment: CC_AARCH64, QEMU_AARCH64 override the tools; RSLA_DIFF_ITERATIONS as for
# test_scan_diff (default here 500, qemu being ~20x slower).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared
OUT=${1:-$ROOT/build-neon}
CC=${CC_AARCH64:-aarch64-linux-gnu-gcc}
QEMU=${QEMU_AARCH64:-qemu-aarch64}

for tool in "$CC" "$QEMU"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "neon_cross: $tool not found (apt-get install gcc-aarch64-linux-gnu qemu-user); skipped"
        exit 77
    fi
done
mkdir -p "$OUT"

# The scanner's closure: common/ (libc only, by the layering rule), value helpers, the generic
# scanner files (with any profile-row files beside them) and the NEON kernel.
SRC="$(ls "$ROOT"/common/*.c) $ROOT/ingest/ing_value.c $ROOT/ingest/scan/scan_dispatch.c
     $ROOT/ingest/scan/scan_profile.c $ROOT/ingest/scan/scan_scalar.c
     $(ls "$ROOT"/ingest/scan/scan_profiles*.c 2>/dev/null || true) $ROOT/ingest/scan/scan_neon.c"
CFLAGS="-std=c11 -O2 -g -static -D_GNU_SOURCE -DRSLA_SCAN_HAVE_NEON -I$ROOT -I$ROOT/tests
        -DRSLA_SHARED_DIR=\"$SHARED\" -DRSLA_SOURCE_DIR=\"$ROOT\" -DRSLA_BINARY_DIR=\"$OUT\"
        -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-unused-parameter"

build() { # name sources...
    name=$1
    shift
    # shellcheck disable=SC2086
    "$CC" $CFLAGS -o "$OUT/$name" "$@" $SRC
}

build test_value "$ROOT/tests/test_value.c"
build test_scan "$ROOT/tests/test_scan.c"
build test_scan_diff -DRSLA_DIFF_NO_ZSTD "$ROOT/tests/test_scan_diff.c"
build replay_scan "$ROOT/tests/fuzz/fuzz_scan.c" "$ROOT/tests/fuzz/replay_main.c"

status=0
for t in test_value test_scan test_scan_diff; do
    echo "== $t (aarch64, qemu)"
    RSLA_DIFF_ITERATIONS=${RSLA_DIFF_ITERATIONS:-500} "$QEMU" "$OUT/$t" || status=1
done
echo "== replay_scan (aarch64, qemu)"
"$QEMU" "$OUT/replay_scan" "$ROOT/tests/fuzz/corpus/scan" || status=1
exit $status
