/* analyzer/agg: counting, duplicate error lines, host normalisation, and the merge laws
 * (merge(a, b) == merge(b, a); merge of parts == whole) that the parallel pipeline stands on. */
#include <signal.h> /* signal, SIGXFSZ */
#include <stdint.h> /* SIZE_MAX */
#include <stdlib.h> /* setenv, getenv */
#include <sys/resource.h> /* setrlimit, RLIMIT_FSIZE */
#include <unistd.h> /* ftruncate, pwrite */

#include "analyzer/agg.h"
#include "analyzer/agg_internal.h" /* the spill's files, to damage them */
#include "common/rsla_time.h"
#include "agg_test.h"
#include "rsla_test.h"

typedef struct line {
    const char *time, *host, *method, *path;
    int status;
    const char *id;
} line;

static void add_line(agg_table *t, const line *l)
{
    rsla_outcome o;
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(rsla_time_parse_rfc3339(l->time, strlen(l->time), &o.time_ns), RSLA_TIME_OK);
    o.host = rsla_slice_of(l->host);
    o.method = rsla_slice_of(l->method);
    o.path = rsla_slice_of(l->path);
    o.status = l->status;
    o.duration_ns = -1;
    o.request_id = rsla_slice_of(l->id ? l->id : "");
    agg_table_add(t, &o);
}

static char *dump(const agg_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    agg_result_dump(r, f);
    fclose(f);
    return buf;
}

static const line sample[] = {
    { "2024-02-01T00:00:01Z", "Reg.Example.com:443", "GET", "/v2/a/manifests/1", 200, "r1" },
    { "2024-02-01T00:00:02Z", "reg.example.com", "HEAD", "/v2/a/blobs/sha256:1", 404, "r2" },
    { "2024-02-01T00:00:02.5Z", "reg.example.com", "HEAD", "/v2/a/blobs/sha256:1", 404, "r2" },
    { "2024-02-01T00:01:00Z", "reg.example.com", "PUT", "/v2/b/manifests/t", 503, "r3" },
    { "2024-02-01T00:01:00.9Z", "reg.example.com", "PUT", "/v2/b/manifests/t", 503, "r3" },
    { "2024-02-01T00:00:59Z", "reg.example.com", "PUT", "/v2/b/manifests/t", 500, "r3" },
    { "2024-02-01T00:01:10Z", "reg.example.com", "GET", "/v2/b/manifests/t", 500, NULL },
    { "2024-02-01T00:01:11Z", "reg.example.com", "GET", "/v2/b/manifests/t", 429, "r5" },
    { "2024-02-01T00:01:12Z", "reg.example.com", "GET", "/v2/", 200, "r6" },
    { "2024-02-01T00:01:13Z", "other.example.com", "GET", "/healthz", 200, "r7" },
    { "2024-02-01T00:02:00Z", "other.example.com", "GET", "/v2/c/blobs/sha256:2", 502, "r8" },
    { "2024-02-01T00:02:01Z", "other.example.com", "GET", "/v2/c/blobs/sha256:2", 502, "r9" },
    { "2024-02-01T00:02:02Z", "other.example.com", "GET", "/v2/c/blobs/sha256:2", 502, "r10" },
    { "2024-02-01T00:02:03Z", "other.example.com", "GET", "/v2/c/blobs/sha256:2", 502, "r11" },
    { "2024-02-01T00:02:03Z", "OTHER.example.com", "GET", "/v2/c/blobs/sha256:3", 0, "r0" },
};
#define N_SAMPLE (sizeof sample / sizeof sample[0])

static char *dump_of_split(const size_t *order, size_t cut)
{
    const agg_status_table st = agg_test_statuses();
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
    for (size_t i = 0; i < N_SAMPLE; i++)
        add_line(i < cut ? a : b, &sample[order[i]]);
    agg_table_merge(b, a);
    agg_result *r = agg_table_finish(b, NULL, NULL);
    char *d = dump(r);
    agg_result_free(r);
    agg_table_free(a);
    agg_table_free(b);
    return d;
}

static void test_counts(void)
{
    size_t order[N_SAMPLE];
    for (size_t i = 0; i < N_SAMPLE; i++)
        order[i] = i;
    char *d = dump_of_split(order, 0);
    const int64_t m0 = rsla_minute_of_ns(INT64_C(1706745600) * RSLA_NS_PER_SEC);
    char expect[2048];
    /* reg.example.com: r1 pull good; r2 one request (404 good, two lines); r3 one push request
     * at its earliest line 00:00:59 with status 503; an id-less 500 pull; 429 excluded; ping. */
    snprintf(expect, sizeof expect,
             "I other.example.com 0 5 0 1 x0 d0\n"
             " M %lld 0/0 0/0 o1\n"
             " M %lld 0/0 5/5 o0\n"
             " F %lld 0 1 6 GET c 1\n"
             " F %lld 502 1 6 GET c 4\n"
             " R 1706745720000000000 r8\n R 1706745721000000000 r9\n R 1706745722000000000 r10\n"
             "I reg.example.com 1 4 1 0 x1 d3\n"
             " M %lld 1/1 2/0 o0\n"
             " M %lld 0/0 1/1 o2\n"
             " F %lld 503 0 5 PUT b 1\n"
             " F %lld 500 1 5 GET b 1\n"
             " R 1706745659000000000 r3\n"
             "C %lld 1706745601000000000 1706745659000000000\n"
             "C %lld 1706745660000000000 1706745673000000000\n"
             "C %lld 1706745720000000000 1706745723000000000\n",
             (long long)m0 + 1, (long long)m0 + 2, (long long)m0 + 2, (long long)m0 + 2,
             (long long)m0, (long long)m0 + 1, (long long)m0, (long long)m0 + 1,
             (long long)m0, (long long)m0 + 1, (long long)m0 + 2);
    CHECK_EQ_STR(d, expect);
    free(d);
}

