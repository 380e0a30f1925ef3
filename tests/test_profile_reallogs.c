/* Every line of the real, published registry logs in ../shared/real-logs that is not JSON-profile
 * material, and what it must become through auto-detection: an outcome with its fields, a skip or
 * a reject with its reason. The JSON files are covered for detection and for their prefixed and
 * wrapped lines (the JSON fields themselves are the JSON scanner's tests).
 *
 * The small files have a hand-written expectation per line. registry-mixed-zarf.log (1,836
 * lines) is checked line by line against a deliberately naive second reading (strstr and sscanf),
 * at both layers, plus the totals counted with grep when the test was written. */
#include <stdio.h>
#include <stdlib.h>
#include "rsla_test.h"
#include "common/rsla_time.h"
#include "ingest/profile/prof_scan.h"
#include "ingest/profile/prof_text.h"

/* MARK: - Recording sink */

typedef struct rec {
    prof_verdict_kind kind;
    int reason;            /* skip or reject reason */
    char field[48];
    size_t column;
    int64_t time_ns;
    char host[128], method[16], path[512], id[64];
    int status;
    int64_t duration_ns;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static rec *rec_push(recs *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    memset(&r->v[r->n], 0, sizeof r->v[0]);
    return &r->v[r->n++];
}

static void copy_slice(char *dst, size_t cap, rsla_slice s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    memcpy(dst, s.ptr, n);
    dst[n] = 0;
}

static void on_out(void *ctx, const rsla_outcome *o)
{
    rec *r = rec_push(ctx);
    r->kind = PROF_VERDICT_OUTCOME;
    r->time_ns = o->time_ns;
    copy_slice(r->host, sizeof r->host, o->host);
    copy_slice(r->method, sizeof r->method, o->method);
    copy_slice(r->path, sizeof r->path, o->path);
    copy_slice(r->id, sizeof r->id, o->request_id);
    r->status = o->status;
    r->duration_ns = o->duration_ns;
}

static void on_skip(void *ctx, rsla_skip_reason why)
{
    rec *r = rec_push(ctx);
    r->kind = PROF_VERDICT_SKIP;
    r->reason = (int)why;
}

static void on_rej(void *ctx, size_t ls, size_t li, rsla_reject_reason why, size_t col,
                   const char *field)
{
    rec *r = rec_push(ctx);
    r->kind = PROF_VERDICT_REJECT;
    r->reason = (int)why;
    r->column = col;
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
}

/* MARK: - Files */

static char *read_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real-logs/%s", RSLA_SHARED_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc(1, (size_t)n + SCAN_PADDING + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Detects (or forces) and scans a whole file in one chunk; returns the records. */
static recs scan_file(const char *buf, size_t len, const char *force, prof_choice *c,
                      const prof_options *opt)
{
    prof_format f;
    if (force && prof_format_from_name(force, &f))
        prof_choice_forced(f, buf, len, c);
    else
        prof_detect(buf, len, c);
    recs r = { 0 };
    prof_state *s = prof_state_create(c, opt, NULL);
    scan_sink sink = { &r, on_out, on_skip, on_rej };
    size_t lines = prof_scan_chunk(s, buf, len, &sink);
    CHECK_EQ_INT(lines, r.n);
    prof_state_free(s);
    return r;
}

static int64_t t_of(const char *rfc3339)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(rfc3339, strlen(rfc3339), &ns) != RSLA_TIME_OK)
        fprintf(stderr, "bad expected time %s\n", rfc3339);
    return ns;
}

/* One expected line. */
typedef struct expect {
    int line;             /* 1-based */
    prof_verdict_kind kind;
    int reason;           /* skip/reject */
    const char *field;    /* reject */
    const char *time, *host, *method, *path;
    int status;
    int64_t duration_ns;
    const char *id;
} expect;

#define OUT(l, t, h, m, p, st, d, id) { l, PROF_VERDICT_OUTCOME, 0, NULL, t, h, m, p, st, d, id }
#define SKIP(l, r) { l, PROF_VERDICT_SKIP, r, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
#define REJ(l, r, f) { l, PROF_VERDICT_REJECT, r, f, NULL, NULL, NULL, NULL, 0, 0, NULL }

