/* bench_scan: throughput of the JSON scanner, per kernel, on one core, against simdjson on-demand.
 *
 * The job, for every contender: validate every line of a Distribution JSON log held in memory,
 * read time, host, method, uri, status and request id from the completion lines, and count
 * requests and 5xx per (host, minute) in dense per-host minute arrays (PERF-ANCHORS: about 1.5
 * requests per host and minute, so arrays beat a hash map). Each contender runs N times; the
 * table shows the minimum time (lemire/fastbase64 habit: the minimum is the run least disturbed).
 *
 * Times are thread CPU time (see now_s).
 *
 *     bench_scan [FILE] [--runs N] [--synth-mb N] [--kernel NAME] [--no-peer]
 *
 * FILE is plain NDJSON (a regsla-gen month, say); without it a realistic month of Distribution
 * lines (keys sorted, 8 % noise lines) is synthesised in memory, --synth-mb megabytes (300).
 * The input is cut into line-aligned chunks of about 1 MiB, each followed by its zero padding, as
 * the pipeline hands them to the scanner (a chunk past 64 MiB would go to the scalar kernel): this
 * measures scan + aggregate, not reading or decompressing.
 * With RSLA_BENCH_HAVE_SIMDJSON (libsimdjson-dev found by bench/scan.cmake) two simdjson
 * on-demand peers (bench/simdjson_ondemand.cpp) run in the same process on the same bytes: one
 * counting in a std::unordered_map keyed by (host, minute), the program PERF-ANCHORS measured, and
 * one counting in the kernels' dense arrays. */
#include <inttypes.h>               /* PRIu64 */
#include <stdbool.h>                /* bool */
#include <stdio.h>                  /* printf, fopen */
#include <stdlib.h>                 /* calloc, strtoul */
#include <string.h>                 /* memcmp, memcpy, strcmp */
#include <time.h>                   /* clock_gettime */
#include "common/rsla_base.h"       /* rsla_xcalloc, rsla_slice */
#include "common/rsla_time.h"       /* rsla_minute_of_ns, rsla_time_format */
#include "ingest/scan/scan.h"       /* scan_* */
#include "bench/bench_peer.h"       /* bench_agg, the simdjson peers */

/* MARK: - Aggregation */

/* Minutes per host array: 45 days, enough for a month and its neighbours' spill. */
#define BENCH_MINUTES 65536
/* Host slots (open addressing, power of two). */
#define BENCH_HOSTS 4096

typedef struct bench_host {
    char *name; /* NULL: empty slot */
    size_t len;
    uint32_t (*minutes)[2]; /* per minute: requests, 5xx (together: one cache line per update) */
} bench_host;

struct bench_agg {
    bench_host hosts[BENCH_HOSTS];
    size_t n_hosts;
    int64_t base_minute; /* minute of array index 0, set by the first request */
    bool based;
    uint64_t out_of_range;
};

/* A cheap hash of a short string: its first and last 8 bytes and its length. */
static uint64_t host_hash(const char *s, size_t n)
{
    uint64_t a = 0, b = 0;
    memcpy(&a, s, n < 8 ? n : 8);
    if (n > 8)
        memcpy(&b, s + n - 8, 8);
    return rsla_hash_u64(a ^ rsla_hash_u64(b + n));
}

static bench_host *host_slot(bench_agg *a, const char *s, size_t n)
{
    size_t i = host_hash(s, n) & (BENCH_HOSTS - 1);
    for (;; i = (i + 1) & (BENCH_HOSTS - 1)) {
        bench_host *h = &a->hosts[i];
        if (!h->name) {
            if (a->n_hosts + 1 >= BENCH_HOSTS)
                return NULL;
            h->name = rsla_xstrndup(s, n);
            h->len = n;
            h->minutes = rsla_xcalloc(BENCH_MINUTES, sizeof *h->minutes);
            a->n_hosts++;
            return h;
        }
        if (h->len == n && memcmp(h->name, s, n) == 0)
            return h;
    }
}

void bench_agg_add(bench_agg *a, const char *host, size_t len, int64_t time_ns, int status)
{
    const int64_t minute = rsla_minute_of_ns(time_ns);
    if (!a->based) {
        a->base_minute = minute - 4 * RSLA_MIN_PER_DAY;
        a->based = true;
    }
    const int64_t i = minute - a->base_minute;
    bench_host *h = host_slot(a, host, len);
    if (!h || i < 0 || i >= BENCH_MINUTES) {
        a->out_of_range++;
        return;
    }
    h->minutes[i][0]++;
    h->minutes[i][1] += status >= 500 && status <= 599;
}

