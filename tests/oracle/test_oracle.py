"""Unit tests of the SLA oracle on hand-made lines: `cd tests/oracle && python3 -m unittest`.

Each expected figure below is worked out by hand from SLA-SPEC.md, not by running the oracle."""
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sla_oracle as so  # noqa: E402

HOST = "cri-test0001.registry.example.com"


def line(time, status, method="GET", uri="/v2/library/nginx/manifests/latest", host=HOST, rid=None,
         msg=None, **extra):
    """A Distribution JSON completion line, keys sorted as logrus writes them."""
    failed = not isinstance(status, int) or isinstance(status, bool) or status >= 400
    obj = {"http.request.host": host, "http.request.id": rid or "rid-%s-%s" % (time, status),
           "http.request.method": method, "http.request.uri": uri,
           "http.response.duration": "1.5ms", "http.response.status": status,
           "level": "error" if failed else "info",
           "msg": msg or ("response completed with error" if failed else "response completed"),
           "time": time}
    obj.update(extra)
    return json.dumps(obj, sort_keys=True)


def analyse(lines, preset="acr-ee", inventory=None, exclusions=None, zone=None):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "in.jsonl")
        with open(p, "wb") as fh:
            for ln in lines:
                fh.write(ln if isinstance(ln, bytes) else ln.encode("utf-8"))
                fh.write(b"\n")
        inv = exc = None
        if inventory:
            inv = os.path.join(d, "inv.csv")
            with open(inv, "w") as fh:
                fh.write(inventory)
        if exclusions:
            exc = os.path.join(d, "exc.csv")
            with open(exc, "w") as fh:
                fh.write(exclusions)
        return so.run([p], preset, zone, inv, exc)


def row(rep, instance=HOST, month=None):
    rows = [r for r in rep["instances"] if r["instance"] == instance and (month is None or r["month"] == month)]
    assert len(rows) == 1, rep["instances"]
    return rows[0]


