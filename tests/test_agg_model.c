/* analyzer/agg against a naive model. Random outcomes (fixed seeds) of a few hosts, over minutes
 * at and around the edges of counter blocks, with bursts that widen counters past 8 and 16 bits
 * and error lines that share request ids, go into one table, into tables merged with
 * agg_table_merge(), and into scanning tables that move their blocks to a sink, finished on 1 to
 * 3 threads, with and without spilled pending requests. Every instance's minutes and totals must
 * equal a plain count of the same outcomes by SLA-SPEC sections 1 to 4.
 *
 * test_agg.c pins each mechanism with a case written for it; this crosses them in combinations
 * nobody wrote down: a block with failed counters that then widens, narrow blocks whose sum
 * passes 255 in the sink, failed counters carried by a merge, a request whose lines are in
 * different tables and spill files. */
#include <stdint.h> /* int64_t, uint64_t, SIZE_MAX */
#include <stdlib.h> /* setenv, unsetenv */

#include "analyzer/agg.h"
#include "analyzer/agg_internal.h" /* AGG_BLOCK_MINUTES */
#include "common/rsla_time.h"      /* RSLA_NS_PER_MIN */
#include "agg_test.h"
#include "rsla_test.h"

/* MARK: - Outcomes */

/* 2024-02-01T00:00Z in minutes: offsets from it are offsets in a block. */
#define BASE_MINUTE INT64_C(28445760)
_Static_assert(BASE_MINUTE % AGG_BLOCK_MINUTES == 0, "the base starts a block");

enum {
    SPAN = 5 * AGG_BLOCK_MINUTES, /* minutes [BASE_MINUTE, BASE_MINUTE + SPAN) have requests */
    N_ROUNDS = 6,
    N_PLAIN = 300,  /* lines without a shared request id, per round */
    N_GROUPS = 40,  /* requests logged on 1 to 3 error lines with one id, per round */
    N_BURSTS = 3,   /* minutes of one host that pass 255 requests, per round */
    MAX_RECS = 1000,
    MAX_TABLES = 4, /* scanning tables and the sink's */
};

/* Raw hosts as logged and the normalised host (instance) each one is. The last host never fails,
 * so that its blocks stay narrow without failed counters: only such blocks take the sink's
 * 8-bit fast sum. */
enum { N_RAW = 6, N_HOSTS = 4, QUIET = 3 };
static const char *const raw_hosts[N_RAW] = { "h1", "H1:443", "h2.example", "H2.Example:5000",
                                              "h3", "quiet.example" };
static const int host_of_raw[N_RAW] = { 0, 0, 1, 1, 2, QUIET };
static const char *const host_names[N_HOSTS] = { "h1", "h2.example", "h3", "quiet.example" };

typedef struct route {
    const char *method, *path;
    classify_class cls; /* what SLA-SPEC section 3 makes of it; checked first */
} route;

static const route routes[] = {
    { "PUT", "/v2/r/manifests/t", CLASSIFY_PUSH },
    { "PATCH", "/v2/r/blobs/uploads/u1", CLASSIFY_PUSH },
    { "GET", "/v2/r/manifests/t", CLASSIFY_PULL },
    { "GET", "/v2/r/blobs/sha256:aa", CLASSIFY_PULL },
    { "GET", "/v2/", CLASSIFY_OTHER },
    { "GET", "/healthz", CLASSIFY_NOT_REGISTRY },
};
enum { N_ROUTES = sizeof routes / sizeof routes[0] };

/* One line, or `count` identical lines (a burst), of the generated input. */
typedef struct rec {
    int64_t time_ns;
    uint32_t count;
    uint32_t id; /* request id "req-<id>", 0: none */
    int16_t status;
    uint8_t raw, route;
} rec;

typedef struct input {
    rec v[MAX_RECS];
    size_t n;
} input;

/* xorshift64: its own generator, so the input is the same on every libc. */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 32) % n);
}

