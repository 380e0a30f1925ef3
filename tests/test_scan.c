/* The scanner's contract, for every kernel this CPU runs: kernel selection, JSONTestSuite
 * conformance, the real Distribution lines, and the line semantics of the distribution profile
 * (one expected sink record per input line). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/scan/scan.h"
#include "ingest/scan/scan_record.h"
#include "rsla_test.h"

static const scan_kernel *kernels[8];
static size_t n_kernels;

/* A copy of s with SCAN_PADDING zero bytes after it, as the chunk contract wants. */
static char *padded(const char *s, size_t n)
{
    char *p = calloc(1, n + SCAN_PADDING);
    memcpy(p, s, n);
    return p;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc(1, (size_t)n + SCAN_PADDING);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* Scans text with kernel k into r (cleared first). @return lines seen. */
static size_t run(const scan_kernel *k, const char *text, size_t len, scan_record *r)
{
    scan_record_clear(r);
    scan_record_str(r, "");
    char *p = padded(text, len);
    scan_state *s = scan_state_create(k, scan_profile_distribution());
    const scan_sink sink = scan_record_sink(r);
    const size_t lines = scan_chunk(s, p, len, &sink);
    scan_state_free(s);
    free(p);
    return lines;
}

/* MARK: - Kernel selection */

static void test_kernels(void)
{
    n_kernels = scan_kernel_list(kernels, 8);
    CHECK(n_kernels >= 1 && n_kernels <= 8);
    CHECK_EQ_STR(scan_kernel_name(kernels[n_kernels - 1]), "scalar");
    printf("kernels:");
    for (size_t i = 0; i < n_kernels; i++)
        printf(" %s", scan_kernel_name(kernels[i]));
    printf("\n");
    char err[200] = "";
    CHECK(scan_kernel_by_name("bogus", err, sizeof err) == NULL);
    CHECK(strstr(err, "unknown") != NULL);
#if defined(__x86_64__)
    err[0] = 0;
    CHECK(scan_kernel_by_name("neon", err, sizeof err) == NULL);
    CHECK(err[0] != 0);
#endif
    CHECK(scan_kernel_by_name("scalar", err, sizeof err) != NULL);
    for (size_t i = 0; i < n_kernels; i++)
        CHECK(scan_kernel_by_name(scan_kernel_name(kernels[i]), NULL, 0) == kernels[i]);
    setenv("RSLA_FORCE_KERNEL", "scalar", 1);
    CHECK(scan_kernel_best() == scan_kernel_by_name("scalar", NULL, 0));
    setenv("RSLA_FORCE_KERNEL", "nope", 1);
    CHECK(scan_kernel_best() == NULL);
    unsetenv("RSLA_FORCE_KERNEL");
    CHECK(scan_kernel_best() == kernels[0]);
}

/* MARK: - JSONTestSuite */

static void conformance_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *buf = read_file(path, &len);
    if (!buf) {
        CHECK(!"readable test file");
        return;
    }
    for (size_t k = 0; k < n_kernels; k++) {
        size_t off = 0;
        const int r = scan_validate_document(kernels[k], buf, len, &off);
        if (name[0] == 'y' && r != 0)
            fprintf(stderr, "%s: %s rejected (reason %d at %zu)\n", scan_kernel_name(kernels[k]),
                    name, r - 1, off);
        if (name[0] == 'n' && r == 0)
            fprintf(stderr, "%s: %s accepted\n", scan_kernel_name(kernels[k]), name);
        if (name[0] == 'y')
            CHECK(r == 0);
        else if (name[0] == 'n')
            CHECK(r != 0 && off <= len);
    }
    free(buf);
}

static void test_conformance(void)
{
    const char *dir = RSLA_SHARED_DIR "/jsontestsuite";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0 || e->d_name[1] != '_')
            continue;
        conformance_file(dir, e->d_name);
        n++;
    }
    closedir(d);
    CHECK(n > 300);
}

