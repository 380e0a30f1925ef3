#!/usr/bin/env python3
"""Rewrites a CNCF Distribution JSON month (data-samples/*/logs) into the lines another registry
or proxy would have written for the same requests: same times, hosts, methods, URIs, statuses and
request ids, so that regsla must give the same figures (tests/profiles_test.py).

    convert_month.py FORMAT INPUT... OUTDIR

FORMAT is gitlab, zot or nginx-json. INPUT is a .jsonl file, a .zst file (zstd -dc) or a folder
of them. Only JSON lines are read: `response completed` / `response completed with error` lines
become access lines; other JSON lines (authorized request, banners) become app lines the profile
skips (gitlab, zot) or are left out (nginx has no app log); non-JSON lines (the combined layer in
the same stream) are left out.

  gitlab      one file; LabKit access lines (`msg` access, keys sorted), time cut to milliseconds,
              `duration_ms` as an integer (floor).
  zot         one file per host (zot logs no host: the test gives each file `--host`), listed in
              OUTDIR/hosts.json. zot logs no request id either, so Distribution's several
              `response completed with error` lines of one request (same host and request id,
              status >= 400) are written as the one request regsla counts: the earliest time and
              the highest status (SLA-SPEC section 1).
  nginx-json  one file; three log_format styles in turn, to cover the alternative keys:
              `time_local` (+0800 wall time) + `request` + `host`/`http_host`; `msec` + `method` +
              `request_uri`; `time_iso8601` + `request_method` + `uri` (no query) + `server_name`.
              Status as a string, `request_time` in seconds with milliseconds, `request_id`.

Integer arithmetic only (times as integer nanoseconds)."""
import calendar
import json
import os
import re
import subprocess
import sys
import time

NS = 1_000_000_000
GO_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000,
            "s": NS, "m": 60 * NS, "h": 3600 * NS}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
OUTCOME_MSGS = ("response completed", "response completed with error")


def go_duration_ns(text):
    """Go time.Duration string -> integer nanoseconds (floor per component, as regsla)."""
    if text == "0":
        return 0
    total = 0
    for num, unit in re.findall(r"([0-9]*(?:\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)", text):
        whole, _, frac = num.partition(".")
        scale = GO_UNITS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(frac) * scale // 10 ** len(frac)
    return total