static void check_line(const recs *r, const expect *e)
{
    if ((size_t)e->line > r->n) {
        CHECK(!"line missing");
        return;
    }
    const rec *g = &r->v[e->line - 1];
    if ((int)g->kind != (int)e->kind)
        fprintf(stderr, "line %d: kind %d, expected %d\n", e->line, g->kind, e->kind);
    CHECK_EQ_INT(g->kind, e->kind);
    if (e->kind != PROF_VERDICT_OUTCOME) {
        CHECK_EQ_INT(g->reason, e->reason);
        if (e->field)
            CHECK_EQ_STR(g->field, e->field);
        return;
    }
    CHECK_EQ_INT(g->time_ns, t_of(e->time));
    CHECK_EQ_STR(g->host, e->host);
    CHECK_EQ_STR(g->method, e->method);
    CHECK_EQ_STR(g->path, e->path);
    CHECK_EQ_INT(g->status, e->status);
    CHECK_EQ_INT(g->duration_ns, e->duration_ns);
    CHECK_EQ_STR(g->id, e->id);
}

/* MARK: - distribution-text.log */

static const expect text_expect[] = {
    OUT(1, "2015-10-17T19:55:26.305055103Z", "dockerreg", "GET",
        "/v2/equalizer/blobs/sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
        307, 2244712427, "c05b1f60-5f1e-444d-8e77-0a7814a8e47f"),
    /* docker logs -t prefix; the line's own time (seconds only) is used, not the prefix's */
    OUT(2, "2017-05-31T13:57:46Z", "myregistry.com", "POST", "/v2/test/blobs/uploads/", 202,
        503317586, "060c8de7-2f33-4a69-b136-2737bfa468d4"),
    /* logrus TTY form: no absolute time */
    REJ(3, RSLA_REJECT_NO_ABSOLUTE_TIME, "time"),
    OUT(4, "2016-04-15T06:11:36Z", "docker.dev.ourown.net:5000", "HEAD",
        "/v2/webgateway/blobs/sha256:c807ad6f343636e38ac12b5cf4cc90529a8e26e295f9f5f5a746a269b64f9d74",
        404, 14143871, "f2ba32b9-c0d8-43ae-aa76-4f8061bc4cc8"),
    OUT(5, "2025-04-07T10:12:07.947309789Z", "sternum-registry-registry-server:5000", "HEAD",
        "/v2/timberio/vector/blobs/sha256:25429511a353a171fca8e5f090186840c3c19c59effc3bd505f54754d17ce86b",
        404, 2903291, "53ce5103-35b1-4caf-b509-0e2fbe7ffd6c"),
    /* flynn fork: BLOB_UNKNOWN, bare remoteaddr */
    OUT(6, "2017-12-02T11:42:17Z", "docker.cluster.kamva.in", "HEAD",
        "/v2/prerender-docker/blobs/sha256:efe35cf15748ec3ff068da6eae3ab38158ba76c4feb2be6d41116870a09fce63",
        404, 4796524, "1a70ef40-35f4-46b3-b0f6-5f0a808bd687"),
    /* `remoteaddr=<REMOTE_ADDR>` redaction is a bare value like any other */
    OUT(7, "2017-06-28T22:00:03Z", "localhost", "HEAD",
        "/v2/alpine/blobs/sha256:88286f41530e93dffd4b964e1db22ce4939fffa4a4c665dab8591fbab03d4926",
        404, 2521684, "9456d812-5da8-4ff2-adcb-7e7f56dada07"),
    /* syslog prefix with host and tag `journal:` */
    OUT(8, "2018-04-09T09:40:03Z", "docker-registry:8888", "POST", "/v2/docker-push-test/blobs/uploads/",
        202, 34452857, "e683c812-77fe-4da0-aa57-afa24fe545aa"),
    /* a long _state query is cut from the path */
    OUT(9, "2018-07-04T08:52:06.704584563Z", "172.30.1.1:5000", "PUT",
        "/v2/myproject/busybox/blobs/uploads/89f9e796-68ef-4082-a76b-a43325e4b792", 201, 50211752,
        "17879711-a049-41de-864a-b2569a4e383c"),
    OUT(10, "2018-04-29T04:48:08.797990811Z", "docker-registry.default.svc:5000", "PATCH",
        "/v2/e2e-test-prometheus-nfl7f/origin-nodejs-sample/blobs/uploads/37660d7e-c059-4274-97a3-63c0e60d351d",
        202, 1202845632, "1cca32b2-5198-4aad-aefb-51842d8701cf"),
    /* IPv6 remoteaddr, ?ns= query */
    OUT(11, "2023-02-14T17:14:30.389047256Z", "proxy-docker-hub:5000", "GET",
        "/v2/library/alpine/manifests/sha256:414e0518bb9228d35e4cd5165567fb91d26c6a214e9c95899e1e056fcd349011",
        200, 1583656, "ce999f7b-4909-4924-b84f-87a1d594bb65"),
    /* a scheduler message with `ttl=…` inside the quoted msg */
    SKIP(12, RSLA_SKIP_OTHER_MESSAGE),
    /* docker-compose prefix */
    OUT(13, "2017-04-27T13:06:33.414687534Z", "my.regsitry.io", "GET", "/v2/service-deals/manifests/latest",
        200, 15132822, "0d579f25-8d56-4690-aab3-05b01be1e7e2"),
    /* TTY form with unquoted values containing spaces (#1684): no time, and ambiguous anyway */
    REJ(14, RSLA_REJECT_NO_ABSOLUTE_TIME, "time"),
};

