/* Differential tests: every kernel this CPU runs must make exactly the scalar kernel's sink calls
 * (verdict, every outcome field, reject reason, column, field) and give the same document verdict
 * and offset, on
 *   - every file of ../shared/real-logs (JSON and non-JSON streams alike), whole and cut into
 *     chunks at line boundaries;
 *   - the golden inputs, data-samples/<set>/logs/ (plain and zstd);
 *   - seeded random lines made to straddle 64-byte blocks: escapes, runs of \\ and \", \u escapes,
 *     surrogate pairs, the two-byte µ, long strings, deep nesting, CRLF, raw newlines in strings,
 *     invalid UTF-8, and random byte mutations, in chunks whose lengths sit around multiples of 64,
 *     with and without a final newline.
 * RSLA_DIFF_ITERATIONS (environment) scales the random part. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#ifndef RSLA_DIFF_NO_ZSTD /* set by tests/neon_cross.sh: no AArch64 libzstd there */
#include <zstd.h>         /* the golden .zst logs */
#define DIFF_HAVE_ZSTD 1
#endif
#include "ingest/scan/scan.h"
#include "ingest/scan/scan_record.h"
#include "rsla_test.h"

static const scan_kernel *kernels[8];
static size_t n_kernels;
static int mismatches_shown;
static size_t seen_outcomes, seen_skips, seen_rejects; /* scalar verdicts, to show the mix */

/* MARK: - Helpers */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t rnd(size_t n) { return n ? (size_t)(next_rand() % n) : 0; }

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + SCAN_PADDING + 1 > t->cap) {
        t->cap = (t->len + n + SCAN_PADDING + 1) * 2;
        t->p = realloc(t->p, t->cap);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    memset(t->p + t->len, 0, SCAN_PADDING);
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void dump(const char *what, const char *buf, size_t len)
{
    fprintf(stderr, "%s (%zu bytes): \"", what, len);
    for (size_t i = 0; i < len && i < 2000; i++) {
        const unsigned char c = (unsigned char)buf[i];
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02X", c);
    }
    fprintf(stderr, "\"\n");
}

/* Scans buf[0, len) (padded) with kernel k. */
static void run(const scan_kernel *k, const char *buf, size_t len, scan_record *r)
{
    scan_record_clear(r);
    scan_record_str(r, "");
    scan_state *s = scan_state_create(k, scan_profile_distribution());
    const scan_sink sink = scan_record_sink(r);
    const size_t lines = scan_chunk(s, buf, len, &sink);
    scan_state_free(s);
    CHECK_EQ_INT(lines, r->outcomes + r->skips + r->rejects);
}

/* Every kernel against scalar on one chunk (buf must carry SCAN_PADDING zero bytes). */
static void diff_chunk(const char *what, const char *buf, size_t len)
{
    scan_record ref = { 0 }, got = { 0 };
    run(kernels[n_kernels - 1], buf, len, &ref);
    seen_outcomes += ref.outcomes;
    seen_skips += ref.skips;
    seen_rejects += ref.rejects;
    for (size_t k = 0; k + 1 < n_kernels; k++) {
        run(kernels[k], buf, len, &got);
        const bool same = strcmp(ref.text, got.text) == 0;
        CHECK(same);
        if (!same && mismatches_shown++ < 5) {
            fprintf(stderr, "kernel %s differs from scalar on %s\n", scan_kernel_name(kernels[k]),
                    what);
            dump("chunk", buf, len);
            fprintf(stderr, "scalar:\n%s%s:\n%s", ref.text, scan_kernel_name(kernels[k]), got.text);
        }
    }
    scan_record_clear(&ref);
    scan_record_clear(&got);
}

static void diff_document(const char *buf, size_t len)
{
    size_t ref_off = 0;
    const int ref = scan_validate_document(kernels[n_kernels - 1], buf, len, &ref_off);
    for (size_t k = 0; k + 1 < n_kernels; k++) {
        size_t off = 0;
        const int r = scan_validate_document(kernels[k], buf, len, &off);
        const bool same = r == ref && (r == 0 || off == ref_off);
        CHECK(same);
        if (!same && mismatches_shown++ < 5) {
            fprintf(stderr, "kernel %s: document verdict %d@%zu, scalar %d@%zu\n",
                    scan_kernel_name(kernels[k]), r, off, ref, ref_off);
            dump("document", buf, len);
        }
    }
}

/* MARK: - Real logs */

static void diff_real_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    text t = { 0 };
    char tmp[65536];
    for (size_t n; (n = fread(tmp, 1, sizeof tmp, f)) > 0;)
        put(&t, tmp, n);
    fclose(f);
    diff_chunk(path, t.p, t.len);
    /* The same bytes cut into chunks at line boundaries after every k-th line. */
    for (size_t every = 1; every <= 3; every++) {
        size_t start = 0, lines = 0;
        for (size_t i = 0; i < t.len; i++) {
            if (t.p[i] != '\n' || ++lines % every != 0)
                continue;
            text c = { 0 };
            put(&c, t.p + start, i + 1 - start);
            diff_chunk(path, c.p, c.len);
            free(c.p);
            start = i + 1;
        }
    }
    free(t.p);
}