def utc(minute):
    """RFC 3339 of a UTC minute (since the epoch)."""
    y, m, d = so.civil_from_days(minute // 1440)
    mod = minute % 1440
    return "%04d-%02d-%02dT%02d:%02d:00Z" % (y, m, d, mod // 60, mod % 60)


class Accounting(unittest.TestCase):
    def test_every_line_is_counted_once(self):
        lines = [
            b"",                                                   # blank -> skipped
            b"   \t\r",                                            # whitespace -> skipped
            b'127.0.0.1 - - [18/Jan/2023:22:23:09 +0000] "GET /v2/ HTTP/1.1" 401 87 "" "ua"',  # skipped
            b'time="2024-02-01T00:00:00Z" level=info msg="response completed"',              # skipped
            b'{"msg":"response completed","time":"2024-02-01T00:00',                          # rejected json
            b'{"msg":"authorized request","x":"\xff"}',            # invalid UTF-8 -> rejected
            b'{"msg":"response completed","v":NaN}',               # NaN -> rejected
            b'[1,2]',                                              # does not start with { -> skipped
            b'{"msg":"authorized request","time":"2024-02-01T00:00:00Z"}',  # other message -> skipped
            b'{"msg":"response completed with error"}',            # missing fields -> rejected
            line("2024-02-01T01:00:00Z", "503").encode(),           # status string -> outcome
            line("2024-02-01T01:00:00Z", 503.0).encode(),           # float -> rejected
            line("2024-02-01T01:00:00Z", True).encode(),            # bool -> rejected
            line("2024-02-01T01:00:00", 200).encode(),              # no zone -> rejected
            line("2024-02-30T01:00:00Z", 200).encode(),             # 30 February -> rejected
            line("2024-02-01T01:00:00.123456789+08:00", 200).encode(),  # outcome
            line("2024-02-01T01:00:00+0800", 200).encode(),         # +hhmm -> outcome
            line("2024-02-01T01:00:00Z", 1000).encode(),            # out of range -> rejected
            b'  {"msg":"response completed","time":"2024-02-01T00:00:00Z","http.request.host":"h",'
            b'"http.request.method":"GET","http.request.uri":"/v2/","http.response.status":200}\r',  # CRLF, outcome
            b'{"msg":"x","msg":"response completed","time":"2024-02-01T00:00:00Z","http.request.host":"h",'
            b'"http.request.method":"GET","http.request.uri":"/v2/","http.response.status":200}',  # dup key: last wins
        ]
        rep = analyse(lines)
        self.assertEqual(rep["input"], {"lines": 20, "outcomes": 5, "skipped": 6, "rejected": 9})
        self.assertEqual(rep["oracle"]["rejected_by_reason"],
                         {"json": 2, "missing-time": 1, "type-http.response.status": 3, "type-time": 2,
                          "utf8": 1})
        self.assertEqual(rep["oracle"]["skipped_by_reason"],
                         {"blank": 2, "not-json": 3, "other-message": 1})

    def test_top_level_non_object_is_rejected(self):
        rep = analyse([b'{"a":1}', b'{"a":1} x', b'{'])
        self.assertEqual(rep["input"], {"lines": 3, "outcomes": 0, "skipped": 1, "rejected": 2})

    def test_last_line_without_newline_and_stdin(self):
        data = (line("2024-02-01T00:00:00Z", 200) + "\n" + line("2024-02-01T00:01:00Z", 200)).encode()
        o = so.Oracle(so.make_policy("acr-ee"), so.parse_zone("+08:00"))
        o.feed("-", io.BytesIO(data))
        self.assertEqual(o.acc, {"lines": 2, "outcomes": 2, "skipped": 0, "rejected": 0})

    @unittest.skipUnless(shutil.which("zstd"), "zstd not installed")
    def test_zstd_input(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "a.jsonl")
            with open(p, "w") as fh:
                fh.write(line("2024-02-01T00:00:00Z", 503, rid="x") + "\n")
            subprocess.run(["zstd", "-q", "--rm", p], check=True)
            rep = so.run([d], "acr-ee")
        self.assertEqual(rep["input"]["outcomes"], 1)
        self.assertEqual(row(rep)["unavailable_minutes"], 1)


class Requests(unittest.TestCase):
    def test_error_lines_of_one_request_are_one_request(self):
        # three lines, one request: earliest time 00:00:59.9 (minute 0), highest status 503
        lines = [line("2024-02-10T00:01:00.2Z", 500, rid="r1"),
                 line("2024-02-10T00:00:59.9Z", 502, rid="r1"),
                 line("2024-02-10T00:01:00.1Z", 503, rid="r1"),
                 line("2024-02-10T00:01:30Z", 200, rid="r2")]  # minute 1 has a success
        rep = analyse(lines)
        self.assertEqual(rep["oracle"]["requests"], 2)
        self.assertEqual(rep["input"]["outcomes"], 4)
        self.assertEqual(row(rep)["unavailable_minutes"], 1)  # minute 0, by the earliest line

    def test_highest_status_wins(self):
        lines = [line("2024-02-10T00:00:01Z", 404, uri="/v2/a/blobs/sha256:1", rid="r1"),
                 line("2024-02-10T00:00:02Z", 503, uri="/v2/a/blobs/sha256:1", rid="r1")]
        self.assertEqual(row(analyse(lines))["unavailable_minutes"], 1)

    def test_same_id_on_two_instances_is_two_requests(self):
        lines = [line("2024-02-10T00:00:00Z", 503, rid="r1"),
                 line("2024-02-10T00:00:00Z", 503, rid="r1", host="other.example.com")]
        self.assertEqual(analyse(lines)["oracle"]["requests"], 2)

    def test_successes_are_not_deduplicated(self):
        lines = [line("2024-02-10T00:00:00Z", 200, rid="r1"), line("2024-02-10T00:00:01Z", 200, rid="r1")]
        self.assertEqual(analyse(lines)["oracle"]["requests"], 2)

    def test_host_normalisation(self):
        lines = [line("2024-02-10T00:00:00Z", 200, host="CRI-Test0001.Registry.Example.COM:443"),
                 line("2024-02-10T00:00:00Z", 200, host=HOST),
                 line("2024-02-10T00:00:00Z", 200, host="[FC00::1]:5000")]
        rep = analyse(lines)
        self.assertEqual([r["instance"] for r in rep["instances"]], ["[fc00::1]", HOST])

    def test_classification(self):
        c = so.classify
        self.assertEqual(c("GET", "/v2/a/blobs/manifests/b/manifests/latest"), so.PULL)
        self.assertEqual(c("HEAD", "/v2/prod/blobs/storage/blobs/sha256:abc?x=1"), so.PULL)
        self.assertEqual(c("POST", "/v2/a/b/blobs/uploads/?mount=sha256:1&from=c"), so.PUSH)
        self.assertEqual(c("PATCH", "/v2/a/blobs/uploads/uuid-1?_state=xyz%3D"), so.PUSH)
        self.assertEqual(c("GET", "/v2/a/blobs/uploads/uuid-1"), so.PUSH)
        self.assertEqual(c("DELETE", "/v2/a/blobs/uploads/uuid-1"), so.PUSH)
        self.assertEqual(c("PUT", "/v2/a/manifests/v1"), so.PUSH)
        self.assertEqual(c("DELETE", "/v2/a/manifests/sha256:1"), so.OTHER)
        self.assertEqual(c("DELETE", "/v2/a/blobs/sha256:1"), so.OTHER)
        self.assertEqual(c("GET", "/v2/"), so.OTHER)
        self.assertEqual(c("GET", "/v2/_catalog?n=100"), so.OTHER)
        self.assertEqual(c("GET", "/v2/a/tags/list?n=1&last=x"), so.OTHER)
        self.assertEqual(c("GET", "/v2/tags/list/manifests/x"), so.PULL)
        self.assertEqual(c("GET", "/v2/a/referrers/sha256:1"), so.OTHER)
        self.assertEqual(c("GET", "/api/docker/docker-local/v2/a/manifests/1"), so.PULL)
        self.assertEqual(c("GET", "/repository/hosted/v2/a/blobs/sha256:1"), so.PULL)
        self.assertEqual(c("PUT", "https://reg.example.com/v2/a/manifests/1"), so.PUSH)
        self.assertEqual(c("GET", "/v1/_ping"), so.NOT_REGISTRY)
        self.assertEqual(c("GET", "/service/token"), so.NOT_REGISTRY)
        self.assertEqual(c("GET", "/v2/manifests/latest"), so.OTHER)  # no name


class Months(unittest.TestCase):
    def test_leap_february(self):
        # acr-ee, +08:00: February 2024 has 29 days = 41760 minutes; one fully failed minute
        lines = [line("2024-02-29T10:00:00+08:00", 200),
                 line("2024-02-29T10:05:30+08:00", 503)]
        r = row(analyse(lines), month="2024-02")
        self.assertEqual(r["service_minutes"], 29 * 1440)
        self.assertEqual(r["unavailable_minutes"], 1)
        self.assertEqual(Fraction(r["availability_numerator"], r["availability_denominator"]),
                         1 - Fraction(1, 41760))
        self.assertEqual(r["availability_percent"], "99.9976")  # 99.997605...
        self.assertTrue(r["met"])
        self.assertEqual(r["credit_percent"], 0)

    def test_non_leap_february(self):
        r = row(analyse([line("2023-02-28T10:00:00Z", 200)]), month="2023-02")
        self.assertEqual(r["service_minutes"], 28 * 1440)

    def test_plus_0800_month_boundary(self):
        # 2024-02-29T16:30Z is 2024-03-01T00:30+08:00: March for acr-ee, February in UTC (gcp)
        # 2024-01-31T16:00Z is 2024-02-01T00:00+08:00: February for acr-ee, January in UTC
        lines = [line("2024-02-29T16:30:00Z", 503), line("2024-01-31T16:00:00Z", 503),
                 line("2024-01-31T15:59:59.999999999Z", 200)]
        acr = analyse(lines)
        self.assertEqual([r["month"] for r in acr["instances"]], ["2024-01", "2024-02", "2024-03"])
        self.assertEqual(row(acr, month="2024-03")["unavailable_minutes"], 1)
        self.assertEqual(row(acr, month="2024-03")["service_minutes"], 31 * 1440)
        self.assertEqual(row(acr, month="2024-02")["unavailable_minutes"], 1)
        self.assertEqual(row(acr, month="2024-01")["unavailable_minutes"], 0)
        utc_rep = analyse(lines, zone="Z")
        self.assertEqual([r["month"] for r in utc_rep["instances"]], ["2024-01", "2024-02"])
        self.assertEqual(row(utc_rep, month="2024-02")["unavailable_minutes"], 1)
        self.assertEqual(row(utc_rep, month="2024-01")["unavailable_minutes"], 1)

    def test_rows_only_for_months_with_outcomes(self):
        rep = analyse([line("2024-02-10T00:00:00Z", 200, uri="/v2/")])  # `other` still makes a row
        r = row(rep)
        self.assertEqual(r["unavailable_minutes"], 0)
        self.assertEqual(r["availability_percent"], "100.0000")
        self.assertEqual(len(rep["instances"]), 1)


class Edge9995(unittest.TestCase):
    """99.95 % exactly meets a 99.95 % target. A service period of 40000 minutes (the instance is
    created 1760 minutes into February +08:00) makes 20 bad minutes exactly 0.05 %."""

    def setUp(self):
        self.mstart = so.FixedZone(480).local_start_utc(2024, 2)
        self.created = self.mstart + 1760
        self.inv = "instance,hosts,created,deleted\ncri-x,%s;%s,%s,\n" % (
            HOST, "cri-x-vpc.registry.example.com", utc(self.created))

    def month_with(self, bad):
        lines = [line(utc(self.created + 100 + 2 * k), 500, uri="/v2/a/blobs/sha256:1", rid="b%d" % k)
                 for k in range(bad)]
        lines.append(line(utc(self.created + 5000), 200, host="cri-x-vpc.registry.example.com:443"))
        lines.append(line(utc(self.mstart + 10), 503, rid="before"))  # before creation: not in service
        lines.append(line("2024-02-10T00:00:00Z", 200, host="unknown.example.com"))
        return analyse(lines, inventory=self.inv)

    def test_exactly_9995_is_met(self):
        rep = self.month_with(20)
        r = row(rep, "cri-x")
        self.assertEqual(r["service_minutes"], 40000)
        self.assertEqual(r["unavailable_minutes"], 20)
        self.assertEqual((r["availability_numerator"], r["availability_denominator"]), (1999, 2000))
        self.assertEqual(r["availability_percent"], "99.9500")
        self.assertIs(r["met"], True)
        self.assertEqual(r["credit_percent"], 0)
        self.assertEqual(rep["oracle"]["unmatched"], 1)

    def test_one_minute_more_is_not(self):
        r = row(self.month_with(21), "cri-x")
        self.assertEqual(r["availability_percent"], "99.9475")
        self.assertIs(r["met"], False)
        self.assertEqual(r["credit_percent"], 10)

    def test_exclusions_shorten_the_service_period(self):
        exc = "instance,start,end,reason\n*,%s,%s,maintenance\n" % (utc(self.created + 100),
                                                                    utc(self.created + 110))
        lines = [line(utc(self.created + 100 + k), 500, rid="e%d" % k) for k in range(20)]
        r = row(analyse(lines, inventory=self.inv, exclusions=exc), "cri-x")
        self.assertEqual(r["service_minutes"], 39990)
        self.assertEqual(r["unavailable_minutes"], 10)  # the other 10 fall in the maintenance


class Presets(unittest.TestCase):
    def test_acr_either_class_and_429(self):
        t = "2024-02-10T00:00:%02dZ"
        lines = [line(t % 1, 503, uri="/v2/a/blobs/sha256:1"),              # pull: 1 of 1 failed
                 line(t % 2, 201, method="PUT", uri="/v2/a/manifests/v1"),  # push fine
                 line(t % 3, 429, uri="/v2/a/blobs/sha256:2"),              # excluded
                 line("2024-02-10T00:01:00Z", 429),                          # only 429: not bad
                 line("2024-02-10T00:02:00Z", 0),                            # status 0 failed: bad
                 line("2024-02-10T00:03:00Z", 404, method="HEAD", uri="/v2/a/blobs/sha256:3"),
                 line("2024-02-10T00:04:00Z", 503, uri="/v2/")]             # other: never counts
        r = row(analyse(lines))
        self.assertEqual(r["unavailable_minutes"], 2)

    def test_gcp_threshold_and_five_consecutive(self):
        def minute(m, failed, total=20):
            return [line("2024-02-10T01:%02d:%02dZ" % (m, k), 503 if k < failed else 200, rid="m%dk%d" % (m, k))
                    for k in range(total)]
        four = sum((minute(m, 2) for m in range(4)), []) + minute(4, 1)  # 1/20 = 5 %: not above
        self.assertEqual(row(analyse(four, "gcp"))["unavailable_minutes"], 0)
        five = sum((minute(m, 2) for m in range(5)), [])
        r = row(analyse(five, "gcp"))
        self.assertEqual(r["unavailable_minutes"], 5)
        self.assertEqual(r["availability_percent"], "99.9880")  # 1 - 5/41760 = 0.99988027

    def test_scaleway_min_requests_and_strictly_above_half(self):
        def window(start_min, failed, total):
            return [line("2024-02-10T02:%02d:%02dZ" % (start_min + k % 5, k), 503 if k < failed else 200,
                         rid="w%dk%d" % (start_min, k)) for k in range(total)]
        rep = analyse(window(0, 9, 9) + window(5, 5, 10) + window(10, 6, 10), "scaleway")
        self.assertEqual(row(rep)["unavailable_minutes"], 5)

    def test_aws_error_rate(self):
        lines = [line("2024-02-10T00:0%dZ" % k, 503 if k == 0 else 200).replace(":0%dZ" % k, ":0%d:00Z" % k)
                 for k in range(4)]
        r = row(analyse(lines, "aws-s3"))
        self.assertIsNone(r["unavailable_minutes"])
        # one 5-minute window with 1 of 4 failed, 8352 windows in February 2024
        self.assertEqual(Fraction(r["availability_numerator"], r["availability_denominator"]),
                         1 - Fraction(1, 4) / 8352)
        self.assertTrue(r["met"])


class Rounding(unittest.TestCase):
    def test_half_even(self):
        self.assertEqual(so.percent_string(Fraction(9999875, 10**7)), "99.9988")
        self.assertEqual(so.percent_string(Fraction(9999865, 10**7)), "99.9986")
        self.assertEqual(so.percent_string(Fraction(1)), "100.0000")
        self.assertEqual(so.percent_string(Fraction(0)), "0.0000")
        self.assertEqual(so.percent_string(Fraction(1999, 2000)), "99.9500")

    def test_credit_tiers(self):
        tiers = so.PRESETS["acr-ee"]["tiers"]
        self.assertEqual(so.credit(tiers, Fraction(99, 100)), 10)
        self.assertEqual(so.credit(tiers, Fraction(9899999, 10**7)), 25)
        self.assertEqual(so.credit(tiers, Fraction(95, 100)), 25)
        self.assertEqual(so.credit(tiers, Fraction(0)), 100)
        self.assertEqual(so.credit(so.PRESETS["gcp"]["tiers"], Fraction(1, 2)), 50)


if __name__ == "__main__":
    unittest.main()
