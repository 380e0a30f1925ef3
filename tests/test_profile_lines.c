/* Line-level cases of the text readers, shipper prefixes, envelopes, detection and the chunk
 * contract (ingest/profile). The real published lines are in test_profile_reallogs.c; these are
 * the shapes LOG-FORMATS describes without a collected line, and the edges. */
#include <stdlib.h>
#include "rsla_test.h"
#include "common/rsla_time.h"
#include "ingest/profile/prof_scan.h"
#include "ingest/profile/prof_text.h"

static char scratch[8192];

static int64_t t_of(const char *s)
{
    int64_t ns = 0;
    rsla_time_parse_rfc3339(s, strlen(s), &ns);
    return ns;
}

static prof_verdict logrus(const char *line)
{
    prof_line_ctx ctx = { NULL, false, 0, false, scratch };
    prof_verdict v;
    prof_text_logrus_line(line, strlen(line), &ctx, &v);
    return v;
}

static prof_verdict combined_ctx(const char *line, const prof_line_ctx *ctx)
{
    prof_verdict v;
    prof_text_combined_line(line, strlen(line), ctx, &v);
    return v;
}

static prof_verdict combined(const char *line)
{
    prof_line_ctx ctx = { NULL, false, 0, false, scratch };
    return combined_ctx(line, &ctx);
}

#define EQ(slice, lit) CHECK(rsla_slice_eq_cstr((slice), (lit)))

/* MARK: - logrus text */

static void test_logrus_values(void)
{
    /* bare and quoted forms of the same keys, trailing space, µs duration */
    prof_verdict v = logrus("time=\"2023-01-18T22:23:09Z\" level=info msg=\"response completed\" "
                            "http.request.host=reg:5000 http.request.method=\"GET\" "
                            "http.request.uri=/v2/ http.response.status=\"200\" "
                            "http.response.duration=88.251\xC2\xB5s http.request.id=abc ");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    EQ(v.outcome.host, "reg:5000");
    EQ(v.outcome.method, "GET");
    EQ(v.outcome.path, "/v2/");
    CHECK_EQ_INT(v.outcome.status, 200);
    CHECK_EQ_INT(v.outcome.duration_ns, 88251);
    EQ(v.outcome.request_id, "abc");
    CHECK_EQ_INT(v.outcome.time_ns, t_of("2023-01-18T22:23:09Z"));
    /* escaped quotes and backslashes inside a quoted value are decoded */
    v = logrus("time=\"2023-01-18T22:23:09Z\" level=error msg=\"response completed with error\" "
               "err.message=\"a \\\"quoted\\\" word\" http.request.host=\"h\" "
               "http.request.method=PUT http.request.uri=\"/v2/a\\\\b/manifests/x?y=1\" "
               "http.response.status=500");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    EQ(v.outcome.path, "/v2/a\\b/manifests/x");
    CHECK_EQ_INT(v.outcome.status, 500);
    CHECK_EQ_INT(v.outcome.duration_ns, -1);
    EQ(v.outcome.request_id, "");
    /* unescaped inner quotes, as published: the quote that closes is the one before ` key=` */
    v = logrus("time=\"2023-01-18T22:23:09Z\" level=error msg=\"response completed with error\" "
               "err.detail=\"filesystem.GetContent(\"/docker/x\")\" http.request.host=h "
               "http.request.method=GET http.request.uri=/v2/x/manifests/1 http.response.status=503");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    CHECK_EQ_INT(v.outcome.status, 503);
    v = logrus("time=\"2023-01-18T22:23:09.511292242Z\" level=warning msg=\"error authorizing "
               "context: basic authentication challenge for realm \"Registry Realm\": invalid "
               "authorization credential\" go.version=go1.16.15 http.request.host=\"127.0.0.1:42697\"");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_OTHER_MESSAGE && v.recognised);
    /* the first occurrence of a key wins */
    v = logrus("time=\"2023-01-18T22:23:09Z\" msg=\"response completed\" http.request.host=a "
               "http.request.host=b http.request.method=GET http.request.uri=/v2/ "
               "http.response.status=200");
    EQ(v.outcome.host, "a");
    /* level first, no time: the prefix's time is used */
    prof_line_ctx ctx = { NULL, true, 42, false, scratch };
    const char *l = "level=info msg=\"response completed\" http.request.host=a http.request.method=GET "
                    "http.request.uri=/v2/ http.response.status=200";
    prof_text_logrus_line(l, strlen(l), &ctx, &v);
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    CHECK_EQ_INT(v.outcome.time_ns, 42);
    /* a msg with a quote escaped is not a completion message */
    v = logrus("time=\"2023-01-18T22:23:09Z\" msg=\"response \\\"completed\\\"\"");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_SKIP);
}

