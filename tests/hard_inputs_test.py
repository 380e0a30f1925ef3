#!/usr/bin/env python3
"""Hard inputs: what `regsla report` does with the garbage real log pipelines produce (issue 5).

One test per case. Each asserts the accounting (input.lines/outcomes/skipped/rejected and the
per-reason counts, in total and in the file's input.files entry, with its error), the message on
stderr (file, line or byte offset, reason) and the exit code (0 ok, 3 an input not read to its
end, 4 --strict with rejected lines). Expected values are derived here from the bytes written
(a small line classifier, Python's datetime), never copied from regsla's output.

Run by ctest (tests/hard_inputs.cmake) as:
    hard_inputs_test.py REGSLA [unittest args, e.g. a class name]
zstd cases need the `zstd` command (skipped without it). docs/HARD-INPUTS.md summarises them."""
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REGSLA = None
ZSTD = shutil.which("zstd")
JSON_WS = b" \t\r"
SKIP_REASONS = ("blank", "not_json", "other_message")
REJECT_REASONS = ("json_syntax", "invalid_utf8", "too_deep", "not_object", "missing_field",
                  "wrong_type", "bad_time", "time_without_zone", "bad_status", "bad_duration")
SYNTAX_REASONS = ("json_syntax", "invalid_utf8", "too_deep", "not_object")


def record(**fields):
    """One Distribution `response completed` line (a pull of a manifest), as bytes, no newline.
    A field given as None is left out; keys keep the order given (defaults first)."""
    d = {"http.request.host": "reg.example.com", "http.request.id": "req-1",
         "http.request.method": "GET", "http.request.uri": "/v2/lib/app/manifests/latest",
         "http.response.status": 200, "http.response.duration": "40.1ms",
         "level": "info", "msg": "response completed", "time": "2024-02-10T10:00:00Z"}
    for k, v in fields.items():
        k = k.replace("__", ".")
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return json.dumps(d, ensure_ascii=False).encode()


def split_lines(data):
    """Lines as regsla counts them: each '\\n' ends one, a non-empty tail is one more."""
    if not data:
        return []
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return parts