/* Every split point and a reversed and a shuffled order give the same result. */
static void test_merge_laws(void)
{
    size_t order[N_SAMPLE];
    for (size_t i = 0; i < N_SAMPLE; i++)
        order[i] = i;
    char *whole = dump_of_split(order, 0);
    for (size_t cut = 1; cut <= N_SAMPLE; cut++) {
        char *d = dump_of_split(order, cut);
        CHECK_EQ_STR(d, whole);
        free(d);
    }
    for (size_t i = 0; i < N_SAMPLE; i++)
        order[i] = N_SAMPLE - 1 - i;
    for (size_t cut = 0; cut <= N_SAMPLE; cut += 3) {
        char *d = dump_of_split(order, cut);
        CHECK_EQ_STR(d, whole);
        free(d);
    }
    srand(7);
    for (int round = 0; round < 50; round++) {
        for (size_t i = N_SAMPLE - 1; i > 0; i--) {
            const size_t j = (size_t)rand() % (i + 1);
            const size_t tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        char *d = dump_of_split(order, (size_t)rand() % (N_SAMPLE + 1));
        CHECK_EQ_STR(d, whole);
        free(d);
    }
    free(whole);
}

/* Lines [0, i) into a, [i, j) into b and [j, N) into c, merged as a tree (c into b, then b into
 * a: a takes over blocks b took over) or, with late, [j, N) added to a after the merge. */
static char *dump_of_tree(size_t i, size_t j, bool late)
{
    const agg_status_table st = agg_test_statuses();
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st), *c = agg_table_create(&st);
    for (size_t k = 0; k < N_SAMPLE; k++)
        if (k < i || (k >= j && !late))
            add_line(k < i ? a : c, &sample[k]);
        else if (k < j)
            add_line(b, &sample[k]);
    agg_table_merge(b, c);
    agg_table_merge(a, b);
    for (size_t k = j; late && k < N_SAMPLE; k++)
        add_line(a, &sample[k]);
    agg_result *r = agg_table_finish(a, NULL, NULL);
    char *d = dump(r);
    agg_result_free(r);
    agg_table_free(a);
    agg_table_free(b);
    agg_table_free(c);
    return d;
}

/* Merged tables of merged tables, and a table added to after a merge, give the whole's result. */
static void test_merge_tree(void)
{
    size_t order[N_SAMPLE];
    for (size_t i = 0; i < N_SAMPLE; i++)
        order[i] = i;
    char *whole = dump_of_split(order, 0);
    for (size_t i = 0; i <= N_SAMPLE; i++)
        for (size_t j = i; j <= N_SAMPLE; j++)
            for (int late = 0; late < 2; late++) {
                char *d = dump_of_tree(i, j, late);
                CHECK_EQ_STR(d, whole);
                free(d);
            }
    free(whole);
}

static const char *map_reg_only(void *ctx, const char *host)
{
    (void)ctx;
    return strcmp(host, "reg.example.com") == 0 ? "cri-1" : NULL;
}

static void test_mapping(void)
{
    const agg_status_table st = agg_test_statuses();
    agg_table *t = agg_table_create(&st);
    for (size_t i = 0; i < N_SAMPLE; i++)
        add_line(t, &sample[i]);
    agg_result *r = agg_table_finish(t, map_reg_only, NULL);
    CHECK_EQ_INT(r->n_instances, 1);
    CHECK_EQ_STR(r->instances[0].name, "cri-1");
    CHECK_EQ_INT(r->n_unmatched, 1);
    CHECK_EQ_STR(r->unmatched[0].host, "other.example.com");
    CHECK_EQ_INT(r->unmatched[0].requests, 6);
    CHECK_EQ_INT(r->unmatched_requests, 6);
    agg_result_free(r);
    agg_table_free(t);
}

static const char *map_two_hosts(void *ctx, const char *host)
{
    (void)ctx;
    return strcmp(host, "a.example") == 0 || strcmp(host, "b.example") == 0 ? "inst" : NULL;
}

/* The minutes of an instance read from the table's blocks: two hosts of one instance summed per
 * minute, blocks shared and not, minutes in order and in batches; against counts made here. */