/* A minute offset: half of them at the edges of blocks, where a request moves to another block. */
static int pick_minute(void)
{
    static const int edges[] = { 0, 1, 62, 63, 64, 127, 128 };
    _Static_assert(AGG_BLOCK_MINUTES == 64, "the edges are those of 64-minute blocks");
    return rnd(2) ? edges[rnd((uint32_t)(sizeof edges / sizeof edges[0]))] : (int)rnd(SPAN);
}

/* A time in minute offset m, to the millisecond. */
static int64_t time_in(int m)
{
    return (BASE_MINUTE + m) * RSLA_NS_PER_MIN + (int64_t)rnd(60000) * 1000000;
}

/* A status for a line of host h: good, failed (never for the quiet host) or excluded. */
static int16_t pick_status(int h)
{
    static const int16_t good[] = { 200, 201, 404 }, failing[] = { 500, 503, 0 };
    const uint32_t r = rnd(10);
    if (r == 9)
        return 429;
    if (r < 6 || h == QUIET)
        return good[rnd(3)];
    return failing[rnd(3)];
}

/* A status of 400 or more, which makes a line with an id wait for the other lines of its
 * request. */
static int16_t pick_error_status(int h)
{
    static const int16_t errors[] = { 404, 429, 500, 503 };
    return errors[rnd(h == QUIET ? 2 : 4)];
}

/* A raw host of normalised host h: lines of one request may be logged under either spelling. */
static uint8_t raw_of_host(int h)
{
    uint8_t raws[N_RAW], n = 0;
    for (uint8_t r = 0; r < N_RAW; r++)
        if (host_of_raw[r] == h)
            raws[n++] = r;
    return raws[rnd(n)];
}

static void push_rec(input *in, rec r)
{
    CHECK(in->n < MAX_RECS);
    if (in->n < MAX_RECS)
        in->v[in->n++] = r;
}

/* Lines without a shared id. Some good ones carry an id (never deduplicated: SLA-SPEC section 1
 * only merges lines of 400 or more), and some status-0 lines come in pairs with one id: a 0 is
 * failed but below 400, so the pair is two requests. */
static void gen_plain(input *in, uint32_t *next_id)
{
    for (int i = 0; i < N_PLAIN; i++) {
        const uint8_t raw = (uint8_t)rnd(N_RAW);
        rec r = { time_in(pick_minute()), 1, 0, pick_status(host_of_raw[raw]), raw,
                  (uint8_t)rnd(N_ROUTES) };
        if ((r.status == 200 || r.status == 201) && rnd(4) == 0)
            r.id = (*next_id)++;
        if (r.status == 0 && rnd(2)) {
            r.id = (*next_id)++;
            rec twin = r;
            twin.time_ns = time_in(pick_minute());
            push_rec(in, twin);
        }
        push_rec(in, r);
    }
}

/* One request on k error lines with one id: strictly later times after the first (so "the
 * earliest line" needs none of agg.c's tie-breaks, which the spec does not give), often in the
 * next minute or block; routes and statuses may differ from line to line. */
static void gen_group(input *in, int h, uint32_t id)
{
    int64_t t = time_in(pick_minute());
    const uint32_t k = 1 + rnd(3);
    for (uint32_t i = 0; i < k; i++) {
        const rec r = { t, 1, id, pick_error_status(h), raw_of_host(h), (uint8_t)rnd(N_ROUTES) };
        push_rec(in, r);
        t += (1 + (int64_t)rnd(45000)) * 1000000;
    }
}

/* Requests logged on error lines sharing an id. An id is reused now and then on another host,
 * where it is another request, and on a good line of the same host, which is a request of its
 * own. */
static void gen_groups(input *in, uint32_t *next_id)
{
    int last_host = -1; /* the host of id *next_id - 1, -1 once that id has been reused */
    for (int i = 0; i < N_GROUPS; i++) {
        const int h = (int)rnd(N_HOSTS);
        const bool reuse = last_host >= 0 && h != last_host && rnd(4) == 0;
        const uint32_t id = reuse ? *next_id - 1 : (*next_id)++;
        gen_group(in, h, id);
        if (rnd(5) == 0) {
            const rec good = { time_in(pick_minute()), 1, id, 200, raw_of_host(h),
                               (uint8_t)rnd(N_ROUTES) };
            push_rec(in, good);
        }
        last_host = reuse ? -1 : h; /* once: a third use could be back on the first host */
    }
}

