#!/usr/bin/env python3
"""End-to-end tests of the `regsla` command: golden reports on data-samples/ checked against the
independent oracle, byte-identical reports whatever the thread count, file order and file split,
the accounting of the real Distribution lines, exit codes, --strict and atomic -o.

Run by ctest (tests/cli.cmake) as: cli_test.py REGSLA SOURCE_DIR SHARED_DIR [unittest args].
Set RSLA_REGEN_GOLDEN=1 to rewrite the golden reports (then read every changed line)."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

REGSLA = SOURCE = SHARED = None
PRESETS = ("acr-ee", "aws-s3", "gcp", "scaleway")
SAMPLES = ("acr-2024-02", "utc-2023-12")


def run(args, stdin=None, check=True, env=None):
    p = subprocess.run([REGSLA] + args, input=stdin, capture_output=True,
                       env=dict(os.environ, **env) if env else None)
    if check and p.returncode != 0:
        raise AssertionError("regsla %s failed (%d): %s" % (args, p.returncode, p.stderr.decode()))
    return p


def report(args):
    return json.loads(run(["report", "--quiet", "--format", "json"] + args).stdout)


def figures(rep):
    """The billing figures of every row, as the oracle writes them."""
    out = []
    for row in rep["instances"]:
        out.append({
            "instance": row["instance"], "month": row["month"],
            "service_minutes": row["service_minutes"],
            "unavailable_minutes": row["unavailable_minutes"],
            "availability_numerator": int(row["availability"]["numerator"]),
            "availability_denominator": int(row["availability"]["denominator"]),
            "availability_percent": row["availability_percent"],
            "met": row["met"], "credit_percent": float(row["credit_percent"]),
        })
    return out


def oracle_figures(path, got):
    """The oracle's rows; in error-rate mode the oracle has no unavailable minutes (regsla's are
    informational there), so that figure is taken from regsla's side."""
    rows = json.load(open(path))["instances"]
    for r, g in zip(rows, got):
        r["credit_percent"] = float(r["credit_percent"])
        if r["unavailable_minutes"] is None:
            r["unavailable_minutes"] = g["unavailable_minutes"]
    return rows


def without_files(text):
    rep = json.loads(text)
    rep["input"].pop("files", None)
    return json.dumps(rep, sort_keys=True)


def decoded_lines(folder):
    """Every line of every input file of a sample folder, decoded, in path order."""
    data = b""
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        raw = open(path, "rb").read()
        if raw[:4] == b"\x28\xb5\x2f\xfd":
            raw = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
        if raw and not raw.endswith(b"\n"):
            raw += b"\n"
        data += raw
    return data.splitlines(keepends=True)