static void test_minutes_of_hosts(void)
{
    static const int at[] = { 0, 3, 7, 8, 9, 15, 16, 20, 31, 32, 100, 101, 1000, 1007 };
    enum { N_AT = sizeof at / sizeof at[0], SPAN = 1008 };
    static uint32_t valid[SPAN], failed[SPAN];
    const agg_status_table st = agg_test_statuses();
    agg_table *t = agg_table_create(&st);
    const int64_t base = 28401120; /* 2024-01-01T00:00Z in minutes */
    for (int k = 0; k < N_AT; k++)
        for (int h = 0; h < 2; h++) {
            if ((at[k] + h) % 3 == 0) /* some minutes have one host, some both */
                continue;
            char when[40];
            rsla_time_format(when, (base + at[k]) * 60 * 1000000000LL, 0, true);
            const line l = { when, h ? "b.example:443" : "a.example", "GET", "/v2/r/blobs/x",
                             k % 2 ? 503 : 200, NULL };
            add_line(t, &l);
            valid[at[k]]++;
            failed[at[k]] += k % 2;
        }
    agg_result *r = agg_table_finish(t, map_two_hosts, NULL);
    CHECK_EQ_INT(r->n_instances, 1);
    agg_minute m[AGG_MINUTES_BATCH];
    size_t pos = 0, n, seen = 0;
    int64_t last = -1;
    while ((n = agg_minutes_next(&r->instances[0], &pos, m)) > 0) {
        CHECK(n <= AGG_MINUTES_BATCH);
        for (size_t i = 0; i < n; i++, seen++) {
            const int64_t off = m[i].minute - base;
            CHECK(off > last && off < SPAN);
            last = off;
            CHECK_EQ_INT(m[i].valid[CLASSIFY_PULL], valid[off]);
            CHECK_EQ_INT(m[i].failed[CLASSIFY_PULL], failed[off]);
        }
    }
    size_t want = 0;
    for (int k = 0; k < SPAN; k++)
        want += valid[k] > 0;
    CHECK_EQ_INT(seen, want);
    CHECK_EQ_INT(r->instances[0].n_minutes, want);
    agg_result_free(r);
    agg_table_free(t);

    /* An instance built by hand keeps its minutes in an array, read in batches all the same. */
    enum { N_HAND = 2 * AGG_MINUTES_BATCH + 3 };
    agg_minute arr[N_HAND] = { 0 };
    for (int i = 0; i < N_HAND; i++)
        arr[i].minute = i;
    const agg_instance hand = { .name = "hand", .minutes = arr, .n_minutes = N_HAND };
    pos = 0;
    CHECK_EQ_INT(agg_minutes_next(&hand, &pos, m), AGG_MINUTES_BATCH);
    CHECK_EQ_INT(agg_minutes_next(&hand, &pos, m), AGG_MINUTES_BATCH);
    CHECK_EQ_INT(agg_minutes_next(&hand, &pos, m), N_HAND - 2 * AGG_MINUTES_BATCH);
    CHECK_EQ_INT(m[0].minute, 2 * AGG_MINUTES_BATCH);
    CHECK_EQ_INT(agg_minutes_next(&hand, &pos, m), 0);
}

static void test_normalise(void)
{
    char out[64];
    const char *cases[][2] = {
        { "Reg.Example.COM:5000", "reg.example.com" }, { "localhost:5000", "localhost" },
        { "[fc00::4]:58860", "[fc00::4]" }, { "fc00::4", "fc00::4" }, { "host:", "host" },
        { "host:abc", "host:abc" }, { "core:8080", "core" }, { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        agg_normalise_host(cases[i][0], strlen(cases[i][0]), out);
        CHECK_EQ_STR(out, cases[i][1]);
    }
}

/* Counters start at 8 bits: a minute with more than 65535 requests, reached directly or through a
 * merge, must still count exactly. */
static void test_busy_minute(void)
{
    const agg_status_table st = agg_test_statuses();
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
    const line ok = { "2024-02-01T00:00:01Z", "busy", "GET", "/v2/a/manifests/1", 200, NULL };
    const line bad = { "2024-02-01T00:00:02Z", "busy", "GET", "/v2/a/manifests/1", 503, NULL };
    for (int i = 0; i < 70000; i++)
        add_line(a, &ok);
    for (int i = 0; i < 40000; i++) {
        add_line(b, &bad);
        add_line(b, &ok);
    }
    /* A wide block that only b has, the next one: the merge takes it over, counters and all. */
    char next_block[40];
    rsla_time_format(next_block, (28445760LL + AGG_BLOCK_MINUTES) * 60 * 1000000000LL, 0, true);
    const line later = { next_block, "busy", "GET", "/v2/a/manifests/1", 200, NULL };
    for (int i = 0; i < 66000; i++)
        add_line(b, &later);
    agg_table_merge(a, b);
    agg_result *r = agg_table_finish(a, NULL, NULL);
    CHECK_EQ_INT(r->n_instances, 1);
    CHECK_EQ_INT(r->instances[0].n_minutes, 2);
    agg_minute m[AGG_MINUTES_BATCH];
    size_t pos = 0;
    CHECK_EQ_INT(agg_minutes_next(&r->instances[0], &pos, m), 1);
    CHECK_EQ_INT(m[0].valid[CLASSIFY_PULL], 150000);
    CHECK_EQ_INT(m[0].failed[CLASSIFY_PULL], 40000);
    CHECK_EQ_INT(agg_minutes_next(&r->instances[0], &pos, m), 1);
    CHECK_EQ_INT(m[0].valid[CLASSIFY_PULL], 66000);
    CHECK_EQ_INT(m[0].failed[CLASSIFY_PULL], 0);
    CHECK_EQ_INT(agg_minutes_next(&r->instances[0], &pos, m), 0);
    CHECK_EQ_INT(r->instances[0].by_class[CLASSIFY_PULL], 216000);
    agg_result_free(r);
    agg_table_free(a);
    agg_table_free(b);
}

/* Wide counters through two merges: a wide block of c becomes b's loose block, which becomes a's;
 * b's own block of the same minute goes wide after its merge; a adds to the minute afterwards. */
static void test_wide_adopted_twice(void)
{
    const agg_status_table st = agg_test_statuses();
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st), *c = agg_table_create(&st);
    const line ok = { "2024-02-01T00:00:01Z", "h", "GET", "/v2/r/manifests/t", 200, NULL };
    const line bad = { "2024-02-01T00:00:01Z", "h", "GET", "/v2/r/manifests/t", 503, NULL };
    for (int i = 0; i < 66000; i++)
        add_line(b, i % 3 ? &ok : &bad);
    for (int i = 0; i < 70000; i++)
        add_line(c, &ok);
    for (int i = 0; i < 10; i++)
        add_line(a, &ok);
    agg_table_merge(b, c);
    for (int i = 0; i < 65600; i++)
        add_line(b, &ok);
    agg_table_merge(a, b);
    for (int i = 0; i < 5; i++)
        add_line(a, &ok);
    agg_result *r = agg_table_finish(a, NULL, NULL);
    agg_minute m[AGG_MINUTES_BATCH];
    size_t pos = 0;
    CHECK_EQ_INT(agg_minutes_next(&r->instances[0], &pos, m), 1);
    CHECK_EQ_INT(m[0].valid[CLASSIFY_PULL], 66000 + 70000 + 10 + 65600 + 5);
    CHECK_EQ_INT(m[0].failed[CLASSIFY_PULL], 22000);
    agg_result_free(r);
    agg_table_free(a);
    agg_table_free(b);
    agg_table_free(c);
}