/* Whether the round has a minute past 65535 requests: 66 k lines per configuration are most of
 * the run time, so not every round does. */
static bool has_wide_burst(int round)
{
    return round % 3 == 0;
}

/* Minutes of one host that pass 255 requests (the first one the quiet host's, at most 455, so
 * that two or three tables' shares of it stay narrow and only their sum passes), and in some
 * rounds one that passes 65535. */
static void gen_bursts(input *in, int round)
{
    for (int i = 0; i < N_BURSTS + has_wide_burst(round); i++) {
        const int h = i == 0 ? QUIET : (int)rnd(N_HOSTS);
        const uint32_t n = i < N_BURSTS ? 256 + rnd(200) : 65536 + rnd(500);
        const rec r = { time_in(pick_minute()), n, 0, pick_status(h), raw_of_host(h),
                        (uint8_t)rnd(N_ROUTES) };
        push_rec(in, r);
    }
}

/* A round's input, shuffled: the lines of one request land in different tables. */
static void gen_input(input *in, int round)
{
    rng_state = (uint64_t)(round + 1) * UINT64_C(0x9e3779b97f4a7c15);
    uint32_t next_id = 1;
    in->n = 0;
    gen_plain(in, &next_id);
    gen_groups(in, &next_id);
    gen_bursts(in, round);
    for (size_t i = in->n - 1; i > 0; i--) {
        const size_t j = rnd((uint32_t)i + 1);
        const rec tmp = in->v[i];
        in->v[i] = in->v[j];
        in->v[j] = tmp;
    }
}

/* MARK: - Model */

typedef struct host_model {
    agg_minute cells[SPAN];
    size_t n_minutes;
    uint64_t by_class[CLASSIFY_CLASS_COUNT], excluded, duplicate_lines, failed;
} host_model;

/* A request known by its error lines: the earliest line's time, the highest status (SLA-SPEC
 * section 1), and the earliest line's route, which the spec does not give: this is agg.c's rule
 * (pending_detail_cmp), pinned here because a change to it changes the figures. */
typedef struct model_request {
    int host;
    uint32_t id, lines;
    int64_t time_ns;
    int16_t status;
    uint8_t route;
} model_request;

/* Counts n requests of host hm at time_ns by SLA-SPEC sections 3 and 4. */
static void model_count(host_model *hm, const agg_status_table *st, int64_t time_ns,
                        uint8_t route_index, int16_t status, uint32_t n)
{
    const int64_t off = time_ns / RSLA_NS_PER_MIN - BASE_MINUTE;
    CHECK(off >= 0 && off < SPAN);
    agg_minute *c = &hm->cells[off];
    const classify_class cls = routes[route_index].cls;
    hm->by_class[cls] += n;
    if (cls != CLASSIFY_PUSH && cls != CLASSIFY_PULL) {
        c->other += n;
    } else if (st->verdict[status] == AGG_EXCLUDED) {
        hm->excluded += n;
        c->other += n;
    } else {
        c->valid[cls] += n;
        if (st->verdict[status] == AGG_FAILED) {
            c->failed[cls] += n;
            hm->failed += n;
        }
    }
}

/* Adds a line of 400 or more with an id to its request in reqs[0, *n) (same normalised host and
 * id), or makes one. */
static void model_pending(model_request *reqs, size_t *n, const rec *r)
{
    const int h = host_of_raw[r->raw];
    size_t i = 0;
    while (i < *n && !(reqs[i].host == h && reqs[i].id == r->id))
        i++;
    if (i == *n) {
        reqs[(*n)++] = (model_request){ h, r->id, 0, r->time_ns, r->status, r->route };
    } else if (r->time_ns < reqs[i].time_ns) {
        reqs[i].time_ns = r->time_ns;
        reqs[i].route = r->route;
    }
    reqs[i].lines += r->count;
    if (r->status > reqs[i].status)
        reqs[i].status = r->status;
}