/* The counts of one (host, minute) cell at once: how the hash-map peer hands its cells over. */
void bench_agg_add_counts(bench_agg *a, const char *host, size_t len, int64_t minute,
                          uint32_t requests, uint32_t errors_5xx)
{
    const int64_t i = a->based ? minute - a->base_minute : -1;
    bench_host *h = host_slot(a, host, len);
    if (!h || i < 0 || i >= BENCH_MINUTES) {
        a->out_of_range += requests;
        return;
    }
    h->minutes[i][0] += requests;
    h->minutes[i][1] += errors_5xx;
}

/* Forgets the counts, keeps the hosts (outside the timed part). */
static void agg_reset(bench_agg *a)
{
    for (size_t i = 0; i < BENCH_HOSTS; i++) {
        if (!a->hosts[i].name)
            continue;
        memset(a->hosts[i].minutes, 0, BENCH_MINUTES * sizeof *a->hosts[i].minutes);
    }
    a->out_of_range = 0;
}

/* Non-empty (host, minute) cells and a checksum over them, to show contenders agree. */
static void agg_digest(const bench_agg *a, uint64_t *cells, uint64_t *sum)
{
    *cells = *sum = 0;
    for (size_t i = 0; i < BENCH_HOSTS; i++) {
        const bench_host *h = &a->hosts[i];
        if (!h->name)
            continue;
        for (size_t m = 0; m < BENCH_MINUTES; m++) {
            *cells += h->minutes[m][0] != 0;
            *sum += (uint64_t)h->minutes[m][0] * (m + 1) + (uint64_t)h->minutes[m][1] * 7919 +
                    h->len * h->minutes[m][0];
        }
    }
}

static void agg_free(bench_agg *a)
{
    for (size_t i = 0; i < BENCH_HOSTS; i++) {
        free(a->hosts[i].name);
        free(a->hosts[i].minutes);
    }
    free(a);
}

/* MARK: - Sinks */

typedef struct run_ctx {
    bench_agg *agg; /* NULL: scan only */
    bench_counts c;
} run_ctx;

static void on_outcome(void *ctx, const rsla_outcome *o)
{
    run_ctx *r = ctx;
    r->c.outcomes++;
    if (r->agg)
        bench_agg_add(r->agg, o->host.ptr, o->host.len, o->time_ns, o->status);
}

static void on_skip(void *ctx, rsla_skip_reason reason)
{
    (void)reason;
    ((run_ctx *)ctx)->c.skipped++;
}

static void on_reject(void *ctx, size_t line_start, size_t line_index, rsla_reject_reason reason,
                      size_t column, const char *field)
{
    (void)line_start, (void)line_index, (void)reason, (void)column, (void)field;
    ((run_ctx *)ctx)->c.rejected++;
}

/* MARK: - Input */

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = rsla_xrealloc(b->p, b->cap + SCAN_PADDING);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_hex(buf *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char t[64];
    for (size_t i = 0; i < n; i++)
        t[i] = hex[rnd(16)];
    put(b, t, n);
}

static void put_uuid(buf *b)
{
    put_hex(b, 8), puts_(b, "-"), put_hex(b, 4), puts_(b, "-4"), put_hex(b, 3), puts_(b, "-a");
    put_hex(b, 3), puts_(b, "-"), put_hex(b, 12);
}