/* Minute 0 of a block gets requests [from, to) of a busy minute; with `failing`, every seventh
 * one failed (its failed counters are 8 bits beside the block until the valid ones pass 255). */
static void add_busy(agg_table *t, uint32_t from, uint32_t to, bool failing)
{
    const line ok = { "2024-02-01T00:00:30Z", "busy", "GET", "/v2/r/manifests/t", 200, NULL };
    const line bad = { "2024-02-01T00:00:31Z", "busy", "GET", "/v2/r/manifests/t", 503, NULL };
    for (uint32_t i = from; i < to; i++)
        add_line(t, failing && i % 7 == 0 ? &bad : &ok);
}

/* Minute 63, the block's last: two pushes (one failed, with `failing`) and a request of neither
 * class. */
static void add_neighbours(agg_table *t, bool failing)
{
    const line push = { "2024-02-01T01:03:00Z", "busy", "PUT", "/v2/r/manifests/t", 201, NULL };
    const line failed = { "2024-02-01T01:03:01Z", "busy", "PUT", "/v2/r/manifests/t", 500, NULL };
    const line other = { "2024-02-01T01:03:59Z", "busy", "GET", "/v2/", 200, NULL };
    add_line(t, &push);
    add_line(t, failing ? &failed : &push);
    add_line(t, &other);
}

static void check_busy_block(agg_table *t, uint32_t n, bool failing)
{
    agg_result *r = agg_table_finish(t, NULL, NULL);
    CHECK_EQ_INT(r->n_instances, 1);
    CHECK_EQ_INT(r->instances[0].n_minutes, 2);
    agg_minute m[AGG_MINUTES_BATCH];
    size_t pos = 0;
    CHECK_EQ_INT(agg_minutes_next(&r->instances[0], &pos, m), 2);
    CHECK_EQ_INT(m[1].minute - m[0].minute, AGG_BLOCK_MINUTES - 1);
    CHECK_EQ_INT(m[0].valid[CLASSIFY_PULL], n);
    CHECK_EQ_INT(m[0].failed[CLASSIFY_PULL], failing ? (n + 6) / 7 : 0);
    CHECK_EQ_INT(m[0].valid[CLASSIFY_PUSH] + m[0].failed[CLASSIFY_PUSH] + m[0].other, 0);
    CHECK_EQ_INT(m[1].valid[CLASSIFY_PUSH], 2);
    CHECK_EQ_INT(m[1].failed[CLASSIFY_PUSH], failing);
    CHECK_EQ_INT(m[1].other, 1);
    CHECK_EQ_INT(m[1].valid[CLASSIFY_PULL] + m[1].failed[CLASSIFY_PULL], 0);
    agg_result_free(r);
}

/* Counters start at 8 bits and move to 16 past 255, to 32 past 65535, from a block with failed
 * counters beside it or without. At each edge, reached in one table, across a merge, or in the
 * merged table after it, the busy minute counts exactly and the other minutes and slots of its
 * block keep their counts through each move. */