static void test_logrus_rejects(void)
{
    const char *head = "time=\"2023-01-18T22:23:09Z\" level=info msg=\"response completed\" ";
    char line[1024];
    struct { const char *rest; rsla_reject_reason r; const char *field; } cases[] = {
        { "http.request.method=GET http.request.uri=/v2/ http.response.status=200",
          RSLA_REJECT_MISSING_FIELD, "http.request.host" },
        { "http.request.host= http.request.method=GET http.request.uri=/v2/ http.response.status=200",
          RSLA_REJECT_MISSING_FIELD, "http.request.host" },
        { "http.request.host=h http.request.uri=/v2/ http.response.status=200",
          RSLA_REJECT_MISSING_FIELD, "http.request.method" },
        { "http.request.host=h http.request.method=GET http.response.status=200",
          RSLA_REJECT_MISSING_FIELD, "http.request.uri" },
        { "http.request.host=h http.request.method=GET http.request.uri=/v2/",
          RSLA_REJECT_MISSING_FIELD, "http.response.status" },
        { "http.request.host=h http.request.method=GET http.request.uri=/v2/ http.response.status=2000",
          RSLA_REJECT_BAD_STATUS, "http.response.status" },
        { "http.request.host=h http.request.method=GET http.request.uri=/v2/ http.response.status=ok",
          RSLA_REJECT_BAD_STATUS, "http.response.status" },
        { "http.request.host=h http.request.method=GET http.request.uri=/v2/ http.response.status=200 "
          "http.response.duration=fast", RSLA_REJECT_BAD_DURATION, "http.response.duration" },
        /* an unquoted value with a space (old logrus on a TTY): ambiguous */
        { "http.request.host=h http.request.method=GET http.request.uri=/v2/ http.response.status=200 "
          "http.response.contenttype=application/json; charset=utf-8 x", RSLA_REJECT_TEXT_SYNTAX, NULL },
        /* an unterminated quote: the line was cut */
        { "http.request.host=h http.request.method=GET http.request.uri=\"/v2/ http.response.status=200",
          RSLA_REJECT_PARTIAL_LINE, NULL },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(cases); i++) {
        snprintf(line, sizeof line, "%s%s", head, cases[i].rest);
        prof_verdict v = logrus(line);
        CHECK_EQ_INT(v.kind, PROF_VERDICT_REJECT);
        CHECK_EQ_INT(v.reject, cases[i].r);
        if (cases[i].field)
            CHECK_EQ_STR(v.field, cases[i].field);
    }
    /* time problems */
    prof_verdict v = logrus("time=\"2023-01-18T22:23:09\" msg=\"response completed\" http.request.host=h "
                            "http.request.method=GET http.request.uri=/v2/ http.response.status=200");
    CHECK_EQ_INT(v.reject, RSLA_REJECT_TIME_NO_ZONE);
    v = logrus("time=\"yesterday\" msg=\"response completed\" http.request.host=h "
               "http.request.method=GET http.request.uri=/v2/ http.response.status=200");
    CHECK_EQ_INT(v.reject, RSLA_REJECT_BAD_TIME);
    CHECK_EQ_INT(v.column, 6);
    v = logrus("level=info msg=\"response completed\" http.request.host=h "
               "http.request.method=GET http.request.uri=/v2/ http.response.status=200");
    CHECK_EQ_INT(v.reject, RSLA_REJECT_MISSING_FIELD);
    CHECK_EQ_STR(v.field, "time");
}

static void test_logrus_tty_and_others(void)
{
    prof_verdict v = logrus("INFO[0025] response completed                            "
                            "http.request.method=HEAD http.response.status=200");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_NO_ABSOLUTE_TIME);
    v = logrus("ERRO[0003] response completed with error                 err.code=\"blob unknown\"");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_NO_ABSOLUTE_TIME);
    v = logrus("\x1b[36mINFO\x1b[0m[0001] response completed   a=b");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_NO_ABSOLUTE_TIME);
    v = logrus("#033[36mINFO#033[0m[0001] response completed");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_NO_ABSOLUTE_TIME);
    v = logrus("INFO[0000] listening on [::]:5000                          go.version=go1.11");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_OTHER_MESSAGE && v.recognised);
    v = logrus("INFO[0000] response completed later");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.recognised);
    /* not logrus at all */
    const char *other[] = { "panic: runtime error", "goroutine 1 [running]:",
                            "10.0.0.1 - - [18/Jan/2023:22:23:06 +0000] \"GET / HTTP/1.1\" 200 0 \"\" \"x\"",
                            "{\"msg\":\"response completed\"}", "INFO[] x", "timex=1" };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(other); i++) {
        v = logrus(other[i]);
        CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_OTHER_FORMAT && !v.recognised);
    }
    v = logrus("   ");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_BLANK);
    v = logrus("time=\"2023-01-18T22:23:05Z\" level=info msg=\"redis not configured\"");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_OTHER_MESSAGE);
    v = logrus("time=\"2023-01-18T22:23:05Z\" level=info");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_OTHER_MESSAGE);
}