static void test_distribution_text(void)
{
    size_t len;
    char *buf = read_file("distribution-text.log", &len);
    prof_choice c;
    recs r = scan_file(buf, len, NULL, &c, NULL);
    CHECK_EQ_STR(prof_format_name(c.format), "distribution-text");
    CHECK_EQ_INT(c.envelope, PROF_ENVELOPE_NONE);
    CHECK(c.prefixes & PROF_PREFIX_DOCKER_TS);
    CHECK(c.prefixes & PROF_PREFIX_SYSLOG);
    CHECK(c.prefixes & PROF_PREFIX_COMPOSE);
    CHECK_EQ_INT(c.votes[PROF_FORMAT_DISTRIBUTION_TEXT], 14);
    CHECK_EQ_INT(r.n, RSLA_ARRAY_LEN(text_expect));
    for (size_t i = 0; i < RSLA_ARRAY_LEN(text_expect); i++)
        check_line(&r, &text_expect[i]);
    /* The same file forced to combined: no line is combined. */
    free(r.v);
    r = scan_file(buf, len, "combined", &c, NULL);
    for (size_t i = 0; i < r.n; i++)
        CHECK(r.v[i].kind == PROF_VERDICT_SKIP && r.v[i].reason == RSLA_SKIP_OTHER_FORMAT);
    free(r.v);
    free(buf);
}

/* MARK: - distribution-combined.log */

#define B1 "/v2/equalizer/blobs/sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
static const expect combined_expect[] = {
    OUT(1, "2016-07-15T05:49:14Z", "registry.example", "GET", "/v2/project-1/repo-1/manifests/tag-1",
        200, -1, ""),
    OUT(2, "2015-10-17T19:55:24Z", "registry.example", "GET", B1, 307, -1, ""),
    /* docker logs -t prefix: the line's own (request start) time is used */
    OUT(3, "2017-05-31T13:57:46Z", "registry.example", "POST", "/v2/test/blobs/uploads/", 202, -1, ""),
    OUT(4, "2019-03-13T14:05:53Z", "registry.example", "PUT",
        "/v2/hello-world/blobs/uploads/c8597299-fa71-4232-8536-f3f87d0d7190", 201, -1, ""),
    /* trailing space; the 500 of a docker 1.5 tarsum push */
    OUT(5, "2015-01-23T18:03:42Z", "registry.example", "PUT",
        "/v2/dmp42/testthing/blobs/uploads/86925eee-5116-4101-9921-73df5e9b7de7", 500, -1, ""),
    OUT(6, "2025-04-07T10:12:07Z", "registry.example", "HEAD",
        "/v2/timberio/vector/blobs/sha256:25429511a353a171fca8e5f090186840c3c19c59effc3bd505f54754d17ce86b",
        404, -1, ""),
    /* syslog prefix */
    OUT(7, "2018-04-09T09:40:03Z", "registry.example", "POST", "/v2/docker-push-test/blobs/uploads/",
        202, -1, ""),
    /* compose prefix; the 401 challenge exists only in this layer */
    OUT(8, "2017-04-27T13:06:33Z", "registry.example", "GET", "/v2/", 401, -1, ""),
    OUT(9, "2017-04-27T13:06:33Z", "registry.example", "GET", "/v2/service-deals/manifests/latest",
        200, -1, ""),
};