class Golden(unittest.TestCase):
    """data-samples/: figures equal the oracle's; whole reports equal the reviewed goldens."""

    def test_oracle_figures(self):
        for sample in SAMPLES:
            logs = os.path.join(SOURCE, "data-samples", sample, "logs")
            for preset in PRESETS:
                with self.subTest(sample=sample, preset=preset):
                    rep = report(["--policy", preset, logs])
                    got = figures(rep)
                    want = oracle_figures(os.path.join(SOURCE, "data-samples", sample,
                                                       "expected-oracle-%s.json" % preset), got)
                    self.assertEqual(got, want)
                    oracle_input = json.load(open(os.path.join(
                        SOURCE, "data-samples", sample, "expected-oracle-%s.json" % preset)))["input"]
                    for key in ("lines", "outcomes", "skipped", "rejected"):
                        self.assertEqual(rep["input"][key], oracle_input[key], key)

    def test_inventory_figures(self):
        base = os.path.join(SOURCE, "data-samples", "acr-2024-02")
        rep = report(["--inventory", os.path.join(base, "inventory.csv"), os.path.join(base, "logs")])
        got = figures(rep)
        want = oracle_figures(os.path.join(base, "expected-oracle-acr-ee-inventory.json"), got)
        self.assertEqual(got, want)

    def test_minute_counts(self):
        """--minute-counts equals the oracle's raw per (host, minute) counts, line for line."""
        for sample in SAMPLES:
            logs = os.path.join(SOURCE, "data-samples", sample, "logs")
            got = run(["report", "--quiet", "--minute-counts", logs]).stdout
            want = subprocess.run([sys.executable, os.path.join(SOURCE, "tests", "oracle", "sla_oracle.py"),
                                   "--minute-counts", logs], capture_output=True, check=True).stdout
            self.assertEqual(got.decode(), want.decode())

    def test_incidents_match_truth(self):
        """acr-ee incidents (with the inventory) are exactly the generator's bad minute ranges."""
        for sample in SAMPLES:
            base = os.path.join(SOURCE, "data-samples", sample)
            rep = report(["--inventory", os.path.join(base, "inventory.csv"), os.path.join(base, "logs")])
            truth = json.load(open(os.path.join(base, "truth.json")))
            got = {}
            for inc in rep["incidents"]:
                got.setdefault(inc["instance"], []).append([inc["start"], inc["end"]])
            want = {t["instance"]: t["bad_ranges"] for t in truth["instances"] if t["bad_ranges"]}
            self.assertEqual(got, want, sample)

    def test_golden_reports(self):
        """The whole default report (acr-ee, inventory): its figures are the oracle's (above), its
        incidents the generator's truth; the rest (coverage, requests, input) is pinned here."""
        for sample in SAMPLES:
            base = os.path.join(SOURCE, "data-samples", sample)
            for preset in ("acr-ee",):
                with self.subTest(sample=sample, preset=preset):
                    got = run(["report", "--quiet", "--format", "json", "--policy", preset,
                               "--inventory", os.path.join(base, "inventory.csv"),
                               os.path.join("data-samples", sample, "logs")]).stdout
                    path = os.path.join(base, "expected-report-%s.json" % preset)
                    if os.environ.get("RSLA_REGEN_GOLDEN"):
                        open(path, "wb").write(got)
                    self.assertEqual(got.decode(), open(path).read())