/* data-samples/<set>/logs/<file>: plain files as they are, .zst files decompressed. */
static bool read_golden(const char *path, text *t)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    text raw = { 0 };
    char tmp[65536];
    for (size_t n; (n = fread(tmp, 1, sizeof tmp, f)) > 0;)
        put(&raw, tmp, n);
    fclose(f);
    const size_t l = strlen(path);
    if (l < 4 || strcmp(path + l - 4, ".zst") != 0) {
        *t = raw;
        return true;
    }
#ifndef DIFF_HAVE_ZSTD
    free(raw.p);
    put(t, "", 0); /* no libzstd here: compare an empty chunk */
    return true;
#else
    ZSTD_DStream *z = ZSTD_createDStream();
    ZSTD_inBuffer in = { raw.p, raw.len, 0 };
    bool ok = true;
    while (ok && in.pos < in.size) {
        ZSTD_outBuffer out = { tmp, sizeof tmp, 0 };
        ok = !ZSTD_isError(ZSTD_decompressStream(z, &out, &in));
        put(t, tmp, out.pos);
    }
    ZSTD_freeDStream(z);
    free(raw.p);
    return ok;
#endif
}

static void test_golden(void)
{
    const char *root = RSLA_SOURCE_DIR "/data-samples";
    DIR *d = opendir(root);
    if (!d)
        return; /* the golden sets are optional for this test */
    size_t files = 0;
    for (struct dirent *set; (set = readdir(d)) != NULL;) {
        char logs[1024];
        snprintf(logs, sizeof logs, "%s/%s/logs", root, set->d_name);
        DIR *ld = set->d_name[0] == '.' ? NULL : opendir(logs);
        if (!ld)
            continue;
        for (struct dirent *e; (e = readdir(ld)) != NULL;) {
            if (e->d_name[0] == '.')
                continue;
            char path[1300];
            snprintf(path, sizeof path, "%s/%s", logs, e->d_name);
            text t = { 0 };
            CHECK(read_golden(path, &t));
            diff_chunk(path, t.p, t.len);
            free(t.p);
            files++;
        }
        closedir(ld);
    }
    closedir(d);
    printf("golden log files compared: %zu\n", files);
}

static void test_real_logs(void)
{
    const char *dir = RSLA_SHARED_DIR "/real-logs";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        diff_real_file(path);
    }
    closedir(d);
}

/* MARK: - Random lines */

/* Pieces of string bodies that exercise escapes and multi-byte characters. */
static const char *const string_pieces[] = {
    "a", "registry", "/v2/", "\\\"", "\\\\", "\\\\\\\"", "\\\\\\\\\\\"", "\\u0026", "\\u00e9",
    "\\uD83D\\uDE00", "\\uDE00", "\\/", "\\n", "\\t", "\xc2\xb5", "\xe2\x82\xac",
    "\xf0\x9f\x98\x80", " ", "?", "?q=1&x", "%3A", "{", "}", "[", ":", ",",
};