/* Error offsets of whole documents: the caret marks the byte. */
static void test_document_offsets(void)
{
    static const struct { const char *doc; int reason; const char *caret; } cases[] = {
        { "[1,2,]", RSLA_REJECT_JSON_SYNTAX + 1, "     ^" },
        { "{\"a\" 1}", RSLA_REJECT_JSON_SYNTAX + 1, "     ^" },
        { "[\"a\xff\"]", RSLA_REJECT_INVALID_UTF8 + 1, "   ^" },
        { "[tru]", RSLA_REJECT_JSON_SYNTAX + 1, "    ^" },
        { "[01]", RSLA_REJECT_JSON_SYNTAX + 1, "  ^" },
        { "\"abc", RSLA_REJECT_JSON_SYNTAX + 1, "    ^" },
        { "\"\\x\"", RSLA_REJECT_JSON_SYNTAX + 1, "  ^" },
        { "\"\\u12G4\"", RSLA_REJECT_JSON_SYNTAX + 1, "     ^" },
        { "  ", RSLA_REJECT_JSON_SYNTAX + 1, "  ^" },
        { "[1]\n\n x", RSLA_REJECT_JSON_SYNTAX + 1, "      ^" },
        { "{\"a\":\n1}", 0, "" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(cases); i++) {
        for (size_t k = 0; k < n_kernels; k++) {
            const size_t len = strlen(cases[i].doc);
            char *p = padded(cases[i].doc, len);
            size_t off = 12345;
            const int r = scan_validate_document(kernels[k], p, len, &off);
            CHECK_EQ_INT(r, cases[i].reason);
            if (cases[i].reason)
                CHECK_EQ_INT(off, strlen(cases[i].caret) - 1);
            free(p);
        }
    }
    /* 128 nested arrays are fine, 129 are too deep (at the 129th bracket). */
    char deep[300];
    for (int depth = 128; depth <= 129; depth++) {
        memset(deep, '[', (size_t)depth);
        memset(deep + depth, ']', (size_t)depth);
        for (size_t k = 0; k < n_kernels; k++) {
            char *p = padded(deep, 2 * (size_t)depth);
            size_t off = 0;
            const int r = scan_validate_document(kernels[k], p, 2 * (size_t)depth, &off);
            CHECK_EQ_INT(r, depth == 128 ? 0 : RSLA_REJECT_TOO_DEEP + 1);
            if (r)
                CHECK_EQ_INT(off, 128);
            free(p);
        }
    }
}

/* MARK: - Real Distribution lines */

static void test_real_distribution(void)
{
    size_t len;
    char *buf = read_file(RSLA_SHARED_DIR "/real-logs/distribution.jsonl", &len);
    CHECK(buf != NULL);
    if (!buf)
        return;
    const char *expect =
        "O 1468561760435122278 202 40123508 host=some-request-host method=POST "
        "path=/v2/project-2/repo-2/blobs/uploads/ id=000e2a4b-8096-4826-a9c2-898cdae2122e\n"
        "S other_message\nS other_message\nS other_message\nS other_message\n"
        "S other_message\nS other_message\nS other_message\n";
    for (size_t k = 0; k < n_kernels; k++) {
        scan_record r = { 0 };
        CHECK_EQ_INT(run(kernels[k], buf, len, &r), 8);
        CHECK_EQ_STR(r.text, expect);
        scan_record_clear(&r);
    }
    free(buf);
}

/* MARK: - Line semantics */

#define OK_HEAD "{\"msg\":\"response completed\",\"time\":\"2016-07-15T05:49:20.5Z\","
#define OK_REST "\"http.request.host\":\"h\",\"http.request.method\":\"GET\",\"http.request.uri\":\"/v2/a?x=1\""
#define HOST_METHOD "\"http.request.host\":\"h\",\"http.request.method\":\"GET\","
#define OUT_GET "O 1468561760500000000 200 -1 host=h method=GET path=/v2/a id=\n"

static const struct { const char *line; const char *expect; } semantics[] = {
    { "", "" },
    { "\n", "S blank\n" },
    { "  \t\r\n", "S blank\n" },
    { "127.0.0.1 - - [15/Jul/2016:05:49:14 +0000] \"GET /v2/ HTTP/1.1\" 401 87 \"\" \"x\"\n",
      "S not_json\n" },
    { "[1,2]\n", "S not_json\n" },
    { "\xef\xbb\xbf{}\n", "S not_json\n" },
    { "{}\n", "S other_message\n" },
    { "{\"msg\":\"authorized request\"}\n", "S other_message\n" },
    { "{\"msg\":5}\n", "S other_message\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":200}\n", OUT_GET },
    { OK_HEAD OK_REST ",\"http.response.status\":200}", OUT_GET },
    { OK_HEAD OK_REST ",\"http.response.status\":200}\r\n", OUT_GET },
    { OK_HEAD OK_REST ",\"http.response.status\":\"200\"}\n", OUT_GET },
    { OK_HEAD OK_REST ",\"http.response.status\":200,\"err.detail\":{\"a\":[1,{\"b\":null}]}}\n",
      OUT_GET },
    { " { \"msg\" : \"response completed\" , \"time\" : \"2016-07-15T05:49:20.5Z\" , "
      "\"http.request.host\" : \"h\" , \"http.request.method\" : \"GET\" , "
      "\"http.request.uri\" : \"/v2/a?x=1\" , \"http.response.status\" : 200 } \n", OUT_GET },
    /* escaped key and value, duplicate key (last wins) */
    { OK_HEAD OK_REST ",\"http.response.\\u0073tatus\":500,\"http.response.status\":200}\n",
      OUT_GET },
    { "{\"msg\":\"response completed with error\",\"time\":\"2016-07-15T05:49:20.5+01:00\","
      "\"http.request.host\":\"h\\u00e9\",\"http.request.method\":\"HEAD\","
      "\"http.request.uri\":\"/v2/a\\u003fb\",\"http.response.status\":404,"
      "\"http.response.duration\":\"88.251\xc2\xb5s\",\"http.request.id\":\"r\\\"1\"}\n",
      "O 1468558160500000000 404 88251 host=h\\xC3\\xA9 method=HEAD path=/v2/a id=r\"1\n" },
    /* the query cut of escaped URIs: raw `?` before the first escape, after it, escaped `?` */
    { OK_HEAD HOST_METHOD "\"http.request.uri\":\"/v2/a?x=1\\u0026y=\\\"2\",\"http.response.status\":200}\n",
      OUT_GET },
    { OK_HEAD HOST_METHOD "\"http.request.uri\":\"/v2/\\u0061?x=1\\u0026y=2\",\"http.response.status\":200}\n",
      OUT_GET },
    { OK_HEAD HOST_METHOD "\"http.request.uri\":\"\\/v2\\/a?x\",\"http.response.status\":200}\n", OUT_GET },
    { OK_HEAD HOST_METHOD "\"http.request.uri\":\"/v2/a\\u003fb?x=\\u0026\",\"http.response.status\":200}\n",
      OUT_GET },
    { OK_HEAD HOST_METHOD "\"http.request.uri\":\"/v2/a\\u0026b\",\"http.response.status\":200}\n",
      "O 1468561760500000000 200 -1 host=h method=GET path=/v2/a&b id=\n" },
    /* durations */
    { OK_HEAD OK_REST ",\"http.response.status\":200,\"http.response.duration\":\"1m51.900179248s\"}\n",
      "O 1468561760500000000 200 111900179248 host=h method=GET path=/v2/a id=\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":200,\"http.response.duration\":\"12x\"}\n",
      "R 0 0 bad_duration 195 http.response.duration\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":200,\"http.response.duration\":12}\n",
      "R 0 0 wrong_type 195 http.response.duration\n" },
    /* status */
    { OK_HEAD OK_REST ",\"http.response.status\":200.0}\n", "R 0 0 wrong_type 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":2e2}\n", "R 0 0 wrong_type 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":null}\n", "R 0 0 wrong_type 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":true}\n", "R 0 0 wrong_type 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":{}}\n", "R 0 0 wrong_type 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":1000}\n", "R 0 0 bad_status 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":-1}\n", "R 0 0 bad_status 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":\"20x\"}\n", "R 0 0 bad_status 166 http.response.status\n" },
    { OK_HEAD OK_REST ",\"http.response.status\":\"\"}\n", "R 0 0 bad_status 166 http.response.status\n" },
    /* missing and wrong-typed fields, time */
    { OK_HEAD OK_REST "}\n", "R 0 0 missing_field 0 http.response.status\n" },
    { "{\"msg\":\"response completed\"}\n", "R 0 0 missing_field 0 time\n" },
    { "{\"msg\":\"response completed\",\"time\":\"2016-07-15T05:49:20\"," OK_REST
      ",\"http.response.status\":200}\n", "R 0 0 time_without_zone 35 time\n" },
    { "{\"msg\":\"response completed\",\"time\":\"yesterday\"," OK_REST
      ",\"http.response.status\":200}\n", "R 0 0 bad_time 35 time\n" },
    { "{\"msg\":\"response completed\",\"time\":1," OK_REST
      ",\"http.response.status\":200}\n", "R 0 0 wrong_type 35 time\n" },
    { OK_HEAD "\"http.request.host\":[\"h\"],\"http.request.method\":\"GET\",\"http.request.uri\":\"/\","
      "\"http.response.status\":200}\n", "R 0 0 wrong_type 80 http.request.host\n" },
    /* syntax: column of the first offending byte */
    { "{\n", "R 0 0 json_syntax 1 -\n" },
    { "{\"a\":1}x\n", "R 0 0 json_syntax 7 -\n" },
    { "{\"a\":1}{}\n", "R 0 0 json_syntax 7 -\n" },
    { "{\"a\":\"b\nc\"}\n", "R 0 0 json_syntax 7 -\nS not_json\n" },
    { "{\"a\":\"b\\\nc\"}\n", "R 0 0 json_syntax 8 -\nS not_json\n" },
    { "{\"a\":\"b\tc\"}\n", "R 0 0 json_syntax 7 -\n" },
    { "{\"a\":\"\xc3\"}\n", "R 0 0 invalid_utf8 6 -\n" },
    { "{\"a\":\"\xed\xa0\x80\"}\n", "R 0 0 invalid_utf8 6 -\n" },
    { "{\"a\":\xc3\xa9}\n", "R 0 0 json_syntax 5 -\n" },
    { "{\"a\":tru}\n", "R 0 0 json_syntax 8 -\n" },
    { "{\"a\":-}\n", "R 0 0 json_syntax 6 -\n" },
    { "{\"a\":1.}\n", "R 0 0 json_syntax 7 -\n" },
    { "{\"a\" :: 1}\n", "R 0 0 json_syntax 6 -\n" },
    { "{\"a\":1,}\n", "R 0 0 json_syntax 7 -\n" },
    { "{\"a\":[1 2]}\n", "R 0 0 json_syntax 8 -\n" },
    { "{'a':1}\n", "R 0 0 json_syntax 1 -\n" },
    { "{\"a\":1}\n{\"b\":\n{}\n", "S other_message\nR 8 1 json_syntax 5 -\nS other_message\n" },
};