/* MARK: - combined */

static void test_combined_shapes(void)
{
    /* nginx escapes, +0800, ingress-nginx extras after the UA */
    prof_verdict v = combined("10.1.2.3 - user [02/Jan/2021:08:04:05 +0800] "
                              "\"GET /v2/a\\x22b/manifests/x\\x5Cy?q=1 HTTP/1.1\" 499 0 \"-\" \"ua \\x22q\\x22\" "
                              "512 0.001 [default-registry-5000] [] 10.0.0.9:5000 0 0.000 - 0a1b2c");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    EQ(v.outcome.path, "/v2/a\"b/manifests/x\\y");
    CHECK_EQ_INT(v.outcome.status, 499);
    CHECK_EQ_INT(v.outcome.time_ns, t_of("2021-01-02T00:04:05Z"));
    EQ(v.outcome.host, "-");
    CHECK_EQ_INT(v.outcome.duration_ns, -1);
    /* absolute-form target: the authority is the host */
    v = combined("1.2.3.4 - - [15/Jul/2016:05:49:14 +0200] \"GET https://registry.equeo.de:443/v2/x/blobs/sha256:ab HTTP/1.1\" 307 0 \"\" \"d\"");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    EQ(v.outcome.host, "registry.equeo.de:443");
    EQ(v.outcome.path, "https://registry.equeo.de:443/v2/x/blobs/sha256:ab");
    /* old ingress-nginx: `ip - [real_ip] - user [time]` */
    v = combined("10.0.0.1 - [203.0.113.9] - - [15/Jul/2016:05:49:14 +0000] \"HEAD /v2/x/manifests/1 HTTP/2.0\" 200 0 \"-\" \"c\" 100 0.002 [up] 10.0.0.2:5000 0 0.002 200");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    EQ(v.outcome.method, "HEAD");
    /* LabKit combined: host first, slashed date, trailing duration */
    v = combined("registry.gitlab.example 10.0.0.1 - - [2006/01/02:15:04:05 -0700] \"GET /v2/ HTTP/1.1\" 401 87 \"\" \"docker\" 0.001");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    EQ(v.outcome.host, "registry.gitlab.example");
    CHECK_EQ_INT(v.outcome.time_ns, t_of("2006-01-02T22:04:05Z"));
    /* harbor-helm: time first, glued to the address */
    v = combined("[25/Nov/2021:15:28:20 +0000]:10.42.80.0 - \"GET /v2/ HTTP/1.1\" 401 76 \"-\" \"docker\" 0.002 0.002 .");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    CHECK_EQ_INT(v.outcome.status, 401);
    /* bitnami: the listening port between request and status */
    v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.0\" (8080) 401 76 \"-\" \"d\"");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    CHECK_EQ_INT(v.outcome.status, 401);
    /* Quay's lb_logs and Nexus' request.log (LOG-FORMATS section 4, no real line collected) */
    v = combined("10.0.0.1 (203.0.113.5) - - [13/May/2020:15:25:30 +0000] \"GET /v2/x/manifests/1 HTTP/1.1\" 200 529 \"-\" \"docker\" (0.012 342 0.011)");
    CHECK(v.kind == PROF_VERDICT_OUTCOME && v.outcome.status == 200);
    v = combined("10.0.0.1 - admin [13/May/2020:15:25:30 +0000] \"GET /repository/docker-hosted/v2/x/manifests/1 HTTP/1.1\" 200 - 529 12 \"docker/20.10\" [qtp1-42]");
    CHECK(v.kind == PROF_VERDICT_OUTCOME);
    EQ(v.outcome.path, "/repository/docker-hosted/v2/x/manifests/1");
    /* HTTP/0.9 style request without a protocol */
    v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/\" 400 0 \"-\" \"-\"");
    CHECK_EQ_INT(v.kind, PROF_VERDICT_OUTCOME);
    /* the default host */
    prof_line_ctx ctx = { "reg.example", false, 0, false, scratch };
    v = combined_ctx("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1\" 200 2 \"\" \"d\"", &ctx);
    EQ(v.outcome.host, "reg.example");
}

