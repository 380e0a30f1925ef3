#!/bin/sh
# Regenerates data-samples/ from regsla-gen and the oracle. Usage: data-samples/make-samples.sh [GEN]
# GEN defaults to build-gen/bench/regsla-gen (cmake -S . -B build-gen && cmake --build build-gen
# --target regsla-gen). The .zst files come from the zstd CLI at level 19.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
gen=${1:-$root/build-gen/bench/regsla-gen}
oracle=$root/tests/oracle/sla_oracle.py
cd "$here"

one() { # folder name, oracle args... (run in data-samples/, so the paths it reports are relative)
    s=$1; shift
    for p in acr-ee aws-s3 gcp scaleway; do
        python3 "$oracle" --preset "$p" "$@" "$s/logs" > "$s/tmp.json"
        python3 -m json.tool --indent 1 "$s/tmp.json" > "$s/expected-oracle-$p.json"
    done
    rm "$s/tmp.json"
}

# acr-2024-02: leap February, acr-ee's +08:00, 3 instances, 4 rotated files (2 plain, 2 zstd)
d=$here/acr-2024-02
rm -rf "$d/logs"
(cd "$d" && "$gen" --seed 20240229 --month 2024-02 --zone-offset +08:00 --spill-minutes 360 \
    --instances 3 --lines 2400 --outage-spec outages.tsv --files 4 --noise 10 \
    --stamp-zones Z,+08:00 --out logs --truth truth.json --inventory inventory.csv)
zstd -q -19 --rm "$d/logs/registry-2024-02-0001.jsonl" "$d/logs/registry-2024-02-0003.jsonl"
one acr-2024-02
cp "$d/expected-oracle-acr-ee.json" "$d/expected-oracle.json"
python3 "$oracle" --inventory acr-2024-02/inventory.csv acr-2024-02/logs | python3 -m json.tool --indent 1 \
    > "$d/expected-oracle-acr-ee-inventory.json"

# utc-2023-12: December 2023 in UTC, 2 instances, one zstd file (level 19)
d=$here/utc-2023-12
rm -rf "$d/logs"; mkdir -p "$d/logs"
(cd "$d" && "$gen" --seed 20231231 --month 2023-12 --zone-offset +00:00 --instances 2 \
    --lines 1500 --outage-spec outages.tsv --noise 10 --sporadic-ppm 0 \
    --out logs/registry-2023-12.jsonl --truth truth.json --inventory inventory.csv)
zstd -q -19 --rm "$d/logs/registry-2023-12.jsonl"
one utc-2023-12
cp "$d/expected-oracle-acr-ee.json" "$d/expected-oracle.json"