/* One completion line shaped like real-logs/distribution.jsonl line 1 (logrus, keys sorted). */
static void synth_completion(buf *b, int64_t ns, int host)
{
    static const char *const methods[] = { "GET", "GET", "GET", "HEAD", "HEAD", "PUT", "PATCH", "POST" };
    static const int statuses[] = { 200, 200, 200, 200, 200, 307, 201, 202, 404, 500 };
    char t[256];
    const int status = statuses[rnd(RSLA_ARRAY_LEN(statuses))];
    puts_(b, "{\"go.version\":\"go1.20.8\",\"http.request.host\":\"registry-");
    snprintf(t, sizeof t, "%02d.example.com\",\"http.request.id\":\"", host);
    puts_(b, t);
    put_uuid(b);
    puts_(b, "\",\"http.request.method\":\"");
    puts_(b, methods[rnd(RSLA_ARRAY_LEN(methods))]);
    snprintf(t, sizeof t, "\",\"http.request.remoteaddr\":\"10.%d.%d.%d:%d\",\"http.request.uri\":\"/v2/team-%d/app-%d/",
             (int)rnd(255), (int)rnd(255), (int)rnd(255), 30000 + (int)rnd(30000), (int)rnd(40), (int)rnd(300));
    puts_(b, t);
    if (rnd(2)) {
        puts_(b, "blobs/sha256:");
        put_hex(b, 64);
    } else {
        puts_(b, "manifests/v1.");
        put_hex(b, 2);
    }
    puts_(b, "\",\"http.request.useragent\":\"docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.1.0-13-amd64 os/linux arch/amd64 UpstreamClient(Docker-Client/24.0.7 \\\\(linux\\\\))\",");
    snprintf(t, sizeof t, "\"http.response.contenttype\":\"application/octet-stream\",\"http.response.duration\":\"%d.%06dms\",\"http.response.status\":%d,\"http.response.written\":%d,",
             (int)rnd(900), (int)rnd(1000000), status, (int)rnd(50000000));
    puts_(b, t);
    puts_(b, "\"instance.id\":\"");
    put_uuid(b);
    puts_(b, status >= 400 ? "\",\"level\":\"error\",\"msg\":\"response completed with error\",\"time\":\""
                           : "\",\"level\":\"info\",\"msg\":\"response completed\",\"time\":\"");
    const size_t n = rsla_time_format(t, ns, 0, true);
    put(b, t, n);
    puts_(b, "\",\"version\":\"v2.8.3\"}\n");
}

/* Noise: another message of the same stream, or a combined access line. */
static void synth_noise(buf *b, int64_t ns, int host)
{
    char t[128];
    if (rnd(2)) {
        puts_(b, "10.1.2.3 - - [15/Feb/2024:05:49:14 +0000] \"GET /v2/ HTTP/1.1\" 401 87 \"\" \"docker/24.0.7\"\n");
        return;
    }
    snprintf(t, sizeof t, "{\"go.version\":\"go1.20.8\",\"http.request.host\":\"registry-%02d.example.com\",", host);
    puts_(b, t);
    puts_(b, "\"http.request.id\":\"");
    put_uuid(b);
    puts_(b, "\",\"http.request.method\":\"GET\",\"http.request.uri\":\"/v2/\",\"level\":\"info\",\"msg\":\"authorized request\",\"time\":\"");
    put(b, t, rsla_time_format(t, ns, 0, true));
    puts_(b, "\"}\n");
}

static void synthesise(buf *b, size_t megabytes)
{
    int64_t ns = INT64_C(1706745600) * RSLA_NS_PER_SEC; /* 2024-02-01T00:00:00Z */
    while (b->len < megabytes * 1000000) {
        ns += (int64_t)rnd(2 * 1300000000ULL); /* ~2 M lines over a month */
        const int host = (int)rnd(50);
        if (rnd(100) < 8)
            synth_noise(b, ns, host);
        else
            synth_completion(b, ns, host);
    }
}

static bool load(buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char tmp[1 << 16];
    for (size_t n; (n = fread(tmp, 1, sizeof tmp, f)) > 0;)
        put(b, tmp, n);
    fclose(f);
    return true;
}

/* The pipeline's chunk size (ing_pipeline.c). */
#define BENCH_CHUNK ((size_t)1 << 20)

/* The input as the pipeline lays it out: line-aligned chunks, each followed by SCAN_PADDING zero
 * bytes, one after another in one buffer. */
typedef struct chunked {
    char *p;
    size_t n, *off, *len, bytes;
} chunked;

