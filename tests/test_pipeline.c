/* ingest/ing_pipeline: the same lines give the same aggregate and the same accounting whatever
 * the thread count, the chunk size, the compression and the way they are split into files; line
 * numbers of rejected lines are exact across chunk boundaries; a line longer than a chunk is
 * read whole. Runs under TSan in CI (label pipeline). */
#include <stdlib.h>
#include <sys/stat.h>
#include <zstd.h>

#include "analyzer/agg.h"
#include "analyzer/policy.h"
#include "ingest/ing_pipeline.h"
#include "rsla_test.h"

static char tmpdir[256];

typedef struct text {
    char *s;
    size_t len, cap;
    size_t lines;
} text;

static void put(text *t, const char *s)
{
    const size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
    for (size_t i = 0; i < n; i++)
        t->lines += s[i] == '\n';
}

static const char *hosts[] = { "Reg-A.example.com:443", "reg-a.example.com", "reg-b.example.com" };
static const char *routes[][2] = {
    { "GET", "/v2/team/app/manifests/latest" }, { "HEAD", "/v2/team/app/blobs/sha256:aa" },
    { "PUT", "/v2/team/app/manifests/v1" },     { "PATCH", "/v2/team/app/blobs/uploads/u-1?_state=x" },
    { "GET", "/v2/" },                          { "GET", "/healthz" },
};
static const int statuses[] = { 200, 200, 201, 202, 404, 500, 503, 429, 307, 0 };

/* Builds a month-like text with every kind of line; returns the 1-based numbers of the lines
 * that must be rejected. */
static void build_text(text *t, size_t n, size_t *bad_lines, size_t *n_bad)
{
    unsigned seed = 12345;
    char line[40000];
    *n_bad = 0;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        const unsigned r = seed >> 8;
        const int status = statuses[r % 10];
        const char *h = hosts[(r >> 4) % 3];
        const int route = (int)((r >> 8) % 6);
        const long long sec = 1706745600LL + (long long)i * 7 + (r >> 12) % 5;
        char when[64];
        snprintf(when, sizeof when, "2024-02-%02lldT%02lld:%02lld:%02lld.%03uZ",
                 1 + (sec - 1706745600LL) / 86400, (sec / 3600) % 24, (sec / 60) % 60, sec % 60,
                 r % 1000);
        if (i % 97 == 5) {
            put(t, "127.0.0.1 - - [01/Feb/2024:00:00:01 +0000] \"GET /v2/ HTTP/1.1\" 401 87 \"\" \"ua\"\n");
            continue;
        }
        if (i % 101 == 7) {
            put(t, "{\"msg\":\"response completed\",\"time\":\n");
            bad_lines[(*n_bad)++] = t->lines;
            continue;
        }
        if (i % 89 == 3) {
            put(t, "\n");
            continue;
        }
        const char *msg = status >= 400 ? "response completed with error" : "response completed";
        char id[64];
        snprintf(id, sizeof id, "req-%zu", status >= 400 && i % 3 == 0 && i > 0 ? i - 1 : i);
        char pad[20000] = "";
        if (i % 251 == 11) { /* a long user agent, longer than the small chunks below */
            memset(pad, 'x', sizeof pad - 1);
            pad[sizeof pad - 1] = '\0';
        }
        snprintf(line, sizeof line,
                 "{\"http.request.host\":\"%s\",\"http.request.id\":\"%s\","
                 "\"http.request.method\":\"%s\",\"http.request.uri\":\"%s\","
                 "\"http.request.useragent\":\"ua %s \\\"q\\\"\",\"http.response.duration\":\"%u.5ms\","
                 "\"http.response.status\":%d,\"level\":\"info\",\"msg\":\"%s\",\"time\":\"%s\"}%s\n",
                 h, id, routes[route][0], routes[route][1], pad, r % 900, status, msg, when,
                 i % 13 == 0 ? "\r" : "");
        put(t, line);
    }
    put(t, "{\"msg\":\"authorized request\",\"time\":\"2024-02-01T00:00:00Z\"}"); /* no newline */
}

static void write_file(const char *name, const char *data, size_t len, int zstd_level)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (zstd_level > 0) {
        const size_t cap = ZSTD_compressBound(len);
        void *z = malloc(cap);
        /* Several frames per file: cut the text at arbitrary points, not at lines. */
        size_t done = 0, zn = 0;
        while (done < len) {
            const size_t piece = RSLA_MIN(len - done, 6000);
            zn += ZSTD_compress((char *)z + zn, cap - zn, data + done, piece, zstd_level);
            done += piece;
        }
        fwrite(z, 1, zn, f);
        free(z);
    } else {
        fwrite(data, 1, len, f);
    }
    fclose(f);
}

/* One frame as a stream writes it (no content size) with a 1 KiB window: read in place, it is
 * decoded into many chunks, each the window of the next. */