static void test_combined_no_request_and_rejects(void)
{
    /* TLS bytes sent to the plain HTTP port, and nginx's "-" request */
    prof_verdict v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03\" 400 157 \"-\" \"-\"");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_NOT_REQUEST && v.recognised);
    v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"-\" 400 0 \"-\" \"-\"");
    CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_NOT_REQUEST);
    v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1\" - 0 \"-\" \"-\"");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_BAD_STATUS);
    v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_PARTIAL_LINE);
    v = combined("10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1\"");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_PARTIAL_LINE);
    v = combined("10.0.0.1 - - [31/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1\" 200 0 \"-\" \"-\"");
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_BAD_TIME);
    CHECK_EQ_INT(v.column, 14);
    /* Harbor timed_combined has no time: without a prefix time it is rejected */
    const char *harbor = "10.0.0.1 - \"GET /v2/library/x/manifests/1 HTTP/1.1\" 200 527 \"-\" \"docker\" 0.003 0.003 .";
    v = combined(harbor);
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_MISSING_FIELD);
    CHECK_EQ_STR(v.field, "time");
    prof_line_ctx ctx = { NULL, true, 7, false, scratch };
    v = combined_ctx(harbor, &ctx);
    CHECK(v.kind == PROF_VERDICT_OUTCOME && v.outcome.time_ns == 7);
    prof_line_ctx nz = { NULL, false, 0, true, scratch };
    v = combined_ctx(harbor, &nz);
    CHECK(v.kind == PROF_VERDICT_REJECT && v.reject == RSLA_REJECT_TIME_NO_ZONE);
    /* not combined at all */
    const char *other[] = { "time=\"2023-01-18T22:23:05Z\" level=info msg=\"x\"",
                            "a \"b\" 200", "hello world", "{\"log\":\"x\"}", "x - \"y\" z" };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(other); i++) {
        v = combined(other[i]);
        CHECK(v.kind == PROF_VERDICT_SKIP && v.skip == RSLA_SKIP_OTHER_FORMAT && !v.recognised);
    }
}

/* MARK: - prefixes and envelopes */

static void test_prefixes(void)
{
    struct { const char *line; unsigned kinds; const char *inner; bool has_time; } cases[] = {
        { "2023-01-18T22:23:05.123456789Z time=\"x\"", PROF_PREFIX_DOCKER_TS, "time=\"x\"", true },
        { "2023-01-18T22:23:05.1+02:00 stdout F 10.0.0.1 - -", PROF_PREFIX_CRI, "10.0.0.1 - -", true },
        { "2023-01-18T22:23:05Z stderr P part", PROF_PREFIX_CRI, "part", true },
        { "registry_1  | 10.0.0.1", PROF_PREFIX_COMPOSE, "10.0.0.1", false },
        { "registry-1 | x", PROF_PREFIX_COMPOSE, "x", false },
        { "Jan 17 19:28:03 172.18.0.1 registry[6016]: time=", PROF_PREFIX_SYSLOG, "time=", false },
        { "May 12 19:21:30 zot[88626]: {", PROF_PREFIX_SYSLOG, "{", false },
        { "registry.log:time=\"x\"", PROF_PREFIX_GREP, "time=\"x\"", false },
        { "/var/log/registry.log.1:10.0.0.1", PROF_PREFIX_GREP, "10.0.0.1", false },
        { "1.5.2019 00:39:58time=\"2019-05-01\"", PROF_PREFIX_RANCHER, "time=\"2019-05-01\"", false },
        { "[/var/log/nexus/request.log] - 10.0.0.1", PROF_PREFIX_BRACKET_PATH, "10.0.0.1", false },
        /* stacked: syslog around compose */
        { "Jan 17 19:28:03 host docker: registry_1  | time=", PROF_PREFIX_SYSLOG | PROF_PREFIX_COMPOSE, "time=", false },
        /* rsyslog's precise stamp: an RFC 3339 instant before host and tag */
        { "2023-01-18T22:23:05.1+01:00 node1 registry[7]: 10.0.0.1 -", PROF_PREFIX_SYSLOG, "10.0.0.1 -", true },
        /* a byte order mark is removed without being a prefix */
        { "\xEF\xBB\xBFtime=\"x\"", 0, "time=\"x\"", false },
        { "\xEF\xBB\xBFregistry_1  | x", PROF_PREFIX_COMPOSE, "x", false },
        /* no prefix */
        { "2023-01-18T22:23:05Z 2001:db8::1 - - [18/Jan/2023:22:23:06 +0000]", PROF_PREFIX_DOCKER_TS,
          "2001:db8::1 - - [18/Jan/2023:22:23:06 +0000]", true },
        { "Jan 17 19:28:03 2001:db8::1 - - x", 0, NULL, false },
        { "10.0.0.1 - - [18/Jan/2023:22:23:06 +0000] \"GET / HTTP/1.1\"", 0, NULL, false },
        { "time=\"2023-01-18T22:23:05Z\" level=info", 0, NULL, false },
        { "[25/Nov/2021:15:28:20 +0000]:10.42.80.0 - \"GET", 0, NULL, false },
        { "{\"log\":\"x\"}", 0, NULL, false },
        { "2023-01-18T22:23:05Z", 0, NULL, false },
        { "Jan 17 19:28:03 not a tag here", 0, NULL, false },
        { "x.txt:foo", 0, NULL, false },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(cases); i++) {
        prof_prefix_info pi;
        const char *l = cases[i].line;
        size_t off = prof_prefix_strip(l, strlen(l), PROF_PREFIX_ALL, &pi);
        if (pi.kinds != cases[i].kinds)
            fprintf(stderr, "case %zu: kinds %x\n", i, pi.kinds);
        CHECK_EQ_INT(pi.kinds, cases[i].kinds);
        if (cases[i].inner)
            CHECK_EQ_STR(l + off, cases[i].inner);
        else
            CHECK_EQ_INT(off, 0);
        CHECK_EQ_INT(pi.has_time, cases[i].has_time);
    }
    prof_prefix_info pi;
    const char *cri = "2023-01-18T22:23:05Z stderr P part";
    prof_prefix_strip(cri, strlen(cri), PROF_PREFIX_ALL, &pi);
    CHECK(pi.cri_partial);
    CHECK_EQ_INT(pi.time_ns, t_of("2023-01-18T22:23:05Z"));
    /* a mask leaves other kinds alone */
    CHECK_EQ_INT(prof_prefix_strip("registry_1  | x", 15, PROF_PREFIX_SYSLOG, &pi), 0);
    CHECK_EQ_STR(prof_prefix_name(PROF_PREFIX_CRI), "cri");
    CHECK(prof_prefix_name(3) == NULL);
}