static void rand_string_body(text *t)
{
    const size_t n = rnd(8) == 0 ? 40 + rnd(200) : rnd(6);
    for (size_t i = 0; i < n; i++)
        puts_(t, string_pieces[rnd(RSLA_ARRAY_LEN(string_pieces))]);
}

static void rand_ws(text *t)
{
    static const char *const ws[] = { "", "", "", "", " ", "  ", "\t", " \r ", "\r" };
    puts_(t, ws[rnd(RSLA_ARRAY_LEN(ws))]);
}

static void rand_value(text *t, int depth);

static void rand_container(text *t, int depth)
{
    const bool obj = rnd(2);
    puts_(t, obj ? "{" : "[");
    const size_t n = rnd(4);
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(t, ",");
        rand_ws(t);
        if (obj) {
            puts_(t, "\"");
            rand_string_body(t);
            puts_(t, "\"");
            rand_ws(t);
            puts_(t, ":");
            rand_ws(t);
        }
        rand_value(t, depth + 1);
        rand_ws(t);
    }
    puts_(t, obj ? "}" : "]");
}

static void rand_value(text *t, int depth)
{
    static const char *const atoms[] = {
        "0", "-1", "200", "3.25", "-0.5e10", "1E+2", "true", "false", "null", "12345678901234567890",
    };
    const size_t kind = rnd(10);
    if (kind < 4) {
        puts_(t, "\"");
        rand_string_body(t);
        puts_(t, "\"");
    } else if (kind < 7 || depth > 6) {
        puts_(t, atoms[rnd(RSLA_ARRAY_LEN(atoms))]);
    } else {
        rand_container(t, depth);
    }
}

/* A deep value: n nested arrays (n around the 128 limit). */
static void deep_value(text *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        puts_(t, rnd(4) ? "[" : "[1,");
    for (size_t i = 0; i < n; i++)
        puts_(t, "]");
}

static void member(text *t, const char *key, const char *value, bool *first)
{
    if (!*first)
        puts_(t, ",");
    *first = false;
    rand_ws(t);
    puts_(t, "\"");
    puts_(t, key);
    puts_(t, "\"");
    rand_ws(t);
    puts_(t, ":");
    rand_ws(t);
    puts_(t, value);
    rand_ws(t);
}

/* A Distribution outcome-like object line, fields in random order with random extras. */
static void rand_object_line(text *t)
{
    static const char *const msgs[] = { "\"response completed\"", "\"response completed with error\"",
                                        "\"authorized request\"", "\"response completed\"" };
    static const char *const times[] = { "\"2016-07-15T05:49:20.435122278Z\"", "\"2023-12-20T16:02:32+01:00\"",
                                         "\"2023-12-20T16:02:32\"", "\"bad\"", "1" };
    static const char *const statuses[] = { "200", "404", "\"503\"", "200.0", "1000", "-1", "null", "\"2x\"" };
    static const char *const durations[] = { "\"40.123508ms\"", "\"88.251\xc2\xb5s\"", "\"1m51.900179248s\"",
                                             "\"0s\"", "\"ns\"", "12" };
    static const char *const keys_host[] = { "http.request.host", "http.request.ho\\u0073t" };
    char buf[64];
    bool first = true;
    puts_(t, "{");
    const bool complete = rnd(2);
    const size_t n = complete ? 8 + rnd(6) : 4 + rnd(8);
    for (size_t i = 0; i < n; i++) {
        /* A complete line starts with every required field (valid values), then extras. */
        switch (complete && i < 7 ? i : rnd(10)) {
        case 0: member(t, "msg", msgs[complete && i == 0 ? 0 : rnd(RSLA_ARRAY_LEN(msgs))], &first); break;
        case 1: member(t, "time", times[complete && i == 1 ? rnd(2) : rnd(RSLA_ARRAY_LEN(times))], &first); break;
        case 2: member(t, keys_host[rnd(2)], "\"registry-7.example.com:5000\"", &first); break;
        case 3: member(t, "http.request.method", rnd(2) ? "\"GET\"" : "\"H\\u0045AD\"", &first); break;
        case 4: member(t, "http.response.status", statuses[complete && i == 4 ? rnd(3) : rnd(RSLA_ARRAY_LEN(statuses))], &first); break;
        case 5: member(t, "http.response.duration", durations[complete && i == 5 ? rnd(4) : rnd(RSLA_ARRAY_LEN(durations))], &first); break;
        case 6: {
            text v = { 0 };
            puts_(&v, "\"/v2/");
            rand_string_body(&v);
            puts_(&v, "\"");
            member(t, "http.request.uri", v.p, &first);
            free(v.p);
            break;
        }
        case 7: {
            text v = { 0 };
            if (rnd(8) == 0)
                deep_value(&v, 120 + rnd(12));
            else
                rand_value(&v, 0);
            snprintf(buf, sizeof buf, "x%zu", rnd(100));
            member(t, buf, v.p, &first);
            free(v.p);
            break;
        }
        default: {
            text v = { 0 };
            puts_(&v, "\"");
            rand_string_body(&v);
            puts_(&v, "\"");
            member(t, "http.request.id", v.p, &first);
            free(v.p);
            break;
        }
        }
    }
    puts_(t, "}");
    rand_ws(t);
}