static void write_stream_file(const char *name, const char *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    const size_t cap = ZSTD_compressBound(len) + 1024;
    unsigned char *z = malloc(cap);
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 10);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    ZSTD_outBuffer o = { z, cap, 0 };
    ZSTD_inBuffer in = { data, len, 0 };
    while (ZSTD_compressStream2(c, &o, &in, ZSTD_e_end) != 0)
        ;
    ZSTD_freeCCtx(c);
    FILE *f = fopen(path, "wb");
    fwrite(z, 1, o.pos, f);
    fclose(f);
    free(z);
}

/* The status verdicts of the default policy, as regsla itself builds them. */
static agg_status_table statuses_default(void)
{
    policy pol;
    char err[256];
    agg_status_table s;
    memset(&s, 0, sizeof s);
    if (!policy_preset("acr-ee", &pol, err, sizeof err)) {
        fprintf(stderr, "acr-ee: %s\n", err);
        return s;
    }
    policy_status_table(&pol, &s);
    policy_release(&pol);
    return s;
}

static void *begin_table(void *ctx)
{
    return agg_table_create(ctx);
}

static void add_outcome(void *state, const rsla_outcome *o)
{
    agg_table_add(state, o);
}

typedef struct run_out {
    char *dump;
    rsla_line_counts total;
    ing_result res;
} run_out;

static run_out run_seg(char *const *paths, size_t n_paths, unsigned threads, size_t chunk,
                       uint64_t segment);

static run_out run(char *const *paths, size_t n_paths, unsigned threads, size_t chunk)
{
    return run_seg(paths, n_paths, threads, chunk, 0);
}

static run_out run_seg(char *const *paths, size_t n_paths, unsigned threads, size_t chunk,
                       uint64_t segment)
{
    agg_status_table st = statuses_default();
    ing_input_list inputs;
    ing_inputs_find(paths, n_paths, &inputs);
    const ing_options opt = { .threads = threads, .chunk_size = chunk, .kernel = scan_kernel_best(),
                              .segment_min_bytes = segment };
    const ing_consumer consumer = { &st, begin_table, add_outcome };
    run_out out;
    ing_pipeline_run(&inputs, &opt, &consumer, &out.res);
    agg_table *all = out.res.thread_states[0];
    for (size_t i = 1; i < out.res.n_threads; i++) {
        agg_table_merge(all, out.res.thread_states[i]);
        agg_table_free(out.res.thread_states[i]);
    }
    agg_result *r = agg_table_finish(all, NULL, NULL);
    size_t len;
    FILE *f = open_memstream(&out.dump, &len);
    agg_result_dump(r, f);
    fclose(f);
    agg_result_free(r);
    agg_table_free(all);
    out.total = out.res.input.total;
    ing_inputs_free(&inputs);
    return out;
}

static void check_same(const run_out *a, const run_out *b)
{
    CHECK(strcmp(a->dump, b->dump) == 0);
    CHECK(memcmp(&a->total, &b->total, sizeof a->total) == 0);
    if (memcmp(&a->total, &b->total, sizeof a->total) != 0)
        fprintf(stderr, "  lines %llu/%llu outcomes %llu/%llu skipped %llu/%llu rejected %llu/%llu\n",
                (unsigned long long)a->total.lines, (unsigned long long)b->total.lines,
                (unsigned long long)a->total.outcomes, (unsigned long long)b->total.outcomes,
                (unsigned long long)a->total.skipped, (unsigned long long)b->total.skipped,
                (unsigned long long)a->total.rejected, (unsigned long long)b->total.rejected);
}