static void test_envelopes(void)
{
    char out[512];
    size_t n = 0;
    prof_unwrap_info ui;
    const char *d = "{\"log\":\"time=\\\"2019-05-01T00:39:58Z\\\" msg=\\\"a \\u0026 b\\\"\\n\",\"stream\":\"stderr\",\"time\":\"2019-05-01T00:39:58.1Z\"}";
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_DOCKER_JSON, d, strlen(d), out, &n, &ui), PROF_UNWRAP_OK);
    out[n] = 0;
    CHECK_EQ_STR(out, "time=\"2019-05-01T00:39:58Z\" msg=\"a & b\"");
    CHECK(ui.has_time);
    CHECK_EQ_INT(ui.time_ns, t_of("2019-05-01T00:39:58.1Z"));
    const char *f = "{\"tag\":\"registry\",\"nested\":{\"a\":[1,{\"b\":\"}\"}]},\"n\":1.5e3,\"ok\":true,\"message\":\"x y\",\"time\":\"2019-01-01T00:00:00Z\"}";
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_FLUENTD, f, strlen(f), out, &n, &ui), PROF_UNWRAP_OK);
    CHECK(n == 3 && memcmp(out, "x y", 3) == 0);
    CHECK(!ui.has_time); /* a fluentd record's time is not the shipper's clock */
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_FLUENTD, "{\"msg\":\"x\"}", 11, out, &n, &ui), PROF_UNWRAP_ABSENT);
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_DOCKER_JSON, "{\"log\":1}", 9, out, &n, &ui), PROF_UNWRAP_ABSENT);
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_DOCKER_JSON, "{\"log\":\"x", 9, out, &n, &ui), PROF_UNWRAP_SYNTAX);
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_DOCKER_JSON, "{\"log\":\"x\"} z", 13, out, &n, &ui), PROF_UNWRAP_SYNTAX);
    CHECK_EQ_INT(ui.error_column, 12);
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_DOCKER_JSON, "not json", 8, out, &n, &ui), PROF_UNWRAP_SYNTAX);
    /* a redacted bare word does not cost the inner line */
    const char *r = "{\"username\":GITLABUSER,\"message\":\"m\"}";
    CHECK_EQ_INT(prof_envelope_unwrap(PROF_ENVELOPE_FLUENTD, r, strlen(r), out, &n, &ui), PROF_UNWRAP_OK);
    CHECK_EQ_STR(prof_envelope_name(PROF_ENVELOPE_DOCKER_JSON), "docker-json");
}

/* MARK: - chunks and detection */

typedef struct tally { int out, skip, rej, last_status; int64_t last_time; size_t last_col; int last_reason; } tally;

static void t_out(void *c, const rsla_outcome *o)
{
    tally *t = c;
    t->out++;
    t->last_status = o->status;
    t->last_time = o->time_ns;
}
static void t_skip(void *c, rsla_skip_reason r)
{
    tally *t = c;
    t->skip++;
    t->last_reason = (int)r;
}
static void t_rej(void *c, size_t ls, size_t li, rsla_reject_reason r, size_t col, const char *f)
{
    tally *t = c;
    t->rej++;
    t->last_col = col;
    t->last_reason = (int)r;
}