/* The counts SLA-SPEC gives for the input, by normalised host. */
static void model_of(const input *in, const agg_status_table *st, host_model *hm)
{
    static model_request reqs[MAX_RECS];
    size_t n_reqs = 0;
    memset(hm, 0, N_HOSTS * sizeof *hm);
    for (size_t i = 0; i < in->n; i++) {
        const rec *r = &in->v[i];
        if (r->status >= 400 && r->id)
            model_pending(reqs, &n_reqs, r);
        else
            model_count(&hm[host_of_raw[r->raw]], st, r->time_ns, r->route, r->status, r->count);
    }
    for (size_t i = 0; i < n_reqs; i++) {
        host_model *m = &hm[reqs[i].host];
        model_count(m, st, reqs[i].time_ns, reqs[i].route, reqs[i].status, 1);
        m->duplicate_lines += reqs[i].lines - 1;
    }
    for (int h = 0; h < N_HOSTS; h++)
        for (int k = 0; k < SPAN; k++) {
            agg_minute *c = &hm[h].cells[k];
            c->minute = BASE_MINUTE + k;
            hm[h].n_minutes += c->valid[0] + c->valid[1] + c->other > 0;
        }
}

/* MARK: - Tables */

/* How the input reaches the result. */
typedef struct config {
    const char *name;
    size_t parts;            /* scanning tables */
    size_t run;              /* lines dealt to them in runs of this many */
    bool whole_bursts;       /* a burst goes to one table, whose block widens by itself; else its
                                lines are dealt one by one, and only the sums of the shares pass */
    const char *sink_blocks; /* RSLA_AGG_SINK_BLOCKS of a sink, NULL: no sink */
    unsigned threads;        /* agg_tables_finish() on that many; 0: merge and agg_table_finish() */
    size_t budget;           /* every table's pending budget: 0 spills every error line */
    bool side;               /* every 7th line goes to a table merged into the last one at the
                                end */
} config;

static const config configs[] = {
    { .name = "one table", .parts = 1, .run = 1, .budget = SIZE_MAX },
    { .name = "one table, every error line spilled", .parts = 1, .run = 1, .budget = 0 },
    { .name = "three tables merged, whole bursts", .parts = 3, .run = 1, .whole_bursts = true,
      .budget = SIZE_MAX },
    { .name = "two tables merged, spilled, side table", .parts = 2, .run = 50, .budget = 200,
      .side = true },
    { .name = "three tables, 2 finish threads, spilled, whole bursts", .parts = 3, .run = 7,
      .whole_bursts = true, .threads = 2, .budget = 0 },
    { .name = "two tables, sink of 1, 1 thread", .parts = 2, .run = 1, .sink_blocks = "1",
      .threads = 1, .budget = SIZE_MAX },
    { .name = "three tables, sink of 3, 2 threads, spilled", .parts = 3, .run = 1,
      .sink_blocks = "3", .threads = 2, .budget = 0 },
    { .name = "three tables, sink of 1, 3 threads, spilled, side table", .parts = 3, .run = 37,
      .sink_blocks = "1", .threads = 3, .budget = 300, .side = true },
    { .name = "two tables, sink of 3, 3 threads, spilled, whole bursts", .parts = 2, .run = 1,
      .whole_bursts = true, .sink_blocks = "3", .threads = 3, .budget = 0 },
};

static void add_rec(agg_table *t, const rec *r)
{
    char id[16] = "";
    if (r->id)
        snprintf(id, sizeof id, "req-%u", r->id);
    rsla_outcome o;
    memset(&o, 0, sizeof o);
    o.time_ns = r->time_ns;
    o.host = rsla_slice_of(raw_hosts[r->raw]);
    o.method = rsla_slice_of(routes[r->route].method);
    o.path = rsla_slice_of(routes[r->route].path);
    o.status = r->status;
    o.duration_ns = -1;
    o.request_id = rsla_slice_of(id);
    for (uint32_t k = 0; k < r->count; k++)
        agg_table_add(t, &o);
}