static void test_counter_widths(void)
{
    static const uint32_t edges[] = { 255, 256, 257, 65535, 65536, 65537, 70000 };
    const agg_status_table st = agg_test_statuses();
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
        for (int way = 0; way < 6; way++) {
            const bool f = way >= 3;
            const uint32_t n = edges[e], half = n / 2 + (uint32_t)(way % 3);
            agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
            if (way % 3 == 0) {
                add_neighbours(a, f);
                add_busy(a, 0, n, f);
            } else if (way % 3 == 1) { /* both tables' blocks widen, or one's does */
                add_busy(a, 0, half, f);
                add_neighbours(b, f);
                add_busy(b, half, n, f);
                agg_table_merge(a, b);
            } else { /* b's block is adopted as it is; a makes a block of its own after */
                add_neighbours(b, f);
                add_busy(b, 0, half, f);
                agg_table_merge(a, b);
                add_busy(a, half, n, f);
            }
            check_busy_block(a, n, f);
            agg_table_free(a);
            agg_table_free(b);
        }
}

/* MARK: - Sink */

/* Lines over two days of 7 hosts, in time order as a log is, a busy minute among them: lines[i]
 * goes to table i / run % parts, runs of `run` lines as a chunk is, so tables interleave in the
 * blocks; with a sink that takes blocks `flush` at a time (0: no sink). The busy minute gets
 * 66 runs of 150 requests and 54 of 1200 among them (74,700 in all, the narrow ones first, none
 * failed), so narrow blocks summed in the sink pass 255, blocks widen in the scanning tables
 * before they move, and the sink's pass 65535. A third of the 7 hosts' lines fail (500, 503), so
 * most of their blocks move and are summed with 8-bit failed counters beside them. */
static char *dump_with_sink(size_t parts, size_t run, size_t flush, unsigned threads)
{
    const agg_status_table st = agg_test_statuses();
    char env[32];
    snprintf(env, sizeof env, "%zu", flush);
    setenv("RSLA_AGG_SINK_BLOCKS", env, 1);
    agg_sink *sink = flush ? agg_sink_create(&st, (unsigned)parts) : NULL;
    agg_table *t[4];
    for (size_t k = 0; k < parts; k++) {
        t[k] = agg_table_create(&st);
        agg_table_set_sink(t[k], sink);
    }
    srand(5);
    static const int statuses[] = { 200, 201, 404, 429, 500, 503 };
    uint32_t busy = 0;
    for (size_t i = 0; i < 12000; i++) {
        char host[16], when[32];
        snprintf(host, sizeof host, "h%d.example", rand() % 7);
        const int64_t second = (int64_t)i * 2 * 86400 / 12000;
        snprintf(when, sizeof when, "2024-02-%02dT%02d:%02d:%02dZ", 1 + (int)(second / 86400),
                 (int)(second / 3600 % 24), (int)(second / 60 % 60), (int)(second % 60));
        const line l = { when, host, rand() % 3 ? "GET" : "PUT", "/v2/r/manifests/t",
                         statuses[rand() % 6], NULL };
        add_line(t[i / run % parts], &l);
        if (i % 100 == 0) { /* a chunk of another file: the busy minute, 150 or 1200 more */
            const uint32_t more = i < 1200 || i % 200 ? 150 : 1200;
            add_busy(t[i / run % parts], busy, busy + more, false);
            busy += more;
        }
    }
    agg_table *all[5];
    for (size_t k = 0; k < parts; k++)
        all[k] = t[k];
    const size_t n = parts + (sink != NULL);
    if (sink)
        all[parts] = agg_sink_release(sink);
    agg_result *r = agg_tables_finish(all, n, threads, NULL, NULL);
    char *d = dump(r);
    agg_result_free(r);
    for (size_t k = 0; k < n; k++)
        agg_table_free(all[k]);
    unsetenv("RSLA_AGG_SINK_BLOCKS");
    return d;
}

/* Whenever the scanning tables move their blocks to the sink (every block, every few, never), in
 * whatever runs the lines are dealt, the result is the one of a single table without a sink. */
static void test_sink_identical(void)
{
    char *whole = dump_with_sink(1, 1, 0, 1);
    CHECK(strstr(whole, "h6.example") != NULL);
    static const size_t flushes[] = { 1, 7, 100000 };
    for (size_t f = 0; f < sizeof flushes / sizeof flushes[0]; f++)
        for (size_t parts = 1; parts <= 3; parts += 2)
            for (size_t run = 1; run <= 700; run *= 26) {
                char *d = dump_with_sink(parts, run, flushes[f], (unsigned)(run % 3 + 1));
                CHECK_EQ_STR(d, whole);
                free(d);
            }
    free(whole);
}

/* A request of host h in minute m (from 00:00), with status and id. */
static void add_at(agg_table *t, int m, int status, const char *id)
{
    char when[32];
    snprintf(when, sizeof when, "2024-02-01T%02d:%02d:00Z", m / 60, m % 60);
    const line l = { when, "h.example", "GET", "/v2/a/manifests/t", status, id };
    add_line(t, &l);
}

/* A table that takes in another is no longer a scanning table: the merged blocks live in its
 * arena, so it must not move blocks to its sink afterwards (a move frees the arena). And
 * agg_table_finish() counts resolved requests in the table itself, never in a sink, which may be
 * gone by then. Both ran into freed memory before (ASan). */