class Determinism(unittest.TestCase):
    """The same lines give byte-identical reports whatever the threads, order and split."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rsla-cli-")
        self.logs = os.path.join(SOURCE, "data-samples", "acr-2024-02", "logs")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_threads(self):
        base = run(["report", "--quiet", "--format", "json", "--threads", "1", self.logs]).stdout
        for threads in ("2", "3", "8", "16"):
            got = run(["report", "--quiet", "--format", "json", "--threads", threads, self.logs]).stdout
            self.assertEqual(got, base, "threads=" + threads)

    def test_order_and_split(self):
        lines = decoded_lines(self.logs)
        base = without_files(run(["report", "--quiet", "--format", "json", self.logs]).stdout)
        one = os.path.join(self.tmp, "one.log")
        open(one, "wb").writelines(lines)
        self.assertEqual(without_files(run(["report", "--quiet", "--format", "json", one]).stdout), base)
        rng = random.Random(5)
        for split in (2, 50):
            folder = os.path.join(self.tmp, "split%d" % split)
            os.mkdir(folder)
            cuts = sorted(rng.sample(range(1, len(lines)), split - 1))
            bounds = [0] + cuts + [len(lines)]
            names = list(range(split))
            rng.shuffle(names)
            args = []
            for i in range(split):
                path = os.path.join(folder, "part-%03d.log" % names[i])
                part = b"".join(lines[bounds[i]:bounds[i + 1]])
                if i % 2:
                    part = subprocess.run(["zstd", "-q", "-c"], input=part, capture_output=True,
                                          check=True).stdout
                open(path, "wb").write(part)
                args.append(path)
            rng.shuffle(args)
            for threads in ("1", "3"):
                got = run(["report", "--quiet", "--format", "json", "--threads", threads] + args).stdout
                self.assertEqual(without_files(got), base, "split=%d threads=%s" % (split, threads))

    def test_spilled_dedupe(self):
        """Pending error requests spilled to temporary files (a budget of 0 or 700 bytes: every
        one, or a few at a time) give the report kept in memory gives."""
        base = run(["report", "--quiet", "--format", "json", self.logs]).stdout
        for budget in ("0", "700"):
            for threads in ("1", "3"):
                got = run(["report", "--quiet", "--format", "json", "--threads", threads, self.logs],
                          env={"RSLA_AGG_PENDING_BUDGET": budget, "TMPDIR": self.tmp}).stdout
                self.assertEqual(got, base, "budget=%s threads=%s" % (budget, threads))
        self.assertEqual(os.listdir(self.tmp), [], "temporary files left behind")

    def test_sink(self):
        """The threads' counter blocks moved to the shared sink every block, or every few, give
        the report that keeping them in the threads' tables gives (RSLA_AGG_SINK_BLOCKS: how
        many a table holds before it moves them; the default share holds the samples whole)."""
        base = run(["report", "--quiet", "--format", "json", self.logs]).stdout
        for blocks in ("1", "5"):
            for threads in ("1", "3", "8"):
                got = run(["report", "--quiet", "--format", "json", "--threads", threads, self.logs],
                          env={"RSLA_AGG_SINK_BLOCKS": blocks}).stdout
                self.assertEqual(got, base, "blocks=%s threads=%s" % (blocks, threads))

    def test_stdin(self):
        lines = b"".join(decoded_lines(self.logs))
        base = without_files(run(["report", "--quiet", "--format", "json", self.logs]).stdout)
        got = run(["report", "--quiet", "--format", "json", "-"], stdin=lines).stdout
        self.assertEqual(without_files(got), base)


class RealLines(unittest.TestCase):
    """../shared/real-logs/distribution.jsonl: line 1 is a push outcome, the rest skipped."""

    def test_distribution_jsonl(self):
        rep = report(["--policy", "acr-ee", os.path.join(SHARED, "real-logs", "distribution.jsonl")])
        inp = rep["input"]
        self.assertEqual((inp["lines"], inp["outcomes"], inp["skipped"], inp["rejected"]), (8, 1, 7, 0))
        self.assertEqual(inp["skipped_by_reason"]["other_message"], 7)
        self.assertEqual([r["instance"] for r in rep["instances"]], ["some-request-host"])
        row = rep["instances"][0]
        self.assertEqual(row["month"], "2016-07")
        self.assertEqual(row["requests"]["push"]["valid"], 1)
        self.assertEqual(row["requests"]["push"]["failed"], 0)
        self.assertEqual(row["unavailable_minutes"], 0)


class Profiles(unittest.TestCase):
    """--profile: detection per file, a name per input pattern, and profile files."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rsla-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def files(self, args):
        rep = report(args)
        return {os.path.basename(f["path"]): f for f in rep["input"]["files"]}, rep

    def test_detected_per_file(self):
        # README.md is of no known format: named, counted, exit 3.
        p = run(["report", "--quiet", "--format", "json", os.path.join(SHARED, "real-logs")], check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"README.md: no known log format", p.stderr)
        files = {os.path.basename(f["path"]): f for f in json.loads(p.stdout)["input"]["files"]}
        want = {"distribution.jsonl": "distribution", "distribution-text.log": "distribution-text",
                "distribution-combined.log": "combined", "registry-mixed-zarf.log": "distribution-text",
                "gitlab-registry.jsonl": "gitlab", "nginx.jsonl": "nginx-json", "zot.jsonl": "zot",
                "README.md": "none"}
        self.assertEqual({k: v["profile"] for k, v in files.items()}, want)
        for f in files.values():
            self.assertEqual(f["lines"], f["outcomes"] + f["skipped"] + f["rejected"])

    def test_layer_per_input(self):
        zarf = os.path.join(SHARED, "real-logs", "registry-mixed-zarf.log")
        app, _ = self.files([zarf])
        access, _ = self.files(["--profile", "*zarf*=combined", zarf])
        app, access = app["registry-mixed-zarf.log"], access["registry-mixed-zarf.log"]
        self.assertEqual((app["profile"], access["profile"]), ("distribution-text", "combined"))
        self.assertEqual(app["lines"], access["lines"])
        # The access layer also has the requests the app log never completes (401 challenges).
        self.assertGreater(access["outcomes"], app["outcomes"])
        other, _ = self.files(["--profile", "*nomatch*=combined", zarf])
        self.assertEqual(other["registry-mixed-zarf.log"]["profile"], "distribution-text")

    def test_profile_file(self):
        path = os.path.join(self.tmp, "gl.json")
        open(path, "w").write(json.dumps({
            "name": "my-gitlab", "filter": {"key": "msg", "values": ["access"]},
            "fields": {"time": {"key": "time", "syntax": "rfc3339"}, "host": {"key": "host"},
                       "method": {"key": "method"}, "uri": {"key": "uri"},
                       "status": {"key": "status"},
                       "duration": {"key": "duration_ms", "unit": "ms"},
                       "request_id": {"key": "correlation_id"}}}))
        log = os.path.join(SHARED, "real-logs", "gitlab-registry.jsonl")
        custom, crep = self.files(["--profile", path, log])
        builtin, brep = self.files(["--profile", "gitlab", log])
        self.assertEqual(custom["gitlab-registry.jsonl"]["profile"], "my-gitlab")
        for key in ("lines", "outcomes", "skipped", "rejected"):
            self.assertEqual(custom["gitlab-registry.jsonl"][key], builtin["gitlab-registry.jsonl"][key])
        self.assertEqual(figures(crep), figures(brep))
        self.assertTrue(crep["instances"])
        bad = os.path.join(self.tmp, "bad.json")
        open(bad, "w").write('{"name": "x",\n "fields": {"time": {"key": "t", "syntax": "iso"}}}')
        p = run(["report", "--profile", bad, log], check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"bad.json:2:", p.stderr)


