#!/usr/bin/env python3
"""sla_oracle: a slow, independent reference implementation of SLA-SPEC.md for Distribution JSON.

Written from /work/shared/SLA-SPEC.md alone (not from the C code), with the Python 3 standard
library only, so that regsla's figures can be checked against a second reading of the contract.
Clarity over speed: about 100k lines/s.

    sla_oracle.py [--preset acr-ee|aws-s3|gcp|scaleway] [--zone Z] [--inventory CSV]
                  [--exclusions CSV] [--pretty] INPUT...
    sla_oracle.py --minute-counts INPUT...     (per host and UTC minute: outcome lines, 5xx lines)

INPUT is a file (plain, or .zst read through `zstd -dc`), a folder (its files, recursively, sorted
by path) or `-` for stdin. The output (stdout) is one JSON object:

    {"instances": [{"instance", "month", "service_minutes", "unavailable_minutes",
                    "availability_numerator", "availability_denominator",
                    "availability_percent", "met", "credit_percent"}, ...],   sorted by (instance, month)
     "input": {"lines", "outcomes", "skipped", "rejected"},
     "oracle": {...details: preset, rejected by reason, requests after dedupe, per file, ...}}

Accounting, per line (a line is the bytes between two '\\n'; a last line without '\\n' counts):
  - empty or only space/tab/CR                          -> skipped (blank)
  - first byte that is not space/tab/CR is a control
    byte (< 0x20, or 0x7F)                              -> rejected (json)
  - first byte that is not space/tab/CR is not '{'      -> skipped (not JSON)
  - starts with '{' but invalid UTF-8                   -> rejected (utf8)
  - starts with '{' but not valid JSON (strict RFC 8259: NaN/Infinity refused; duplicate keys
    allowed, the last wins)                             -> rejected (json)
  - valid JSON, but not an object                       -> rejected (not-object)
  - an object whose "msg" is "response completed" or "response completed with error":
      time (RFC 3339 string with a zone), http.request.host (non-empty string),
      http.request.method (non-empty string), http.request.uri (string),
      http.response.status (int 0..999, not bool, or a string of 1 to 3 digits) all present and
      well-typed                                        -> outcome
      otherwise                                         -> rejected (missing-<field> / type-<field>)
  - any other object                                    -> skipped (other message)
lines = outcomes + skipped + rejected, per file and in total.

Rules where SLA-SPEC leaves room (the oracle's reading; the report states the same):
  - instance: host lower-cased, a trailing ':digits' port removed ('[v6]:port' -> '[v6]'); with an
    inventory, the instance id its hosts map to, else counted as unmatched and left out.
  - dedupe: outcomes with status >= 400 and a non-empty string http.request.id, same (instance, id):
    one request, time = earliest, status = highest, method and uri from the earliest line (first seen
    on ties). Its month is the month of the earliest time.
  - classification: query removed at the first '?'; prefixes /api/docker/<repo>, /repository/<repo>
    and scheme://host stripped; then right-anchored on the path after '/v2/' (method compared
    case-sensitively). A /v2/ path that matches no push/pull row is `other`; a path not under
    '/v2/' is `not registry`.
  - min_consecutive: runs of consecutive bad windows are taken on the instance's whole timeline (a
    run may cross a month boundary; each month gets its in-service part).
  - error-rate mode: each window weighs its in-service minutes (all windows are whole without
    exclusions or lifetimes); unavailable_minutes is null.
  - a row whose service period is empty (lifetime or exclusions) has null availability fields.
"""
import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
from fractions import Fraction

NS_PER_MIN = 60 * 10**9

# --- presets (SLA-SPEC section 9) ------------------------------------------------------------

