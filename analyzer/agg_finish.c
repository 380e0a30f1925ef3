/* From a filled agg_table to the sorted, read-only agg_result: duplicate error lines resolved,
 * hosts mapped to instances, every list sorted with total-order tie-breaks so that the result is
 * the same whatever order the table was filled and merged in. */
#include <pthread.h> /* pthread_create: the merge and the spill resolution run side by side */
#include <stdatomic.h> /* atomic_uint */
#include <stdlib.h> /* qsort, free */
#include <string.h> /* strcmp, memmove */

#include "analyzer/agg.h"
#include "analyzer/agg_internal.h"

/* MARK: - Finish (Public) */

typedef struct inst_failure {
    uint32_t inst;
    agg_failure f;
} inst_failure;

typedef struct inst_request {
    uint32_t inst;
    int64_t minute;
    agg_failed_request r;
} inst_request;

static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

static int failure_cmp(const agg_failure *a, const agg_failure *b)
{
    int c;
    if ((c = cmp_i64(a->minute, b->minute)) || (c = cmp_i64(a->status, b->status)) ||
        (c = cmp_i64(a->cls, b->cls)) || (c = cmp_i64(a->endpoint, b->endpoint)))
        return c;
    return (c = strcmp(a->method, b->method)) ? c : strcmp(a->repository, b->repository);
}

static int inst_failure_cmp(const void *pa, const void *pb)
{
    const inst_failure *a = pa, *b = pb;
    return a->inst != b->inst ? cmp_i64(a->inst, b->inst) : failure_cmp(&a->f, &b->f);
}

static int inst_request_cmp(const void *pa, const void *pb)
{
    const inst_request *a = pa, *b = pb;
    return a->inst != b->inst ? cmp_i64(a->inst, b->inst) : agg_failed_request_cmp(&a->r, &b->r);
}