class Command(unittest.TestCase):
    """Exit codes, messages, --strict and atomic -o."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rsla-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        open(path, "wb").write(data)
        return path

    def test_usage_errors(self):
        for args in (["report"], ["report", "--threads", "0", "x"], ["report", "--format", "xml", "x"],
                     ["report", "--policy", "nope", "x"], ["report", "--month", "2024-13", "x"],
                     ["report", "--kernel", "nope", "x"], ["frobnicate"]):
            p = run(args, check=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(b"regsla:", p.stderr)

    def test_help_and_version(self):
        self.assertIn(b"--policy", run(["--help"]).stdout)
        self.assertIn(b"kernel", run(["--version"]).stdout)

    def test_missing_input(self):
        good = os.path.join(SOURCE, "data-samples", "utc-2023-12", "logs")
        missing = os.path.join(self.tmp, "missing.log")
        p = run(["report", "--quiet", "--format", "json", good, missing], check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn(missing.encode(), p.stderr)
        self.assertTrue(json.loads(p.stdout)["instances"])

    def test_strict(self):
        bad = self.write("bad.log", b'{"msg":"response completed","time":\n')
        out = os.path.join(self.tmp, "out.json")
        p = run(["report", "--quiet", "--strict", "--profile", "distribution", "-o", out, bad], check=False)
        self.assertEqual(p.returncode, 4)
        self.assertFalse(os.path.exists(out))
        self.assertIn(b"bad.log:1:", p.stderr)
        p = run(["report", "--quiet", "--profile", "distribution", "-o", out, bad], check=False)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(json.load(open(out))["input"]["rejected"], 1)

    def test_spill_folder_missing(self):
        logs = os.path.join(SOURCE, "data-samples", "acr-2024-02", "logs")
        out = os.path.join(self.tmp, "report.json")
        missing = os.path.join(self.tmp, "no-such-tmp")
        p = run(["report", "--quiet", "-o", out, logs], check=False,
                env={"RSLA_AGG_PENDING_BUDGET": "0", "TMPDIR": missing})
        self.assertEqual(p.returncode, 1)
        self.assertIn(missing.encode(), p.stderr)
        self.assertIn(b"no report written", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_atomic_output(self):
        logs = os.path.join(SOURCE, "data-samples", "utc-2023-12", "logs")
        out = os.path.join(self.tmp, "report.csv")
        open(out, "w").write("old")
        run(["report", "--quiet", "--format", "csv", "-o", out, logs])
        self.assertTrue(open(out).read().startswith("instance,"))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["report.csv"])
        p = run(["report", "--quiet", "-o", os.path.join(self.tmp, "no", "such", "dir.json"), logs],
                check=False)
        self.assertEqual(p.returncode, 1)


if __name__ == "__main__":
    REGSLA, SOURCE, SHARED = sys.argv[1:4]
    unittest.main(argv=[sys.argv[0]] + sys.argv[4:], verbosity=2)