static void test_distribution_combined(void)
{
    size_t len;
    char *buf = read_file("distribution-combined.log", &len);
    prof_choice c;
    prof_options opt = { .default_host = "registry.example" };
    recs r = scan_file(buf, len, NULL, &c, &opt);
    CHECK_EQ_STR(prof_format_name(c.format), "combined");
    CHECK_EQ_INT(r.n, RSLA_ARRAY_LEN(combined_expect));
    for (size_t i = 0; i < RSLA_ARRAY_LEN(combined_expect); i++)
        check_line(&r, &combined_expect[i]);
    free(r.v);
    /* Without a default host the instance is "-". */
    r = scan_file(buf, len, NULL, &c, NULL);
    for (size_t i = 0; i < r.n; i++)
        CHECK_EQ_STR(r.v[i].host, "-");
    free(r.v);
    free(buf);
}

/* MARK: - registry-mixed-zarf.log */

/* Naive reading of a value after `key=` in a logrus line: quoted up to the next `" `, or bare. */
static bool naive_value(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *p = strstr(line, pat);
    if (!p)
        return false;
    p += strlen(pat);
    const char *e;
    if (*p == '"') {
        p++;
        e = strstr(p, "\" ");
        if (!e)
            e = strchr(p, '"');
    } else {
        e = strchr(p, ' ');
    }
    if (!e)
        e = p + strlen(p);
    size_t n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

/* Checks an app-layer outcome against the naive reading of its line. */
static void naive_logrus(const char *line, const rec *g)
{
    char v[1024];
    CHECK(naive_value(line, "http.request.host", v, sizeof v) && strcmp(v, g->host) == 0);
    CHECK(naive_value(line, "http.request.method", v, sizeof v) && strcmp(v, g->method) == 0);
    CHECK(naive_value(line, "http.request.uri", v, sizeof v));
    char *q = strchr(v, '?');
    if (q)
        *q = 0;
    CHECK_EQ_STR(g->path, v);
    CHECK(naive_value(line, "http.response.status", v, sizeof v) && atoi(v) == g->status);
    CHECK(naive_value(line, "http.request.id", v, sizeof v) && strcmp(v, g->id) == 0);
    CHECK(g->duration_ns > 0);
    char ts[64];
    memcpy(ts, line + 6, 40);
    ts[40] = 0;
    *strchr(ts, '"') = 0;
    CHECK_EQ_INT(g->time_ns, t_of(ts));
}

/* Checks an access-layer outcome against sscanf of its line. */
static void naive_combined(const char *line, const rec *g)
{
    char ip[64], mon[4], method[16], target[1024];
    int d, y, hh, mm, ss, status;
    int n = sscanf(line, "%63s - - [%d/%3s/%d:%d:%d:%d +0000] \"%15s %1023s HTTP/1.1\" %d", ip, &d,
                   mon, &y, &hh, &mm, &ss, method, target, &status);
    CHECK_EQ_INT(n, 10);
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int m = (int)((strstr(months, mon) - months) / 3) + 1;
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
    CHECK_EQ_INT(g->time_ns, t_of(ts));
    CHECK_EQ_STR(g->method, method);
    char *q = strchr(target, '?');
    if (q)
        *q = 0;
    CHECK_EQ_STR(g->path, target);
    CHECK_EQ_INT(g->status, status);
    CHECK_EQ_INT(g->duration_ns, -1);
}

static bool is_completion(const char *line)
{
    return strncmp(line, "time=", 5) == 0 && (strstr(line, " msg=\"response completed\" ") ||
                                             strstr(line, " msg=\"response completed with error\" "));
}

/* Walks the file's lines beside the records and applies check(kind of line). */
static void zarf_layer(const char *buf, size_t len, const recs *r, bool app_layer, size_t *counts)
{
    size_t i = 0, pos = 0;
    char *line = malloc(len + 1);
    while (pos < len && i < r->n) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        memcpy(line, buf + pos, end - pos);
        line[end - pos] = 0;
        const rec *g = &r->v[i];
        bool text = strncmp(line, "time=", 5) == 0;
        if (app_layer && is_completion(line)) {
            CHECK_EQ_INT(g->kind, PROF_VERDICT_OUTCOME);
            naive_logrus(line, g);
            counts[0]++;
        } else if (app_layer && text) {
            CHECK(g->kind == PROF_VERDICT_SKIP && g->reason == RSLA_SKIP_OTHER_MESSAGE);
            counts[1]++;
        } else if (!app_layer && !text) {
            CHECK_EQ_INT(g->kind, PROF_VERDICT_OUTCOME);
            naive_combined(line, g);
            CHECK_EQ_STR(g->host, "-");
            counts[0]++;
        } else {
            CHECK(g->kind == PROF_VERDICT_SKIP && g->reason == RSLA_SKIP_OTHER_FORMAT);
            counts[2]++;
        }
        i++;
        pos = end + 1;
    }
    free(line);
}

