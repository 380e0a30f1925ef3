/* The JSON profiles of issue 6 (gitlab, zot, nginx-json) and profile files.
 *
 *   - Every line of ../shared/real-logs/{gitlab-registry,zot,nginx}.jsonl through detection and
 *     the pipeline's path (scan_chunk, or prof_scan_chunk when the file has prefixes), with every
 *     kernel this CPU runs: what each line must become.
 *   - Constructed lines for each syntax: CLF, epoch seconds and ISO times, millisecond and
 *     decimal-second durations, request lines (absolute-form, garbage, `-`), status as a string,
 *     alternative keys, the default host.
 *   - Each kernel against the scalar kernel on seeded mixes of those lines, chunked at random.
 *   - Profile files: one reproducing the gitlab row gives the same records; bad files give their
 *     line:column errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rsla_test.h"
#include "common/rsla_time.h"
#include "ingest/profile/prof_scan.h"
#include "ingest/scan/scan.h"
#include "ingest/scan/scan_record.h"

static const scan_kernel *kernels[8];
static size_t n_kernels;

/* MARK: - Helpers */

static int64_t t_of(const char *rfc3339)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(rfc3339, strlen(rfc3339), &ns) != RSLA_TIME_OK)
        fprintf(stderr, "bad expected time %s\n", rfc3339);
    return ns;
}

/* Expected record text: "@<rfc3339>" becomes its nanoseconds, the rest is copied. */
static void expand(const char *want, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = want; *p && o + 32 < cap;) {
        if (*p != '@') {
            out[o++] = *p++;
            continue;
        }
        const char *e = strchr(p, ' ');
        const size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
        char t[64];
        snprintf(t, sizeof t, "%.*s", (int)n, p + 1);
        o += (size_t)snprintf(out + o, cap - o, "%lld", (long long)t_of(t));
        p += n + 1;
    }
    out[o] = 0;
}

static char *padded_copy(const char *s, size_t len)
{
    char *b = calloc(1, len + SCAN_PADDING + 1);
    memcpy(b, s, len);
    return b;
}

/* Scans buf[0, len) (padded) under p with kernel k, the input's default host dflt. */
static void run(const scan_kernel *k, const scan_profile *p, const char *dflt, const char *buf,
                size_t len, scan_record *r)
{
    scan_record_clear(r);
    scan_record_str(r, "");
    scan_state *s = scan_state_create(k, p);
    scan_state_set_default_host(s, dflt);
    const scan_sink sink = scan_record_sink(r);
    const size_t lines = scan_chunk(s, buf, len, &sink);
    scan_state_free(s);
    CHECK_EQ_INT(lines, r->outcomes + r->skips + r->rejects);
}

/* One line under profile `name`: every kernel must write `want` (one record, no newline). */
static void line_is(const char *name, const char *dflt, const char *line, const char *want)
{
    const scan_profile *p = scan_profile_by_name(name);
    CHECK(p != NULL);
    if (!p)
        return;
    char exp[2048];
    expand(want, exp, sizeof exp - 1);
    strcat(exp, "\n");
    char *buf = padded_copy(line, strlen(line));
    scan_record r = { 0 };
    for (size_t k = 0; k < n_kernels; k++) {
        run(kernels[k], p, dflt, buf, strlen(line), &r);
        if (strcmp(r.text, exp) != 0) {
            fprintf(stderr, "%s [%s] %s\n  got  %s  want %s", name, scan_kernel_name(kernels[k]),
                    line, r.text, exp);
            CHECK(false);
        } else {
            CHECK(true);
        }
    }
    scan_record_clear(&r);
    free(buf);
}

/* MARK: - Real logs through detection and the pipeline's path */

typedef struct rec {
    char text[1024];
} rec;

typedef struct recs {
    rec v[32];
    size_t n;
} recs;

static rec *rec_next(recs *r)
{
    return r->n < RSLA_ARRAY_LEN(r->v) ? &r->v[r->n++] : &r->v[RSLA_ARRAY_LEN(r->v) - 1];
}

static void rec_outcome(void *ctx, const rsla_outcome *o)
{
    scan_record sr = { 0 };
    scan_record_on_outcome(&sr, o);
    snprintf(rec_next(ctx)->text, sizeof(rec){ 0 }.text, "%s", sr.text);
    scan_record_clear(&sr);
}

static void rec_skip(void *ctx, rsla_skip_reason why)
{
    snprintf(rec_next(ctx)->text, sizeof(rec){ 0 }.text, "S %s\n", rsla_skip_reason_name(why));
}

/* Line start and index depend on the path (chunk or line scan): kept out of the record. */
static void rec_reject(void *ctx, size_t ls, size_t li, rsla_reject_reason why, size_t col,
                       const char *field)
{
    snprintf(rec_next(ctx)->text, sizeof(rec){ 0 }.text, "R %s %zu %s\n",
             rsla_reject_reason_name(why), col, field ? field : "-");
}