/* The table of the line'th line: runs of c->run lines in turn, every 7th to side if any. */
static agg_table *table_of_line(const config *c, agg_table *const *t, agg_table *side,
                                size_t line)
{
    return side && line % 7 == 3 ? side : t[line / c->run % c->parts];
}

/* Deals the input's lines to the tables: a burst whole to the table of its first line, or line
 * by line, so that each table gets a share of its minute. */
static void feed(const config *c, agg_table *const *t, agg_table *side, const input *in)
{
    size_t line = 0;
    for (size_t i = 0; i < in->n; i++) {
        rec one = in->v[i];
        if (c->whole_bursts) {
            add_rec(table_of_line(c, t, side, line), &one);
            line += one.count;
            continue;
        }
        const uint32_t n = one.count;
        one.count = 1;
        for (uint32_t k = 0; k < n; k++, line++)
            add_rec(table_of_line(c, t, side, line), &one);
    }
}

static agg_table *table_with_budget(const agg_status_table *st, size_t budget)
{
    agg_table *t = agg_table_create(st);
    agg_table_set_pending_budget(t, budget);
    return t;
}

/* The input through configuration c into all[0, *n_all), which the caller frees after the
 * result. */
static agg_result *run_config(const config *c, const input *in, agg_table **all, size_t *n_all)
{
    const agg_status_table st = agg_test_statuses();
    if (c->sink_blocks)
        setenv("RSLA_AGG_SINK_BLOCKS", c->sink_blocks, 1); /* read by agg_sink_create() */
    agg_sink *sink = c->sink_blocks ? agg_sink_create(&st, (unsigned)c->parts) : NULL;
    for (size_t k = 0; k < c->parts; k++) {
        all[k] = table_with_budget(&st, c->budget);
        agg_table_set_sink(all[k], sink);
    }
    *n_all = c->parts;
    agg_table *side = c->side ? table_with_budget(&st, c->budget) : NULL;
    feed(c, all, side, in);
    if (side) { /* ends the last table's sink: its blocks stay with it from here */
        agg_table_merge(all[c->parts - 1], side);
        agg_table_free(side);
    }
    if (sink) {
        all[(*n_all)++] = agg_sink_release(sink);
        agg_table_set_pending_budget(all[*n_all - 1], c->budget);
        unsetenv("RSLA_AGG_SINK_BLOCKS");
    }
    if (c->threads > 0)
        return agg_tables_finish(all, *n_all, c->threads, NULL, NULL);
    /* A chain: all[0] takes in blocks that all[1] took in from all[2]. */
    for (size_t k = *n_all - 1; k > 0; k--)
        agg_table_merge(all[k - 1], all[k]);
    CHECK(agg_table_error(all[0]) == NULL);
    return agg_table_finish(all[0], NULL, NULL);
}

/* MARK: - Comparison */

/* Mismatches printed in full; the rest only fail their CHECK. */
static int details_left = 10;

static bool same_minute(const agg_minute *a, const agg_minute *b)
{
    return a->minute == b->minute && a->valid[0] == b->valid[0] && a->valid[1] == b->valid[1] &&
           a->failed[0] == b->failed[0] && a->failed[1] == b->failed[1] && a->other == b->other;
}

static void print_minute(const char *label, const char *host, const agg_minute *got,
                         const agg_minute *want)
{
    if (details_left-- <= 0)
        return;
    fprintf(stderr,
            "%s, %s, minute +%lld: push %u/%u pull %u/%u other %u, want %u/%u %u/%u %u\n",
            label, host, (long long)(got->minute - BASE_MINUTE), got->valid[0], got->failed[0],
            got->valid[1], got->failed[1], got->other, want->valid[0], want->failed[0],
            want->valid[1], want->failed[1], want->other);
}