static void test_sink_ends(void)
{
    const agg_status_table st = agg_test_statuses();
    setenv("RSLA_AGG_SINK_BLOCKS", "2", 1);
    agg_table *ref = agg_table_create(&st);
    agg_sink *sink = agg_sink_create(&st, 1);
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
    agg_table_set_sink(a, sink);
    enum { B = AGG_BLOCK_MINUTES };
    for (int m = 0; m < 8 * B; m += B) {
        add_at(b, m, 200, NULL);
        add_at(ref, m, 200, NULL);
    }
    add_at(a, 0, 200, NULL);
    add_at(ref, 0, 200, NULL);
    agg_table_merge(a, b);
    for (int m = 10 * B; m < 17 * B; m += B) {
        add_at(a, m, 503, NULL);
        add_at(ref, m, 503, NULL);
    }
    agg_table *all[3] = { a, b, agg_sink_release(sink) };
    agg_result *r = agg_tables_finish(all, 3, 1, NULL, NULL);
    agg_result *want = agg_table_finish(ref, NULL, NULL);
    char *got = dump(r), *expected = dump(want);
    CHECK_EQ_STR(got, expected);
    free(got);
    free(expected);
    agg_result_free(r);
    agg_result_free(want);
    for (int i = 0; i < 3; i++)
        agg_table_free(all[i]);
    agg_table_free(ref);

    sink = agg_sink_create(&st, 1);
    a = agg_table_create(&st);
    agg_table_set_sink(a, sink);
    add_at(a, 0, 200, NULL);
    add_at(a, B, 200, NULL);           /* two blocks: the next one would move them */
    add_at(a, 3 * B, 500, "err1");     /* waits for the finish, then makes a block of its own */
    agg_table *sink_table = agg_sink_release(sink);
    r = agg_table_finish(a, NULL, NULL);
    CHECK_EQ_INT(r->n_instances, 1);
    CHECK_EQ_INT(r->instances[0].n_minutes, 3);
    CHECK_EQ_INT(r->instances[0].n_failures, 1);
    agg_result_free(r);
    agg_table_free(a);
    agg_table_free(sink_table);
    unsetenv("RSLA_AGG_SINK_BLOCKS");
}

/* MARK: - Spill of pending requests */

/* A synthetic stream of outcomes heavy in error lines: request ids repeat within a host (one
 * request logged several times, with different times, statuses and routes), the same id appears
 * on several hosts (different requests), raw hosts differ in case and port, times tie. */
typedef struct gen_line {
    int64_t time_ns;
    char host[32], path[48], id[16];
    const char *method;
    int status;
} gen_line;

static void gen_lines(gen_line *out, size_t n, unsigned seed)
{
    static const char *const hosts[] = { "a.example.com", "A.example.com:443", "b.example.com",
                                         "c.example.com:5000", "d.example.com" };
    static const int statuses[] = { 200, 400, 404, 429, 500, 502, 503, 0 };
    static const char *const methods[] = { "GET", "HEAD", "PUT", "PATCH" };
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        gen_line *l = &out[i];
        l->time_ns = INT64_C(1706745600) * RSLA_NS_PER_SEC +
                     (int64_t)(rand() % 600) * (RSLA_NS_PER_SEC / 4); /* 150 s, ties */
        snprintf(l->host, sizeof l->host, "%s", hosts[rand() % 5]);
        const int r = rand() % 100; /* more strings than pending_count()'s 64-entry cache */
        l->method = methods[rand() % 4];
        if (rand() % 2)
            snprintf(l->path, sizeof l->path, "/v2/repo%d/manifests/t", r);
        else
            snprintf(l->path, sizeof l->path, "/v2/repo%d/blobs/uploads/u", r);
        l->status = statuses[rand() % 8];
        if (rand() % 10)
            snprintf(l->id, sizeof l->id, "req-%d", rand() % (int)(n / 3 + 1));
        else
            l->id[0] = '\0';
    }
}

static void add_gen(agg_table *t, const gen_line *l)
{
    rsla_outcome o;
    memset(&o, 0, sizeof o);
    o.time_ns = l->time_ns;
    o.host = rsla_slice_of(l->host);
    o.method = rsla_slice_of(l->method);
    o.path = rsla_slice_of(l->path);
    o.status = l->status;
    o.duration_ns = -1;
    o.request_id = rsla_slice_of(l->id);
    agg_table_add(t, &o);
}

/* The lines dealt to `parts` tables (line i to table perm[i] % parts) with the given pending
 * budget, merged in the order the tables were made or the reverse, then finished; or, with
 * threads > 0, handed in that order to agg_tables_finish() with that many threads. With
 * premerge, each table has first taken in a table of its own, so that it carries loose blocks
 * and another table's spill files into the finish. */