/* Random damage to the bytes of a line, with bytes chosen to hit the scanner's classes. */
static void mutate(text *t, size_t from)
{
    static const char bytes[] = { '"', '\\', '\n', '{', '}', '[', ']', ':', ',', ' ', '\t', '\r',
                                  'u', '0', 'e', '-', '.', 'x', '\0', '\x01', '\x7f', '\x80',
                                  '\xbf', '\xc0', '\xc2', '\xe0', '\xed', '\xf0', '\xf4', '\xff' };
    if (t->len <= from)
        return;
    const size_t at = from + rnd(t->len - from);
    switch (rnd(4)) {
    case 0: t->p[at] = bytes[rnd(sizeof bytes)]; break;
    case 1: memmove(t->p + at, t->p + at + 1, t->len - at - 1); t->len--; break;
    case 2: t->len = at; break;
    default: {
        const char c = bytes[rnd(sizeof bytes)];
        put(t, "", 0);
        put(t, " ", 1);
        memmove(t->p + at + 1, t->p + at, t->len - at - 1);
        t->p[at] = c;
        break;
    }
    }
    memset(t->p + t->len, 0, SCAN_PADDING);
}

static void rand_line(text *t)
{
    const size_t start = t->len;
    switch (rnd(12)) {
    case 0: break;
    case 1: puts_(t, "   \t"); break;
    case 2: puts_(t, "10.0.0.1 - - [15/Jul/2016:05:49:14 +0000] \"GET /v2/ HTTP/1.1\" 401 87 \"\" \"docker\""); break;
    case 3: puts_(t, "time=\"2016-07-15T05:49:20Z\" level=info msg=\"response completed\""); break;
    default: rand_object_line(t); break;
    }
    if (rnd(3) == 0) {
        const size_t n = 1 + rnd(3);
        for (size_t i = 0; i < n; i++)
            mutate(t, start);
    }
    puts_(t, rnd(10) == 0 ? "\r\n" : "\n");
}

/* A chunk of random lines; then the same lines cut to lengths around multiples of 64 (at the line
 * end nearest below), and without the final newline. */
static void diff_random_chunk(void)
{
    text t = { 0 };
    const size_t lines = 1 + rnd(12);
    for (size_t i = 0; i < lines; i++)
        rand_line(&t);
    diff_chunk("random chunk", t.p, t.len);
    if (t.len > 0 && t.p[t.len - 1] == '\n') {
        diff_chunk("random chunk without final newline", t.p, t.len - 1);
        diff_document(t.p, t.len);
    }
    const size_t target = (1 + rnd(8)) * 64 + rnd(3) - 1;
    if (target < t.len) {
        size_t cut = target;
        while (cut > 0 && t.p[cut - 1] != '\n')
            cut--;
        text c = { 0 }, d = { 0 };
        put(&c, t.p, target);
        put(&d, t.p, cut);
        diff_chunk("random chunk cut near a block multiple", c.p, c.len);
        diff_chunk("random chunk cut at a line end", d.p, d.len);
        free(c.p);
        free(d.p);
    }
    free(t.p);
}