static void cut_chunks(chunked *c, const buf *in)
{
    size_t most = in->len / (BENCH_CHUNK / 2) + 2; /* grows for lines past half a chunk */
    c->p = rsla_xmalloc(in->len + most * SCAN_PADDING);
    c->off = rsla_xcalloc(most, sizeof *c->off);
    c->len = rsla_xcalloc(most, sizeof *c->len);
    c->n = c->bytes = 0;
    size_t at = 0, out = 0;
    while (at < in->len) {
        if (c->n == most) {
            most *= 2;
            c->p = rsla_xrealloc(c->p, in->len + most * SCAN_PADDING);
            c->off = rsla_xrealloc(c->off, most * sizeof *c->off);
            c->len = rsla_xrealloc(c->len, most * sizeof *c->len);
        }
        size_t end = at + BENCH_CHUNK < in->len ? at + BENCH_CHUNK : in->len;
        if (end < in->len) {
            const char *nl = NULL;
            for (size_t i = end; i > at && !nl; i--)
                if (in->p[i - 1] == '\n')
                    nl = in->p + i - 1;
            if (nl) /* else a line longer than a chunk: the chunk ends where that line does */
                end = (size_t)(nl - in->p) + 1;
            else
                for (; end < in->len && in->p[end - 1] != '\n'; end++)
                    ;
        }
        memcpy(c->p + out, in->p + at, end - at);
        memset(c->p + out + (end - at), 0, SCAN_PADDING);
        c->off[c->n] = out;
        c->len[c->n++] = end - at;
        out += end - at + SCAN_PADDING;
        c->bytes += end - at;
        at = end;
    }
}

static void chunked_free(chunked *c)
{
    free(c->p);
    free(c->off);
    free(c->len);
}

/* MARK: - Timing */

/* Thread CPU time, not wall time: the development machine is shared (load averages of 4 to 6 on
 * 2 cores were seen while measuring), and CPU time leaves out the slices other processes take.
 * On an idle machine the two agree within a few percent. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct result {
    const char *name;
    double scan_s, total_s; /* minimum times; scan_s < 0: not measured */
    bench_counts c;
    uint64_t cells, sum;
} result;

static void run_kernel(const scan_kernel *k, const scan_profile *profile, const chunked *in,
                       int runs, bench_agg *agg, result *r)
{
    scan_state *s = scan_state_create(k, profile);
    const scan_sink sink = { NULL, on_outcome, on_skip, on_reject };
    r->name = scan_kernel_name(k);
    r->scan_s = r->total_s = 1e30;
    for (int i = 0; i < 2 * runs; i++) {
        const bool aggregate = i % 2 == 1;
        run_ctx ctx = { aggregate ? agg : NULL, { 0, 0, 0, 0 } };
        scan_sink sk = sink;
        sk.ctx = &ctx;
        agg_reset(agg);
        const double t0 = now_s();
        for (size_t c = 0; c < in->n; c++)
            ctx.c.lines += scan_chunk(s, in->p + in->off[c], in->len[c], &sk);
        const double t = now_s() - t0;
        if (aggregate) {
            r->total_s = t < r->total_s ? t : r->total_s;
            r->c = ctx.c;
        } else {
            r->scan_s = t < r->scan_s ? t : r->scan_s;
        }
    }
    agg_digest(agg, &r->cells, &r->sum);
    scan_state_free(s);
}

#ifdef RSLA_BENCH_HAVE_SIMDJSON
static void run_simdjson(const chunked *in, int runs, bench_agg *agg, result *r)
{
    r->name = "simdjson 3 on-demand";
    r->scan_s = -1;
    r->total_s = 1e30;
    for (int i = 0; i < runs; i++) {
        agg_reset(agg);
        const double t0 = now_s();
        r->c = (bench_counts){ 0, 0, 0, 0 };
        for (size_t c = 0; c < in->n; c++)
            bench_simdjson_run(in->p + in->off[c], in->len[c], agg, &r->c);
        const double t = now_s() - t0;
        r->total_s = t < r->total_s ? t : r->total_s;
    }
    agg_digest(agg, &r->cells, &r->sum);
}

/* The hash map is built anew each run (a fresh program's job), and copied into agg afterwards,
 * outside the timed part, for the agreement check. agg keeps its base minute from the runs
 * before: the kernels ran first. */
static void run_simdjson_hashmap(const chunked *in, int runs, bench_agg *agg, result *r)
{
    r->name = "simdjson 3 on-demand + std::unordered_map";
    r->scan_s = -2;
    r->total_s = 1e30;
    for (int i = 0; i < runs; i++) {
        bench_hashmap *m = bench_hashmap_create();
        r->c = (bench_counts){ 0, 0, 0, 0 };
        const double t0 = now_s();
        for (size_t c = 0; c < in->n; c++)
            bench_simdjson_hashmap_run(in->p + in->off[c], in->len[c], m, &r->c);
        const double t = now_s() - t0;
        r->total_s = t < r->total_s ? t : r->total_s;
        agg_reset(agg);
        bench_hashmap_export(m, agg);
        bench_hashmap_free(m);
    }
    agg_digest(agg, &r->cells, &r->sum);
}
#endif