# tiers: (lower percent or None, upper percent, credit percent), half-open [lower, upper)
PRESETS = {
    "acr-ee": dict(mode="downtime", window=1, threshold=(1, 1), strict=False, min_requests=1,
                   min_consecutive=1, classes="either", zone="+08:00", target="99.95",
                   tiers=[("99", "99.95", 10), ("95", "99", 25), (None, "95", 100)]),
    "aws-s3": dict(mode="error-rate", window=5, threshold=None, strict=False, min_requests=1,
                   min_consecutive=1, classes="combined", zone="+00:00", target="99.9",
                   tiers=[("99", "99.9", 10), ("95", "99", 25), (None, "95", 100)]),
    "gcp": dict(mode="downtime", window=1, threshold=(5, 100), strict=True, min_requests=1,
                min_consecutive=5, classes="combined", zone="+00:00", target="99.95",
                tiers=[("99", "99.95", 10), ("95", "99", 25), (None, "95", 50)]),
    "scaleway": dict(mode="downtime", window=5, threshold=(1, 2), strict=True, min_requests=10,
                     min_consecutive=1, classes="combined", zone="+00:00", target="99.9",
                     tiers=[("99", "99.9", 10), ("95", "99", 25), (None, "95", 100)]),
}

# --- calendar and zones ----------------------------------------------------------------------


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def is_leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in_month(y, m):
    return [31, 29 if is_leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]


class FixedZone:
    """A fixed offset, minutes east of UTC."""

    def __init__(self, offset_min):
        self.offset = offset_min

    def offset_at(self, utc_min):
        return self.offset

    def local_start_utc(self, y, m):
        """UTC minute at which local month (y, m) starts."""
        return days_from_civil(y, m, 1) * 1440 - self.offset


class IanaZone:
    """An IANA zone through zoneinfo (windows must then divide an hour)."""

    def __init__(self, name):
        import zoneinfo
        import datetime
        self.dt = datetime
        self.tz = zoneinfo.ZoneInfo(name)

    def offset_at(self, utc_min):
        d = self.dt.datetime.fromtimestamp(utc_min * 60, self.dt.timezone.utc).astimezone(self.tz)
        return int(d.utcoffset().total_seconds()) // 60

    def local_start_utc(self, y, m):
        d = self.dt.datetime(y, m, 1, tzinfo=self.tz)
        return int(d.timestamp()) // 60


def parse_zone(s):
    if s in ("Z", "UTC", "utc"):
        return FixedZone(0)
    mo = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", s)
    if mo:
        off = int(mo.group(2)) * 60 + int(mo.group(3))
        return FixedZone(-off if mo.group(1) == "-" else off)
    return IanaZone(s)


def local_month_of(zone, utc_min):
    local = utc_min + zone.offset_at(utc_min)
    y, m, _ = civil_from_days(local // 1440)
    return y, m


def month_name(ym):
    return "%04d-%02d" % ym


def next_month(ym):
    y, m = ym
    return (y + 1, 1) if m == 12 else (y, m + 1)


# --- field parsing ---------------------------------------------------------------------------

RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))")


def parse_time(s):
    """RFC 3339 with 0 to 9 fraction digits and Z, +hh:mm or +hhmm -> UTC nanoseconds, or None."""
    if not isinstance(s, str):
        return None
    mo = RFC3339.fullmatch(s)
    if not mo:
        return None
    y, mon, d, h, mi, sec = (int(mo.group(i)) for i in range(1, 7))
    if not (1 <= mon <= 12 and 1 <= d <= days_in_month(y, mon) and h <= 23 and mi <= 59 and sec <= 59):
        return None
    frac = mo.group(7) or ""
    ns = int(frac.ljust(9, "0")) if frac else 0
    off = 0
    if mo.group(9):
        oh, om = int(mo.group(10)), int(mo.group(11))
        if oh > 23 or om > 59:
            return None
        off = (oh * 60 + om) * (-1 if mo.group(9) == "-" else 1)
    minutes = days_from_civil(y, mon, d) * 1440 + h * 60 + mi - off
    return (minutes * 60 + sec) * 10**9 + ns