def classify(line):
    """The verdict of SLA-SPEC section 1 for lines that are not outcomes: 'blank', 'not_json',
    'other_message' or 'rejected' (the scanner picks the exact syntax reason)."""
    s = line.lstrip(JSON_WS)
    if not s.rstrip(JSON_WS):
        return "blank"
    if s[0] < 0x20 or s[0] == 0x7F:
        return "rejected"  # control bytes where a line starts: damage, not another format
    if s[:1] != b"{":
        return "not_json"
    def no_constants(name):
        raise ValueError(name + " is not JSON")
    try:
        v = json.loads(line.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "rejected"
    if not isinstance(v, dict):
        return "rejected"
    if v.get("msg") in ("response completed", "response completed with error"):
        return "outcome?"
    return "other_message"


def expected_counts(data):
    """(lines, skipped_by_reason, rejected, first rejected (line number, byte offset))."""
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    rejected, first, offset = 0, None, 0
    lines = split_lines(data)
    for n, line in enumerate(lines, 1):
        v = classify(line)
        if v in skipped:
            skipped[v] += 1
        elif v == "rejected":
            rejected += 1
            first = first or (n, offset)
        else:
            raise AssertionError("generated garbage holds an outcome line: %r" % line[:200])
        offset += len(line) + 1
    return len(lines), skipped, rejected, first


def utc_text(t):
    """An RFC 3339 time as regsla prints it in coverage (UTC, Z, nanoseconds when non-zero),
    computed with datetime for the calendar and integers for the fraction."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
                     r"([Zz]|[+-]\d\d:?\d\d)", t)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac, zone = m.group(7), m.group(8)
    off = 0
    if zone not in "Zz":
        z = zone.replace(":", "")
        off = (1 if z[0] == "+" else -1) * (int(z[1:3]) * 60 + int(z[3:5]))
    dt = datetime.datetime(y, mo, d, h, mi, s) - datetime.timedelta(minutes=off)
    ns = int((frac or "0").ljust(9, "0"))
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (".%09d" % ns if ns else "") + "Z", dt


def month_of(dt, zone_minutes):
    """The month (YYYY-MM) of a UTC datetime in a fixed zone."""
    return (dt + datetime.timedelta(minutes=zone_minutes)).strftime("%Y-%m")


def zstd_compress(data, *args):
    return subprocess.run([ZSTD, "-q", "-c"] + list(args), input=data, capture_output=True,
                          check=True).stdout


def peak_rss_kb(argv, stdout_path):
    """Runs argv in a fresh Python child and returns (exit code, stderr, peak RSS in KiB of that
    command alone): RUSAGE_CHILDREN of the intermediate process covers only its one child."""
    code = ("import resource,subprocess,sys\n"
            "p=subprocess.run(sys.argv[2:],stdout=open(sys.argv[1],'wb'),stderr=subprocess.PIPE)\n"
            "sys.stderr.buffer.write(p.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.exit(p.returncode)\n")
    p = subprocess.run([sys.executable, "-c", code, stdout_path] + argv, capture_output=True,
                       timeout=600)
    return p.returncode, p.stderr.decode("utf-8", "replace"), int(p.stdout.split()[-1])


class HardCase(unittest.TestCase):
    """A temporary folder, regsla runs, and the assertions every case uses."""

    policy = "aws-s3"  # UTC months, so that derived months need no zone

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rsla-hard-")

    def tearDown(self):
        for root, dirs, _ in os.walk(self.tmp):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def regsla(self, args, stdin=None, extra=(), timeout=300):
        """(exit code, report or None, stderr text)."""
        out = self.path("report.json")
        if os.path.exists(out):
            os.unlink(out)
        argv = [REGSLA, "report", "--quiet", "--format", "json", "--policy", self.policy,
                "-o", out] + list(extra) + list(args)
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
        rep = None
        if os.path.exists(out):
            with open(out) as f:
                rep = json.load(f)
        return p.returncode, rep, p.stderr.decode("utf-8", "replace")

    def assertCounts(self, counts, lines, outcomes, skipped=None, rejected=None):
        """counts: the report's input or one input.files entry. skipped/rejected: {reason: n}
        (every other reason must be 0)."""
        skipped = skipped or {}
        rejected = rejected or {}
        got = {k: counts[k] for k in ("lines", "outcomes", "skipped", "rejected")}
        want = {"lines": lines, "outcomes": outcomes, "skipped": sum(skipped.values()),
                "rejected": sum(rejected.values())}
        self.assertEqual(got, want)
        self.assertReasons(counts["skipped_by_reason"], skipped)
        self.assertReasons(counts["rejected_by_reason"], rejected)
        self.assertEqual(counts["lines"], counts["outcomes"] + counts["skipped"] + counts["rejected"])

    def assertReasons(self, got, want):
        """got: a report's *_by_reason object; want: {reason: n}, every other reason 0 (the
        report may know more reasons than SKIP_REASONS/REJECT_REASONS name)."""
        self.assertLessEqual(set(want), set(got))
        self.assertEqual(got, {r: want.get(r, 0) for r in got})

    def one_file(self, rep, path=None):
        files = rep["input"]["files"]
        self.assertEqual(len(files), 1, [f["path"] for f in files])
        if path is not None:
            self.assertEqual(files[0]["path"], path)
        return files[0]

    def file_entry(self, rep, path):
        for f in rep["input"]["files"]:
            if f["path"] == path:
                return f
        self.fail("no input.files entry for %s in %s" % (path, [f["path"] for f in rep["input"]["files"]]))

    def assertClean(self, entry, size, compression="none"):
        self.assertIsNone(entry["error"])
        self.assertIsNone(entry["error_offset"])
        self.assertFalse(entry["lost_tail"])
        self.assertEqual(entry["compression"], compression)
        self.assertEqual(entry["bytes_read"], size)

    def assertRejectMessage(self, err, path, line, offset, column, reason, field=None):
        want = "regsla: %s:%d: rejected (byte %d, column %d): %s%s" % (
            path, line, offset, column, reason, " in " + field if field else "")
        self.assertIn(want, err)

    def pulls(self, rep):
        """(valid, failed) pulls summed over every instance row."""
        v = sum(r["requests"]["pull"]["valid"] for r in rep["instances"])
        f = sum(r["requests"]["pull"]["failed"] for r in rep["instances"])
        return v, f


class Text(HardCase):
    """Plain files: empty, NUL bytes, random binary, line ends, BOM, UTF-8."""

    def test_empty_file(self):
        p = self.write("empty.log", b"")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 0, 0)
        f = self.one_file(rep, p)
        self.assertCounts(f, 0, 0)
        self.assertClean(f, 0)
        self.assertEqual(f["bytes_decoded"], 0)
        self.assertEqual(rep["instances"], [])
        self.assertNotIn("rejected", err)

    def test_nul_bytes(self):
        # 64 KiB of NUL and no newline: one line that matches no log format, so the file is
        # "no known log format" (format detection, docs/FORMATS.md): its line is counted as
        # skipped unknown_format and the file is reported (exit 3).
        data = b"\0" * 65536
        p = self.write("nul.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 1, 0, skipped={"unknown_format": 1})
        f = self.one_file(rep, p)
        self.assertIn("no known log format", f["error"])
        self.assertIn("regsla: %s: no known log format" % p, err)
        self.assertEqual(f["bytes_decoded"], len(data))

    def test_nul_run_before_a_record(self):
        # Once a bug (skipped not_json, the record lost silently): a line that starts with
        # control bytes, like the NUL run a crashed file system leaves before the next record, is
        # rejected json_syntax at its first byte, so the loss shows.
        data = record() + b"\n" + b"\0" * 4096 + record(http__request__id="req-2") + b"\n"
        p = self.write("crashed.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 2, 1, rejected={"json_syntax": 1})

    def test_junk_before_the_first_record(self):
        # Once a bug (the format was decided from the first 64 lines only): a file that starts
        # with 70 lines of a Go panic before its records is read from its first record on, since
        # detection goes on through the first chunk while a window votes for no format.
        records = b"".join(record(http__request__id="r%d" % i) + b"\n" for i in range(100))
        ok = self.write("ten.log", b"".join(b"goroutine %d [running]:\n" % i for i in range(10)) + records)
        rc, rep, err = self.regsla([ok])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 110, 100, skipped={"not_json": 10})
        p = self.write("panic.log", b"".join(b"goroutine %d [running]:\n" % i for i in range(70)) + records)
        rc, rep, err = self.regsla([p])
        self.assertCounts(rep["input"], 170, 100, skipped={"not_json": 70})
        self.assertEqual(rc, 0, err)

    def test_random_binary(self):
        # A file of random bytes matches no log format: every line skipped unknown_format, exit 3.
        rng = random.Random(20240210)
        data = bytes(rng.getrandbits(8) for _ in range(1 << 20))
        p = self.write("random.bin", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], len(split_lines(data)), 0,
                          skipped={"unknown_format": len(split_lines(data))})
        self.assertIn("regsla: %s: no known log format" % p, err)

    def test_random_binary_after_records(self):
        # Records first (the file is Distribution JSON), then 1 MiB of random bytes: each
        # garbage line is blank, not_json or rejected at its own line number and byte offset.
        rng = random.Random(20240211)
        head = b"".join(record(http__request__id="h%d" % i) + b"\n" for i in range(20))
        garbage = bytes(rng.getrandbits(8) for _ in range(1 << 20))
        p = self.write("random.bin", head + garbage)
        lines, skipped, rejected, first = expected_counts(garbage)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        inp = rep["input"]
        self.assertEqual((inp["lines"], inp["outcomes"], inp["skipped"], inp["rejected"]),
                         (20 + lines, 20, sum(skipped.values()), rejected))
        self.assertReasons(inp["skipped_by_reason"], skipped)
        self.assertEqual(sum(inp["rejected_by_reason"][r] for r in SYNTAX_REASONS), rejected)
        f = self.one_file(rep, p)
        self.assertClean(f, len(head) + len(garbage))
        self.assertTrue(first, "the seed gives at least one line starting with '{'")
        self.assertRegex(err, re.escape("regsla: %s:%d: rejected (byte %d, column " %
                                        (p, 20 + first[0], len(head) + first[1])))

    def test_long_first_record(self):
        # Once a bug (the first 64 KiB decided the format): a first record longer than the
        # detection window that starts with '{' is read as Distribution JSON.
        first = record(http__request__uri="/v2/lib/app/manifests/" + "a" * 100000)
        data = first + b"\n" + b"".join(record(http__request__id="r%d" % i) + b"\n" for i in range(5))
        p = self.write("long-first.log", data)
        rc, rep, err = self.regsla([p])
        self.assertCounts(rep["input"], 6, 6)
        self.assertEqual(rc, 0, err)
        # Once a bug: a first record of 1 MiB less 1 or 2 bytes filled the first chunk alone,
        # was judged by its first 64 KiB (no format) and decided the file.
        base = len(record(http__request__uri="/v2/lib/app/manifests/"))
        for size in ((1 << 20) - 2, (1 << 20) - 1, 1 << 20, 3 << 19):
            first = record(http__request__uri="/v2/lib/app/manifests/" + "a" * (size - base))
            data = first + b"\n" + b"".join(record(http__request__id="r%d" % i) + b"\n" for i in range(5))
            rc, rep, err = self.regsla([self.write("long-first.log", data)])
            self.assertEqual(rc, 0, "%d: %s" % (size, err))
            self.assertCounts(rep["input"], 6, 6)

    def test_last_line_without_newline(self):
        data = b"\n".join(record(http__request__id="r%d" % i) for i in range(3))
        p = self.write("nonl.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 3, 3)
        self.assertEqual(self.pulls(rep), (3, 0))
        # A cut-off last line is judged like any other, at its own line number and offset.
        broken = record()[:-20]
        data = record() + b"\n" + record() + b"\n" + broken
        p = self.write("cut.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 3, 2, rejected={"json_syntax": 1})
        self.assertRejectMessage(err, p, 3, len(data) - len(broken), len(broken) + 1, "json_syntax")

    def test_crlf_line_ends(self):
        data = b"".join(record(http__response__status=s) + b"\r\n" for s in (200, 503, 200))
        p = self.write("crlf.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 3, 3)
        self.assertEqual(self.pulls(rep), (3, 1))
        self.assertEqual([r["instance"] for r in rep["instances"]], ["reg.example.com"])
        # A CR-only blank line between records is blank, not a record.
        p = self.write("crlf-blank.log", record() + b"\r\n\r\n" + record() + b"\r\n")
        rc, rep, err = self.regsla([p])
        self.assertCounts(rep["input"], 3, 2, skipped={"blank": 1})

    def test_utf8_bom_at_file_start(self):
        # Decision: a BOM at the very start of a file is read as whitespace (ing_reader hands it
        # on as three spaces), so the first record counts and byte offsets stay the file's.
        bom = b"\xef\xbb\xbf"
        bad = record(http__response__status=2.5)
        data = bom + record() + b"\n" + bad + b"\n"
        p = self.write("bom.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 2, 1, rejected={"wrong_type": 1})
        f = self.one_file(rep, p)
        self.assertClean(f, len(data))
        self.assertEqual(f["bytes_decoded"], len(data))
        offset = len(bom + record() + b"\n")
        self.assertRejectMessage(err, p, 2, offset, bad.index(b"2.5") + 1, "wrong_type",
                                 "http.response.status")

    def test_utf8_bom_in_zstd_and_on_stdin(self):
        if not ZSTD:
            self.skipTest("zstd command not found")
        data = b"\xef\xbb\xbf" + record() + b"\n"
        p = self.write("bom.zst", zstd_compress(data))
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 1, 1)
        rc, rep, err = self.regsla(["-"], stdin=data)
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 1, 1)

    def test_utf8_bom_not_at_file_start(self):
        # Only the start of a file: a BOM in front of a later line (files concatenated with cat)
        # makes that line not JSON, as any other leading byte would.
        data = record() + b"\n\xef\xbb\xbf" + record() + b"\n"
        p = self.write("bom2.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 2, 1, skipped={"not_json": 1})

    def test_invalid_utf8_in_a_value(self):
        good = record(http__request__uri="/v2/caf\u00e9/manifests/\u00b5")
        cases = [b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf5\x80\x80\x80", b"\xe2\x82"]
        lines = [good] + [record(http__request__uri="/v2/XX/manifests/a").replace(b"XX", c)
                          for c in cases]
        data = b"\n".join(lines) + b"\n"
        p = self.write("utf8.log", data)
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], len(lines), 1, rejected={"invalid_utf8": len(cases)})
        offset = len(good) + 1
        for n, (line, c) in enumerate(zip(lines[1:], cases), 2):
            # column: the first byte of the sequence that is not UTF-8 (1-based).
            self.assertRejectMessage(err, p, n, offset, line.index(c) + 1, "invalid_utf8")
            offset += len(line) + 1
        rc, rep, err = self.regsla([p], extra=["--strict"])
        self.assertEqual(rc, 4)
        self.assertIsNone(rep)
        self.assertIn("--strict", err)


class Fields(HardCase):
    """Key order, duplicate keys, and the status field's types."""

    def test_keys_in_any_order(self):
        base = json.loads(record(http__response__status=503))
        keys = list(base)
        rng = random.Random(7)
        lines = []
        # Distinct request ids: failed lines of one id are one request (SLA-SPEC section 1).
        for i in range(20):
            rng.shuffle(keys)
            base["http.request.id"] = "req-%d" % i
            lines.append(json.dumps({k: base[k] for k in keys}).encode())
        base["http.request.id"] = "req-last"
        lines.append(json.dumps({k: base[k] for k in reversed(sorted(base))}).encode())
        p = self.write("order.log", b"\n".join(lines) + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 21, 21)
        self.assertEqual(self.pulls(rep), (21, 21))

    def test_duplicate_keys_last_wins(self):
        r = record()
        # status 500 then 200 -> 200 (good); 200 then 500 -> 500 (failed).
        first_500 = b'{"http.response.status":500,' + r[1:]
        last_500 = r[:-1] + b',"http.response.status":500}'
        # msg "response completed" then another msg -> not an outcome (skipped other_message).
        last_msg = r[:-1] + b',"msg":"authorized request"}'
        # time given twice: the last one, in March, decides the month.
        last_time = r[:-1] + b',"time":"2024-03-01T00:00:00Z"}'
        p = self.write("dup.log", b"\n".join([first_500, last_500, last_msg, last_time]) + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 4, 3, skipped={"other_message": 1})
        self.assertEqual(self.pulls(rep), (3, 1))
        self.assertEqual(sorted(m["month"] for m in rep["coverage"]["months"]), ["2024-02", "2024-03"])

    def status_case(self, value, **counts):
        line = record(http__response__status=value)
        p = self.write("status.log", line + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        return p, line, rep, err

    def test_status_as_string(self):
        p, line, rep, err = self.status_case("503")
        self.assertCounts(rep["input"], 1, 1)
        self.assertEqual(self.pulls(rep), (1, 1))  # "503" is 503: a failed pull
        p, line, rep, err = self.status_case("200")
        self.assertEqual(self.pulls(rep), (1, 0))

    def test_status_as_float(self):
        p, line, rep, err = self.status_case(503.0)
        self.assertCounts(rep["input"], 1, 0, rejected={"wrong_type": 1})
        self.assertRejectMessage(err, p, 1, 0, line.index(b"503.0") + 1, "wrong_type",
                                 "http.response.status")

    def test_status_null(self):
        line = record()[:-1] + b',"http.response.status":null}'
        p = self.write("status.log", line + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 1, 0, rejected={"wrong_type": 1})
        self.assertRejectMessage(err, p, 1, 0, line.rindex(b"null") + 1, "wrong_type",
                                 "http.response.status")

    def test_status_missing(self):
        line = record(http__response__status=None)
        p = self.write("status.log", line + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 1, 0, rejected={"missing_field": 1})
        self.assertRejectMessage(err, p, 1, 0, 1, "missing_field", "http.response.status")


class Times(HardCase):
    """Timestamps: zones, 1969, 2100, leap days, the last nanosecond of a month."""

    def one_time(self, t, policy="aws-s3"):
        self.policy = policy
        line = record(time=t)
        p = self.write("t.log", line + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 0, err)
        return p, line, rep, err

    def assertLands(self, t, zone_minutes=0, policy="aws-s3"):
        p, line, rep, err = self.one_time(t, policy)
        self.assertCounts(rep["input"], 1, 1)
        text, dt = utc_text(t)
        months = rep["coverage"]["months"]
        self.assertEqual(len(months), 1, months)
        self.assertEqual(months[0]["first_line"], text, t)
        self.assertEqual(months[0]["month"], month_of(dt, zone_minutes), t)
        self.assertEqual([r["month"] for r in rep["instances"]], [month_of(dt, zone_minutes)])

    def assertRefused(self, t, reason):
        p, line, rep, err = self.one_time(t)
        self.assertCounts(rep["input"], 1, 0, rejected={reason: 1})
        self.assertRejectMessage(err, p, 1, 0, line.index(b'"%s"' % t.encode()) + 1, reason, "time")

    def test_time_without_zone(self):
        self.assertRefused("2024-02-10T10:00:00", "time_without_zone")
        self.assertRefused("2024-02-10T10:00:00.123456", "time_without_zone")

    def test_time_with_hhmm_offset(self):
        self.assertLands("2024-02-10T10:00:00+0530")
        self.assertLands("2024-02-10T10:00:00-0800")
        self.assertLands("2024-02-29T20:00:00-0800")  # March 1st in UTC

    def test_time_before_1970(self):
        self.assertLands("1969-12-31T23:59:59.5Z")
        self.assertLands("1901-01-01T00:00:00Z")
        self.assertLands("1969-12-31T20:00:00.25Z", 8 * 60, "acr-ee")  # 1970-01 at +08:00

    def test_time_in_2100(self):
        self.assertLands("2100-01-15T00:00:00Z")
        self.assertLands("2100-12-31T23:59:59.999999999Z")
        self.assertRefused("2100-02-29T00:00:00Z", "bad_time")  # 2100 is not a leap year

    def test_time_on_29_february(self):
        self.assertLands("2024-02-29T12:00:00Z")
        self.assertLands("2000-02-29T23:59:59Z")
        self.assertRefused("2023-02-29T12:00:00Z", "bad_time")

    def test_last_nanosecond_of_the_month(self):
        # 23:59:59.999999999 on the last day lands in that month, not the next.
        self.assertLands("2024-01-31T23:59:59.999999999Z")
        self.assertLands("2024-02-29T23:59:59.999999999Z")
        self.assertLands("2023-12-31T23:59:59.999999999Z")
        # In the acr-ee zone (+08:00): the month's last nanosecond there, and in UTC the next.
        self.assertLands("2024-01-31T23:59:59.999999999+08:00", 8 * 60, "acr-ee")
        self.assertLands("2024-01-31T15:59:59.999999999Z", 8 * 60, "acr-ee")
        self.assertLands("2024-01-31T16:00:00Z", 8 * 60, "acr-ee")

    def test_time_outside_the_clock(self):
        # The nanosecond clock spans 1677-09 to 2262-04: later or earlier years are refused, not
        # wrapped (9999-12-31 used to overflow and land in March 1816).
        self.assertRefused("9999-12-31T23:59:59Z", "bad_time")
        self.assertRefused("0000-01-01T00:00:00Z", "bad_time")
        self.assertRefused("1677-12-31T23:59:59Z", "bad_time")
        self.assertLands("2261-12-31T23:59:59Z")
        self.assertLands("1678-01-01T00:00:00Z")


@unittest.skipUnless(ZSTD, "zstd command not found")
class Zstd(HardCase):
    """zstd inputs cut short, damaged, or mixed with plain ones; stdin ending early."""

    def text(self, n=3000):
        return b"".join(record(http__request__id="req-%d" % i) + b"\n" for i in range(n))

    def assertPrefixAccounting(self, entry, text):
        """The decoded bytes are a prefix of the real text: every whole line in it is an outcome,
        and a cut-off last line is one json_syntax rejection."""
        d = entry["bytes_decoded"]
        self.assertLessEqual(d, len(text))
        whole = text[:d].count(b"\n")
        tail = 1 if d and not text[:d].endswith(b"\n") else 0
        self.assertCounts(entry, whole + tail, whole, rejected={"json_syntax": tail} if tail else {})

    def assertLostTail(self, err, entry, path, what):
        self.assertTrue(entry["error"].startswith(what), entry["error"])
        self.assertTrue(entry["lost_tail"])
        self.assertEqual(entry["compression"], "zstd")
        self.assertIn("regsla: %s: %s" % (path, entry["error"]), err)
        self.assertIn("at byte %d of the file; the %d lines" % (entry["error_offset"], entry["lines"]),
                      err)

    def test_truncated_mid_frame(self):
        text = self.text()
        z = zstd_compress(text, "--check")
        cut = len(z) // 2
        p = self.write("cut.zst", z[:cut])
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        f = self.one_file(rep, p)
        self.assertLostTail(err, f, p, "truncated zstd frame")
        self.assertEqual(f["error_offset"], cut)
        self.assertEqual(f["bytes_read"], cut)
        self.assertGreater(f["bytes_decoded"], 0)
        self.assertLess(f["bytes_decoded"], len(text))
        self.assertPrefixAccounting(f, text)
        self.assertCounts(rep["input"], f["lines"], f["outcomes"], rejected=f["rejected_by_reason"])

    def test_truncated_in_the_header(self):
        z = zstd_compress(self.text(10))
        p = self.write("head.zst", z[:6])
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        f = self.one_file(rep, p)
        self.assertLostTail(err, f, p, "truncated zstd frame")
        self.assertCounts(f, 0, 0)

    def test_corrupt_block(self):
        text = self.text()
        z = bytearray(zstd_compress(text, "--check"))
        mid = len(z) // 2
        for i in range(mid, mid + 32):
            z[i] ^= 0x5A
        p = self.write("corrupt.zst", bytes(z))
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        f = self.one_file(rep, p)
        self.assertLostTail(err, f, p, "corrupt zstd data")
        self.assertLessEqual(f["error_offset"], len(z))
        self.assertEqual(f["bytes_read"], f["error_offset"])
        # zstd finds some damage only later (a block that decodes to wrong bytes; the checksum at
        # the frame's end), so the last text handed on before the error may be garbage: every
        # such line is counted (rejected here), none is dropped, and no more outcomes than the
        # real text has whole lines in as many bytes.
        d = f["bytes_decoded"]
        self.assertGreater(d, 0)
        self.assertLessEqual(d, len(text))
        self.assertEqual(f["skipped"], 0)
        self.assertEqual(f["lines"], f["outcomes"] + f["rejected"])
        self.assertLessEqual(f["outcomes"], text[:d].count(b"\n"))
        self.assertGreaterEqual(f["rejected"], 0 if text[:d].endswith(b"\n") else 1)
        self.assertLess(f["outcomes"], 3000)

    def read_wrong_checksum(self, name, text):
        """text as one zstd frame whose checksum is wrong, read: (path, size, its files entry,
        stderr), after checking exit 3."""
        z = bytearray(zstd_compress(text, "--check"))
        z[-1] ^= 0xFF
        p = self.write(name, bytes(z))
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        return p, len(z), self.one_file(rep, p), err

    def test_wrong_checksum(self):
        # The checksum (last 4 bytes) is checked when the frame ends: the content was decoded
        # and counted, and the file is reported as damaged (exit 3).
        text = self.text()
        p, _, f, err = self.read_wrong_checksum("sum.zst", text)
        self.assertLostTail(err, f, p, "corrupt zstd data")
        self.assertIn("checksum", f["error"])
        self.assertPrefixAccounting(f, text)

    def test_bom_in_a_file_read_in_parallel_segments(self):
        # Once a bug (ingest/ing_frames.c): the first segment of a file decoded in parallel
        # segments applies ing_reader's rule for a UTF-8 BOM at the start of the file.
        import base64
        head = b"\xef\xbb\xbf" + b"".join(record(http__request__id="r%d" % i) + b"\n" for i in range(11))
        junk = base64.encodebytes(random.Random(3).randbytes(17 << 20))  # incompressible-ish lines
        half = len(junk) // 2
        z = zstd_compress(head + junk[:half], "-1") + zstd_compress(junk[half:], "-1")
        p = self.write("segments.zst", z)
        n_junk = junk.count(b"\n")
        for threads in ("1", "2"):
            rc, rep, err = self.regsla([p], extra=["--threads", threads])
            self.assertEqual(rc, 0, err)
            self.assertCounts(rep["input"], 11 + n_junk, 11, skipped={"not_json": n_junk})

    def same_as_plain(self, name, data, levels=("-1", "-3", "-19")):
        """The report of data written plain, then as .zst at each level: the same input
        accounting and profile whatever the frame's window (1 to 8 MiB)."""
        def summary(rep):
            f = rep["input"]["files"][0]
            keep = ("lines", "outcomes", "skipped", "rejected", "skipped_by_reason",
                    "rejected_by_reason", "profile")
            return {k: f[k] for k in keep}, rep["instances"] if "instances" in rep else None
        rc, rep, err = self.regsla([self.write(name, data)])
        want = (rc, summary(rep))
        for level in levels:
            p = self.write(name + level + ".zst", zstd_compress(data, level))
            rc, rep, err = self.regsla([p])
            self.assertEqual((rc, summary(rep)), want, "zstd %s: %s" % (level, err))
        return want

    def test_long_first_line_in_zstd(self):
        # Once a bug (decoding in place): a first line longer than the first chunk of a .zst was
        # judged by its first part alone, and the file read as no known format.
        first = record(http__request__uri="/v2/lib/app/manifests/" + "a" * (3 << 20))
        data = first + b"\n" + self.text(600)
        rc, (counts, _) = self.same_as_plain("long-first.log", data)
        self.assertEqual(rc, 0)
        self.assertEqual((counts["lines"], counts["outcomes"], counts["profile"]),
                         (601, 601, "distribution"))
        # From standard input, read once: decided from the first line's start (a JSON object).
        rc, rep, err = self.regsla(["-"], stdin=zstd_compress(data, "-3"))
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 601, 601)

    def test_format_decided_from_the_first_mib_whatever_the_window(self):
        # Once a bug (decoding in place): detection read the first chunk, which held a window
        # (2 MiB at -3, 8 MiB at -19): a file whose records start after 1.7 MB of stack trace
        # was read as Distribution JSON from .zst, and as no known format plain. The first MiB
        # decides (docs/HARD-INPUTS.md), whatever the compression.
        trace = b"".join(b"\tgoroutine %d [running]: main.handler(0x%x)\n" % (i, i * 7919)
                         for i in range(40000))
        self.assertGreater(len(trace), 3 << 19)
        rc, (counts, _) = self.same_as_plain("trace.log", trace + self.text(300))
        self.assertEqual(rc, 3)
        self.assertEqual(counts["skipped_by_reason"]["unknown_format"], 40300)

    def test_bom_line_a_window_after_the_start(self):
        # Once a bug (decoding in place, found in review): the BOM at the start, turned into
        # spaces in the first chunk's text, was still zstd's history, and a match exactly a
        # window back copied the spaces into a later line that starts with a BOM: read as a
        # record, not as not_json. The file is as long as the window (2 MiB at -5, 4 MiB at
        # -12) when that line starts.
        bom, first = b"\xef\xbb\xbf", record(http__request__id="first-unique-xyz") + b"\n"
        for level, window in (("-5", 2 << 20), ("-12", 4 << 20)):
            data = bytearray(bom + first)
            i = 0
            while len(data) + 700 < window:
                data += record(http__request__id="f%d" % i) + b"\n"
                i += 1
            pad = window - len(data) - len(record(http__request__id="") + b"\n")
            data += record(http__request__id="p" * pad) + b"\n"
            self.assertEqual(len(data), window)
            data += bom + first + b"".join(record(http__request__id="g%d" % j) + b"\n" for j in range(3000))
            rc, (counts, _) = self.same_as_plain("bom-window.log", bytes(data), levels=(level,))
            self.assertEqual(counts["skipped_by_reason"]["not_json"], 1, level)

    def test_bom_split_over_frames(self):
        # Once a bug (found in review): a BOM whose last byte starts the second frame (the first
        # frame 2 bytes long, its window 2 bytes) was turned into spaces where that frame's
        # history is, and a later match copied a space for the byte 0xBF: a record rejected
        # invalid_utf8, and a false checksum error. Such a frame is decoded through the ring.
        rng = random.Random(10)
        hexs = rng.randbytes(100).hex()
        body = b"".join(record(http__request__id=rng.randbytes(40).hex()) + b"\n" for _ in range(5500))
        later = record(http__request__uri="/v2/\u00bf" + hexs) + b"\n"
        second = b"\xbf" + hexs.encode() + b"\n" + body + later + self.text(1000)
        rc, plain, err = self.regsla([self.write("split-bom.log", b"\xef\xbb" + second)])
        self.assertEqual(rc, 0, err)
        self.assertCounts(plain["input"], 6502, 6501, skipped={"not_json": 1})
        for level in ("-5", "-12", "-19"):
            z = zstd_compress(b"\xef\xbb", "--no-check", "--stream-size=2") + \
                zstd_compress(second, level, "--zstd=wlog=21")
            rc, rep, err = self.regsla([self.write("split-bom.zst", z)])
            self.assertEqual(rc, 0, "%s: %s" % (level, err))
            self.assertEqual(rep["input"]["files"][0]["outcomes"], 6501, level)
            self.assertEqual(rep["instances"], plain["instances"], level)

    def test_long_line_in_a_zstd_file(self):
        # A 31 MB line among records: read in place, a zstd file goes on copied from a line
        # over 16 MiB (in place it held such a line three times); the report is the plain one.
        rng = random.Random(9)
        before = b"".join(record(http__request__id="b%d" % i) + b"\n" for i in range(3000))
        after = b"".join(record(http__request__id="a%d" % i) + b"\n" for i in range(3000))
        long = record(http__request__uri="/v2/lib/app/manifests/" + rng.randbytes(15 << 20).hex())
        rc, (counts, _) = self.same_as_plain("long-line.log", before + long + b"\n" + after,
                                             levels=("-1", "-3"))
        self.assertEqual(rc, 0)
        self.assertEqual((counts["lines"], counts["outcomes"]), (6001, 6001))

    def big_frames(self, seed, n, *args):
        """n zstd frames (zstd args) of about 4 MiB each: 2700 records whose random 3000-char
        ids compress little, so that 4 or more make a file read in parallel segments."""
        rng = random.Random(seed)
        return [bytearray(zstd_compress(b"".join(
            record(http__request__id=rng.randbytes(1500).hex()) + b"\n" for _ in range(2700)),
            *args)) for _ in range(n)]

    def test_damaged_frames_same_at_any_thread_count(self):
        # Once a bug: a file of independent frames was read whole by one thread (its first
        # error ending it) and in parallel segments by more (decoding going on at the next
        # segment), so damage gave different counts at --threads 1 and 2. It is read in
        # segments at every thread count now.
        frames = self.big_frames(7, 6, "-1", "--check")
        frames[1][-1] ^= 0xFF                # a wrong checksum
        mid = len(frames[4]) // 2
        for i in range(mid, mid + 64):       # a corrupt block
            frames[4][i] ^= 0x5A
        p = self.write("frames.zst", b"".join(bytes(f) for f in frames))
        reports = {}
        for threads in ("1", "2", "3"):
            rc, rep, err = self.regsla([p], extra=["--threads", threads])
            self.assertEqual(rc, 3, err)
            reports[threads] = rep
        self.assertEqual(reports["1"], reports["2"])
        self.assertEqual(reports["1"], reports["3"])
        # Frames 0-2 and 3-5 are the two segments (8 MiB each at least). A segment is read as
        # a whole file is: frame 1's text is kept despite its checksum, frame 2 is lost behind
        # it; frame 3 counts, frame 4 up to its damaged block, frame 5 is lost.
        f = self.one_file(reports["1"], p)
        self.assertIn("doesn't match checksum; decoding went on at the next independent frame",
                      f["error"])
        self.assertEqual(f["error_offset"], len(frames[0]) + len(frames[1]) - 4)
        self.assertGreaterEqual(f["outcomes"], 3 * 2700)
        self.assertLess(f["outcomes"], 4 * 2700)

    def test_long_frame_ends_the_segments(self):
        # A frame of more than 256 blocks (32 MiB of text) is not walked to its end: it and the
        # frames after it are read as one stream, the last segment (ingest/ing_frames.h), so a
        # file written as one frame has no pass over its blocks before decoding. Damage after
        # such a frame therefore costs the rest of the file, as in a file read whole.
        frames = self.big_frames(11, 6, "-1")
        long = b"".join(record(http__request__id="long-%d" % i) + b"\n" for i in range(120000))
        self.assertGreater(len(long), 256 * 128 * 1024)
        mid = len(frames[4]) // 2
        for i in range(mid, mid + 64):       # a corrupt block in the frame after the long one
            frames[4][i] ^= 0x5A
        z = b"".join(bytes(f) for f in frames[:4]) + zstd_compress(long, "-1") + \
            b"".join(bytes(f) for f in frames[4:])
        p = self.write("long-frame.zst", z)
        reports = [self.regsla([p], extra=["--threads", t]) for t in ("1", "2", "3")]
        self.assertEqual(reports[0][1], reports[1][1])
        self.assertEqual(reports[0][1], reports[2][1])
        rc, rep, err = reports[0]
        self.assertEqual(rc, 3, err)
        f = self.one_file(rep, p)
        self.assertIn("corrupt zstd data", f["error"])
        self.assertNotIn("decoding went on", f["error"])  # no segment after the damage
        self.assertTrue(f["lost_tail"])
        # frames 0-3 and the long one whole, frame 4 up to its damaged block, frame 5 lost
        self.assertGreaterEqual(f["outcomes"], 4 * 2700 + 120000)
        self.assertLess(f["outcomes"], 5 * 2700 + 120000)

    def test_damaged_first_frame_of_a_segmented_file(self):
        # Once a bug: the format was decided from the file's first chunk, empty when its first
        # frame does not decode, so the segments after it were read as no known format. The
        # first segment with text decides.
        frames = self.big_frames(8, 5, "-1")
        fhd = frames[0][4]  # frame header: magic, descriptor, window, dictionary, content size
        single = bool(fhd & 0x20)
        head = 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + ((1 if single else 0), 2, 4, 8)[fhd >> 6]
        frames[0][head] |= 0x06  # the first block's type: reserved
        # Also behind a one-line banner frame, which decodes (found in review): the banner and
        # the text after the damage decide, not the banner alone.
        for name, banner in (("first-bad.zst", b""), ("banner.zst", zstd_compress(b"starting registry\n"))):
            p = self.write(name, banner + b"".join(bytes(f) for f in frames))
            reports = [self.regsla([p], extra=["--threads", t]) for t in ("1", "2")]
            self.assertEqual(reports[0][1], reports[1][1])
            rc, rep, err = reports[0]
            self.assertEqual(rc, 3, err)
            f = self.one_file(rep, p)
            self.assertEqual(f["profile"], "distribution", name)
            self.assertIn("decoding went on at the next independent frame", f["error"])
            self.assertTrue(f["lost_tail"])
            self.assertGreaterEqual(f["outcomes"], 2700)  # the frames of the segments after it

    def test_unknown_format_and_damage(self):
        # Once a bug (found in review): the damage message replaced the format message (leaking
        # it), or, in a segmented file, the format message hid the damage (offset 0, lost_tail
        # false). Both are said now, the format first, the offset the damage's.
        text = b"".join(b"goroutine %d [running]:\n" % i for i in range(3000))
        _, size, f, _ = self.read_wrong_checksum("unknown-sum.zst", text)
        self.assertTrue(f["error"].startswith("no known log format: "), f["error"])
        self.assertIn("; corrupt zstd data: ", f["error"])
        self.assertIn("checksum", f["error"])
        self.assertTrue(f["lost_tail"])
        self.assertEqual(f["error_offset"], size - 4)
        self.assertCounts(f, 3000, 0, skipped={"unknown_format": 3000})

    def test_plain_and_zstd_in_one_folder(self):
        text = self.text(400)
        lines = split_lines(text)
        parts = {
            "logs/a.log": b"\n".join(lines[:100]) + b"\n",
            "logs/b.log.zst": zstd_compress(b"\n".join(lines[100:200]) + b"\n"),
            # two frames, concatenated (cat x.zst y.zst): one input
            "logs/c.zst": zstd_compress(b"\n".join(lines[200:250]) + b"\n") +
                          zstd_compress(b"\n".join(lines[250:300]) + b"\n", "--no-check"),
            # no .zst suffix: told by magic bytes
            "logs/sub/d.log": zstd_compress(b"\n".join(lines[300:400])),
        }
        for name, data in parts.items():
            self.write(name, data)
        rc, rep, err = self.regsla([self.path("logs")])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 400, 400)
        want = {"logs/a.log": (100, "none"), "logs/b.log.zst": (100, "zstd"),
                "logs/c.zst": (100, "zstd"), "logs/sub/d.log": (100, "zstd")}
        self.assertEqual([f["path"] for f in rep["input"]["files"]],
                         [self.path(n) for n in sorted(want)])
        for name, (n, comp) in want.items():
            f = self.file_entry(rep, self.path(name))
            self.assertCounts(f, n, n)
            self.assertClean(f, len(parts[name]), comp)

    def test_zstd_then_plain_text_in_one_file(self):
        # A file is zstd or plain, told by its first bytes: plain text after a frame is damage.
        lines = split_lines(self.text(20))
        head = b"\n".join(lines[:10]) + b"\n"
        z = zstd_compress(head)
        p = self.write("mixed.log", z + b"\n".join(lines[10:]) + b"\n")
        rc, rep, err = self.regsla([p])
        self.assertEqual(rc, 3, err)
        f = self.one_file(rep, p)
        self.assertLostTail(err, f, p, "corrupt zstd data")
        self.assertEqual(f["error_offset"], len(z))
        self.assertEqual(f["bytes_decoded"], len(head))
        self.assertCounts(f, 10, 10)

    def test_other_compression_formats(self):
        # gzip, xz, bzip2 (rotated logs are often .gz): not decoded, so said, not read as text.
        # Read as text a gzip month was a few dozen skipped lines and exit 0: every record lost.
        import bz2
        import gzip
        import lzma
        text = self.text(200)
        files = {"a.log.gz": ("gzip", gzip.compress(text)), "b.log.xz": ("xz", lzma.compress(text)),
                 "c.log.bz2": ("bzip2", bz2.compress(text))}
        for name, (_, data) in files.items():
            self.write("logs/" + name, data)
        ok = self.write("logs/d.log", text[:text.index(b"\n") + 1])
        rc, rep, err = self.regsla([self.path("logs")])
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 1, 1)
        for name, (fmt, _) in files.items():
            f = self.file_entry(rep, self.path("logs/" + name))
            self.assertCounts(f, 0, 0)
            self.assertIn("%s-compressed input is not supported" % fmt, f["error"])
            self.assertIn("regsla: %s: %s-compressed" % (self.path("logs/" + name), fmt), err)
        self.assertIsNone(self.file_entry(rep, ok)["error"])

    def test_stdin_ends_early(self):
        text = self.text()
        z = zstd_compress(text)
        cut = len(z) * 2 // 3
        # through a pipe, as `zstd -c ... | head -c N | regsla report -`
        argv = [REGSLA, "report", "--quiet", "--format", "json", "--policy", self.policy, "-"]
        p = subprocess.run(argv, input=z[:cut], capture_output=True, timeout=300)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 3, err)
        rep = json.loads(p.stdout)
        f = self.one_file(rep, "-")
        self.assertLostTail(err, f, "-", "truncated zstd frame")
        self.assertEqual(f["error_offset"], cut)
        self.assertPrefixAccounting(f, text)
        self.assertGreater(f["outcomes"], 0)
        # Two bytes of the magic number only: plain text of those bytes, one line of no known
        # format (exit 3).
        p = subprocess.run(argv, input=z[:2], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertCounts(json.loads(p.stdout)["input"], 1, 0, skipped={"unknown_format": 1})
        # The magic number and nothing after it: a frame cut short at once.
        p = subprocess.run(argv, input=z[:5], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 3, p.stderr)
        f = self.one_file(json.loads(p.stdout), "-")
        self.assertTrue(f["error"].startswith("truncated zstd frame"))
        self.assertCounts(f, 0, 0)


class Files(HardCase):
    """Inputs that cannot be read, and folders with symlinks."""

    def good(self, name, n=5, first=0):
        data = b"".join(record(http__request__id="f%d" % i) + b"\n" for i in range(first, first + n))
        return self.write(name, data)

    def test_unreadable_file(self):
        if os.geteuid() == 0:
            self.skipTest("running as root: chmod 000 does not stop root from reading "
                          "(test_read_error_after_open covers a failing read as root)")
        ok = self.good("logs/a.log")
        bad = self.good("logs/b.log")
        os.chmod(bad, 0)
        rc, rep, err = self.regsla([self.path("logs")])
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 5, 5)
        f = self.file_entry(rep, bad)
        self.assertIn("cannot open: Permission denied", f["error"])
        self.assertCounts(f, 0, 0)
        self.assertIn("regsla: %s: cannot open: Permission denied" % bad, err)
        self.assertIsNone(self.file_entry(rep, ok)["error"])

    def test_read_error_after_open(self):
        # /proc/self/mem opens, and reading it at offset 0 fails with EIO: a file that cannot be
        # read, even by root.
        if not os.path.exists("/proc/self/mem"):
            self.skipTest("no /proc/self/mem here")
        ok = self.good("a.log")
        rc, rep, err = self.regsla([ok, "/proc/self/mem"])
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 5, 5)
        f = self.file_entry(rep, "/proc/self/mem")
        self.assertIn("read error", f["error"])
        self.assertCounts(f, 0, 0)
        self.assertIn("regsla: /proc/self/mem: read error", err)

    def test_dangling_symlink(self):
        self.good("logs/a.log")
        os.symlink("gone.log", self.path("logs/b.log"))
        rc, rep, err = self.regsla([self.path("logs")])
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 5, 5)
        self.assertIn("regsla: %s: No such file or directory" % self.path("logs/b.log"), err)
        self.assertEqual([f["path"] for f in rep["input"]["files"]], [self.path("logs/a.log")])

    def test_folder_with_symlink_loops(self):
        a = self.good("logs/2024/a.log", 5)
        self.good("logs/2024/deep/b.log", 7, 100)
        os.symlink("..", self.path("logs/2024/deep/up"))          # loop through the parent
        os.symlink("2024", self.path("logs/latest"))               # the same folder again
        os.symlink("self", self.path("logs/self"))                 # ELOOP
        os.symlink(self.path("logs"), self.path("logs/2024/root"))  # back to the top
        rc, rep, err = self.regsla([self.path("logs")], timeout=60)
        # Every file read once, under its first path in sorted order; the loops reported.
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 12, 12)
        self.assertEqual(sorted(f["path"] for f in rep["input"]["files"]),
                         [a, self.path("logs/2024/deep/b.log")])
        self.assertIn("symlink loop", err)
        self.assertIn("regsla: %s: Too many levels of symbolic links" % self.path("logs/self"), err)

    def test_same_file_under_two_paths(self):
        a = self.good("logs/a.log", 4)
        os.link(a, self.path("logs/hard.log"))
        os.symlink("logs", self.path("alias"))
        rel = os.path.relpath(self.path("logs"))
        rc, rep, err = self.regsla([self.path("logs"), self.path("alias"), rel,
                                    self.path("logs/./a.log")])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 4, 4)
        self.assertEqual(len(rep["input"]["files"]), 1)

    def test_fifo_in_a_folder(self):
        # A FIFO nobody writes to, found in a folder, used to block regsla forever in open().
        # Inside folders only regular files are read; a FIFO named as an argument is read.
        if not hasattr(os, "mkfifo"):
            self.skipTest("no FIFOs here")
        self.good("logs/a.log", 3)
        os.mkfifo(self.path("logs/pipe"))
        rc, rep, err = self.regsla([self.path("logs")], timeout=60)
        self.assertEqual(rc, 3, err)
        self.assertCounts(rep["input"], 3, 3)
        self.assertIn("regsla: %s: not a regular file" % self.path("logs/pipe"), err)
        self.assertEqual([f["path"] for f in rep["input"]["files"]], [self.path("logs/a.log")])

    def test_empty_folder(self):
        os.mkdir(self.path("nothing"))
        rc, rep, err = self.regsla([self.path("nothing")])
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 0, 0)
        self.assertEqual(rep["input"]["files"], [])