static void test_zarf(void)
{
    size_t len;
    char *buf = read_file("registry-mixed-zarf.log", &len);
    prof_choice c;
    recs r = scan_file(buf, len, NULL, &c, NULL);
    /* Both layers are among the first lines (17 logrus, 47 combined): the layer rule picks the
     * app log. */
    CHECK_EQ_STR(prof_format_name(c.format), "distribution-text");
    CHECK_EQ_INT(c.votes[PROF_FORMAT_COMBINED], 47);
    CHECK_EQ_INT(c.votes[PROF_FORMAT_DISTRIBUTION_TEXT], 17);
    CHECK_EQ_INT(c.prefixes, 0);
    CHECK_EQ_INT(r.n, 1836);
    size_t counts[3] = { 0 };
    zarf_layer(buf, len, &r, true, counts);
    /* grep: 389 "response completed", 76 "… with error", 465 authorized, 43 challenge warnings,
     * 8 banners; 855 combined lines */
    CHECK_EQ_INT(counts[0], 465);
    CHECK_EQ_INT(counts[1], 516);
    CHECK_EQ_INT(counts[2], 855);
    free(r.v);

    r = scan_file(buf, len, "combined", &c, NULL);
    CHECK_EQ_STR(prof_format_name(c.format), "combined");
    memset(counts, 0, sizeof counts);
    zarf_layer(buf, len, &r, false, counts);
    CHECK_EQ_INT(counts[0], 855);
    CHECK_EQ_INT(counts[2], 981);
    /* 401 challenges are only in this layer: 43 challenge warnings in the app log, and the
     * access log's 401 lines */
    size_t n401 = 0;
    for (size_t i = 0; i < r.n; i++)
        n401 += r.v[i].kind == PROF_VERDICT_OUTCOME && r.v[i].status == 401;
    CHECK_EQ_INT(n401, 43);
    free(r.v);
    free(buf);
}

/* MARK: - JSON files: detection, prefixes and envelopes */

/* The nth line (1-based) of buf, as a slice. */
static rsla_slice nth_line(const char *buf, size_t len, int nth)
{
    size_t pos = 0;
    for (int i = 1;; i++) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        if (i == nth)
            return (rsla_slice){ buf + pos, end - pos };
        if (!nl)
            return (rsla_slice){ "", 0 };
        pos = end + 1;
    }
}