/* One line repeated at each offset 0..63 from the chunk start, so that each of its bytes lands at
 * each position of a block. */
static void diff_shifted(void)
{
    text line = { 0 };
    rand_line(&line);
    for (size_t shift = 0; shift < 64; shift++) {
        text t = { 0 };
        for (size_t i = 0; i < shift; i++)
            puts_(&t, " ");
        puts_(&t, "\n");
        put(&t, line.p, line.len);
        diff_chunk("shifted line", t.p, t.len);
        free(t.p);
    }
    free(line.p);
}

/* MARK: - Key matching */

/* A key of len bytes; tags give keys of the same length that differ from the first byte. */
static void make_key(char *out, size_t len, int tag)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (char)('a' + (i * 7 + (size_t)tag) % 26);
    out[len] = '\0';
}

/* Every kernel against scalar (whose key comparison is a plain byte loop) with a profile file
 * whose five keys all have one length, so that they share a length chain, on lines that hold
 * the keys and then near misses: each key with one byte changed at every position, and one byte
 * shorter or longer, given values that would change the verdict if they were taken for the key.
 * Lengths around the 8, 16 and 24 bytes the SIMD kernels' word compares work in. */
static void diff_key_length(size_t len)
{
    static const char *const fields[] = { "time", "host", "method", "uri", "status" };
    char keys[5][72], prof[1024], err[256];
    int n = snprintf(prof, sizeof prof, "{\"name\":\"keys\",\"fields\":{");
    for (int f = 0; f < 5; f++) {
        make_key(keys[f], len, f);
        n += snprintf(prof + n, sizeof prof - (size_t)n, "%s\"%s\":{\"key\":\"%s\"}", f ? "," : "",
                      fields[f], keys[f]);
    }
    snprintf(prof + n, sizeof prof - (size_t)n, "}}");
    scan_profile *p = scan_profile_parse(prof, strlen(prof), "keys.json", err, sizeof err);
    CHECK(p != NULL);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    static const char *const good[] = { "\"2016-07-15T05:49:20Z\"", "\"h\"", "\"GET\"", "\"/v2/\"", "200" };
    static const char *const bad[] = { "\"bad\"", "1", "2", "3", "\"x\"" };
    text t = { 0 };
    for (int f = 0; f < 5; f++) {
        for (size_t i = 0; i <= len + 1; i++) {
            bool first = true;
            char near[80];
            puts_(&t, "{");
            for (int g = 0; g < 5; g++)
                member(&t, keys[g], good[g], &first);
            memcpy(near, keys[f], len + 1);
            if (i < len)
                near[i] = (char)(near[i] == 'Z' ? 'Y' : 'Z'); /* one byte off */
            else if (i == len && len > 1)
                near[len - 1] = '\0';                       /* one byte shorter */
            else
                strcat(near, "q");                          /* one byte longer */
            member(&t, near, bad[f], &first);
            puts_(&t, "}\n");
        }
    }
    scan_record ref = { 0 }, got = { 0 };
    for (size_t k = 0; k < n_kernels; k++) {
        scan_record *r = k == 0 ? &ref : &got;
        scan_record_clear(r);
        scan_record_str(r, "");
        scan_state *s = scan_state_create(kernels[n_kernels - 1 - k], p);
        const scan_sink sink = scan_record_sink(r);
        scan_chunk(s, t.p, t.len, &sink); /* put() keeps the zero padding after the text */
        scan_state_free(s);
        if (k == 0) {
            CHECK_EQ_INT(ref.outcomes, 5 * (len + 2));
            continue;
        }
        const bool same = strcmp(ref.text, got.text) == 0;
        CHECK(same);
        if (!same && mismatches_shown++ < 5)
            fprintf(stderr, "kernel %s differs from scalar on keys of %zu bytes:\nscalar:\n%s%s:\n%s",
                    scan_kernel_name(kernels[n_kernels - 1 - k]), len, ref.text,
                    scan_kernel_name(kernels[n_kernels - 1 - k]), got.text);
    }
    scan_record_clear(&ref);
    scan_record_clear(&got);
    free(t.p);
    scan_profile_free(p);
}