int main(void)
{
    if (!rsla_test_tmpdir(tmpdir, sizeof tmpdir, "pipeline"))
        return 1;
    text t = { 0 };
    size_t bad[256], n_bad;
    build_text(&t, 6000, bad, &n_bad);
    write_file("whole.log", t.s, t.len, 0);
    write_file("whole.zst", t.s, t.len, 3);
    write_stream_file("stream.zst", t.s, t.len);
    char whole[300], whole_zst[300], stream_zst[300], parts[300];
    snprintf(whole, sizeof whole, "%s/whole.log", tmpdir);
    snprintf(whole_zst, sizeof whole_zst, "%s/whole.zst", tmpdir);
    snprintf(stream_zst, sizeof stream_zst, "%s/stream.zst", tmpdir);

    char *arg1[] = { whole };
    run_out base = run(arg1, 1, 1, 0);
    CHECK_EQ_INT(base.total.lines, t.lines + 1);
    CHECK_EQ_INT(base.total.lines, base.total.outcomes + base.total.skipped + base.total.rejected);
    CHECK_EQ_STR(base.res.input.files[0].profile, "distribution");
    CHECK(base.res.input.files[0].error == NULL);
    if (base.res.input.files[0].error)
        fprintf(stderr, "  %s\n", base.res.input.files[0].error);
    CHECK_EQ_INT(base.total.rejected, n_bad);
    CHECK(base.total.skipped_by_reason[RSLA_SKIP_NOT_JSON] > 0);
    CHECK(base.total.skipped_by_reason[RSLA_SKIP_BLANK] > 0);
    CHECK_EQ_INT(base.total.skipped_by_reason[RSLA_SKIP_OTHER_MESSAGE], 1);
    /* The first rejected lines are named with their exact line numbers. */
    CHECK(base.res.n_rejections > 0);
    for (size_t i = 0; i < base.res.n_rejections && i < n_bad; i++)
        CHECK_EQ_INT(base.res.rejections[i].line, bad[i]);

    const unsigned thread_counts[] = { 1, 2, 3, 8, 16 };
    const size_t chunks[] = { 4096, 65536 };
    for (size_t c = 0; c < 2; c++) {
        for (size_t k = 0; k < 5; k++) {
            char *files[] = { whole, whole_zst, stream_zst };
            char *arg[] = { files[(k + c) % 3] };
            run_out o = run(arg, 1, thread_counts[k], chunks[c]);
            check_same(&base, &o);
            for (size_t i = 0; i < o.res.n_rejections && i < n_bad; i++)
                CHECK_EQ_INT(o.res.rejections[i].line, bad[i]);
            free(o.dump);
            ing_result_free(&o.res);
        }
    }

    /* whole.zst is many small frames: decoded as parallel segments of one frame and more, every
     * line is read once, and rejected lines keep their line numbers in the file. */
    const uint64_t segments[] = { 1, 5000, 20000, 100000 };
    for (size_t k = 0; k < 4; k++) {
        for (unsigned th = 2; th <= 8; th *= 2) {
            char *arg[] = { whole_zst };
            run_out o = run_seg(arg, 1, th, k % 2 ? 4096 : 65536, segments[k]);
            check_same(&base, &o);
            CHECK_EQ_INT(o.res.n_rejections, base.res.n_rejections);
            for (size_t i = 0; i < o.res.n_rejections && i < base.res.n_rejections; i++) {
                CHECK_EQ_INT(o.res.rejections[i].line, base.res.rejections[i].line);
                CHECK_EQ_INT(o.res.rejections[i].offset, base.res.rejections[i].offset);
            }
            CHECK_EQ_INT(o.res.input.files[0].bytes_decoded, t.len);
            free(o.dump);
            ing_result_free(&o.res);
        }
    }

    /* A corrupt frame in the middle costs only its own segment: the error names the file and
     * the offset, and decoding goes on at the next independent frame. */
    {
        FILE *f = fopen(whole_zst, "r+b");
        fseek(f, 0, SEEK_END);
        const long size = ftell(f);
        fseek(f, size / 2, SEEK_SET);
        const unsigned char junk[16] = { 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
                                         0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef };
        fwrite(junk, 1, sizeof junk, f);
        fclose(f);
        char *arg[] = { whole_zst };
        run_out o = run_seg(arg, 1, 2, 65536, 1);
        CHECK(o.res.any_file_error);
        CHECK(o.res.input.files[0].error && strstr(o.res.input.files[0].error, "next independent frame"));
        CHECK(o.res.input.files[0].error_offset <= (uint64_t)size / 2 + 16);
        CHECK(o.total.lines * 10 >= base.total.lines * 9);
        CHECK(o.total.lines < base.total.lines);
        CHECK_EQ_INT(o.total.lines, o.total.outcomes + o.total.skipped + o.total.rejected);
        free(o.dump);
        ing_result_free(&o.res);
    }

    /* The same lines in 50 files, zstd and plain mixed, named so that sorting shuffles them. */
    snprintf(parts, sizeof parts, "%s/parts", tmpdir);
    mkdir(parts, 0755);
    size_t start = 0;
    for (int i = 0; i < 50; i++) {
        size_t end = i == 49 ? t.len : (t.len / 50) * (size_t)(i + 1);
        while (end < t.len && t.s[end - 1] != '\n')
            end++;
        char name[64];
        snprintf(name, sizeof name, "parts/%02d-%d.%s", (i * 37) % 50, i, i % 3 ? "log" : "zst");
        write_file(name, t.s + start, end - start, i % 3 ? 0 : 1);
        start = end;
    }
    char *arg50[] = { parts };
    for (unsigned th = 1; th <= 3; th++) {
        run_out o = run(arg50, 1, th, 4096);
        check_same(&base, &o);
        CHECK_EQ_INT(o.res.input.n_files, 50);
        free(o.dump);
        ing_result_free(&o.res);
    }
    free(base.dump);
    ing_result_free(&base.res);
    free(t.s);
    rsla_test_tmpdir_remove(tmpdir);
    TEST_MAIN_END();
}