def parse_status(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v if 0 <= v <= 999 else None
    if isinstance(v, str) and re.fullmatch(r"[0-9]{1,3}", v):
        return int(v)
    return None


def normalise_host(h):
    h = h.lower()
    if h.startswith("["):
        end = h.find("]")
        return h[: end + 1] if end >= 0 else h
    mo = re.fullmatch(r"(.*):[0-9]*", h)
    if mo and ":" not in mo.group(1):
        return mo.group(1)
    return h


# --- classification (SLA-SPEC section 3) -----------------------------------------------------

PUSH, PULL, OTHER, NOT_REGISTRY = "push", "pull", "other", "not-registry"


def classify(method, uri):
    path = uri.split("?", 1)[0]
    mo = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/]*", path)
    if mo:
        path = path[mo.end():]
    for prefix in ("/api/docker/", "/repository/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            slash = rest.find("/")
            if slash > 0:
                path = rest[slash:]
            break
    if not path.startswith("/v2/"):
        return NOT_REGISTRY
    rest = path[4:]
    if rest == "" or rest == "_catalog":
        return OTHER
    # right-anchored suffixes; the name before them must be non-empty
    if re.fullmatch(r".+/tags/list", rest, re.S) or re.fullmatch(r".+/referrers/[^/]+", rest, re.S):
        return OTHER
    if re.fullmatch(r".+/blobs/uploads/", rest, re.S):
        return PUSH if method == "POST" else OTHER
    if re.fullmatch(r".+/blobs/uploads/[^/]+", rest, re.S):
        return PUSH if method in ("PATCH", "PUT", "GET", "DELETE") else OTHER
    if re.fullmatch(r".+/manifests/[^/]+", rest, re.S):
        if method in ("GET", "HEAD"):
            return PULL
        if method == "PUT":
            return PUSH
        return OTHER
    if re.fullmatch(r".+/blobs/[^/]+", rest, re.S):
        return PULL if method in ("GET", "HEAD") else OTHER
    return OTHER


# --- input -----------------------------------------------------------------------------------

MSGS = ("response completed", "response completed with error")


def _no_constant(name):
    raise ValueError("non-standard JSON constant " + name)


def iter_inputs(paths):
    """Yields (name, binary stream) for each input, folders expanded and sorted."""
    for p in paths:
        if p == "-":
            yield "-", sys.stdin.buffer
        elif os.path.isdir(p):
            found = []
            for root, _dirs, files in os.walk(p):
                for f in files:
                    found.append(os.path.join(root, f))
            for f in sorted(found):
                yield from iter_inputs([f])
        else:
            with open(p, "rb") as fh:
                magic = fh.read(4)
            if magic == b"\x28\xb5\x2f\xfd":
                proc = subprocess.run(["zstd", "-dcq", p], stdout=subprocess.PIPE, check=True)
                yield p, io.BytesIO(proc.stdout)
            else:
                with open(p, "rb") as fh:
                    yield p, fh


def split_lines(stream):
    data = stream.read()
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


class Oracle:
    def __init__(self, policy, zone, inventory=None, exclusions=None):
        self.p = policy
        self.zone = zone
        self.inventory = inventory  # host -> instance id, or None
        self.lifetimes = {}  # instance -> (created_min or None, deleted_min or None)
        self.exclusions = exclusions or []  # (instance or '*', start_min, end_min)
        self.acc = dict(lines=0, outcomes=0, skipped=0, rejected=0)
        self.rejected_by = {}
        self.skipped_by = {}
        self.files = []
        self.unmatched = 0
        self.requests = 0
        self.dedupe = {}  # (instance, rid) -> [time_ns, status, method, uri]
        self.windows = {}  # instance -> {window_start_utc_min: [push_v, push_f, pull_v, pull_f]}
        self.months = set()  # (instance, (y, m)) with at least one outcome
        self.class_counts = {PUSH: 0, PULL: 0, OTHER: 0, NOT_REGISTRY: 0, "excluded": 0}
        self.minute_counts = None  # (host, utc minute) -> [outcome lines, 5xx lines], on demand

    # -- accounting --

    def _reject(self, facc, why):
        facc["rejected"] += 1
        self.rejected_by[why] = self.rejected_by.get(why, 0) + 1

    def _skip(self, facc, why):
        facc["skipped"] += 1
        self.skipped_by[why] = self.skipped_by.get(why, 0) + 1

    def feed(self, name, stream):
        facc = dict(path=name, lines=0, outcomes=0, skipped=0, rejected=0)
        for raw in split_lines(stream):
            facc["lines"] += 1
            self.line(facc, raw)
        self.files.append(facc)
        for k in ("lines", "outcomes", "skipped", "rejected"):
            self.acc[k] += facc[k]

    def line(self, facc, raw):
        body = raw.lstrip(b" \t\r")
        if not body:
            return self._skip(facc, "blank")
        if body[0] < 0x20 or body[0] == 0x7F:
            return self._reject(facc, "json")  # control bytes: damage, not another stream
        if body[:1] != b"{":
            return self._skip(facc, "not-json")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._reject(facc, "utf8")
        try:
            obj = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            return self._reject(facc, "json")
        if not isinstance(obj, dict):
            return self._reject(facc, "not-object")
        if obj.get("msg") not in MSGS or not isinstance(obj.get("msg"), str):
            return self._skip(facc, "other-message")
        fields = {}
        for key in ("time", "http.request.host", "http.request.method", "http.request.uri",
                    "http.response.status"):
            if key not in obj:
                return self._reject(facc, "missing-" + key)
            fields[key] = obj[key]
        t = parse_time(fields["time"])
        if t is None:
            return self._reject(facc, "type-time")
        host = fields["http.request.host"]
        if not isinstance(host, str) or not host:
            return self._reject(facc, "type-http.request.host")
        method = fields["http.request.method"]
        if not isinstance(method, str) or not method:
            return self._reject(facc, "type-http.request.method")
        uri = fields["http.request.uri"]
        if not isinstance(uri, str):
            return self._reject(facc, "type-http.request.uri")
        status = parse_status(fields["http.response.status"])
        if status is None:
            return self._reject(facc, "type-http.response.status")
        facc["outcomes"] += 1
        if self.minute_counts is not None:
            k = (normalise_host(host), t // NS_PER_MIN)
            c = self.minute_counts.setdefault(k, [0, 0])
            c[0] += 1
            c[1] += 500 <= status <= 599
        rid = obj.get("http.request.id")
        self.outcome(t, normalise_host(host), method, uri, status, rid if isinstance(rid, str) else "")

    # -- outcomes --

    def outcome(self, t, host, method, uri, status, rid):
        if self.inventory is not None:
            inst = self.inventory.get(host)
            if inst is None:
                self.unmatched += 1
                return
        else:
            inst = host
        if status >= 400 and rid:
            key = (inst, rid)
            prev = self.dedupe.get(key)
            if prev is None:
                self.dedupe[key] = [t, status, method, uri]
            else:
                if t < prev[0]:
                    prev[0], prev[2], prev[3] = t, method, uri
                prev[1] = max(prev[1], status)
            return
        self.request(inst, t, method, uri, status)

    def finish_dedupe(self):
        for (inst, _rid), (t, status, method, uri) in sorted(self.dedupe.items()):
            self.request(inst, t, method, uri, status)
        self.dedupe = {}

    def failed(self, status):
        return 500 <= status <= 599 or status == 0

    def request(self, inst, t, method, uri, status):
        self.requests += 1
        utc_min = t // NS_PER_MIN
        self.months.add((inst, local_month_of(self.zone, utc_min)))
        cls = classify(method, uri)
        if cls not in (PUSH, PULL):
            self.class_counts[cls] += 1
            return
        if status == 429:
            self.class_counts["excluded"] += 1
            return
        self.class_counts[cls] += 1
        w = self.p["window"]
        ws = utc_min - (utc_min + self.zone.offset_at(utc_min)) % w
        c = self.windows.setdefault(inst, {}).setdefault(ws, [0, 0, 0, 0])
        base = 0 if cls == PUSH else 2
        c[base] += 1
        if self.failed(status):
            c[base + 1] += 1

    # -- SLA --

    def is_bad(self, c):
        num, den = self.p["threshold"]
        strict, minr = self.p["strict"], self.p["min_requests"]

        def passes(valid, failed):
            if valid == 0 or valid < minr:
                return False
            return failed * den > num * valid if strict else failed * den >= num * valid

        if self.p["classes"] == "either":
            return passes(c[0], c[1]) or passes(c[2], c[3])
        return passes(c[0] + c[2], c[1] + c[3])

    def service_intervals(self, inst, ym):
        """The service period of inst in month ym: sorted disjoint [start, end) UTC minutes."""
        start = self.zone.local_start_utc(*ym)
        end = self.zone.local_start_utc(*next_month(ym))
        created, deleted = self.lifetimes.get(inst, (None, None))
        if created is not None:
            start = max(start, created)
        if deleted is not None:
            end = min(end, deleted)
        ivs = [(start, end)] if start < end else []
        for (who, xs, xe) in self.exclusions:
            if who != "*" and who != inst:
                continue
            out = []
            for (a, b) in ivs:
                if xe <= a or xs >= b:
                    out.append((a, b))
                    continue
                if a < xs:
                    out.append((a, xs))
                if xe < b:
                    out.append((xe, b))
            ivs = out
        return ivs

    @staticmethod
    def overlap(ivs, a, b):
        return sum(max(0, min(b, y) - max(a, x)) for (x, y) in ivs)

    def report(self):
        self.finish_dedupe()
        w = self.p["window"]
        rows = []
        counted_bad = {}  # instance -> set of window starts in counted runs
        for inst, wins in self.windows.items():
            bad = sorted(ws for ws, c in wins.items() if self.p["mode"] == "downtime" and self.is_bad(c))
            keep = set()
            run = []
            for ws in bad + [None]:
                if run and (ws is None or ws != run[-1] + w):
                    if len(run) >= self.p["min_consecutive"]:
                        keep.update(run)
                    run = []
                if ws is not None:
                    run.append(ws)
            counted_bad[inst] = keep
        target = Fraction(self.p["target"]) / 100
        for (inst, ym) in sorted(self.months, key=lambda k: (k[0], k[1])):
            ivs = self.service_intervals(inst, ym)
            service = sum(b - a for a, b in ivs)
            row = dict(instance=inst, month=month_name(ym), service_minutes=service)
            mstart = self.zone.local_start_utc(*ym)
            mend = self.zone.local_start_utc(*next_month(ym))
            if self.p["mode"] == "downtime":
                unavail = sum(self.overlap(ivs, ws, ws + w) for ws in counted_bad.get(inst, ())
                              if mstart <= ws < mend)
                row["unavailable_minutes"] = unavail
                avail = 1 - Fraction(unavail, service) if service else None
            else:
                row["unavailable_minutes"] = None
                total = Fraction(0)
                for ws, c in self.windows.get(inst, {}).items():
                    if not (mstart <= ws < mend):
                        continue
                    valid, failed = c[0] + c[2], c[1] + c[3]
                    if valid:
                        total += Fraction(failed, valid) * self.overlap(ivs, ws, ws + w)
                avail = 1 - total / service if service else None
            if avail is None:
                row.update(availability_numerator=None, availability_denominator=None,
                           availability_percent=None, met=None, credit_percent=None)
            else:
                row.update(availability_numerator=avail.numerator,
                           availability_denominator=avail.denominator,
                           availability_percent=percent_string(avail),
                           met=avail >= target,
                           credit_percent=0 if avail >= target else credit(self.p["tiers"], avail))
            rows.append(row)
        return dict(
            instances=rows,
            input=dict(self.acc),
            oracle=dict(
                preset=self.p["name"],
                zone=self.p["zone_name"],
                requests=self.requests,
                unmatched=self.unmatched,
                classes=self.class_counts,
                rejected_by_reason=dict(sorted(self.rejected_by.items())),
                skipped_by_reason=dict(sorted(self.skipped_by.items())),
                files=self.files,
            ),
        )


def percent_string(avail):
    """Availability as a percent with four decimals, rounded half-even (Fraction rounding)."""
    n = round(avail * 100 * 10000)  # Fraction.__round__ rounds half to even
    return "%d.%04d" % (n // 10000, n % 10000)


def credit(tiers, avail):
    pct = avail * 100
    for lower, upper, credit_pct in tiers:
        lo = Fraction(lower) if lower is not None else None
        if (lo is None or pct >= lo) and pct < Fraction(upper):
            return credit_pct
    return 0


# --- inventory and exclusions ----------------------------------------------------------------


def minute_of(s):
    t = parse_time(s)
    if t is None:
        raise SystemExit("sla_oracle: bad RFC 3339 instant: %r" % s)
    return t // NS_PER_MIN


def load_inventory(path):
    hosts, lifetimes = {}, {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            inst = row["instance"].strip()
            for h in (row.get("hosts") or "").split(";"):
                h = h.strip()
                if h:
                    hosts[normalise_host(h)] = inst
            created = (row.get("created") or "").strip()
            deleted = (row.get("deleted") or "").strip()
            lifetimes[inst] = (minute_of(created) if created else None,
                               minute_of(deleted) if deleted else None)
    return hosts, lifetimes


def load_exclusions(path):
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append((row["instance"].strip(), minute_of(row["start"].strip()),
                        minute_of(row["end"].strip())))
    return out


def make_policy(preset, zone_override=None):
    p = dict(PRESETS[preset])
    p["name"] = preset
    p["zone_name"] = zone_override or p["zone"]
    return p


def run(paths, preset="acr-ee", zone=None, inventory=None, exclusions=None):
    p = make_policy(preset, zone)
    z = parse_zone(p["zone_name"])
    if isinstance(z, IanaZone) and 60 % p["window"] != 0:
        raise SystemExit("sla_oracle: IANA zones need a window that divides an hour")
    o = Oracle(p, z)
    if inventory:
        o.inventory, o.lifetimes = load_inventory(inventory)
    if exclusions:
        o.exclusions = load_exclusions(exclusions)
    for name, stream in iter_inputs(paths):
        o.feed(name, stream)
    return o.report()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--preset", default="acr-ee", choices=sorted(PRESETS))
    ap.add_argument("--zone", help="override the preset's zone: +hh:mm, Z or an IANA name")
    ap.add_argument("--inventory")
    ap.add_argument("--exclusions")
    ap.add_argument("--pretty", action="store_true")
    ap.add_argument("--minute-counts", action="store_true",
                    help="print `host<TAB>minute<TAB>lines<TAB>5xx` per (normalised host, UTC minute) "
                         "over outcome lines (before dedupe), sorted, instead of the report")
    a = ap.parse_args(argv)
    if a.minute_counts:
        p = make_policy(a.preset, a.zone)
        o = Oracle(p, parse_zone(p["zone_name"]))
        o.minute_counts = {}
        for name, stream in iter_inputs(a.inputs):
            o.feed(name, stream)
        out = sys.stdout
        for (host, minute), (n, e) in sorted(o.minute_counts.items(), key=lambda kv: (kv[0][0].encode(), kv[0][1])):
            out.write("%s\t%d\t%d\t%d\n" % (host, minute, n, e))
        return 0
    rep = run(a.inputs, a.preset, a.zone, a.inventory, a.exclusions)
    if a.pretty:
        json.dump(rep, sys.stdout, indent=1, sort_keys=False)
    else:
        json.dump(rep, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