static tally scan_text(const char *text, const prof_choice *c, const prof_options *o, scan_state *js)
{
    tally t = { 0 };
    prof_state *s = prof_state_create(c, o, js);
    scan_sink sink = { &t, t_out, t_skip, t_rej };
    size_t lines = prof_scan_chunk(s, text, strlen(text), &sink);
    CHECK_EQ_INT(lines, (size_t)(t.out + t.skip + t.rej));
    prof_state_free(s);
    return t;
}

static void test_chunk_contract(void)
{
    prof_choice c = { .format = PROF_FORMAT_COMBINED, .prefixes = PROF_PREFIX_ALL };
    const char *l = "10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1\" 200 2 \"\" \"d\"";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s\r\n\n  \n%s", l, l); /* CRLF, blank, spaces, no final newline */
    tally t = scan_text(buf, &c, NULL, NULL);
    CHECK_EQ_INT(t.out, 2);
    CHECK_EQ_INT(t.skip, 2);
    snprintf(buf, sizeof buf, "%s\n", l);
    t = scan_text(buf, &c, NULL, NULL);
    CHECK_EQ_INT(t.out + t.skip + t.rej, 1);
    t = scan_text("", &c, NULL, NULL);
    CHECK_EQ_INT(t.out + t.skip + t.rej, 0);
    /* reject columns count the prefix */
    t = scan_text("registry_1  | 10.0.0.1 - - [31/Nov/2021:15:28:20 +0000] \"GET / HTTP/1.1\" 200 2", &c, NULL, NULL);
    CHECK_EQ_INT(t.rej, 1);
    CHECK_EQ_INT(t.last_col, 14 + 14);
    /* a CRI fragment */
    t = scan_text("2023-01-18T22:23:05Z stdout P 10.0.0.1 - - [25/Nov/2021:15:28", &c, NULL, NULL);
    CHECK(t.rej == 1 && t.last_reason == RSLA_REJECT_PARTIAL_LINE);
    /* a line that is only a prefix is blank */
    t = scan_text("registry_1  | ", &c, NULL, NULL);
    CHECK(t.skip == 1 && t.last_reason == RSLA_SKIP_BLANK);
}

static void test_prefix_times(void)
{
    prof_choice c = { .format = PROF_FORMAT_COMBINED, .prefixes = PROF_PREFIX_ALL };
    const char *harbor_docker = "2021-11-25T15:28:20.5Z 10.0.0.1 - \"GET /v2/ HTTP/1.1\" 401 76 \"-\" \"d\" 0.001 - .";
    tally t = scan_text(harbor_docker, &c, NULL, NULL);
    CHECK_EQ_INT(t.out, 1);
    CHECK_EQ_INT(t.last_time, t_of("2021-11-25T15:28:20.5Z"));
    const char *harbor_syslog = "Nov 25 15:28:20 172.18.0.1 proxy[6016]: 10.0.0.1 - \"GET /v2/ HTTP/1.1\" 401 76 \"-\" \"d\" 0.001 - .";
    t = scan_text(harbor_syslog, &c, NULL, NULL); /* no zone given */
    CHECK(t.rej == 1 && t.last_reason == RSLA_REJECT_TIME_NO_ZONE);
    prof_options zone_only = { .syslog_zone_known = true, .syslog_offset_min = 60 };
    t = scan_text(harbor_syslog, &c, &zone_only, NULL); /* zone, but no year nor reference */
    CHECK(t.rej == 1 && t.last_reason == RSLA_REJECT_MISSING_FIELD);
    prof_options year = { .syslog_zone_known = true, .syslog_offset_min = 60, .syslog_year = 2021 };
    t = scan_text(harbor_syslog, &c, &year, NULL);
    CHECK_EQ_INT(t.out, 1);
    CHECK_EQ_INT(t.last_time, t_of("2021-11-25T14:28:20Z"));
    prof_choice ref = c;
    ref.has_ref_time = true;
    ref.ref_time_ns = t_of("2022-01-03T00:00:00Z"); /* reference in the next year */
    t = scan_text(harbor_syslog, &ref, &zone_only, NULL);
    CHECK_EQ_INT(t.last_time, t_of("2021-11-25T14:28:20Z"));
    /* a line's own time beats the prefix's */
    const char *own = "2030-01-01T00:00:00Z 10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET / HTTP/1.1\" 200 2";
    t = scan_text(own, &c, NULL, NULL);
    CHECK_EQ_INT(t.last_time, t_of("2021-11-25T15:28:20Z"));
}