static void test_zot(void)
{
    size_t len;
    char *buf = read_file("zot.jsonl", &len);
    prof_choice c;
    prof_detect(buf, len, &c);
    CHECK_EQ_STR(prof_format_name(c.format), "zot");
    CHECK_EQ_INT(c.votes[PROF_FORMAT_ZOT], 5); /* lines 1, 3, 5, 6, 10; line 6 is invalid JSON */
    CHECK_EQ_INT(c.prefixes, PROF_PREFIX_COMPOSE | PROF_PREFIX_SYSLOG);
    CHECK(prof_choice_needs_line_scan(&c));
    /* the prefixed lines: 4-5 compose, 7-9 journald without a host */
    static const struct { int line; unsigned kind; const char *inner_start; } pre[] = {
        { 4, PROF_PREFIX_COMPOSE, "{\"level\":\"error\"" },
        { 5, PROF_PREFIX_COMPOSE, "{\"level\":\"info\",\"module\":\"http\"" },
        { 7, PROF_PREFIX_SYSLOG, "{\"time\":\"2026-05-12T17:21:30.470624777Z\"" },
        { 8, PROF_PREFIX_SYSLOG, "{\"time\":\"2026-05-12T17:21:30.470664821Z\"" },
        { 9, PROF_PREFIX_SYSLOG, "{\"time\":\"2026-05-12T17:21:30.470743863Z\"" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(pre); i++) {
        rsla_slice l = nth_line(buf, len, pre[i].line);
        prof_prefix_info pi;
        size_t off = prof_prefix_strip(l.ptr, l.len, c.prefixes, &pi);
        CHECK_EQ_INT(pi.kinds, pre[i].kind);
        CHECK(off < l.len && strncmp(l.ptr + off, pre[i].inner_start, strlen(pre[i].inner_start)) == 0);
        if (pre[i].kind == PROF_PREFIX_SYSLOG) {
            CHECK(pi.has_syslog_stamp);
            CHECK_EQ_INT(pi.syslog.month, 5);
            CHECK_EQ_INT(pi.syslog.day, 12);
            CHECK_EQ_INT(pi.syslog.hour, 19);
        }
    }
    /* unprefixed lines are left alone */
    for (int n = 1; n <= 10; n++) {
        if (n == 4 || n == 5 || (n >= 7 && n <= 9))
            continue;
        rsla_slice l = nth_line(buf, len, n);
        prof_prefix_info pi;
        CHECK_EQ_INT(prof_prefix_strip(l.ptr, l.len, PROF_PREFIX_ALL, &pi), 0);
    }
    /* Without a JSON scanner state every line is another format's, one sink call each. */
    recs r = { 0 };
    prof_state *s = prof_state_create(&c, NULL, NULL);
    scan_sink sink = { &r, on_out, on_skip, on_rej };
    CHECK_EQ_INT(prof_scan_chunk(s, buf, len, &sink), 10);
    prof_state_free(s);
    free(r.v);
    free(buf);
}

static void test_gitlab(void)
{
    size_t len;
    char *buf = read_file("gitlab-registry.jsonl", &len);
    prof_choice c;
    prof_detect(buf, len, &c);
    CHECK_EQ_STR(prof_format_name(c.format), "gitlab");
    CHECK_EQ_INT(c.votes[PROF_FORMAT_GITLAB], 4);   /* three app errors, one access line */
    CHECK_EQ_INT(c.votes[PROF_FORMAT_COMBINED], 1); /* the fluentd-wrapped line */
    CHECK_EQ_INT(c.envelope, PROF_ENVELOPE_NONE);
    CHECK(!prof_choice_needs_line_scan(&c));
    /* Line 5, fluentd-wrapped combined: unwrapped, it is a 401 on /v2/. */
    rsla_slice l = nth_line(buf, len, 5);
    char *inner = malloc(l.len), *scratch = malloc(l.len);
    size_t n;
    prof_unwrap_info ui;
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_FLUENTD, l.ptr, l.len, inner, &n, &ui), PROF_UNWRAP_OK);
    CHECK(!ui.has_time);
    prof_line_ctx ctx = { NULL, false, 0, false, scratch };
    prof_verdict v;
    prof_text_combined_line(inner, n, &ctx, &v);
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    CHECK_EQ_INT(v.outcome.status, 401);
    CHECK_EQ_INT(v.outcome.time_ns, t_of("2019-03-13T11:05:44Z"));
    CHECK(rsla_slice_eq_cstr(v.outcome.path, "/v2/"));
    CHECK(rsla_slice_eq_cstr(v.outcome.method, "GET"));
    /* as a line of a file detected as fluentd-wrapped combined */
    prof_choice fc = { .format = PROF_FORMAT_COMBINED, .envelope = PROF_ENVELOPE_FLUENTD };
    prof_state *s = prof_state_create(&fc, NULL, NULL);
    recs r = { 0 };
    scan_sink sink = { &r, on_out, on_skip, on_rej };
    CHECK_EQ_INT(prof_scan_chunk(s, buf, len, &sink), 6);
    CHECK_EQ_INT(r.v[4].kind, PROF_VERDICT_OUTCOME);
    CHECK_EQ_INT(r.v[4].status, 401);
    for (int i = 0; i < 6; i++) /* the JSON lines have no `message`: not this format's */
        if (i != 4)
            CHECK(r.v[i].kind == PROF_VERDICT_SKIP && r.v[i].reason == RSLA_SKIP_OTHER_FORMAT);
    prof_state_free(s);
    free(r.v);
    free(inner);
    free(scratch);
    free(buf);
}

static void test_json_detection(void)
{
    static const struct { const char *file, *format; } files[] = {
        { "distribution.jsonl", "distribution" },
        { "nginx.jsonl", "nginx-json" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(files); i++) {
        size_t len;
        char *buf = read_file(files[i].file, &len);
        prof_choice c;
        prof_detect(buf, len, &c);
        CHECK_EQ_STR(prof_format_name(c.format), files[i].format);
        CHECK_EQ_INT(c.prefixes, 0);
        CHECK(!prof_choice_needs_line_scan(&c));
        free(buf);
    }
}

int main(void)
{
    test_distribution_text();
    test_distribution_combined();
    test_zarf();
    test_zot();
    test_gitlab();
    test_json_detection();
    TEST_MAIN_END();
}