/* MARK: - Report */

static void print_table(const result *res, size_t n, const chunked *in, int runs, const char *what,
                        const char *profile)
{
    double dense = 0, hashmap = 0; /* the peers' times: scan_s -1 and -2 mark them */
    for (size_t i = 0; i < n; i++) {
        if (res[i].scan_s == -1)
            dense = res[i].total_s;
        if (res[i].scan_s == -2)
            hashmap = res[i].total_s;
    }
    printf("input: %s, %.1f MB, %" PRIu64 " lines, profile %s; minimum of %d runs, one thread, "
           "thread CPU time\n\n", what, (double)in->bytes / 1e6, res[0].c.lines, profile, runs);
    printf("| contender | scan MB/s | scan+aggregate MB/s | M lines/s | outcomes | skipped | rejected | (host,minute) cells | vs simdjson + hash map | vs simdjson + dense |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < n; i++) {
        const result *r = &res[i];
        char scan[32] = "-", vs_hashmap[32] = "-", vs_dense[32] = "-";
        if (r->scan_s >= 0)
            snprintf(scan, sizeof scan, "%.0f", (double)in->bytes / r->scan_s / 1e6);
        if (hashmap > 0)
            snprintf(vs_hashmap, sizeof vs_hashmap, "%.2fx", hashmap / r->total_s);
        if (dense > 0)
            snprintf(vs_dense, sizeof vs_dense, "%.2fx", dense / r->total_s);
        printf("| %s | %s | %.0f | %.2f | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %s | %s |\n",
               r->name, scan, (double)in->bytes / r->total_s / 1e6,
               (double)r->c.lines / r->total_s / 1e6, r->c.outcomes, r->c.skipped, r->c.rejected,
               r->cells, vs_hashmap, vs_dense);
    }
    for (size_t i = 1; i < n; i++)
        if (res[i].sum != res[0].sum || res[i].c.outcomes != res[0].c.outcomes)
            printf("\nnote: %s counted differently from %s (outcomes or per-minute checksum)\n",
                   res[i].name, res[0].name);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *only = NULL, *profile_name = "distribution";
    bool peer = true;
    int runs = 5;
    size_t synth_mb = 300;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--synth-mb") == 0 && i + 1 < argc)
            synth_mb = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
            profile_name = argv[++i];
        else if (strcmp(argv[i], "--no-peer") == 0)
            peer = false;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_scan [FILE] [--runs N] [--synth-mb N] [--kernel NAME] "
                            "[--profile NAME] [--no-peer]\n");
            return 2;
        } else
            path = argv[i];
    }
    const scan_profile *profile = scan_profile_by_name(profile_name);
    if (!profile) {
        fprintf(stderr, "bench_scan: unknown JSON profile %s\n", profile_name);
        return 2;
    }
    /* The simdjson peer does the Distribution job only. */
    peer = peer && strcmp(profile_name, "distribution") == 0;
    buf in = { 0 };
    if (path && !load(&in, path)) {
        fprintf(stderr, "bench_scan: cannot read %s\n", path);
        return 1;
    }
    if (!path)
        synthesise(&in, synth_mb);
    chunked chunks;
    cut_chunks(&chunks, &in);
    free(in.p);

    const scan_kernel *kernels[8];
    size_t nk = scan_kernel_list(kernels, 8);
    if (only) {
        char err[200];
        if (!(kernels[0] = scan_kernel_by_name(only, err, sizeof err))) {
            fprintf(stderr, "bench_scan: %s\n", err);
            return 2;
        }
        nk = 1;
    }
    bench_agg *agg = rsla_xcalloc(1, sizeof *agg);
    result res[10];
    memset(res, 0, sizeof res);
    size_t n = 0;
    for (size_t k = 0; k < nk && k < 8; k++)
        run_kernel(kernels[k], profile, &chunks, runs, agg, &res[n++]);
#ifdef RSLA_BENCH_HAVE_SIMDJSON
    if (peer) {
        run_simdjson_hashmap(&chunks, runs, agg, &res[n++]);
        run_simdjson(&chunks, runs, agg, &res[n++]);
    }
#endif
    (void)peer;
    print_table(res, n, &chunks, runs, path ? path : "synthetic Distribution month", profile_name);
    agg_free(agg);
    chunked_free(&chunks);
    return 0;
}