static void test_docker_json_files(void)
{
    /* logrus text inside Docker's json-file */
    const char *text =
        "{\"log\":\"time=\\\"2019-05-01T00:39:58Z\\\" level=info msg=\\\"response completed\\\" http.request.host=h http.request.method=GET http.request.uri=\\\"/v2/a/manifests/1?x=1\\u0026y=2\\\" http.response.status=200\\n\",\"stream\":\"stderr\",\"time\":\"2019-05-01T00:39:58.5Z\"}\n"
        "{\"log\":\"10.0.0.1 - - [01/May/2019:00:39:58 +0000] \\\"GET /v2/ HTTP/1.1\\\" 401 87 \\\"\\\" \\\"d\\\"\\n\",\"stream\":\"stdout\",\"time\":\"2019-05-01T00:39:58.4Z\"}\n"
        "{\"log\":\"time=\\\"2019-05-01T00:39:59Z\\\" level=info msg=\\\"authorized request\\\"\\n\",\"stream\":\"stderr\",\"time\":\"2019-05-01T00:39:59Z\"}\n"
        "{\"log\":\"broken\n";
    prof_choice c;
    prof_detect(text, strlen(text), &c);
    CHECK_EQ_STR(prof_format_name(c.format), "distribution-text");
    CHECK_EQ_INT(c.envelope, PROF_ENVELOPE_DOCKER_JSON);
    CHECK(prof_choice_needs_line_scan(&c));
    tally t = scan_text(text, &c, NULL, NULL);
    CHECK_EQ_INT(t.out, 1);
    CHECK_EQ_INT(t.skip, 2); /* the combined line (other layer) and the authorized request */
    CHECK_EQ_INT(t.rej, 1);  /* the broken envelope */
    /* Distribution JSON inside json-file goes through the JSON scanner */
    const char *json =
        "{\"log\":\"{\\\"http.request.host\\\":\\\"h\\\",\\\"http.request.method\\\":\\\"GET\\\",\\\"http.request.uri\\\":\\\"/v2/\\\",\\\"http.response.status\\\":503,\\\"level\\\":\\\"error\\\",\\\"msg\\\":\\\"response completed with error\\\",\\\"time\\\":\\\"2019-05-01T00:39:58Z\\\"}\\n\",\"stream\":\"stderr\",\"time\":\"2019-05-01T00:39:58.5Z\"}\n";
    prof_detect(json, strlen(json), &c);
    CHECK_EQ_STR(prof_format_name(c.format), "distribution");
    CHECK_EQ_INT(c.envelope, PROF_ENVELOPE_DOCKER_JSON);
    const scan_kernel *k = scan_kernel_by_name("scalar", NULL, 0);
    scan_state *js = scan_state_create(k, scan_profile_distribution());
    t = scan_text(json, &c, NULL, js);
    CHECK_EQ_INT(t.out, 1);
    CHECK_EQ_INT(t.last_status, 503);
    t = scan_text(json, &c, NULL, NULL); /* no JSON scanner: another format's line */
    CHECK(t.skip == 1 && t.last_reason == RSLA_SKIP_OTHER_FORMAT);
    /* a prefixed JSON line with a bad JSON inner is the JSON scanner's reject, column shifted */
    prof_choice pc = { .format = PROF_FORMAT_DISTRIBUTION, .prefixes = PROF_PREFIX_COMPOSE };
    t = scan_text("registry_1  | {\"msg\":", &pc, NULL, js);
    CHECK_EQ_INT(t.rej, 1);
    CHECK(t.last_col >= 14);
    scan_state_free(js);
}