/* Minutes of ai that are out of order, outside the span, or not the model's. */
static size_t wrong_minutes(const agg_instance *ai, const host_model *hm, const char *label,
                            size_t *seen)
{
    agg_minute batch[AGG_MINUTES_BATCH];
    size_t pos = 0, n, wrong = 0;
    int64_t last = INT64_MIN;
    *seen = 0;
    while ((n = agg_minutes_next(ai, &pos, batch)) > 0)
        for (size_t k = 0; k < n; k++, ++*seen) {
            const agg_minute *m = &batch[k];
            const int64_t off = m->minute - BASE_MINUTE;
            if (m->minute <= last || off < 0 || off >= SPAN) {
                wrong++;
            } else if (!same_minute(m, &hm->cells[off])) {
                print_minute(label, ai->name, m, &hm->cells[off]);
                wrong++;
            }
            last = m->minute;
        }
    return wrong;
}

static uint64_t failure_sum(const agg_instance *ai)
{
    uint64_t n = 0;
    for (size_t i = 0; i < ai->n_failures; i++)
        n += ai->failures[i].count;
    return n;
}

static void check_instance(const agg_instance *ai, const host_model *hm, const char *label)
{
    size_t seen;
    const size_t wrong = wrong_minutes(ai, hm, label, &seen);
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(seen, hm->n_minutes);
    CHECK_EQ_INT(ai->n_minutes, hm->n_minutes);
    for (int c = 0; c < CLASSIFY_CLASS_COUNT; c++)
        CHECK_EQ_INT(ai->by_class[c], hm->by_class[c]);
    CHECK_EQ_INT(ai->excluded, hm->excluded);
    CHECK_EQ_INT(ai->duplicate_lines, hm->duplicate_lines);
    /* Each failed request is in one failure group, whatever its minute's counters say. */
    CHECK_EQ_INT(failure_sum(ai), hm->failed);
    if (wrong || ai->n_minutes != hm->n_minutes)
        fprintf(stderr, "%s, %s: %zu wrong minutes, %zu of %zu read\n", label, ai->name, wrong,
                seen, hm->n_minutes);
}

/* Every host has requests in every round: it is an instance of the result. */
static void check_result(const agg_result *r, const host_model *hm, const char *label)
{
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_EQ_INT(r->n_instances, N_HOSTS);
    for (size_t i = 0; i < r->n_instances; i++) {
        int h = 0;
        while (h < N_HOSTS && strcmp(host_names[h], r->instances[i].name) != 0)
            h++;
        CHECK(h < N_HOSTS);
        if (h < N_HOSTS)
            check_instance(&r->instances[i], &hm[h], label);
    }
}

/* MARK: - Tests */

/* The model's classes are those of classify_request(): a change there must fail here once, not
 * as a count off in every minute. */
static void test_routes(void)
{
    for (int i = 0; i < N_ROUTES; i++) {
        const classify_result cr =
            classify_request(rsla_slice_of(routes[i].method), rsla_slice_of(routes[i].path));
        CHECK_EQ_INT(cr.cls, routes[i].cls);
    }
}

/* The inputs exercise what they are meant to: a deduplicated request, a burst past 65535. */
static void check_input(const host_model *hm, int round)
{
    uint64_t dup = 0, most = 0;
    for (int h = 0; h < N_HOSTS; h++) {
        dup += hm[h].duplicate_lines;
        for (int k = 0; k < SPAN; k++) {
            const agg_minute *c = &hm[h].cells[k];
            const uint64_t all = (uint64_t)c->valid[0] + c->valid[1] + c->other;
            most = all > most ? all : most;
        }
    }
    CHECK(dup > 0);
    CHECK(most > (has_wide_burst(round) ? 65535u : 255u));
}

static void test_model(void)
{
    static input in;
    static host_model hm[N_HOSTS];
    const agg_status_table st = agg_test_statuses();
    for (int round = 0; round < N_ROUNDS; round++) {
        gen_input(&in, round);
        model_of(&in, &st, hm);
        check_input(hm, round);
        for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
            char label[128];
            snprintf(label, sizeof label, "round %d, %s", round, configs[c].name);
            agg_table *all[MAX_TABLES];
            size_t n_all;
            agg_result *r = run_config(&configs[c], &in, all, &n_all);
            check_result(r, hm, label);
            agg_result_free(r);
            for (size_t k = 0; k < n_all; k++)
                agg_table_free(all[k]);
        }
    }
}

int main(void)
{
    test_routes();
    test_model();
    TEST_MAIN_END();
}