static char *dump_of_spill(const gen_line *lines, size_t n, const size_t *perm, size_t parts,
                           size_t budget, bool reverse, unsigned threads, bool premerge)
{
    const agg_status_table st = agg_test_statuses();
    agg_table *t[8], *extra[8];
    for (size_t k = 0; k < parts; k++) {
        t[k] = agg_table_create(&st);
        extra[k] = agg_table_create(&st);
        agg_table_set_pending_budget(t[k], budget);
        agg_table_set_pending_budget(extra[k], budget);
    }
    for (size_t i = 0; i < n; i++)
        add_gen(premerge && perm[i] / parts % 2 ? extra[perm[i] % parts] : t[perm[i] % parts],
                &lines[i]);
    for (size_t k = 0; k < parts; k++) {
        agg_table_merge(t[k], extra[k]);
        agg_table_free(extra[k]);
    }
    agg_table *order[8];
    for (size_t k = 0; k < parts; k++)
        order[k] = t[reverse ? parts - 1 - k : k];
    agg_result *r;
    if (threads > 0) {
        r = agg_tables_finish(order, parts, threads, NULL, NULL);
        CHECK(agg_table_error(order[0]) == NULL);
    } else {
        for (size_t k = 1; k < parts; k++)
            agg_table_merge(order[0], order[k]);
        CHECK(agg_table_error(order[0]) == NULL);
        r = agg_table_finish(order[0], NULL, NULL);
    }
    char *d = r ? dump(r) : NULL;
    agg_result_free(r);
    for (size_t k = 0; k < parts; k++)
        agg_table_free(t[k]);
    return d;
}

/* Whatever the budget (0: every line spilled as its own run; small: several runs per table and
 * partitions read back in slices; large: no spill), the split and the merge order, the result is
 * the one of a single table that never spilled. */
static void test_spill_identical(void)
{
    enum { N = 3000 };
    gen_line *lines = malloc(N * sizeof *lines);
    size_t *perm = malloc(N * sizeof *perm);
    gen_lines(lines, N, 11);
    for (size_t i = 0; i < N; i++)
        perm[i] = (size_t)rand();
    char *whole = dump_of_spill(lines, N, perm, 1, SIZE_MAX, false, 0, false);
    CHECK(whole && strstr(whole, " d") && !strstr(whole, " d0\n")); /* duplicates were merged */
    static const size_t budgets[] = { 0, 1, 700, 9000, 60000, SIZE_MAX };
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++)
        for (size_t parts = 1; parts <= 4; parts += 3)
            for (int rev = 0; rev < 2; rev++)
                for (unsigned threads = 0; threads <= 3; threads++)
                    for (int pre = 0; pre < 2; pre++) {
                        char *d = dump_of_spill(lines, N, perm, parts, budgets[b], rev, threads,
                                                pre);
                        CHECK_EQ_STR(d, whole);
                        free(d);
                    }
    free(whole);
    free(perm);
    free(lines);
}

/* merge(a, b) == merge(b, a) when one side spilled and the other did not, and a table that
 * spilled can be merged into one that did not (it takes over the files). */
static void test_spill_merge_sides(void)
{
    enum { N = 800 };
    gen_line *lines = malloc(N * sizeof *lines);
    gen_lines(lines, N, 5);
    const agg_status_table st = agg_test_statuses();
    char *d[2];
    for (int side = 0; side < 2; side++) {
        agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
        agg_table_set_pending_budget(a, 0);
        for (size_t i = 0; i < N; i++)
            add_gen(i % 3 ? a : b, &lines[i]);
        agg_table *dst = side ? a : b;
        agg_table_merge(dst, side ? b : a);
        agg_result *r = agg_table_finish(dst, NULL, NULL);
        d[side] = dump(r);
        agg_result_free(r);
        agg_table_free(a);
        agg_table_free(b);
    }
    CHECK_EQ_STR(d[0], d[1]);
    free(d[0]);
    free(d[1]);
    free(lines);
}

/* A spill that cannot be written is a failure of the table, named with its folder and reason,
 * carried by merges: no result, never a silently smaller count. */