static void test_detection_rules(void)
{
    prof_choice c;
    prof_detect("", 0, &c);
    CHECK_EQ_INT(c.format, PROF_FORMAT_NONE);
    CHECK(c.reason != NULL);
    const char *junk = "hello\nworld\n{\"a\":1}\n";
    prof_detect(junk, strlen(junk), &c);
    CHECK_EQ_INT(c.format, PROF_FORMAT_NONE);
    CHECK_EQ_INT(c.lines_read, 3);
    CHECK_EQ_INT(c.votes[PROF_FORMAT_NONE], 3);
    CHECK(c.reason != NULL);
    /* CRI-prefixed combined (a proxy's container log) */
    const char *cri = "2023-01-18T22:23:05.1Z stdout F 10.0.0.1 - - [18/Jan/2023:22:23:05 +0000] \"GET /v2/ HTTP/1.1\" 401 87 \"-\" \"d\"\n"
                      "2023-01-18T22:23:05.2Z stdout F 10.0.0.1 - - [18/Jan/2023:22:23:05 +0000] \"GET /v2/x/manifests/1 HTTP/1.1\" 200 87 \"-\" \"d\"\n";
    prof_detect(cri, strlen(cri), &c);
    CHECK_EQ_STR(prof_format_name(c.format), "combined");
    CHECK_EQ_INT(c.prefixes, PROF_PREFIX_CRI);
    CHECK(c.has_ref_time);
    CHECK_EQ_INT(c.ref_time_ns, t_of("2023-01-18T22:23:05.1Z"));
    /* JSON profiles by their keys */
    const char *gl = "{\"duration_ms\":0,\"method\":\"GET\",\"msg\":\"access\",\"status\":401,\"uri\":\"/v2/\"}\n";
    prof_detect(gl, strlen(gl), &c);
    CHECK_EQ_STR(prof_format_name(c.format), "gitlab");
    const char *ng = "{\"time_local\":\"13/May/2020:15:25:30 +0000\",\"request\":\"GET /v2/ HTTP/1.1\",\"status\":\"200\"}\n";
    prof_detect(ng, strlen(ng), &c);
    CHECK_EQ_STR(prof_format_name(c.format), "nginx-json");
    /* a line cut by the byte limit is judged only when it is the first one */
    char *big = calloc(1, PROF_DETECT_MAX_BYTES + 400);
    const char *first = "10.0.0.1 - - [25/Nov/2021:15:28:20 +0000] \"GET /v2/ HTTP/1.1\" 200 2 \"\" \"d\"\n";
    memcpy(big, first, strlen(first));
    memset(big + strlen(first), 'x', PROF_DETECT_MAX_BYTES + 300 - strlen(first));
    prof_detect(big, PROF_DETECT_MAX_BYTES + 300, &c);
    CHECK_EQ_INT(c.lines_read, 1);
    CHECK_EQ_INT(c.format, PROF_FORMAT_COMBINED);
    /* one huge first line: judged by its beginning (a logrus line with a long _state query) */
    const char *lr = "time=\"2023-01-18T22:23:09Z\" level=info msg=\"response completed\" http.request.uri=\"/v2/x?_state=";
    memcpy(big, lr, strlen(lr));
    memset(big + strlen(lr), 'A', PROF_DETECT_MAX_BYTES + 300 - strlen(lr));
    prof_detect(big, PROF_DETECT_MAX_BYTES + 300, &c);
    CHECK_EQ_INT(c.lines_read, 1);
    CHECK_EQ_INT(c.format, PROF_FORMAT_DISTRIBUTION_TEXT);
    free(big);
    /* names */
    prof_format f;
    CHECK(prof_format_from_name("distribution-text", &f) && f == PROF_FORMAT_DISTRIBUTION_TEXT);
    CHECK(!prof_format_from_name("none", &f));
    CHECK(!prof_format_from_name("apache", &f));
    CHECK(prof_format_is_json(PROF_FORMAT_ZOT) && !prof_format_is_json(PROF_FORMAT_COMBINED));
    /* --profile arguments and the description for the report */
    CHECK(prof_choose("auto", cri, strlen(cri), &c) && c.format == PROF_FORMAT_COMBINED);
    CHECK(prof_choose(NULL, cri, strlen(cri), &c) && c.format == PROF_FORMAT_COMBINED);
    CHECK(prof_choose("distribution-text", cri, strlen(cri), &c) && c.format == PROF_FORMAT_DISTRIBUTION_TEXT);
    CHECK(!prof_choose("apache", cri, strlen(cri), &c));
    char d[64];
    prof_choose("auto", cri, strlen(cri), &c);
    CHECK_EQ_INT(prof_choice_describe(&c, d, sizeof d), strlen("combined+cri"));
    CHECK_EQ_STR(d, "combined+cri");
    c.envelope = PROF_ENVELOPE_DOCKER_JSON;
    c.prefixes |= PROF_PREFIX_SYSLOG;
    prof_choice_describe(&c, d, sizeof d);
    CHECK_EQ_STR(d, "combined+docker-json+cri+syslog");
    CHECK_EQ_INT(prof_choice_describe(&c, d, 5), strlen("combined+docker-json+cri+syslog"));
    CHECK_EQ_STR(d, "comb");
    CHECK_EQ_INT(prof_choice_describe(&c, NULL, 0), strlen("combined+docker-json+cri+syslog"));
    prof_detect("", 0, &c);
    prof_choice_describe(&c, d, sizeof d);
    CHECK_EQ_STR(d, "none");
    /* forcing a format absent from the first lines removes any prefix */
    prof_choice_forced(PROF_FORMAT_COMBINED, gl, strlen(gl), &c);
    CHECK_EQ_INT(c.prefixes, PROF_PREFIX_ALL);
    CHECK_EQ_INT(c.format, PROF_FORMAT_COMBINED);
}

int main(void)
{
    test_logrus_values();
    test_logrus_rejects();
    test_logrus_tty_and_others();
    test_combined_shapes();
    test_combined_no_request_and_rejects();
    test_prefixes();
    test_envelopes();
    test_chunk_contract();
    test_prefix_times();
    test_docker_json_files();
    test_detection_rules();
    TEST_MAIN_END();
}