static char *read_real(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/real-logs/%s", RSLA_SHARED_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc(1, (size_t)n + SCAN_PADDING + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Detects the file and reads it as ing_pipeline.c does, with kernel k; dflt is `--host`. */
static void scan_real(const char *buf, size_t len, const scan_kernel *k, const char *dflt,
                      prof_choice *c, recs *r)
{
    prof_detect(buf, len, c);
    const scan_profile *p = scan_profile_by_name(prof_format_name(c->format));
    CHECK(p != NULL);
    if (!p)
        return;
    scan_state *js = scan_state_create(k, p);
    scan_state_set_default_host(js, dflt);
    const scan_sink sink = { r, rec_outcome, rec_skip, rec_reject };
    size_t lines;
    if (prof_choice_needs_line_scan(c)) {
        prof_options opt = { .default_host = dflt };
        prof_state *ps = prof_state_create(c, &opt, js);
        lines = prof_scan_chunk(ps, buf, len, &sink);
        prof_state_free(ps);
    } else {
        lines = scan_chunk(js, buf, len, &sink);
    }
    scan_state_free(js);
    CHECK_EQ_INT(lines, r->n);
}

static void real_file_is(const char *file, const char *format, const char *dflt,
                         const char *const *want, size_t n_want)
{
    size_t len;
    char *buf = read_real(file, &len);
    for (size_t k = 0; k < n_kernels; k++) {
        prof_choice c;
        recs r = { .n = 0 };
        scan_real(buf, len, kernels[k], dflt, &c, &r);
        CHECK_EQ_STR(prof_format_name(c.format), format);
        CHECK_EQ_INT(r.n, n_want);
        for (size_t i = 0; i < n_want && i < r.n; i++) {
            char exp[2048];
            expand(want[i], exp, sizeof exp - 1);
            strcat(exp, "\n");
            if (strcmp(r.v[i].text, exp) != 0) {
                fprintf(stderr, "%s line %zu [%s]\n  got  %s  want %s", file, i + 1,
                        scan_kernel_name(kernels[k]), r.v[i].text, exp);
                CHECK(false);
            }
        }
    }
    free(buf);
}

static void test_real_gitlab(void)
{
    static const char *const want[] = {
        "S other_message", /* app error NAME_UNKNOWN */
        "S other_message", /* app error MANIFEST_UNKNOWN */
        "S other_message", /* app error UNKNOWN */
        "S other_message", /* "listening on [::]:5000" banner */
        "S other_message", /* fluentd-wrapped combined line: no `msg`, another layer */
        ("O @2025-02-12T21:28:02.740Z 401 0 host=registry.examle.com method=GET path=/v2/ "
         "id=01JKY0ZMDMP25HMMVS01X5ANNH"),
    };
    real_file_is("gitlab-registry.jsonl", "gitlab", NULL, want, RSLA_ARRAY_LEN(want));
}

static void test_real_zot(void)
{
    /* compose (4-5) and journald (7-9) prefixes: read through prof_scan_chunk */
    static const char *const want[] = {
        ("O @2022-05-03T14:23:17.8845936+03:00 200 77400 host=zot.example method=HEAD "
         "path=/v2/6de5f5ab-cad3-11ec-840b-460801757087/blobs/"
         "sha256:315e899f015e25df6f9fc801965d2a3fd8c5724f22417f427d318ce074f4d1e8 id="),
        "S other_message", /* "blob path found", duplicate `caller` */
        ("O @2022-05-03T14:23:17.8848852+03:00 200 77600 host=zot.example method=HEAD "
         "path=/v2/6de5f967-cad3-11ec-840b-460801757087/blobs/"
         "sha256:cdc832d10daa3252dc66ba0744911d183177763a328f4b076f8ba664eb3e316b id="),
        "S other_message", /* auth error */
        "O @2023-10-09T19:02:27.244453749Z 401 1000000000 host=zot.example method=GET path=/v2/ id=",
        "R json_syntax 103 -", /* "username":GITLABUSER, redacted by hand */
        "S other_message",
        "S other_message",
        "S other_message",
        ("O @2025-03-10T03:54:22.960777796Z 201 0 host=zot.example method=PUT "
         "path=/v2/hello/world/blobs/uploads/fa68b17d-99df-43a6-9252-a9ba1b6be064 id="),
    };
    real_file_is("zot.jsonl", "zot", "zot.example", want, RSLA_ARRAY_LEN(want));
    /* without --host the instance is "-", as for the combined log */
    static const char *const want_nohost[] = {
        "O @2025-03-10T03:54:22.960777796Z 201 0 host=- method=PUT "
        "path=/v2/hello/world/blobs/uploads/fa68b17d-99df-43a6-9252-a9ba1b6be064 id=",
    };
    size_t len;
    char *buf = read_real("zot.jsonl", &len);
    prof_choice c;
    recs r = { .n = 0 };
    scan_real(buf, len, kernels[n_kernels - 1], NULL, &c, &r);
    CHECK_EQ_INT(r.n, 10);
    char exp[1024];
    expand(want_nohost[0], exp, sizeof exp - 1);
    strcat(exp, "\n");
    CHECK_EQ_STR(r.v[9].text, exp);
    free(buf);
}

static void test_real_nginx(void)
{
    static const char *const want[] = {
        /* docker-registry-proxy before it logged the method: no `method`, no `request` */
        "R missing_field 0 method",
        "O @2020-12-15T23:32:36Z 200 -1 host=registry-1.docker.io method=GET "
        "path=/v2/library/ubuntu/manifests/"
        "sha256:4e4bc990609ed865e07afc8427c30ffdddca5153fd4e82c20d8f0783a291e241 id=",
    };
    real_file_is("nginx.jsonl", "nginx-json", NULL, want, RSLA_ARRAY_LEN(want));
}

/* MARK: - Constructed lines */

static void test_gitlab_lines(void)
{
    const char *head = "{\"correlation_id\":\"c1\",\"host\":\"Reg.Example:443\",\"method\":\"GET\","
                       "\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02.740Z\",";
    char l[1024];
#define GL(tail, want)                                                                     \
    do {                                                                                   \
        snprintf(l, sizeof l, "%s%s", head, tail);                                         \
        line_is("gitlab", NULL, l, want);                                                  \
    } while (0)
    GL("\"uri\":\"/v2/a/manifests/1?x=1\",\"status\":200,\"duration_ms\":1234}",
       "O @2025-02-12T21:28:02.740Z 200 1234000000 host=Reg.Example:443 method=GET "
       "path=/v2/a/manifests/1 id=c1");
    GL("\"uri\":\"/v2/\",\"status\":\"503\",\"duration_ms\":\"12\"}",
       "O @2025-02-12T21:28:02.740Z 503 12000000 host=Reg.Example:443 method=GET path=/v2/ id=c1");
    GL("\"uri\":\"/v2/\",\"status\":200,\"duration_ms\":1.5}",
       "O @2025-02-12T21:28:02.740Z 200 1500000 host=Reg.Example:443 method=GET path=/v2/ id=c1");
    GL("\"uri\":\"/v2/\",\"status\":200}",
       "O @2025-02-12T21:28:02.740Z 200 -1 host=Reg.Example:443 method=GET path=/v2/ id=c1");
    GL("\"uri\":\"/v2/\",\"status\":200,\"duration_ms\":-1}", "R 0 0 bad_duration 152 duration_ms");
    GL("\"uri\":\"/v2/\",\"status\":200,\"duration_ms\":1e3}", "R 0 0 bad_duration 152 duration_ms");
    GL("\"uri\":\"/v2/\",\"status\":200,\"duration_ms\":true}", "R 0 0 wrong_type 152 duration_ms");
    GL("\"uri\":\"/v2/\",\"status\":2.0}", "R 0 0 wrong_type 134 status");
    GL("\"uri\":\"/v2/\"}", "R 0 0 missing_field 0 status");
#undef GL
    line_is("gitlab", NULL, "{\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02Z\",\"method\":\"GET\","
            "\"uri\":\"/v2/\",\"status\":200}", "R 0 0 missing_field 0 host");
    line_is("gitlab", "ignored.example", "{\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02Z\","
            "\"method\":\"GET\",\"uri\":\"/v2/\",\"status\":200}", "R 0 0 missing_field 0 host");
    line_is("gitlab", NULL, "{\"msg\":\"listening\",\"time\":\"x\"}", "S other_message");
    line_is("gitlab", NULL, "{\"msg\":\"acc\\u0065ss\",\"time\":\"2025-02-12T21:28:02+01:00\","
            "\"host\":\"h\",\"method\":\"GET\",\"uri\":\"/v2/\",\"status\":200,\"duration_ms\":0}",
            "O @2025-02-12T20:28:02Z 200 0 host=h method=GET path=/v2/ id=");
}

static void test_zot_lines(void)
{
    const char *l = "{\"time\":\"2024-01-02T03:04:05.5+03:00\",\"level\":\"info\",\"message\":\"HTTP API\","
                    "\"module\":\"http\",\"method\":\"PATCH\",\"path\":\"/v2/a/blobs/uploads/u?x=y\","
                    "\"statusCode\":202,\"latency\":\"88.2us\",\"headers\":{\"A\":[\"b\"]}}";
    line_is("zot", NULL, l, "O @2024-01-02T00:04:05.5Z 202 88200 host=- method=PATCH "
            "path=/v2/a/blobs/uploads/u id=");
    line_is("zot", "zot-1.example", l, "O @2024-01-02T00:04:05.5Z 202 88200 host=zot-1.example "
            "method=PATCH path=/v2/a/blobs/uploads/u id=");
    line_is("zot", NULL, "{\"message\":\"HTTP API\",\"time\":\"2024-01-02T03:04:05Z\",\"method\":\"GET\","
            "\"path\":\"/v2/\",\"statusCode\":\"401\",\"latency\":\"1m2s\"}",
            "O @2024-01-02T03:04:05Z 401 62000000000 host=- method=GET path=/v2/ id=");
    line_is("zot", NULL, "{\"message\":\"HTTP API\",\"time\":\"2024-01-02T03:04:05Z\",\"method\":\"GET\","
            "\"path\":\"/v2/\",\"statusCode\":200,\"latency\":\"fast\"}",
            "R 0 0 bad_duration 108 latency");
    line_is("zot", NULL, "{\"message\":\"HTTP API\",\"time\":\"2024-01-02T03:04:05\",\"method\":\"GET\","
            "\"path\":\"/v2/\",\"statusCode\":200}", "R 0 0 time_without_zone 29 time");
    line_is("zot", NULL, "{\"message\":\"HTTP API\",\"time\":\"2024-01-02T03:04:05Z\",\"method\":\"GET\","
            "\"statusCode\":200}", "R 0 0 missing_field 0 path");
    line_is("zot", NULL, "{\"message\":\"blob path found\"}", "S other_message");
}

static void test_nginx_times(void)
{
    const char *rest = "\"request\":\"GET /v2/ HTTP/1.1\",\"status\":\"200\"}";
    char l[1024];
#define NT(time, want)                                                                     \
    do {                                                                                   \
        snprintf(l, sizeof l, "{%s,%s", time, rest);                                       \
        line_is("nginx-json", NULL, l, want);                                              \
    } while (0)
    NT("\"time_local\":\"13/May/2020:15:25:30 +0200\"",
       "O @2020-05-13T13:25:30Z 200 -1 host=- method=GET path=/v2/ id=");
    NT("\"access_time\":\"13/May/2020:15:25:30 +0000\"",
       "O @2020-05-13T15:25:30Z 200 -1 host=- method=GET path=/v2/ id=");
    NT("\"msec\":\"1503988479.444\"",
       "O @2017-08-29T06:34:39.444Z 200 -1 host=- method=GET path=/v2/ id=");
    NT("\"msec\":1503988479.444",
       "O @2017-08-29T06:34:39.444Z 200 -1 host=- method=GET path=/v2/ id=");
    NT("\"time_iso8601\":\"2020-05-13T15:25:30+00:00\"",
       "O @2020-05-13T15:25:30Z 200 -1 host=- method=GET path=/v2/ id=");
    /* the first key present wins: msec, time_iso8601, time_local, access_time */
    NT("\"time_local\":\"13/May/2020:15:25:30 +0000\",\"msec\":\"1503988479.444\"",
       "O @2017-08-29T06:34:39.444Z 200 -1 host=- method=GET path=/v2/ id=");
    NT("\"access_time\":\"13/May/2020:15:25:30 +0000\",\"time_iso8601\":\"2021-01-01T00:00:00Z\"",
       "O @2021-01-01T00:00:00Z 200 -1 host=- method=GET path=/v2/ id=");
    /* a bad value of the winning key is not replaced by a later key */
    NT("\"msec\":\"soon\",\"time_local\":\"13/May/2020:15:25:30 +0000\"", "R 0 0 bad_time 8 msec");
    NT("\"time_local\":\"13/May/2020:15:25:30\"", "R 0 0 time_without_zone 14 time_local");
    NT("\"time_local\":1589383530", "R 0 0 wrong_type 14 time_local");
    NT("\"msec\":-1", "R 0 0 bad_time 8 msec");
    NT("\"upstream\":\"x\"", "R 0 0 missing_field 0 msec");
#undef NT
}

static void test_nginx_requests(void)
{
    const char *head = "{\"time_local\":\"13/May/2020:15:25:30 +0000\",\"status\":\"200\",";
    char l[1024];
#define NR(tail, want)                                                                     \
    do {                                                                                   \
        snprintf(l, sizeof l, "%s%s", head, tail);                                         \
        line_is("nginx-json", NULL, l, want);                                              \
    } while (0)
#define T0 "O @2020-05-13T15:25:30Z 200 -1 host=- "
    NR("\"request\":\"HEAD /v2/lib/x/manifests/latest?foo=1 HTTP/1.1\"}",
       T0 "method=HEAD path=/v2/lib/x/manifests/latest id=");
    NR("\"request\":\"GET https://reg.example/v2/lib/x/blobs/sha256:ab HTTP/1.1\"}",
       T0 "method=GET path=https://reg.example/v2/lib/x/blobs/sha256:ab id=");
    NR("\"request\":\"GET /v2/\"}", T0 "method=GET path=/v2/ id=");
    NR("\"request\":\"\\u0016\\u0003\\u0001\\u0000\"}", "S not_request");
    NR("\"request\":\"-\"}", "S not_request");
    NR("\"request\":\"\"}", "S not_request");
    NR("\"request\":\"GET  /v2/ HTTP/1.1\"}", "S not_request");
    NR("\"request\":7}", "R 0 0 wrong_type 68 request");
    /* the request line wins over method and uri: it keeps the query and percent-encoding */
    NR("\"method\":\"PUT\",\"uri\":\"/v2/x\",\"request\":\"GET /v2/a%2Fb HTTP/1.0\"}",
       T0 "method=GET path=/v2/a%2Fb id=");
    NR("\"method\":\"PUT\",\"uri\":\"/v2/x/manifests/1\"}", T0 "method=PUT path=/v2/x/manifests/1 id=");
    NR("\"request_method\":\"PUT\",\"request_uri\":\"/v2/y?x\",\"uri\":\"/v2/x\"}",
       T0 "method=PUT path=/v2/y id=");
    NR("\"method\":\"PUT\"}", "R 0 0 missing_field 0 request_uri");
    NR("\"uri\":\"/v2/\"}", "R 0 0 missing_field 0 method");
#undef T0
#undef NR
}

static void test_nginx_values(void)
{
    const char *head = "{\"time_local\":\"13/May/2020:15:25:30 +0000\",\"request\":\"GET /v2/ HTTP/1.1\",";
    char l[1024];
#define NV(tail, want)                                                                     \
    do {                                                                                   \
        snprintf(l, sizeof l, "%s%s", head, tail);                                         \
        line_is("nginx-json", NULL, l, want);                                              \
    } while (0)
#define T0 "O @2020-05-13T15:25:30Z "
    NV("\"status\":200}", T0 "200 -1 host=- method=GET path=/v2/ id=");
    NV("\"status\":\"499\"}", T0 "499 -1 host=- method=GET path=/v2/ id=");
    NV("\"status\":\"abc\"}", "R 0 0 bad_status 82 status");
    NV("\"status\":\"\"}", "R 0 0 bad_status 82 status");
    NV("\"status\":\"200\",\"request_time\":\"0.772\"}",
       T0 "200 772000000 host=- method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"request_time\":1.5}", T0 "200 1500000000 host=- method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"request_time\":\"0.0000000019\"}",
       T0 "200 1 host=- method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"request_time\":\"-\"}", T0 "200 -1 host=- method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"request_time\":\"0.320 : 0.060\"}", "R 0 0 bad_duration 103 request_time");
    NV("\"status\":\"200\",\"request_time\":\"1e3\"}", "R 0 0 bad_duration 103 request_time");
    NV("\"status\":\"200\",\"request_id\":\"9f1c\"}", T0 "200 -1 host=- method=GET path=/v2/ id=9f1c");
    /* host alternatives: host, http_host, server_name; else --host; else "-" */
    NV("\"status\":\"200\",\"server_name\":\"s.example\",\"http_host\":\"h.example:5000\"}",
       T0 "200 -1 host=h.example:5000 method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"server_name\":\"s.example\",\"host\":\"a.example\"}",
       T0 "200 -1 host=a.example method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"server_name\":\"s.example\"}",
       T0 "200 -1 host=s.example method=GET path=/v2/ id=");
    NV("\"status\":\"200\",\"host\":5}", "R 0 0 wrong_type 95 host");
#undef T0
#undef NV
    line_is("nginx-json", "proxy.example", "{\"msec\":\"1.5\",\"request\":\"GET /v2/ HTTP/1.1\","
            "\"status\":\"200\"}", "O 1500000000 200 -1 host=proxy.example method=GET path=/v2/ id=");
    line_is("nginx-json", "proxy.example", "{\"msec\":\"1.5\",\"request\":\"GET /v2/ HTTP/1.1\","
            "\"status\":\"200\",\"host\":\"own.example\"}",
            "O 1500000000 200 -1 host=own.example method=GET path=/v2/ id=");
    /* escaped keys are decoded before they are matched, alternatives included */
    line_is("nginx-json", NULL, "{\"time\\u005flocal\":\"13/May/2020:15:25:30 +0000\",\"re\\u0071uest\":"
            "\"GET /v2/ HTTP/1.1\",\"\\u0073tatus\":\"200\",\"server\\u005fname\":\"s\"}",
            "O @2020-05-13T15:25:30Z 200 -1 host=s method=GET path=/v2/ id=");
    /* not an object, not JSON, blank: the scanner's verdicts, whatever the profile */
    line_is("nginx-json", NULL, "[1,2]", "S not_json");
    line_is("nginx-json", NULL, "   ", "S blank");
    line_is("nginx-json", NULL, "{\"status\":\"200\"", "R 0 0 json_syntax 15 -");
}

static void test_by_name(void)
{
    CHECK(scan_profile_by_name("distribution") == scan_profile_distribution());
    CHECK_EQ_STR(scan_profile_name(scan_profile_by_name("gitlab")), "gitlab");
    CHECK_EQ_STR(scan_profile_name(scan_profile_by_name("zot")), "zot");
    CHECK_EQ_STR(scan_profile_name(scan_profile_by_name("nginx-json")), "nginx-json");
    CHECK(scan_profile_by_name("combined") == NULL);
    CHECK(scan_profile_by_name("") == NULL);
    CHECK(scan_profile_by_name(NULL) == NULL);
}

/* MARK: - Kernels against scalar */

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const mix_lines[] = {
    "{\"correlation_id\":\"01J\",\"duration_ms\":17,\"host\":\"r.example\",\"method\":\"GET\","
    "\"msg\":\"access\",\"status\":200,\"time\":\"2025-02-12T21:28:02.740Z\",\"uri\":\"/v2/a/b/blobs/"
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"user_agent\":"
    "\"docker/20.10.12 go/go1.16.12 \\\"x\\\\\"\"}",
    "{\"level\":\"info\",\"module\":\"http\",\"clientIP\":\"127.0.2.201:59979\",\"method\":\"HEAD\","
    "\"path\":\"/v2/x/blobs/sha256:31?d=\\u0026\",\"statusCode\":200,\"latency\":\"77.4\xC2\xB5s\","
    "\"headers\":{\"User-Agent\":[\"go-resty/1.12.0\"]},\"time\":\"2022-05-03T14:23:17.8845936+03:00\","
    "\"message\":\"HTTP API\"}",
    "{\"time_local\":\"13/May/2020:15:25:30 +0200\",\"request\":\"GET https://h/v2/ HTTP/1.1\","
    "\"status\":\"200\",\"request_time\":\"0.772\",\"http_host\":\"h:443\",\"request_id\":\"ab\"}",
    "{\"msec\":1503988479.444,\"method\":\"PUT\",\"uri\":\"/v2/x/manifests/1\",\"status\":201}",
    "{\"request\":\"\\u0016\\u0003\",\"status\":\"400\",\"time_iso8601\":\"2020-05-13T15:25:30Z\"}",
    "{\"msg\":\"access\",\"status\":\"5x\"}",
    "{\"message\":\"HTTP API\",\"msg\":\"access\",\"statusCode\":2.5,\"status\":true}",
    "{\"a\":[{\"b\":{\"c\":[1,2,{\"d\":\"e\\\\\"}]}}],\"status\":\"200\"}",
    "{\"msec\":\"1.5\",\"request\":\"GET /v2/ HTTP/1.1\",\"status\":\"200\",\"request_time\":\"-\"}",
    "{\"time_local\":\"13/May/2020:15:25:30 +0000\",\"request\":\"GET /v2/ HTTP/1.1\",\"status\":\"200\"",
    "not json at all",
    "",
    "{\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02Z\",\"host\":\"\\u00e9.example\",\"method\":\"G\\u0045T\","
    "\"uri\":\"/v2/\\u002fx\",\"status\":404,\"duration_ms\":\"3\"}\r",
    /* escaped keys that decode to alternative keys */
    "{\"time\\u005flocal\":\"13/May/2020:15:25:30 +0000\",\"re\\u0071uest\":\"GET /v2/ HTTP/1.1\","
    "\"\\u0073tatus\":\"200\",\"server\\u005fname\":\"s\",\"request_time\":\"0.5\"}",
    "{\"m\\u0073g\":\"access\",\"me\\u0073sage\":\"HTTP API\",\"statusCode\":200,\"path\":\"/v2/\","
    "\"method\":\"GET\",\"time\":\"2024-01-02T03:04:05Z\",\"latency\":\"1ms\",\"host\":\"h\",\"uri\":\"/v2/\","
    "\"status\":201,\"duration_ms\":4}",
};

static void diff_profile(const char *name, const char *dflt)
{
    const scan_profile *p = scan_profile_by_name(name);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *env = getenv("RSLA_DIFF_ITERATIONS");
    const int rounds = env && atoi(env) > 0 ? atoi(env) : 200;
    for (int round = 0; round < rounds; round++) {
        len = 0;
        const size_t n = 1 + next_rand() % 40;
        for (size_t i = 0; i < n; i++) {
            const char *l = mix_lines[next_rand() % RSLA_ARRAY_LEN(mix_lines)];
            const size_t pad = next_rand() % 70; /* shift lines across 64-byte blocks */
            const size_t need = len + pad + strlen(l) + 2 + SCAN_PADDING;
            if (need > cap) {
                cap = need * 2;
                buf = realloc(buf, cap);
            }
            memset(buf + len, ' ', pad);
            len += pad;
            memcpy(buf + len, l, strlen(l));
            len += strlen(l);
            buf[len++] = '\n';
        }
        if (next_rand() % 2)
            len--; /* no final newline */
        static const char mutations[] = "\"\\{}[],: a\x01\xC2\xB5";
        for (size_t m = next_rand() % 3; m > 0 && len > 0; m--) /* a few byte mutations */
            buf[next_rand() % len] = mutations[next_rand() % (sizeof mutations - 1)];
        memset(buf + len, 0, SCAN_PADDING);
        scan_record ref = { 0 }, got = { 0 };
        run(kernels[n_kernels - 1], p, dflt, buf, len, &ref);
        for (size_t k = 0; k + 1 < n_kernels; k++) {
            run(kernels[k], p, dflt, buf, len, &got);
            const bool same = strcmp(ref.text, got.text) == 0;
            CHECK(same);
            if (!same)
                fprintf(stderr, "%s: kernel %s differs from scalar\nscalar:\n%s%s:\n%s", name,
                        scan_kernel_name(kernels[k]), ref.text, scan_kernel_name(kernels[k]),
                        got.text);
        }
        scan_record_clear(&ref);
        scan_record_clear(&got);
    }
    free(buf);
}

static void test_kernels_agree(void)
{
    diff_profile("gitlab", NULL);
    diff_profile("zot", NULL);
    diff_profile("zot", "z.example");
    diff_profile("nginx-json", NULL);
    diff_profile("nginx-json", "n.example");
    diff_profile("distribution", NULL);
}

/* MARK: - Profile files */

static const char gitlab_file[] =
    "{\n"
    "  \"name\": \"gitlab-again\",\n"
    "  \"filter\": {\"key\": \"msg\", \"values\": [\"access\"]},\n"
    "  \"fields\": {\n"
    "    \"time\": {\"key\": \"time\", \"syntax\": \"rfc3339\"},\n"
    "    \"host\": {\"key\": \"host\"},\n"
    "    \"method\": {\"key\": \"method\"},\n"
    "    \"uri\": {\"key\": \"uri\"},\n"
    "    \"status\": {\"key\": \"status\"},\n"
    "    \"duration\": {\"key\": \"duration_ms\", \"unit\": \"ms\"},\n"
    "    \"request_id\": {\"key\": \"correlation_id\"}\n"
    "  }\n"
    "}\n";

static const char nginx_file[] =
    "{\"name\": \"nginx-again\", \"fields\": {\n"
    " \"time\": [{\"key\": \"msec\", \"syntax\": \"epoch_s\"}, {\"key\": \"time_iso8601\"},\n"
    "          {\"key\": [\"time_local\", \"access_time\"], \"syntax\": \"clf\"}],\n"
    " \"host\": {\"key\": [\"host\", \"http_host\", \"server_name\"], \"default\": \"-\"},\n"
    " \"method\": {\"key\": [\"method\", \"request_method\"]},\n"
    " \"uri\": {\"key\": [\"request_uri\", \"uri\"]},\n"
    " \"request_line\": {\"key\": \"request\"},\n"
    " \"status\": {\"key\": \"status\"},\n"
    " \"duration\": {\"key\": \"request_time\", \"unit\": \"s\"},\n"
    " \"request_id\": {\"key\": \"request_id\"}}}";

/* Every kernel gives the same records under a and b on buf. */
static void same_records(const scan_profile *a, const scan_profile *b, const char *dflt,
                         const char *buf, size_t len)
{
    scan_record ra = { 0 }, rb = { 0 };
    for (size_t k = 0; k < n_kernels; k++) {
        run(kernels[k], a, dflt, buf, len, &ra);
        run(kernels[k], b, dflt, buf, len, &rb);
        const bool same = strcmp(ra.text, rb.text) == 0;
        CHECK(same);
        if (!same)
            fprintf(stderr, "%s vs %s [%s]:\n%s---\n%s", scan_profile_name(a),
                    scan_profile_name(b), scan_kernel_name(kernels[k]), ra.text, rb.text);
    }
    CHECK(ra.outcomes > 0);
    scan_record_clear(&ra);
    scan_record_clear(&rb);
}

/* The mix lines, a real file and extra lines, as one padded chunk. */
static char *file_plus_mix(const char *real, const char *const *extra, size_t n_extra, size_t *len)
{
    size_t rl = 0;
    char *r = read_real(real, &rl);
    size_t cap = rl + 2;
    for (size_t i = 0; i < RSLA_ARRAY_LEN(mix_lines); i++)
        cap += strlen(mix_lines[i]) + 1;
    for (size_t i = 0; i < n_extra; i++)
        cap += strlen(extra[i]) + 1;
    char *buf = calloc(1, cap + SCAN_PADDING);
    memcpy(buf, r, rl);
    *len = rl;
    if (rl && buf[rl - 1] != '\n')
        buf[(*len)++] = '\n';
    for (size_t i = 0; i < RSLA_ARRAY_LEN(mix_lines) + n_extra; i++) {
        const char *l = i < RSLA_ARRAY_LEN(mix_lines) ? mix_lines[i] : extra[i - RSLA_ARRAY_LEN(mix_lines)];
        memcpy(buf + *len, l, strlen(l));
        *len += strlen(l);
        buf[(*len)++] = '\n';
    }
    free(r);
    return buf;
}

static void test_file_reproduces_builtins(void)
{
    char path[] = "/tmp/rsla-profile-XXXXXX";
    const int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(gitlab_file, f);
    fclose(f);
    char err[512];
    scan_profile *g = scan_profile_load(path, err, sizeof err);
    remove(path);
    CHECK(g != NULL);
    if (!g) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_STR(scan_profile_name(g), "gitlab-again");
    static const char *const gitlab_extra[] = {
        "{\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02Z\",\"host\":\"h\",\"method\":\"GET\","
        "\"uri\":\"/v2/?a\",\"status\":\"404\",\"duration_ms\":\"7.25\"}",
        "{\"msg\":\"access\",\"time\":\"2025-02-12T21:28:02Z\",\"method\":\"GET\",\"uri\":\"/v2/\","
        "\"status\":200}",
    };
    size_t len;
    char *buf = file_plus_mix("gitlab-registry.jsonl", gitlab_extra, 2, &len);
    same_records(scan_profile_by_name("gitlab"), g, NULL, buf, len);
    free(buf);
    scan_profile_free(g);

    scan_profile *n = scan_profile_parse(nginx_file, strlen(nginx_file), "nginx.json", err, sizeof err);
    CHECK(n != NULL);
    if (!n) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    static const char *const nginx_extra[] = {
        ("{\"time_local\":\"13/May/2020:15:25:30 +0000\",\"server_name\":\"s\",\"request_method\":\"PUT\","
         "\"uri\":\"/v2/x\",\"status\":\"201\"}"),
        "{\"access_time\":\"13/May/2020:15:25:30 +0000\",\"request\":\"-\",\"status\":\"400\"}",
        "{\"time_iso8601\":\"2020-05-13T15:25:30+02:00\",\"method\":\"GET\",\"status\":\"200\"}",
    };
    buf = file_plus_mix("nginx.jsonl", nginx_extra, 3, &len);
    same_records(scan_profile_by_name("nginx-json"), n, NULL, buf, len);
    same_records(scan_profile_by_name("nginx-json"), n, "given.example", buf, len);
    free(buf);
    scan_profile_free(n);
}

/* A profile file's own syntaxes: epoch milliseconds, a host default and --host over it. */
static void test_file_syntaxes(void)
{
    static const char text[] =
        "{\"name\":\"app\",\"filter\":{\"key\":\"kind\",\"values\":[\"req\",\"request\"]},"
        "\"fields\":{\"time\":{\"key\":\"ts\",\"syntax\":\"epoch_ms\"},"
        "\"host\":{\"key\":\"vhost\",\"default\":\"app.example\"},"
        "\"request_line\":{\"key\":\"req\"},\"status\":{\"key\":\"code\"},"
        "\"duration\":{\"key\":\"took\",\"unit\":\"go\"}}}";
    char err[512];
    scan_profile *p = scan_profile_parse(text, strlen(text), "app.json", err, sizeof err);
    CHECK(p != NULL);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    static const struct { const char *dflt, *line, *want; } cases[] = {
        { NULL, "{\"kind\":\"req\",\"ts\":1503988479444,\"req\":\"GET /v2/ HTTP/1.1\",\"code\":200,"
          "\"took\":\"1.5ms\"}",
          "O 1503988479444000000 200 1500000 host=app.example method=GET path=/v2/ id=" },
        { "cli.example", "{\"kind\":\"request\",\"ts\":\"1.5\",\"req\":\"GET /v2/ HTTP/1.1\",\"code\":200}",
          "O 1500000 200 -1 host=cli.example method=GET path=/v2/ id=" },
        { "cli.example", "{\"kind\":\"req\",\"vhost\":\"own\",\"ts\":0,\"req\":\"GET /v2/ HTTP/1.1\",\"code\":200}",
          "O 0 200 -1 host=own method=GET path=/v2/ id=" },
        { NULL, "{\"kind\":\"other\"}", "S other_message" },
        { NULL, "{\"kind\":\"req\",\"ts\":0,\"code\":200}", "R 0 0 missing_field 0 req" },
        { NULL, "{\"kind\":\"req\",\"ts\":1e3,\"req\":\"GET / HTTP/1.1\",\"code\":200}",
          "R 0 0 bad_time 19 ts" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(cases); i++) {
        char *buf = padded_copy(cases[i].line, strlen(cases[i].line));
        scan_record r = { 0 };
        for (size_t k = 0; k < n_kernels; k++) {
            run(kernels[k], p, cases[i].dflt, buf, strlen(cases[i].line), &r);
            char want[512];
            snprintf(want, sizeof want, "%s\n", cases[i].want);
            CHECK_EQ_STR(r.text, want);
        }
        scan_record_clear(&r);
        free(buf);
    }
    scan_profile_free(p);
}

static void bad_file(const char *text, const char *want)
{
    char err[512] = "unchanged";
    scan_profile *p = scan_profile_parse(text, strlen(text), "p.json", err, sizeof err);
    CHECK(p == NULL);
    CHECK_EQ_STR(err, want);
    scan_profile_free(p);
}

static void test_bad_files(void)
{
    bad_file("", "p.json:1:1: not valid JSON (json_syntax)");
    bad_file("{\"name\": \"x\",\n \"fields\": {", "p.json:2:13: not valid JSON (json_syntax)");
    bad_file("[]", "p.json:1:1: a profile file must be an object, not an array");
    bad_file("{\"name\":\"x\"}", "p.json:1:1: a profile file needs \"name\" and \"fields\"");
    bad_file("{\"name\":7,\"fields\":{}}", "p.json:1:9: \"name\" must be a string, not a number");
    bad_file("{\"name\":\"x\",\"colour\":1}",
             "p.json:1:13: unknown member \"colour\" (name, filter, fields)");
    bad_file("{\"name\":\"x\",\"name\":\"y\",\"fields\":{}}", "p.json:1:13: duplicate key \"name\"");
    const char *head = "{\"name\": \"x\",\n \"fields\": {\n";
    char t[1024];
#define BAD(body, want)                                                                    \
    do {                                                                                   \
        snprintf(t, sizeof t, "%s%s}}", head, body);                                       \
        bad_file(t, want);                                                                 \
    } while (0)
    BAD("  \"time\": {\"key\": \"ts\", \"syntax\": \"iso\"}",
        "p.json:3:35: unknown time syntax \"iso\"");
    BAD("  \"tim\": {\"key\": \"ts\"}", "p.json:3:3: unknown field \"tim\"");
    BAD("  \"time\": \"ts\"", "p.json:3:11: time must be an object, not a string");
    BAD("  \"time\": {\"key\": []}", "p.json:3:19: an empty list of keys");
    BAD("  \"time\": {\"key\": \"\"}", "p.json:3:19: a key must be 1 to 63 bytes without NUL");
    BAD("  \"time\": {\"key\": \"ts\", \"unit\": \"s\"}", "p.json:3:25: unknown member \"unit\" in time");
    BAD("  \"time\": {\"syntax\": \"clf\"}", "p.json:3:11: time needs a \"key\"");
    BAD("  \"time\": {\"key\": \"ts\"}, \"status\": {\"key\": \"ts\"}",
        "p.json:3:44: key \"ts\" is named twice");
    BAD("  \"time\": {\"key\": \"ts\"}, \"duration\": {\"key\": \"d\"}",
        "p.json:3:38: duration needs \"unit\": \"go\", \"ms\" or \"s\"");
    BAD("  \"time\": {\"key\": \"ts\"}, \"duration\": {\"key\": \"d\", \"unit\": \"us\"}",
        "p.json:3:59: unknown duration unit \"us\"");
    BAD("  \"time\": {\"key\": \"ts\"}, \"host\": {}", "p.json:3:34: host needs a \"key\" or a \"default\"");
    BAD("  \"time\": {\"key\": \"ts\"},\n  \"uri\": {\"key\": \"u\"}", "p.json:2:12: \"fields\" needs status");
    BAD("  \"time\": {\"key\": \"ts\"}, \"status\": {\"key\": \"s\"}, \"uri\": {\"key\": \"u\"}",
        "p.json:2:12: \"fields\" needs method (or request_line)");
    BAD("  \"time\": {\"key\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}",
        "p.json:3:52: more than 7 alternative keys in all");
#undef BAD
    bad_file("{\"name\":\"x\",\"filter\":{\"key\":\"m\",\"values\":[]},\"fields\":{}}",
             "p.json:1:42: \"values\" is empty: no line would be an outcome");
    bad_file("{\"name\":\"x\",\"filter\":{\"key\":\"m\"},\"fields\":{}}",
             "p.json:1:22: \"filter\" needs \"key\" and \"values\"");
    char err[256];
    CHECK(scan_profile_load("/nonexistent/p.json", err, sizeof err) == NULL);
    CHECK_EQ_STR(err, "/nonexistent/p.json: cannot open: No such file or directory");
}

int main(void)
{
    n_kernels = scan_kernel_list(kernels, RSLA_ARRAY_LEN(kernels));
    if (n_kernels > RSLA_ARRAY_LEN(kernels))
        n_kernels = RSLA_ARRAY_LEN(kernels);
    test_by_name();
    test_real_gitlab();
    test_real_zot();
    test_real_nginx();
    test_gitlab_lines();
    test_zot_lines();
    test_nginx_times();
    test_nginx_requests();
    test_nginx_values();
    test_kernels_agree();
    test_file_reproduces_builtins();
    test_file_syntaxes();
    test_bad_files();
    TEST_MAIN_END();
}