static void test_spill_failure(void)
{
    const agg_status_table st = agg_test_statuses();
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", "/nonexistent-regsla-test-dir", 1);
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
    agg_table_set_pending_budget(a, 0);
    add_line(b, &sample[1]);
    CHECK(agg_table_error(a) == NULL);
    add_line(a, &sample[1]);
    const char *e = agg_table_error(a);
    CHECK(e && strstr(e, "/nonexistent-regsla-test-dir") && strstr(e, "No such file"));
    add_line(a, &sample[3]); /* a failed table takes lines without growing or crashing */
    agg_table_merge(b, a);
    CHECK(agg_table_error(a) == NULL);
    CHECK(agg_table_error(b) && strstr(agg_table_error(b), "/nonexistent-regsla-test-dir"));
    CHECK(agg_table_finish(b, NULL, NULL) == NULL);
    agg_table_free(a);
    agg_table_free(b);
    /* The same through agg_tables_finish(): the failure ends on the first table. */
    agg_table *pair[2] = { agg_table_create(&st), agg_table_create(&st) };
    agg_table_set_pending_budget(pair[1], 0);
    add_line(pair[0], &sample[3]);
    add_line(pair[1], &sample[1]);
    CHECK(agg_tables_finish(pair, 2, 2, NULL, NULL) == NULL);
    CHECK(agg_table_error(pair[0]) && strstr(agg_table_error(pair[0]), "/nonexistent-regsla-test-dir"));
    agg_table_free(pair[0]);
    agg_table_free(pair[1]);
    /* ... also when the failed table has the most blocks and is swapped to the front. */
    pair[0] = agg_table_create(&st);
    pair[1] = agg_table_create(&st);
    agg_table_set_pending_budget(pair[1], 0);
    add_line(pair[0], &sample[3]);
    for (size_t i = 0; i < N_SAMPLE; i++)
        add_line(pair[1], &sample[i]);
    agg_table *const failed = pair[1];
    CHECK(agg_tables_finish(pair, 2, 2, NULL, NULL) == NULL);
    CHECK(pair[0] == failed);
    CHECK(agg_table_error(pair[0]) && strstr(agg_table_error(pair[0]), "/nonexistent-regsla-test-dir"));
    agg_table_free(pair[0]);
    agg_table_free(pair[1]);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

/* A spill file that cannot grow (a full disk, here a file size limit: writes fail with EFBIG) is a
 * failure too, found by the spill that hits it. */
static void test_spill_disk_full(void)
{
    struct rlimit old;
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    struct rlimit small = old;
    small.rlim_cur = 64 * 1024;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    enum { N = 4000 };
    gen_line *lines = malloc(N * sizeof *lines);
    gen_lines(lines, N, 3);
    const agg_status_table st = agg_test_statuses();
    agg_table *t = agg_table_create(&st);
    agg_table_set_pending_budget(t, 1000);
    for (size_t i = 0; i < N; i++) {
        lines[i].status = 503;
        snprintf(lines[i].id, sizeof lines[i].id, "u%zu", i);
        add_gen(t, &lines[i]);
    }
    const char *e = agg_table_error(t);
    CHECK(e && strstr(e, "cannot write a temporary file in") && strstr(e, "File too large"));
    CHECK(agg_table_finish(t, NULL, NULL) == NULL);
    agg_table_free(t);
    free(lines);
    CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
    signal(SIGXFSZ, old_handler);
}

/* `parts` tables whose every error line went to their spill files, which damage() then spoils;
 * finished alone, or with agg_tables_finish() on `threads` threads. @return the error. */
static char *finish_damaged(void (*damage)(FILE *f, uint64_t size), size_t parts, unsigned threads)
{
    enum { N = 400 };
    gen_line *lines = malloc(N * sizeof *lines);
    gen_lines(lines, N, 3);
    const agg_status_table st = agg_test_statuses();
    agg_table *t[4];
    for (size_t k = 0; k < parts; k++) {
        t[k] = agg_table_create(&st);
        agg_table_set_pending_budget(t[k], 0);
    }
    for (size_t i = 0; i < N; i++)
        add_gen(t[i % parts], &lines[i]);
    for (size_t k = 0; k < parts; k++) {
        CHECK(t[k]->spill && t[k]->spill->files.n == 1);
        FILE *f = t[k]->spill->files.v[0];
        fflush(f);
        fseeko(f, 0, SEEK_END);
        damage(f, (uint64_t)ftello(f));
    }
    agg_result *r = parts == 1 ? agg_table_finish(t[0], NULL, NULL)
                               : agg_tables_finish(t, parts, threads, NULL, NULL);
    CHECK(r == NULL);
    agg_result_free(r);
    char *e = agg_table_error(t[0]) ? strdup(agg_table_error(t[0])) : NULL;
    for (size_t k = 0; k < parts; k++)
        agg_table_free(t[k]);
    free(lines);
    return e;
}

static void cut_in_half(FILE *f, uint64_t size) { CHECK(ftruncate(fileno(f), (off_t)(size / 2)) == 0); }

/* The first record's header overwritten with 0xff: its string lengths no longer fit its
 * segment. */
static void spoil_first_record(FILE *f, uint64_t size)
{
    unsigned char ff[48];
    memset(ff, 0xff, sizeof ff);
    CHECK(size > sizeof ff && pwrite(fileno(f), ff, sizeof ff, 0) == (ssize_t)sizeof ff);
}

/* A spill file that comes back shorter, or other than written, is a failure named with its
 * folder, never a count made from what is left. */
static void test_spill_damaged(void)
{
    char *e = finish_damaged(cut_in_half, 1, 1);
    CHECK(e && strstr(e, "cannot read back a temporary file"));
    free(e);
    e = finish_damaged(spoil_first_record, 1, 1);
    CHECK(e && strstr(e, "does not hold what was written"));
    free(e);
    /* Partitions shared by resolving threads: the one that meets the damage stops, the others
     * finish theirs, and the failure ends on tables[0], no result. */
    for (unsigned threads = 1; threads <= 4; threads += 3) {
        e = finish_damaged(cut_in_half, 3, threads);
        CHECK(e && strstr(e, "cannot read back a temporary file"));
        free(e);
        e = finish_damaged(spoil_first_record, 3, threads);
        CHECK(e && strstr(e, "does not hold what was written"));
        free(e);
    }
}

int main(void)
{
    test_counts();
    test_busy_minute();
    test_wide_adopted_twice();
    test_counter_widths();
    test_sink_identical();
    test_sink_ends();
    test_merge_laws();
    test_merge_tree();
    test_mapping();
    test_minutes_of_hosts();
    test_normalise();
    test_spill_identical();
    test_spill_merge_sides();
    test_spill_failure();
    test_spill_disk_full();
    test_spill_damaged();
    TEST_MAIN_END();
}