static int str_ptr_cmp(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static int cover_cmp(const void *pa, const void *pb)
{
    return cmp_i64(((const agg_coverage_minute *)pa)->minute,
                   ((const agg_coverage_minute *)pb)->minute);
}

static int unmatched_cmp(const void *pa, const void *pb)
{
    return strcmp(((const agg_unmatched_host *)pa)->host, ((const agg_unmatched_host *)pb)->host);
}

/* Gives every host its instance index (UINT32_MAX: unmatched) and the result its instances. */
static uint32_t *assign_instances(agg_table *t, agg_result *r, agg_instance_of_host map, void *ctx)
{
    const size_t nh = t->hosts.n;
    const char **names = rsla_xmalloc((nh + 1) * sizeof *names);
    const char **sorted = rsla_xmalloc((nh + 1) * sizeof *sorted);
    uint32_t *inst = rsla_xmalloc((nh + 1) * sizeof *inst);
    size_t n_sorted = 0;
    r->unmatched = rsla_xcalloc(nh + 1, sizeof *r->unmatched);
    for (size_t h = 0; h < nh; h++) {
        const host_entry *e = &t->hosts.v[h];
        names[h] = map ? map(ctx, e->name) : e->name;
        if (names[h]) {
            sorted[n_sorted++] = names[h];
            continue;
        }
        uint64_t requests = 0;
        for (int c = 0; c < CLASSIFY_CLASS_COUNT; c++)
            requests += e->by_class[c];
        r->unmatched[r->n_unmatched++] = (agg_unmatched_host){ e->name, requests };
        r->unmatched_requests += requests;
    }
    rsla_sort(r->unmatched, r->n_unmatched, sizeof *r->unmatched, unmatched_cmp);
    rsla_sort(sorted, n_sorted, sizeof *sorted, str_ptr_cmp);
    r->instances = rsla_xcalloc(n_sorted + 1, sizeof *r->instances);
    for (size_t i = 0; i < n_sorted; i++)
        if (r->n_instances == 0 || strcmp(r->instances[r->n_instances - 1].name, sorted[i]) != 0)
            r->instances[r->n_instances++].name = sorted[i];
    for (size_t h = 0; h < nh; h++) {
        inst[h] = UINT32_MAX;
        if (!names[h])
            continue;
        size_t lo = 0, hi = r->n_instances;
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            if (strcmp(r->instances[mid].name, names[h]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        inst[h] = (uint32_t)lo;
        agg_instance *ai = &r->instances[lo];
        const host_entry *e = &t->hosts.v[h];
        for (int c = 0; c < CLASSIFY_CLASS_COUNT; c++)
            ai->by_class[c] += e->by_class[c];
        ai->excluded += e->excluded;
        ai->duplicate_lines += e->duplicate_lines;
    }
    free(names);
    free(sorted);
    return inst;
}

typedef agg_block_ref block_ref;

static agg_minute_bits block_used(const agg_table *t, const minute_block *b)
{
    agg_minute_bits used = 0;
    for (int m = 0; m < AGG_BLOCK_MINUTES; m++)
        if (agg_block_get(t, b, m, CNT_VALID) | agg_block_get(t, b, m, CNT_VALID + 1) |
            agg_block_get(t, b, m, CNT_OTHER))
            used |= (agg_minute_bits)1 << m;
    return used;
}

static int block_ref_cmp(const void *pa, const void *pb)
{
    const block_ref *a = pa, *b = pb;
    return a->inst != b->inst ? cmp_i64(a->inst, b->inst) : cmp_i64(a->block, b->block);
}

/* Bits per pass of the radix sort of refs. */
#define REF_RADIX_BITS 11

static unsigned bits_for(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* The sort key of a ref: instance, then block (less the lowest block) in the low block_bits. */
static uint64_t ref_key(const block_ref *r, int64_t lo, unsigned block_bits)
{
    return ((uint64_t)r->inst << block_bits) | ((uint64_t)r->block - (uint64_t)lo);
}

/* One stable counting pass of refs by bits [shift, shift + REF_RADIX_BITS) of their key. The key
 * is made again from the ref at each pass rather than kept beside it: on a 4x month the keys
 * were 5 MB more at the peak of the run. */
static void radix_pass(const block_ref *from, block_ref *to, size_t n, int64_t lo,
                       unsigned block_bits, unsigned shift)
{
    size_t count[1u << REF_RADIX_BITS] = { 0 };
    const uint64_t mask = (1u << REF_RADIX_BITS) - 1;
    for (size_t i = 0; i < n; i++)
        count[(ref_key(&from[i], lo, block_bits) >> shift) & mask]++;
    size_t at = 0;
    for (size_t d = 0; d <= mask; d++) {
        const size_t c = count[d];
        count[d] = at;
        at += c;
    }
    for (size_t i = 0; i < n; i++)
        to[count[(ref_key(&from[i], lo, block_bits) >> shift) & mask]++] = from[i];
}

/* Sorts refs by (instance, block): an LSD radix sort of the key instance << b | (block - lowest
 * block), two or three passes on a month. qsort took ~35 ms of the serial tail on a 2 M-line
 * month (200 k refs at 8-minute blocks, a comparison through a function pointer each). The order
 * of equal keys does not matter: equal (instance, block) refs are summed. */
static void sort_refs(block_ref *refs, size_t n)
{
    if (n < 2)
        return;
    int64_t lo = refs[0].block, hi = refs[0].block;
    uint32_t top = 0;
    for (size_t i = 0; i < n; i++) {
        lo = refs[i].block < lo ? refs[i].block : lo;
        hi = refs[i].block > hi ? refs[i].block : hi;
        top = refs[i].inst > top ? refs[i].inst : top;
    }
    const unsigned block_bits = bits_for((uint64_t)hi - (uint64_t)lo);
    const unsigned bits = block_bits + bits_for(top);
    if (bits > 64) { /* blocks spread over more than 2^32 years: not a log */
        rsla_sort(refs, n, sizeof *refs, block_ref_cmp);
        return;
    }
    block_ref *tmp = rsla_xmalloc(n * sizeof *tmp);
    block_ref *src = refs, *dst = tmp;
    for (unsigned shift = 0; shift < bits; shift += REF_RADIX_BITS) {
        radix_pass(src, dst, n, lo, block_bits, shift);
        block_ref *t = src;
        src = dst, dst = t;
    }
    if (src != refs)
        memcpy(refs, src, n * sizeof *refs);
    free(tmp);
}

/* Minute m of the blocks refs[0, n) (one instance, one block, several hosts) summed. */
static agg_minute sum_minute(const agg_table *t, const block_ref *refs, size_t n, int m)
{
    uint32_t c[CNT_SLOTS] = { 0 };
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < CNT_SLOTS; k++)
            c[k] += agg_block_get(t, refs[i].b, m, k);
    return (agg_minute){ refs[0].block * AGG_BLOCK_MINUTES + m, { c[CNT_VALID], c[CNT_VALID + 1] },
                         { c[CNT_FAILED], c[CNT_FAILED + 1] }, c[CNT_OTHER] };
}

/* The refs [i, j) of one instance and block: i's group ends at j. @return the minutes of the
 * group with a request. */
static agg_minute_bits ref_group(const block_ref *refs, size_t n, size_t i, size_t *j)
{
    agg_minute_bits used = refs[i].used;
    for (*j = i + 1; *j < n && refs[*j].inst == refs[i].inst && refs[*j].block == refs[i].block;
         ++*j)
        used |= refs[*j].used;
    return used;
}

/* Blocks ahead of the one summed whose counters are fetched early: in (instance, block) order
 * the blocks are scattered over the arena, and the walk was all cache misses. */
#define FINISH_PREFETCH 8

_Static_assert(AGG_MINUTES_BATCH >= AGG_BLOCK_MINUTES, "a batch holds a block's minutes");

size_t agg_minutes_next(const agg_instance *ai, size_t *pos, agg_minute out[AGG_MINUTES_BATCH])
{
    if (!ai->blocks) {
        const size_t left = ai->n_minutes - *pos;
        const size_t n = left < AGG_MINUTES_BATCH ? left : AGG_MINUTES_BATCH;
        if (n) /* an empty array may be NULL */
            memcpy(out, ai->minutes + *pos, n * sizeof *out);
        *pos += n;
        return n;
    }
    size_t n = 0;
    while (n == 0 && *pos < ai->n_blocks) {
        const block_ref *refs = ai->blocks;
        if (*pos + FINISH_PREFETCH < ai->n_blocks) { /* a block spans four cache lines */
            const char *ahead = (const char *)refs[*pos + FINISH_PREFETCH].b;
            for (size_t at = 0; at < sizeof(minute_block); at += 64)
                __builtin_prefetch(ahead + at);
        }
        size_t j;
        const agg_minute_bits used = ref_group(refs, ai->n_blocks, *pos, &j);
        for (int m = 0; m < AGG_BLOCK_MINUTES; m++)
            if (used & ((agg_minute_bits)1 << m))
                out[n++] = sum_minute(ai->table, refs + *pos, j - *pos, m);
        *pos = j;
    }
    return n;
}

/* The blocks sorted by (instance, block) give each instance's minutes in time order, the hosts of
 * one instance summed per minute as they are read (agg_minutes_next), with a sort of blocks
 * rather than of minutes (17 times fewer on a 2 M-line month). The counts stay in the table's
 * blocks: a copy of every minute was the peak of a run, and grew with the share of minutes that
 * have a request (+31 MB on a 2 M-line month, +40 MB on one four times as large). */
static void finish_minutes(const agg_table *t, agg_result *r, const uint32_t *inst)
{
    block_ref *refs = rsla_xmalloc((t->blocks.n + t->loose.n + 1) * sizeof *refs);
    size_t n = 0;
    for (size_t i = 0; i < t->blocks.n + t->loose.n; i++) {
        const minute_block *b = i < t->blocks.n ? t->blocks.v[i] : t->loose.v[i - t->blocks.n];
        if (inst[b->host] != UINT32_MAX)
            refs[n++] = (block_ref){ inst[b->host], block_used(t, b), b->block, b };
    }
    sort_refs(refs, n);
    for (size_t i = 0, j; i < n; i = j) {
        agg_instance *ai = &r->instances[refs[i].inst];
        if (!ai->blocks)
            ai->blocks = refs + i;
        ai->n_minutes += (size_t)__builtin_popcountll(ref_group(refs, n, i, &j));
        ai->n_blocks = (size_t)(refs + j - ai->blocks);
    }
    for (size_t i = 0; i < r->n_instances; i++) {
        agg_instance *ai = &r->instances[i];
        ai->table = t;
        if (!ai->blocks) /* no minute: an empty list, read as blocks all the same */
            ai->blocks = refs + n;
    }
    r->blocks = refs;
}

static void finish_failures(const agg_table *t, agg_result *r, const uint32_t *inst)
{
    VEC(inst_failure) all = { 0 };
    for (size_t i = 0; i < t->failures.n; i++) {
        const failure_entry *f = &t->failures.v[i];
        if (inst[f->host] == UINT32_MAX)
            continue;
        const inst_failure e = { inst[f->host], { f->minute, f->status, f->cls, f->endpoint,
                                                  f->method, f->repository, f->count } };
        VEC_PUSH(all, e);
    }
    rsla_sort(all.v, all.n, sizeof *all.v, inst_failure_cmp);
    for (size_t i = 0; i < all.n;) {
        agg_instance *ai = &r->instances[all.v[i].inst];
        size_t j = i;
        while (j < all.n && all.v[j].inst == all.v[i].inst)
            j++;
        ai->failures = rsla_xmalloc((j - i) * sizeof *ai->failures);
        for (size_t k = i; k < j; k++) {
            agg_failure *last = ai->n_failures ? &ai->failures[ai->n_failures - 1] : NULL;
            if (last && failure_cmp(last, &all.v[k].f) == 0)
                last->count += all.v[k].f.count;
            else
                ai->failures[ai->n_failures++] = all.v[k].f;
        }
        i = j;
    }
    free(all.v);
}

static void finish_requests(const agg_table *t, agg_result *r, const uint32_t *inst)
{
    VEC(inst_request) all = { 0 };
    for (size_t i = 0; i < t->idsets.n; i++) {
        const idset_entry *e = &t->idsets.v[i];
        if (inst[e->host] == UINT32_MAX)
            continue;
        for (uint32_t k = 0; k < e->n; k++) {
            const inst_request ir = { inst[e->host], e->minute, e->req[k] };
            VEC_PUSH(all, ir);
        }
    }
    rsla_sort(all.v, all.n, sizeof *all.v, inst_request_cmp);
    for (size_t i = 0; i < all.n;) {
        agg_instance *ai = &r->instances[all.v[i].inst];
        size_t j = i;
        while (j < all.n && all.v[j].inst == all.v[i].inst)
            j++;
        ai->failed_requests = rsla_xmalloc((j - i) * sizeof *ai->failed_requests);
        int64_t minute = INT64_MIN;
        int in_minute = 0;
        for (size_t k = i; k < j; k++) {
            const inst_request *q = &all.v[k];
            if (q->minute != minute) {
                minute = q->minute;
                in_minute = 0;
            }
            const agg_failed_request *last =
                ai->n_failed_requests ? &ai->failed_requests[ai->n_failed_requests - 1] : NULL;
            if (in_minute >= AGG_FAILED_IDS_PER_MINUTE ||
                (last && agg_failed_request_cmp(last, &q->r) == 0))
                continue;
            ai->failed_requests[ai->n_failed_requests++] = q->r;
            in_minute++;
        }
        i = j;
    }
    free(all.v);
}

static void finish_coverage(const agg_table *t, agg_result *r)
{
    VEC(agg_coverage_minute) all = { 0 };
    for (size_t i = 0; i < t->covers.n; i++) {
        const cover_block *b = t->covers.v[i];
        for (int m = 0; m < AGG_COVER_MINUTES; m++) {
            if (b->first[m] == INT64_MAX)
                continue;
            const agg_coverage_minute c = { b->block * AGG_COVER_MINUTES + m, b->first[m],
                                            b->last[m] };
            VEC_PUSH(all, c);
        }
    }
    rsla_sort(all.v, all.n, sizeof *all.v, cover_cmp);
    r->coverage = all.v;
    r->n_coverage = all.n;
}

bool agg_pending_resolve(agg_table *t)
{
    bool ok = true;
    if (t->spill)
        ok = agg_spill_resolve(t);
    else
        agg_pending_count_into(t, t);
    /* The pending set's memory is needed no more; the result is built next, and is bigger. */
    free(t->pending.v);
    t->pending.v = NULL;
    t->pending.n = t->pending.cap = 0;
    return ok;
}

static agg_result *finish_table(agg_table *t, agg_instance_of_host map, void *map_ctx)
{
    if (t->error || !agg_pending_resolve(t))
        return NULL;
    /* No more lookups: the maps go before the result is built, which is the peak of a run. */
    rsla_map_free(&t->block_map);
    rsla_map_free(&t->failure_map);
    rsla_map_free(&t->idset_map);
    rsla_map_free(&t->cover_map);
    agg_result *r = rsla_xcalloc(1, sizeof *r);
    uint32_t *inst = assign_instances(t, r, map, map_ctx);
    finish_minutes(t, r, inst);
    finish_failures(t, r, inst);
    finish_requests(t, r, inst);
    finish_coverage(t, r);
    free(inst);
    return r;
}

agg_result *agg_table_finish(agg_table *t, agg_instance_of_host map, void *map_ctx)
{
    agg_table_set_sink(t, NULL); /* resolved requests are counted here; the sink may be gone */
    return finish_table(t, map, map_ctx);
}

/* Most threads that finish tables side by side. */
#define FINISH_WAYS 8

/* One thread's part of the finish: merging tables[1, n) into tables[0] first when it has them
 * (under target's lock, as the other threads count in tables[0] meanwhile), then resolving
 * spilled partitions, taken one at a time from a shared counter, in a scratch table of its own
 * and counting them in tables[0]. */
typedef struct finish_job {
    agg_table **tables;
    size_t n;
    const agg_spill *spill; /* NULL: nothing to resolve */
    atomic_uint *next_part;
    agg_table *scratch;
    const agg_count_target *target;
} finish_job;

static void *finish_work(void *arg)
{
    const finish_job *j = arg;
    if (j->n > 1) {
        pthread_mutex_lock(j->target->lock);
        for (size_t i = 1; i < j->n; i++)
            agg_table_merge(j->tables[0], j->tables[i]);
        pthread_mutex_unlock(j->target->lock);
    }
    if (j->spill) /* failure: j->scratch->error */
        (void)agg_spill_resolve_shared(j->scratch, j->spill, j->next_part, j->target);
    return NULL;
}

/* The first failure of any table, recorded on tables[0]. @return whether there was one. */
static bool gather_failure(agg_table **tables, size_t n, agg_table *const *more, size_t n_more)
{
    for (size_t i = 0; i < n + n_more; i++) {
        const agg_table *t = i < n ? tables[i] : more[i - n];
        if (t->error) {
            agg_fail(tables[0], "%s", t->error);
            return true;
        }
    }
    return false;
}

/* Runs the jobs, jobs[0] on this thread and each other on a thread of its own (or here, after,
 * when a thread cannot be started). */
static void run_jobs(finish_job *jobs, unsigned n)
{
    pthread_t tids[FINISH_WAYS];
    bool started[FINISH_WAYS] = { false };
    for (unsigned k = 1; k < n; k++)
        started[k] = pthread_create(&tids[k], NULL, finish_work, &jobs[k]) == 0;
    finish_work(&jobs[0]);
    for (unsigned k = 1; k < n; k++) {
        if (started[k])
            pthread_join(tids[k], NULL);
        else
            finish_work(&jobs[k]);
    }
}

/* Moves the table with the most blocks to tables[0]. Resolved requests are counted in it, and a
 * minute with an error that it lacks gets a block of its own beside the other table's. On one
 * file, where one thread decodes and the other scans, the scanning table has nearly all of them:
 * counting in the decoding thread's table made a second block for most minutes of a 4x month
 * (+20 MB). */
static void most_blocks_first(agg_table **tables, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (tables[i]->blocks.n + tables[i]->loose.n > tables[0]->blocks.n + tables[0]->loose.n) {
            agg_table *t = tables[0];
            tables[0] = tables[i];
            tables[i] = t;
        }
}

/* An empty table with t's statuses and pending budget. */
static agg_table *table_like(const agg_table *t)
{
    agg_table *n = agg_table_create(&t->statuses);
    agg_table_set_pending_budget(n, t->pending_budget);
    return n;
}

agg_result *agg_tables_finish(agg_table **tables, size_t n, unsigned threads,
                              agg_instance_of_host map, void *map_ctx)
{
    /* The pending requests of every table move to one table: counted in tables[0] at once when
     * none was spilled, else its spilled partitions are shared among up to `threads` threads,
     * one of which merges the other tables into tables[0] first (merged, their memory goes back
     * before the result is built). Resolved requests are counted in tables[0] directly, under a
     * lock: resolving into tables of their own, merged last, held ~20 MB more on a month four
     * times as large, where most blocks of the month have an error request. */
    for (size_t i = 0; i < n; i++) /* the scanning is over: blocks counted from here stay */
        agg_table_set_sink(tables[i], NULL);
    most_blocks_first(tables, n);
    agg_table *more[FINISH_WAYS + 1];
    size_t n_more = 0;
    agg_table *pending = more[n_more++] = table_like(tables[0]);
    for (size_t i = 0; i < n; i++)
        agg_pending_take(pending, tables[i]);
    const bool input_failed = gather_failure(tables, n, more, n_more);
    if (!input_failed && !pending->spill)
        agg_pending_count_into(tables[0], pending);
    const bool spilled = !input_failed && pending->spill && agg_spill_pending(pending);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    const agg_count_target target = { tables[0], &lock };
    atomic_uint next_part = 0;
    const unsigned ways = !spilled || threads < 1 ? 1 : RSLA_MIN(threads, (unsigned)FINISH_WAYS);
    finish_job jobs[FINISH_WAYS];
    for (unsigned k = 0; k < ways; k++) {
        agg_table *scratch = spilled ? (more[n_more++] = table_like(tables[0])) : NULL;
        jobs[k] = (finish_job){ tables, k == 0 ? n : 0, spilled ? pending->spill : NULL,
                                &next_part, scratch, &target };
    }
    run_jobs(jobs, ways);
    pthread_mutex_destroy(&lock);
    const bool failed = gather_failure(tables, n, more, n_more);
    for (size_t i = 0; i < n_more; i++)
        agg_table_free(more[i]); /* the pending table's spill files go with it */
    if (failed)
        return NULL;
    rsla_memory_release(); /* what the finish threads freed, before the result is built here */
    return finish_table(tables[0], map, map_ctx);
}

void agg_result_free(agg_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_instances; i++) {
        free(r->instances[i].failures);
        free(r->instances[i].failed_requests);
    }
    free(r->instances);
    free(r->blocks);
    free(r->coverage);
    free(r->unmatched);
    free(r);
}

void agg_result_dump(const agg_result *r, FILE *f)
{
    for (size_t i = 0; i < r->n_instances; i++) {
        const agg_instance *in = &r->instances[i];
        fprintf(f, "I %s %llu %llu %llu %llu x%llu d%llu\n", in->name,
                (unsigned long long)in->by_class[0], (unsigned long long)in->by_class[1],
                (unsigned long long)in->by_class[2], (unsigned long long)in->by_class[3],
                (unsigned long long)in->excluded, (unsigned long long)in->duplicate_lines);
        agg_minute batch[AGG_MINUTES_BATCH];
        for (size_t pos = 0, n; (n = agg_minutes_next(in, &pos, batch)) > 0;)
            for (size_t k = 0; k < n; k++) {
                const agg_minute *m = &batch[k];
                fprintf(f, " M %lld %u/%u %u/%u o%u\n", (long long)m->minute, m->valid[0],
                        m->failed[0], m->valid[1], m->failed[1], m->other);
            }
        for (size_t k = 0; k < in->n_failures; k++) {
            const agg_failure *x = &in->failures[k];
            fprintf(f, " F %lld %d %d %d %s %s %llu\n", (long long)x->minute, x->status, x->cls,
                    x->endpoint, x->method, x->repository, (unsigned long long)x->count);
        }
        for (size_t k = 0; k < in->n_failed_requests; k++)
            fprintf(f, " R %lld %s\n", (long long)in->failed_requests[k].time_ns,
                    in->failed_requests[k].request_id);
    }
    for (size_t k = 0; k < r->n_coverage; k++)
        fprintf(f, "C %lld %lld %lld\n", (long long)r->coverage[k].minute,
                (long long)r->coverage[k].first_ns, (long long)r->coverage[k].last_ns);
    for (size_t k = 0; k < r->n_unmatched; k++)
        fprintf(f, "U %s %llu\n", r->unmatched[k].host,
                (unsigned long long)r->unmatched[k].requests);
}
