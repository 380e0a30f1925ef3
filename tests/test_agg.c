/* analyzer/agg: counting, duplicate error lines, host normalisation, and the merge laws
 * (merge(a, b) == merge(b, a); merge of parts == whole) that the parallel pipeline stands on. */
#include <stdlib.h>

#include "analyzer/agg.h"
#include "common/rsla_time.h"
#include "rsla_test.h"

typedef struct line {
    const char *time, *host, *method, *path;
    int status;
    const char *id;
} line;

static agg_status_table default_statuses(void)
{
    agg_status_table s;
    memset(&s, 0, sizeof s);
    for (int i = 500; i < 600; i++)
        s.verdict[i] = AGG_FAILED;
    s.verdict[0] = AGG_FAILED;
    s.verdict[429] = AGG_EXCLUDED;
    return s;
}

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
    const agg_status_table st = default_statuses();
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

static const char *map_reg_only(void *ctx, const char *host)
{
    (void)ctx;
    return strcmp(host, "reg.example.com") == 0 ? "cri-1" : NULL;
}

static void test_mapping(void)
{
    const agg_status_table st = default_statuses();
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

/* Counters start at 16 bits: a minute with more than 65535 requests, reached directly or through a
 * merge, must still count exactly. */
static void test_busy_minute(void)
{
    const agg_status_table st = default_statuses();
    agg_table *a = agg_table_create(&st), *b = agg_table_create(&st);
    const line ok = { "2024-02-01T00:00:01Z", "busy", "GET", "/v2/a/manifests/1", 200, NULL };
    const line bad = { "2024-02-01T00:00:02Z", "busy", "GET", "/v2/a/manifests/1", 503, NULL };
    for (int i = 0; i < 70000; i++)
        add_line(a, &ok);
    for (int i = 0; i < 40000; i++) {
        add_line(b, &bad);
        add_line(b, &ok);
    }
    agg_table_merge(a, b);
    agg_result *r = agg_table_finish(a, NULL, NULL);
    CHECK_EQ_INT(r->n_instances, 1);
    CHECK_EQ_INT(r->instances[0].n_minutes, 1);
    CHECK_EQ_INT(r->instances[0].minutes[0].valid[CLASSIFY_PULL], 150000);
    CHECK_EQ_INT(r->instances[0].minutes[0].failed[CLASSIFY_PULL], 40000);
    CHECK_EQ_INT(r->instances[0].by_class[CLASSIFY_PULL], 150000);
    agg_result_free(r);
    agg_table_free(a);
    agg_table_free(b);
}

int main(void)
{
    test_counts();
    test_busy_minute();
    test_merge_laws();
    test_mapping();
    test_normalise();
    TEST_MAIN_END();
}