class Big(HardCase):
    """A 200 MB line, and memory that does not grow with the input (label slow)."""

    def rss_run(self, path):
        out = self.path("big-report.json")
        rc, err, kb = peak_rss_kb([REGSLA, "report", "--quiet", "--format", "json", "--policy",
                                   self.policy, "--threads", "2", path], out)
        with open(out) as f:
            rep = json.load(f)
        return rc, rep, err, kb

    # Each big line follows one ordinary record, so that the file is detected as Distribution
    # JSON from its first line (a first line over 64 KiB is test_long_first_record's bug).

    def test_200mb_single_line(self):
        size = 200 * 1000 * 1000
        first = record(http__request__id="first") + b"\n"
        uri = "/v2/lib/app/manifests/" + "a" * size
        p = self.write("big.log", first + record(http__request__uri=uri) + b"\n")
        rc, rep, err, kb = self.rss_run(p)
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 2, 2)
        self.assertEqual(self.pulls(rep), (2, 0))
        # The line is held whole once (a chunk grown to the next power of two); no more.
        self.assertLess(kb * 1024, 2.5 * size + (64 << 20), "peak RSS %d KiB" % kb)
        # The same from zstd: decoded in place until the line is 16 MiB long, then copied.
        if ZSTD:
            z = self.write("big.zst", zstd_compress(first + record(http__request__uri=uri) + b"\n", "-3"))
            rc, rep, err, kb = self.rss_run(z)
            self.assertEqual(rc, 0, err)
            self.assertCounts(rep["input"], 2, 2)
            self.assertLess(kb * 1024, 1.5 * size + (64 << 20), "peak RSS %d KiB" % kb)
        # Not JSON, no newline at all:
        p = self.write("x.log", first + b"x" * size)
        rc, rep, err, kb = self.rss_run(p)
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 2, 1, skipped={"not_json": 1})
        self.assertLess(kb * 1024, 2.5 * size + (64 << 20), "peak RSS %d KiB" % kb)

    def test_200mb_line_of_small_tokens(self):
        # Once a bug (the SIMD kernels kept a line's whole structural index, ~5x the line): a
        # chunk grown past 64 MiB for one long line goes to the scalar kernel (same verdicts,
        # constant memory), so a line costs about its own size.
        size = 200 * 1000 * 1000
        first = record(http__request__id="first") + b"\n"
        p = self.write("tokens.log", first + b'{"a":[' + b"1," * (size // 2) + b"1]}\n")
        rc, rep, err, kb = self.rss_run(p)
        self.assertEqual(rc, 0, err)
        self.assertCounts(rep["input"], 2, 1, skipped={"other_message": 1})
        self.assertLess(kb * 1024, 2.5 * size + (64 << 20), "peak RSS %d KiB" % kb)

    def garbage(self, name, size, seed):
        """size bytes: 20 records (so the file is Distribution JSON, and every line goes through
        the scanner), then random binary with NDJSON-looking and broken lines mixed in. Returns
        (path, the bytes after the records)."""
        rng = random.Random(seed)
        head = b"".join(record(http__request__id="h%d" % i) + b"\n" for i in range(20))
        pieces, total = [], 0
        noise = [b'{"msg":"response completed","time":', b'{"a":[1,2', b"\xff\xfe{}", b"{}",
                 b'{"msg":"authorized request"}', b"\0" * 100, b"   ", b""]
        while total < size:
            blob = os.urandom(rng.randrange(1, 1 << 16))
            pieces.append(blob)
            pieces.append(b"\n" + rng.choice(noise) + b"\n")
            total += len(blob) + len(pieces[-1])
        data = b"".join(pieces)
        return self.write(name, head + data), data

    def test_memory_does_not_grow_with_the_input(self):
        runs = {}
        for mb in (50, 200):
            p, data = self.garbage("garbage-%d.bin" % mb, mb * 1000 * 1000, mb)
            lines, skipped, rejected, first = expected_counts(data)
            rc, rep, err, kb = self.rss_run(p)
            self.assertEqual(rc, 0, err)
            inp = rep["input"]
            self.assertEqual((inp["lines"], inp["outcomes"], inp["skipped"], inp["rejected"]),
                             (20 + lines, 20, sum(skipped.values()), rejected))
            self.assertReasons(inp["skipped_by_reason"], skipped)
            runs[mb] = kb
            os.unlink(p)
            del data
        # Chunks are bounded ((2 x threads + 2) x 1 MiB, lines here are < 64 KiB): four times the
        # input may cost at most a quarter more, plus 8 MiB of noise.
        self.assertLess(runs[200], runs[50] * 1.25 + 8192, runs)
        self.assertLess(runs[200], 256 * 1024, runs)


if __name__ == "__main__":
    REGSLA = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