static void test_key_lengths(void)
{
    static const size_t lens[] = { 1, 2, 3, 5, 7, 8, 9, 12, 15, 16, 17, 20, 23, 24, 25, 31, 32, 33, 40, 63 };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(lens); i++)
        diff_key_length(lens[i]);
}

/* Random lines far past one stage-1 window (SCAN_WINDOW_BLOCKS, 32 KiB): window ends fall
 * inside lines of every kind, whose structurals, suspects and backslashes carry over. */
static void diff_long_chunk(void)
{
    text t = { 0 };
    while (t.len < ((size_t)300 << 10))
        rand_line(&t);
    diff_chunk("long chunk", t.p, t.len);
    free(t.p);
}

/* A line whose damage lies just before a stage-1 window end (8, 16, 32 and 64 KiB: every window
 * size worth trying), while the line goes on past it: the suspect must be carried with the
 * unfinished line into the next window. A control byte, a cut UTF-8 sequence, a bad escape and
 * a byte that is never UTF-8, 1 to 64 bytes before the edge. */
static void diff_window_edges(void)
{
    static const size_t edges[] = { 8192, 16384, 32768, 65536 };
    static const char *const damage[] = { "\x01", "\xc3", "\\x", "\xff" };
    static const char filler[] = "{\"msg\":\"response completed\",\"time\":\"2016-07-15T05:49:20Z\","
                                 "\"http.request.host\":\"h\",\"http.request.method\":\"GET\","
                                 "\"http.request.uri\":\"/v2/\",\"http.response.status\":200}\n";
    static const char head[] = "{\"msg\":\"response completed\",\"http.request.uri\":\"/v2/";
    static const char tail[] = "\",\"time\":\"2016-07-15T05:49:20Z\",\"http.request.host\":\"h\","
                               "\"http.request.method\":\"GET\",\"http.response.status\":200}\n";
    for (size_t e = 0; e < RSLA_ARRAY_LEN(edges); e++)
        for (size_t before = 1; before <= 64; before += 9)
            for (size_t d = 0; d < RSLA_ARRAY_LEN(damage); d++) {
                text t = { 0 };
                const size_t start = edges[e] - 200; /* where the damaged line begins */
                while (t.len + sizeof filler - 1 + 1 <= start)
                    puts_(&t, filler);
                while (t.len + 1 < start)
                    puts_(&t, " ");
                puts_(&t, "\n");
                puts_(&t, head);
                while (t.len < edges[e] - before)
                    puts_(&t, "a");
                puts_(&t, damage[d]);
                for (int i = 0; i < 100; i++)
                    puts_(&t, "a");
                puts_(&t, tail);
                puts_(&t, filler);
                diff_chunk("damage before a window edge", t.p, t.len);
                free(t.p);
            }
}

static void test_random(void)
{
    const char *env = getenv("RSLA_DIFF_ITERATIONS");
    const size_t iters = env ? (size_t)strtoull(env, NULL, 10) : 3000;
    for (size_t i = 0; i < iters; i++) {
        diff_random_chunk();
        if (i % 20 == 0)
            diff_shifted();
        if (i % 1000 == 0)
            diff_long_chunk();
    }
}

int main(void)
{
    n_kernels = scan_kernel_list(kernels, 8);
    printf("kernels compared with scalar: %zu\n", n_kernels - 1);
    test_real_logs();
    test_golden();
    test_key_lengths();
    diff_window_edges();
    test_random();
    printf("scalar verdicts compared: %zu outcomes, %zu skipped, %zu rejected\n", seen_outcomes,
           seen_skips, seen_rejects);
    TEST_MAIN_END();
}