def parse_time(text):
    """RFC 3339 -> (UTC ns, offset minutes as written)."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
                     r"(Z|[+-]\d\d:\d\d)", text)
    if not m:
        raise ValueError("not RFC 3339: %r" % text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")
    off = 0 if m.group(8) == "Z" else (int(m.group(8)[1:3]) * 60 + int(m.group(8)[4:6])) * (
        -1 if m.group(8)[0] == "-" else 1)
    secs = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) - off * 60
    return secs * NS + int(frac), off


def civil(ns, off_min):
    """UTC ns -> (time.struct_time of the wall clock at off_min, fraction ns)."""
    secs, frac = divmod(ns, NS)
    return time.gmtime(secs + off_min * 60), frac


def zone(off_min, colon):
    sign = "-" if off_min < 0 else "+"
    a = abs(off_min)
    return "%s%02d%s%02d" % (sign, a // 60, ":" if colon else "", a % 60)


def iso_ms(ns):
    t, frac = civil(ns, 0)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                   t.tm_min, t.tm_sec, frac // 1_000_000)


def iso_seconds(ns, off_min):
    t, _ = civil(ns, off_min)
    return "%04d-%02d-%02dT%02d:%02d:%02d%s" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                               t.tm_min, t.tm_sec, zone(off_min, True))


def clf(ns, off_min):
    t, _ = civil(ns, off_min)
    return "%02d/%s/%04d:%02d:%02d:%02d %s" % (t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year,
                                              t.tm_hour, t.tm_min, t.tm_sec, zone(off_min, False))


def msec(ns):
    secs, frac = divmod(ns, NS)
    return "%d.%03d" % (secs, frac // 1_000_000)


def seconds_ms(ns):
    return "%d.%03d" % (ns // NS, ns % NS // 1_000_000)


def read_inputs(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(p, n) for n in sorted(os.listdir(p))]
        else:
            files.append(p)
    for path in files:
        raw = open(path, "rb").read()
        if raw[:4] == b"\x28\xb5\x2f\xfd":
            raw = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
        for line in raw.split(b"\n"):
            if not line.lstrip().startswith(b"{"):
                continue
            try:
                yield json.loads(line.decode("utf-8"))
            except ValueError:
                continue  # a cut line: rejected by every profile alike, so left out


class Request:
    """One Distribution outcome line, read."""

    def __init__(self, rec):
        self.rec = rec
        self.time_ns, self.offset = parse_time(rec["time"])
        self.host = rec["http.request.host"]
        self.method = rec["http.request.method"]
        self.uri = rec["http.request.uri"]
        self.status = int(rec["http.response.status"])
        d = rec.get("http.response.duration")
        self.duration_ns = go_duration_ns(d) if d is not None else None
        self.duration_text = d
        self.request_id = rec.get("http.request.id", "")


def gitlab_line(r):
    o = {"content_type": "application/json", "correlation_id": r.request_id, "host": r.host,
         "level": "info" if r.status < 400 else "error", "method": r.method, "msg": "access",
         "proto": "HTTP/1.1", "remote_addr": "10.0.0.1:40000", "status": r.status,
         "system": "http", "time": iso_ms(r.time_ns), "uri": r.uri, "written_bytes": 0}
    if r.duration_ns is not None:
        o["duration_ms"] = r.duration_ns // 1_000_000
        o["ttfb_ms"] = 0
    return json.dumps(o, sort_keys=True, separators=(",", ":"))


def gitlab_app_line(rec):
    o = {"level": rec.get("level", "info"), "msg": rec.get("msg", ""),
         "time": iso_ms(parse_time(rec["time"])[0]) if "time" in rec else "2023-01-01T00:00:00Z"}
    if "http.request.id" in rec:
        o["correlation_id"] = rec["http.request.id"]
    return json.dumps(o, sort_keys=True, separators=(",", ":"))


def zot_line(r, time_ns, status):
    t, frac = civil(time_ns, 0)
    stamp = "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                    t.tm_min, t.tm_sec, frac)
    o = {"level": "info", "module": "http", "component": "session",
         "clientIP": "10.0.0.1:40000", "method": r.method, "path": r.uri, "statusCode": status}
    if r.duration_text is not None:
        o["latency"] = r.duration_text
    o.update({"bodySize": 0, "headers": {"User-Agent": ["containerd/v1.7.11"]},
              "goroutine": 97, "caller": "zotregistry.dev/zot/pkg/api/session.go:137",
              "time": stamp, "message": "HTTP API"})
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)


def zot_app_line(rec):
    o = {"time": rec.get("time", "2023-01-01T00:00:00Z"), "level": rec.get("level", "info"),
         "message": rec.get("msg", ""), "goroutine": 1}
    return json.dumps(o, separators=(",", ":"))


def nginx_line(r, i):
    style = i % 3
    o = {}
    if style == 0:
        o["time_local"] = clf(r.time_ns, 8 * 60)
        o["request"] = "%s %s HTTP/1.1" % (r.method, r.uri)
        o["http_host" if ":" in r.host else "host"] = r.host
    elif style == 1:
        o["msec"] = msec(r.time_ns)
        o["method"] = r.method
        o["request_uri"] = r.uri
        o["host"] = r.host
    else:
        o["time_iso8601"] = iso_seconds(r.time_ns, -5 * 60)
        o["request_method"] = r.method
        o["uri"] = r.uri.split("?", 1)[0]
        o["server_name"] = r.host
    o["status"] = str(r.status)
    o["body_bytes_sent"] = "0"
    if r.duration_ns is not None:
        o["request_time"] = seconds_ms(r.duration_ns)
    o["upstream_response_time"] = "0.001 : 0.002"
    o["request_id"] = r.request_id
    return json.dumps(o, separators=(",", ":"))


def zot_requests(reqs):
    """Per host: (request, time, status) with error repeats merged as regsla deduplicates."""
    by_host, merged = {}, {}
    for r in reqs:
        if r.status >= 400 and r.request_id:
            key = (r.host.lower().rsplit(":", 1)[0], r.request_id)  # regsla's instance key
            if key in merged:
                m = merged[key]
                m[1] = min(m[1], r.time_ns)
                m[2] = max(m[2], r.status)
                continue
            merged[key] = [r, r.time_ns, r.status]
            by_host.setdefault(r.host, []).append(merged[key])
        else:
            by_host.setdefault(r.host, []).append([r, r.time_ns, r.status])
    return by_host


def app_time(rec):
    """A non-outcome line's time, for ordering (0 when it has none)."""
    try:
        return parse_time(rec["time"])[0]
    except (KeyError, ValueError):
        return 0


def convert(fmt, inputs, outdir):
    os.makedirs(outdir, exist_ok=True)
    reqs, others = [], []
    for rec in read_inputs(inputs):
        if rec.get("msg") in OUTCOME_MSGS:
            reqs.append(Request(rec))
        else:
            others.append(rec)
    if fmt == "gitlab":
        lines = [(r.time_ns, gitlab_line(r)) for r in reqs]
        lines += [(app_time(rec), gitlab_app_line(rec)) for rec in others]
        with open(os.path.join(outdir, "gitlab-access.jsonl"), "w") as f:
            for _, line in sorted(lines, key=lambda x: x[0]):
                f.write(line + "\n")
    elif fmt == "nginx-json":
        with open(os.path.join(outdir, "nginx-access.jsonl"), "w") as f:
            for i, r in enumerate(reqs):
                f.write(nginx_line(r, i) + "\n")
    elif fmt == "zot":
        hosts = {}
        for n, (host, items) in enumerate(sorted(zot_requests(reqs).items())):
            name = "zot-%d.jsonl" % n
            hosts[name] = host
            lines = [(t, zot_line(r, t, status)) for r, t, status in items]
            if n == 0:  # the app lines go with the first host's, in time order
                lines += [(app_time(rec), zot_app_line(rec)) for rec in others]
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
                for _, line in sorted(lines, key=lambda x: x[0]):
                    f.write(line + "\n")
        with open(os.path.join(outdir, "hosts.json"), "w") as f:
            json.dump(hosts, f, indent=1, sort_keys=True)
    else:
        raise SystemExit("unknown format %r (gitlab, zot, nginx-json)" % fmt)
    return len(reqs)


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    n = convert(argv[1], argv[2:-1], argv[-1])
    print("%d requests written as %s to %s" % (n, argv[1], argv[-1]))


if __name__ == "__main__":
    main(sys.argv)