static void test_semantics(void)
{
    for (size_t i = 0; i < RSLA_ARRAY_LEN(semantics); i++) {
        for (size_t k = 0; k < n_kernels; k++) {
            scan_record r = { 0 };
            run(kernels[k], semantics[i].line, strlen(semantics[i].line), &r);
            if (strcmp(r.text, semantics[i].expect) != 0)
                fprintf(stderr, "case %zu (%s): %s", i, scan_kernel_name(kernels[k]),
                        semantics[i].line);
            CHECK_EQ_STR(r.text, semantics[i].expect);
            scan_record_clear(&r);
        }
    }
}

/* Depth in a line: the top-level object is level 1, so 127 more brackets are fine, 128 not. */
static void test_line_depth(void)
{
    char line[400];
    for (int extra = 127; extra <= 128; extra++) {
        size_t n = 0;
        n += (size_t)sprintf(line, "{\"a\":");
        memset(line + n, '[', (size_t)extra);
        n += (size_t)extra;
        memset(line + n, ']', (size_t)extra);
        n += (size_t)extra;
        line[n++] = '}';
        line[n++] = '\n';
        for (size_t k = 0; k < n_kernels; k++) {
            scan_record r = { 0 };
            run(kernels[k], line, n, &r);
            CHECK_EQ_STR(r.text, extra == 127 ? "S other_message\n" : "R 0 0 too_deep 132 -\n");
            scan_record_clear(&r);
        }
    }
}

int main(void)
{
    test_kernels();
    test_conformance();
    test_document_offsets();
    test_real_distribution();
    test_semantics();
    test_line_depth();
    TEST_MAIN_END();
}
