#!/usr/bin/env python3
"""Checks the oracle against a regsla-gen ground truth: accounting, requests after dedupe and
acr-ee bad minutes per month, per normalised host and (with the inventory) per instance.

    check_truth.py TRUTH.json INPUT [INVENTORY.csv]      exit 0 when everything matches

The truth's bad minutes use acr-ee's rule in the generator's --zone-offset, so the oracle runs with
--preset acr-ee --zone <that offset>."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sla_oracle as so  # noqa: E402


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    truth = json.load(open(argv[1]))
    path, inv = argv[2], (argv[3] if len(argv) > 3 else None)
    off = truth["zone_offset_minutes"]
    zone = "%s%02d:%02d" % ("-" if off < 0 else "+", abs(off) // 60, abs(off) % 60)
    problems = 0
    views = [("hosts", None, "host")] + ([("instances", inv, "instance")] if inv else [])
    for view, inventory, key in views:
        rep = so.run([path], "acr-ee", zone, inventory)
        if rep["input"] != truth["input"]:
            print("%s: accounting: oracle %s, truth %s" % (view, rep["input"], truth["input"]))
            problems += 1
        got = {(r["instance"], r["month"]): r["unavailable_minutes"] for r in rep["instances"]}
        for ent in truth[view]:
            for month, n in ent["bad_minutes"].items():
                g = got.get((ent[key], month))
                if g != n and not (g is None and n == 0):
                    print("%s: %s %s: oracle %s, truth %s unavailable minutes" % (view, ent[key], month, g, n))
                    problems += 1
        want = sum(e["requests"] for e in truth[view])
        if rep["oracle"]["requests"] != want:
            print("%s: requests after dedupe: oracle %d, truth %d" % (view, rep["oracle"]["requests"], want))
            problems += 1
        print("%s: %d rows, %d requests checked" % (view, len(rep["instances"]), want))
    print("OK" if problems == 0 else "%d MISMATCHES" % problems)
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
