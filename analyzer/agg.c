/* Per-instance aggregation: the hot path of the analyzer and its merge.
 *
 * Layout of a table (one per scanning thread):
 *
 *   raw host ──> host (normalised) ──┬─> minute blocks: (host, minute / 64) -> 64 x 5 counters
 *                                    ├─> failures:      (host, minute, status, class, route,
 *                                    │                   method, repository) -> count
 *                                    ├─> failed ids:    (host, minute) -> earliest K (time, id)
 *                                    └─> pending:       (host, request id) -> one error request
 *   coverage blocks: minute / 64 -> first and last line time of each minute
 *
 * A scanning table moves its minute blocks to a sink (one table shared by the threads, under a
 * lock) each time it holds its share of AGG_SINK_BLOCKS of them, summed there per (host, block):
 * in dense logs a chunk covers fewer minutes than a block, every thread's table would otherwise
 * keep a block of nearly every (host, 64 minutes), and memory would grow with threads x lines.
 *
 * Error lines (status >= 400) that carry a request id wait in `pending` until the end of the run,
 * because Distribution logs one line per error of a request and the lines of one request may
 * land in different chunks, threads or files (SLA-SPEC section 1). Past a memory budget the
 * pending set goes to temporary files (agg_spill.c), so memory does not grow with the input.
 * Every other outcome is counted at once. All state is sums, minima and maxima with total-order
 * tie-breaks, so merging tables in any order gives the same result. */
#include "analyzer/agg.h"

#include <stdarg.h> /* va_list */
#include <stdio.h>  /* vsnprintf */
#include <stdlib.h> /* free, getenv, strtoull */
#include <string.h> /* memcmp, strlen */

#include "analyzer/agg_internal.h"
#include "common/rsla_time.h"

/* MARK: - Lookup keys (Private) */

typedef struct str_key {
    const agg_table *t;
    const char *s;
    size_t len;
} str_key;

static bool host_eq(const void *ctx, uint32_t i)
{
    const str_key *k = ctx;
    const host_entry *h = &k->t->hosts.v[i];
    return h->len == k->len && memcmp(h->name, k->s, k->len) == 0;
}

static bool raw_eq(const void *ctx, uint32_t i)
{
    const str_key *k = ctx;
    const raw_host *r = &k->t->raws.v[i];
    return r->len == k->len && memcmp(r->raw, k->s, k->len) == 0;
}

static bool string_eq(const void *ctx, uint32_t i)
{
    const str_key *k = ctx;
    const interned *s = &k->t->strings.v[i];
    return s->len == k->len && memcmp(s->s, k->s, k->len) == 0;
}

typedef struct block_key {
    const agg_table *t;
    uint32_t host;
    int64_t block;
} block_key;

static bool block_eq(const void *ctx, uint32_t i)
{
    const block_key *k = ctx;
    const minute_block *b = k->t->blocks.v[i];
    return b->block == k->block && b->host == k->host;
}

static bool cover_eq(const void *ctx, uint32_t i)
{
    const block_key *k = ctx;
    return k->t->covers.v[i]->block == k->block;
}

typedef struct failure_key {
    const agg_table *t;
    const failure_entry *e; /* method and repository interned, so compared by pointer */
} failure_key;

static bool failure_eq(const void *ctx, uint32_t i)
{
    const failure_key *k = ctx;
    const failure_entry *f = &k->t->failures.v[i];
    return f->minute == k->e->minute && f->host == k->e->host && f->status == k->e->status &&
           f->cls == k->e->cls && f->endpoint == k->e->endpoint && f->method == k->e->method &&
           f->repository == k->e->repository;
}

static bool idset_eq(const void *ctx, uint32_t i)
{
    const block_key *k = ctx; /* block holds the minute here */
    const idset_entry *e = &k->t->idsets.v[i];
    return e->minute == k->block && e->host == k->host;
}

typedef struct pending_key {
    const agg_table *t;
    uint32_t host;
    const char *id;
    size_t len;
} pending_key;

static bool pending_eq(const void *ctx, uint32_t i)
{
    const pending_key *k = ctx;
    const pending_entry *p = &k->t->pending.v[i];
    return p->host == k->host && p->id_len == k->len && memcmp(p->id, k->id, k->len) == 0;
}

static uint64_t hash_pair(uint64_t a, int64_t b)
{
    return rsla_hash_u64(a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)b);
}

/* MARK: - Table (Private) */

size_t agg_normalise_host(const char *host, size_t len, char *out)
{
    size_t n = len;
    if (len > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', len);
        if (close)
            n = (size_t)(close - host) + 1;
    } else {
        const char *colon = memchr(host, ':', len);
        if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - host) - 1)) {
            size_t digits = 0;
            for (const char *p = colon + 1; p < host + len && *p >= '0' && *p <= '9'; p++)
                digits++;
            if ((size_t)(colon - host) + 1 + digits == len)
                n = (size_t)(colon - host);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char c = host[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
    return n;
}

uint32_t agg_host_get(agg_table *t, const char *name, size_t len)
{
    const str_key k = { t, name, len };
    const uint64_t h = rsla_hash_bytes(name, len, t->seed + 1);
    uint32_t i = rsla_map_find(&t->host_map, h, host_eq, &k);
    if (i != RSLA_MAP_NONE)
        return i;
    host_entry e = { 0 };
    e.name = rsla_arena_strndup(&t->arena, name, len);
    e.len = len;
    e.sink_host = RSLA_MAP_NONE;
    i = (uint32_t)t->hosts.n;
    VEC_PUSH(t->hosts, e);
    rsla_map_insert(&t->host_map, h, i);
    return i;
}

/* Host of an outcome: the raw value is looked up first, so a host is normalised once. */
static uint32_t host_of_raw(agg_table *t, rsla_slice raw)
{
    if (t->last_raw != RSLA_MAP_NONE) {
        const raw_host *r = &t->raws.v[t->last_raw];
        if (r->len == raw.len && memcmp(r->raw, raw.ptr, raw.len) == 0)
            return r->host;
    }
    const str_key k = { t, raw.ptr, raw.len };
    const uint64_t h = rsla_hash_bytes(raw.ptr, raw.len, t->seed + 2);
    uint32_t i = rsla_map_find(&t->raw_map, h, raw_eq, &k);
    if (i == RSLA_MAP_NONE) {
        char *norm = rsla_xmalloc(raw.len + 1);
        const size_t n = agg_normalise_host(raw.ptr, raw.len, norm);
        raw_host r = { rsla_arena_strndup(&t->arena, raw.ptr, raw.len), raw.len,
                       agg_host_get(t, norm, n) };
        free(norm);
        i = (uint32_t)t->raws.n;
        VEC_PUSH(t->raws, r);
        rsla_map_insert(&t->raw_map, h, i);
    }
    t->last_raw = i;
    return t->raws.v[i].host;
}

const char *agg_intern(agg_table *t, const char *s, size_t len)
{
    const str_key k = { t, s, len };
    const uint64_t h = rsla_hash_bytes(s, len, t->seed + 3);
    uint32_t i = rsla_map_find(&t->string_map, h, string_eq, &k);
    if (i == RSLA_MAP_NONE) {
        interned e = { rsla_arena_strndup(&t->arena, s, len), len };
        i = (uint32_t)t->strings.n;
        VEC_PUSH(t->strings, e);
        rsla_map_insert(&t->string_map, h, i);
    }
    return t->strings.v[i].s;
}

static void sink_flush(agg_table *t);

static minute_block *block_at(agg_table *t, uint32_t host, int64_t block)
{
    minute_block *last = t->hosts.v[host].last_block;
    if (last && last->block == block)
        return last;
    const block_key k = { t, host, block };
    const uint64_t h = hash_pair(host, block);
    uint32_t i = rsla_map_find(&t->block_map, h, block_eq, &k);
    if (i == RSLA_MAP_NONE) {
        if (t->sink && t->blocks.n >= t->sink->flush_blocks)
            sink_flush(t); /* before the new block: no block of t is held across it */
        minute_block *b = rsla_arena_alloc(&t->block_arena, sizeof *b);
        memset(b, 0, sizeof *b);
        b->host = host;
        b->block = block;
        i = (uint32_t)t->blocks.n;
        VEC_PUSH(t->blocks, b);
        rsla_map_insert(&t->block_map, h, i);
    }
    t->hosts.v[host].last_block = t->blocks.v[i];
    return t->blocks.v[i];
}

/* The block's counters move to t->mid, 16 bits each; its t->fails entry, if any, is left unused
 * (a block that passes 255 requests in a minute is a busy host's, and the entry is 128 bytes). */
static void block_to_mid(agg_table *t, minute_block *b)
{
    mid_counts c = { 0 };
    const failed_counts *f = b->more ? &t->fails.v[agg_more_index(b)] : NULL;
    for (int m = 0; m < AGG_BLOCK_MINUTES; m++) {
        for (int k = 0; k < CNT_NARROW; k++)
            c.c[m][k] = b->narrow[m][k];
        for (int k = CNT_NARROW; f && k < CNT_SLOTS; k++)
            c.c[m][k] = f->c[m][k - CNT_NARROW];
    }
    VEC_PUSH(t->mid, c);
    b->more = (uint32_t)t->mid.n;
}

/* The block's counters move from t->mid to t->wide, 32 bits each; the mid entry is left unused
 * (a block that passes 65535 requests in a minute is rare, and the entry is 640 bytes). */
static void block_to_wide(agg_table *t, minute_block *b)
{
    const mid_counts *from = &t->mid.v[agg_more_index(b)];
    wide_counts c;
    for (int m = 0; m < AGG_BLOCK_MINUTES; m++)
        for (int k = 0; k < CNT_SLOTS; k++)
            c.c[m][k] = from->c[m][k];
    VEC_PUSH(t->wide, c);
    b->more = AGG_MORE_WIDE | (uint32_t)t->wide.n;
}

/* The 8-bit counter of minute m and slot of a narrow block; a failed one gets the block its
 * t->fails entry first. */
static uint8_t *narrow_counter(agg_table *t, minute_block *b, int m, int slot)
{
    if (slot < CNT_NARROW)
        return &b->narrow[m][slot];
    if (!b->more) {
        const failed_counts zero = { 0 };
        VEC_PUSH(t->fails, zero);
        b->more = AGG_MORE_FAILED | (uint32_t)t->fails.n;
    }
    return &t->fails.v[agg_more_index(b)].c[m][slot - CNT_NARROW];
}

static void block_add(agg_table *t, minute_block *b, int m, int slot, uint32_t n)
{
    if (agg_block_narrow(b)) {
        uint8_t *c = narrow_counter(t, b, m, slot);
        const uint32_t v = (uint32_t)*c + n;
        if (v <= UINT8_MAX) {
            *c = (uint8_t)v;
            return;
        }
        block_to_mid(t, b);
    }
    if (!(b->more & AGG_MORE_WIDE)) {
        uint16_t *c = &t->mid.v[agg_more_index(b)].c[m][slot];
        const uint32_t v = (uint32_t)*c + n;
        if (v <= UINT16_MAX) {
            *c = (uint16_t)v;
            return;
        }
        block_to_wide(t, b);
    }
    t->wide.v[agg_more_index(b)].c[m][slot] += n;
}

/* MARK: - Sink (Private) */

/* Adds the counts of src's block b to dst's block d. */
static void block_sum(agg_table *dst, minute_block *d, const agg_table *src, const minute_block *b)
{
    if (!b->more && !d->more) { /* most blocks: 192 byte sums, unless one passes 255 */
        const uint8_t *x = &b->narrow[0][0];
        uint8_t *y = &d->narrow[0][0], sum[sizeof d->narrow];
        unsigned over = 0;
        for (size_t i = 0; i < sizeof sum; i++) {
            const unsigned v = (unsigned)x[i] + y[i];
            over |= v >> 8;
            sum[i] = (uint8_t)v;
        }
        if (!over) {
            memcpy(y, sum, sizeof sum);
            return;
        }
    }
    for (int m = 0; m < AGG_BLOCK_MINUTES; m++)
        for (int k = 0; k < CNT_SLOTS; k++) {
            const uint32_t n = agg_block_get(src, b, m, k);
            if (n)
                block_add(dst, d, m, k, n);
        }
}

/* t without counter blocks; everything else stays. */
static void blocks_clear(agg_table *t)
{
    for (size_t i = 0; i < t->hosts.n; i++)
        t->hosts.v[i].last_block = NULL;
    t->blocks.n = 0;
    /* Freed, not emptied: a share of failing or busy blocks would keep its width's memory. */
    VEC_FREE(t->fails);
    VEC_FREE(t->mid);
    VEC_FREE(t->wide);
    rsla_map_clear(&t->block_map);
    rsla_arena_free(&t->block_arena);
    rsla_arena_init(&t->block_arena);
}

/* Moves t's counter blocks into its sink's table, summed there per (host, block). */
static void sink_flush(agg_table *t)
{
    agg_sink *s = t->sink;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < t->blocks.n; i++) {
        const minute_block *b = t->blocks.v[i];
        host_entry *h = &t->hosts.v[b->host];
        if (h->sink_host == RSLA_MAP_NONE)
            h->sink_host = agg_host_get(s->table, h->name, h->len);
        block_sum(s->table, block_at(s->table, h->sink_host, b->block), t, b);
    }
    pthread_mutex_unlock(&s->lock);
    blocks_clear(t);
}

static cover_block *cover_at(agg_table *t, int64_t block)
{
    if (t->last_cover != RSLA_MAP_NONE && t->covers.v[t->last_cover]->block == block)
        return t->covers.v[t->last_cover];
    const block_key k = { t, 0, block };
    const uint64_t h = hash_pair(0, block);
    uint32_t i = rsla_map_find(&t->cover_map, h, cover_eq, &k);
    if (i == RSLA_MAP_NONE) {
        cover_block *b = rsla_xmalloc(sizeof *b);
        b->block = block;
        for (int m = 0; m < AGG_COVER_MINUTES; m++) {
            b->first[m] = INT64_MAX;
            b->last[m] = INT64_MIN;
        }
        i = (uint32_t)t->covers.n;
        VEC_PUSH(t->covers, b);
        rsla_map_insert(&t->cover_map, h, i);
    }
    t->last_cover = i;
    return t->covers.v[i];
}

static void cover_note(agg_table *t, int64_t minute, int64_t first, int64_t last)
{
    const int64_t block = rsla_floor_div(minute, AGG_COVER_MINUTES);
    cover_block *b = cover_at(t, block);
    const int64_t m = minute - block * AGG_COVER_MINUTES;
    if (first < b->first[m])
        b->first[m] = first;
    if (last > b->last[m])
        b->last[m] = last;
}

static failure_entry *failure_at(agg_table *t, const failure_entry *key)
{
    const failure_key k = { t, key };
    uint64_t h = hash_pair(key->host, key->minute);
    h = hash_pair(h, ((int64_t)key->status << 16) | (key->cls << 8) | key->endpoint);
    h = hash_pair(h, (int64_t)(uintptr_t)key->method ^ (int64_t)((uintptr_t)key->repository << 1));
    uint32_t i = rsla_map_find(&t->failure_map, h, failure_eq, &k);
    if (i == RSLA_MAP_NONE) {
        failure_entry e = *key;
        e.count = 0;
        i = (uint32_t)t->failures.n;
        VEC_PUSH(t->failures, e);
        rsla_map_insert(&t->failure_map, h, i);
    }
    return &t->failures.v[i];
}

int agg_failed_request_cmp(const agg_failed_request *a, const agg_failed_request *b)
{
    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    return strcmp(a->request_id, b->request_id);
}

/* Keeps the AGG_FAILED_IDS_PER_MINUTE earliest (time, id) of a minute, in order. */
static void idset_offer(idset_entry *e, agg_failed_request r)
{
    uint32_t pos = e->n;
    while (pos > 0 && agg_failed_request_cmp(&r, &e->req[pos - 1]) < 0)
        pos--;
    if (pos >= AGG_FAILED_IDS_PER_MINUTE)
        return;
    if (pos < e->n && agg_failed_request_cmp(&r, &e->req[pos]) == 0)
        return;
    const uint32_t keep = e->n < AGG_FAILED_IDS_PER_MINUTE ? e->n : AGG_FAILED_IDS_PER_MINUTE - 1;
    memmove(&e->req[pos + 1], &e->req[pos], (keep - pos) * sizeof r);
    e->req[pos] = r;
    e->n = keep + 1;
}

static idset_entry *idset_at(agg_table *t, uint32_t host, int64_t minute)
{
    const block_key k = { t, host, minute };
    const uint64_t h = hash_pair(host ^ 0x5bd1e995u, minute);
    uint32_t i = rsla_map_find(&t->idset_map, h, idset_eq, &k);
    if (i == RSLA_MAP_NONE) {
        idset_entry e = { .host = host, .minute = minute, .n = 0 };
        i = (uint32_t)t->idsets.n;
        VEC_PUSH(t->idsets, e);
        rsla_map_insert(&t->idset_map, h, i);
    }
    return &t->idsets.v[i];
}

/* Would this failed request be among the kept ids of its minute? Checked before copying the id
 * into the arena, so a long outage does not store every failing request id. */
static bool idset_wants(const idset_entry *e, int64_t time_ns, const char *id, size_t len)
{
    if (e->n < AGG_FAILED_IDS_PER_MINUTE)
        return true;
    const agg_failed_request *last = &e->req[AGG_FAILED_IDS_PER_MINUTE - 1];
    if (time_ns != last->time_ns)
        return time_ns < last->time_ns;
    const size_t last_len = strlen(last->request_id);
    const int c = memcmp(id, last->request_id, RSLA_MIN(len, last_len));
    return c < 0 || (c == 0 && len < last_len);
}

/* What a request is, once its lines are known to be one request. */
typedef struct request {
    uint32_t host;
    int64_t time_ns;
    int32_t status;
    uint8_t cls, endpoint;
    const char *method, *repository; /* interned */
    rsla_slice request_id;
} request;

static void count_failure(agg_table *t, const request *r, int64_t minute)
{
    const failure_entry key = { r->host, minute, r->status, r->cls, r->endpoint,
                                r->method, r->repository, 0 };
    failure_at(t, &key)->count++;
    if (r->request_id.len == 0)
        return;
    idset_entry *e = idset_at(t, r->host, minute);
    if (idset_wants(e, r->time_ns, r->request_id.ptr, r->request_id.len)) {
        const agg_failed_request fr = {
            r->time_ns, rsla_arena_strndup(&t->arena, r->request_id.ptr, r->request_id.len)
        };
        idset_offer(e, fr);
    }
}

static void count_request(agg_table *t, const request *r)
{
    const int64_t minute = rsla_minute_of_ns(r->time_ns);
    const int64_t block = rsla_floor_div(minute, AGG_BLOCK_MINUTES);
    minute_block *b = block_at(t, r->host, block);
    const int m = (int)(minute - block * AGG_BLOCK_MINUTES);
    host_entry *h = &t->hosts.v[r->host];
    h->by_class[r->cls]++;
    if (r->cls > CLASSIFY_PULL) {
        block_add(t, b, m, CNT_OTHER, 1);
        return;
    }
    const agg_verdict v = (r->status >= 0 && r->status < 1000)
                              ? (agg_verdict)t->statuses.verdict[r->status]
                              : AGG_GOOD;
    if (v == AGG_EXCLUDED) {
        h->excluded++;
        block_add(t, b, m, CNT_OTHER, 1);
        return;
    }
    block_add(t, b, m, CNT_VALID + r->cls, 1);
    if (v == AGG_FAILED) {
        block_add(t, b, m, CNT_FAILED + r->cls, 1);
        count_failure(t, r, minute);
    }
}

/* MARK: - Duplicate error lines (Private) */

/* Total order on what a line says of its request, so that "the earliest line" is the same
 * whatever order the lines arrive in. */
static int pending_detail_cmp(const pending_entry *a, const pending_entry *b)
{
    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->endpoint != b->endpoint)
        return a->endpoint < b->endpoint ? -1 : 1;
    const int c = strcmp(a->method, b->method);
    return c ? c : strcmp(a->repository, b->repository);
}

/* The id is copied when a new entry is made: e may come from a spill file. */
void agg_pending_add(agg_table *t, const pending_entry *e)
{
    const pending_key k = { t, e->host, e->id, e->id_len };
    const uint64_t h = rsla_hash_bytes(e->id, e->id_len, t->seed + e->host + 11);
    uint32_t i = rsla_map_find(&t->pending_map, h, pending_eq, &k);
    if (i == RSLA_MAP_NONE) {
        pending_entry n = *e;
        n.id = rsla_arena_strndup(&t->pending_arena, e->id, e->id_len);
        /* The entry, its map slots (two on average: a map grows at 3/4 load) and its id. */
        t->pending_bytes += sizeof n + 2 * sizeof(rsla_map_slot) + ((e->id_len + 8) & ~(size_t)7);
        i = (uint32_t)t->pending.n;
        VEC_PUSH(t->pending, n);
        rsla_map_insert(&t->pending_map, h, i);
        return;
    }
    pending_entry *p = &t->pending.v[i];
    p->lines += e->lines;
    const int32_t status = e->status > p->status ? e->status : p->status;
    if (pending_detail_cmp(e, p) < 0) {
        p->time_ns = e->time_ns;
        p->cls = e->cls;
        p->endpoint = e->endpoint;
        p->method = e->method;
        p->repository = e->repository;
    }
    p->status = status;
}

void agg_pending_clear(agg_table *t)
{
    t->pending.n = 0;
    t->pending_bytes = 0;
    rsla_map_free(&t->pending_map);
    rsla_map_init(&t->pending_map);
    rsla_arena_free(&t->pending_arena);
}

/* The index in dst of each host of src, matched by name (added to dst when new); freed by the
 * caller. */
static uint32_t *remap_hosts(agg_table *dst, const agg_table *src)
{
    uint32_t *remap = rsla_xmalloc((src->hosts.n + 1) * sizeof *remap);
    for (size_t i = 0; i < src->hosts.n; i++)
        remap[i] = agg_host_get(dst, src->hosts.v[i].name, src->hosts.v[i].len);
    return remap;
}

/* src's interned strings as dst's, by address: a string of src is one allocation, and looking
 * it up by address costs a compare where interning it again hashed it, per request. */
typedef struct string_remap {
    const char *from[64];
    const char *to[64];
} string_remap;

static const char *remap_string(agg_table *dst, string_remap *m, const char *s)
{
    const size_t k = ((uintptr_t)s >> 3) & 63;
    if (m->from[k] != s) {
        m->from[k] = s;
        m->to[k] = agg_intern(dst, s, strlen(s));
    }
    return m->to[k];
}

void agg_pending_count_into(agg_table *dst, agg_table *src)
{
    string_remap strings = { { NULL }, { NULL } };
    /* from another table: hosts matched by name, strings made dst's own */
    uint32_t *remap = dst != src ? remap_hosts(dst, src) : NULL;
    for (size_t i = 0; i < src->pending.n; i++) {
        const pending_entry *p = &src->pending.v[i];
        request r = { remap ? remap[p->host] : p->host, p->time_ns, p->status, p->cls,
                      p->endpoint, p->method, p->repository, { p->id, p->id_len } };
        if (remap) {
            r.method = remap_string(dst, &strings, p->method);
            r.repository = remap_string(dst, &strings, p->repository);
        }
        dst->hosts.v[r.host].duplicate_lines += p->lines - 1;
        count_request(dst, &r);
    }
    free(remap);
    agg_pending_clear(src);
}

/* Called after each addition to the pending set: past the budget, the set goes to disk. A table
 * that has failed keeps no pending requests: it will give no result, and must not grow. */
static void pending_check(agg_table *t)
{
    if (t->pending_bytes <= t->pending_budget)
        return;
    if (t->error)
        agg_pending_clear(t);
    else
        (void)agg_spill_pending(t); /* on failure t->error is set and the set emptied */
}

void agg_fail(agg_table *t, const char *fmt, ...)
{
    if (t->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    t->error = rsla_xmalloc((size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(t->error, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
}

/* MARK: - Table (Public) */

/* A number from the environment variable `name` (decimal digits only), or `otherwise`: the
 * tests and the CLI tests set the table's sizes small to make small inputs spill and move. */
static size_t size_from_env(const char *name, size_t otherwise)
{
    const char *s = getenv(name);
    if (s && *s >= '0' && *s <= '9') {
        char *end;
        const unsigned long long v = strtoull(s, &end, 10);
        if (*end == '\0')
            return (size_t)v;
    }
    return otherwise;
}

/* The pending budget: AGG_PENDING_BUDGET, or RSLA_AGG_PENDING_BUDGET (bytes). */
static size_t pending_budget_default(void)
{
    return size_from_env("RSLA_AGG_PENDING_BUDGET", AGG_PENDING_BUDGET);
}

/* An empty table in the memory at t. */
static void table_init(agg_table *t, const agg_status_table *statuses)
{
    memset(t, 0, sizeof *t);
    t->statuses = *statuses;
    t->seed = agg_process_seed();
    rsla_arena_init(&t->arena);
    rsla_arena_init(&t->block_arena);
    rsla_map_init(&t->host_map);
    rsla_map_init(&t->raw_map);
    rsla_map_init(&t->string_map);
    rsla_map_init(&t->block_map);
    rsla_map_init(&t->cover_map);
    rsla_map_init(&t->failure_map);
    rsla_map_init(&t->idset_map);
    rsla_map_init(&t->pending_map);
    rsla_arena_init(&t->pending_arena);
    t->pending_budget = pending_budget_default();
    t->last_raw = RSLA_MAP_NONE;
    t->last_cover = RSLA_MAP_NONE;
}

agg_table *agg_table_create(const agg_status_table *statuses)
{
    agg_table *t = rsla_xmalloc(sizeof *t);
    table_init(t, statuses);
    return t;
}

static void table_release(agg_table *t)
{
    for (size_t i = 0; i < t->covers.n; i++)
        free(t->covers.v[i]);
    free(t->hosts.v);
    free(t->raws.v);
    free(t->strings.v);
    free(t->blocks.v);
    free(t->loose.v);
    free(t->fails.v);
    free(t->mid.v);
    free(t->wide.v);
    free(t->covers.v);
    free(t->failures.v);
    free(t->idsets.v);
    free(t->pending.v);
    rsla_map_free(&t->host_map);
    rsla_map_free(&t->raw_map);
    rsla_map_free(&t->string_map);
    rsla_map_free(&t->block_map);
    rsla_map_free(&t->cover_map);
    rsla_map_free(&t->failure_map);
    rsla_map_free(&t->idset_map);
    rsla_map_free(&t->pending_map);
    rsla_arena_free(&t->arena);
    rsla_arena_free(&t->block_arena);
    rsla_arena_free(&t->pending_arena);
    agg_spill_free(t->spill);
    free(t->error);
}

void agg_table_free(agg_table *t)
{
    if (!t)
        return;
    table_release(t);
    free(t);
}

const char *agg_table_error(const agg_table *t)
{
    return t->error;
}

void agg_table_set_pending_budget(agg_table *t, size_t bytes)
{
    t->pending_budget = bytes;
    pending_check(t);
}

/* The share of AGG_SINK_BLOCKS of each of `tables` tables, or RSLA_AGG_SINK_BLOCKS (0: 1). */
static size_t sink_flush_default(unsigned tables)
{
    const size_t share = AGG_SINK_BLOCKS / (tables ? tables : 1);
    const size_t n =
        size_from_env("RSLA_AGG_SINK_BLOCKS", RSLA_MAX(share, (size_t)AGG_SINK_MIN_FLUSH));
    return n ? n : 1;
}

agg_sink *agg_sink_create(const agg_status_table *statuses, unsigned tables)
{
    agg_sink *s = rsla_xcalloc(1, sizeof *s);
    s->table = agg_table_create(statuses);
    pthread_mutex_init(&s->lock, NULL);
    s->flush_blocks = sink_flush_default(tables);
    return s;
}

void agg_table_set_sink(agg_table *t, agg_sink *s)
{
    t->sink = s;
}

agg_table *agg_sink_release(agg_sink *s)
{
    agg_table *t = s->table;
    pthread_mutex_destroy(&s->lock);
    free(s);
    return t;
}

void agg_table_add(agg_table *t, const rsla_outcome *o)
{
    const uint32_t host = host_of_raw(t, o->host);
    const int64_t minute = rsla_minute_of_ns(o->time_ns);
    cover_note(t, minute, o->time_ns, o->time_ns);
    const classify_result cr = classify_request(o->method, o->path);
    if (o->status >= 400 && o->request_id.len > 0) {
        const char *method = agg_intern(t, o->method.ptr, o->method.len);
        const char *repo = agg_intern(t, cr.repository.ptr, cr.repository.len);
        const pending_entry e = { host, o->request_id.ptr, o->request_id.len, o->time_ns,
                                  o->status, (uint8_t)cr.cls, (uint8_t)cr.endpoint,
                                  method, repo, 1 };
        agg_pending_add(t, &e);
        pending_check(t);
        return;
    }
    const request r = { host, o->time_ns, o->status, (uint8_t)cr.cls, (uint8_t)cr.endpoint,
                        NULL, NULL, o->request_id };
    if (r.cls <= CLASSIFY_PULL && o->status >= 0 && o->status < 1000 &&
        t->statuses.verdict[o->status] == AGG_FAILED) {
        request f = r;
        f.method = agg_intern(t, o->method.ptr, o->method.len);
        f.repository = agg_intern(t, cr.repository.ptr, cr.repository.len);
        count_request(t, &f);
        return;
    }
    count_request(t, &r);
}

/* MARK: - Merge (Public) */

/* A block of src becomes one of dst's loose blocks as it is, host and wider counters re-homed. */
static void block_adopt(agg_table *dst, const agg_table *src, minute_block *b, uint32_t host)
{
    b->host = host;
    if (b->more & AGG_MORE_WIDE) {
        VEC_PUSH(dst->wide, src->wide.v[agg_more_index(b)]);
        b->more = AGG_MORE_WIDE | (uint32_t)dst->wide.n;
    } else if (b->more & AGG_MORE_FAILED) {
        VEC_PUSH(dst->fails, src->fails.v[agg_more_index(b)]);
        b->more = AGG_MORE_FAILED | (uint32_t)dst->fails.n;
    } else if (b->more) {
        VEC_PUSH(dst->mid, src->mid.v[agg_more_index(b)]);
        b->more = (uint32_t)dst->mid.n;
    }
    VEC_PUSH(dst->loose, b);
}

/* Every block of src becomes dst's as it is, without a lookup: the arena that holds them is
 * spliced into dst's; only wider counters are copied. */
static void merge_blocks(agg_table *dst, agg_table *src, const uint32_t *remap)
{
    for (size_t i = 0; i < src->blocks.n; i++)
        block_adopt(dst, src, src->blocks.v[i], remap[src->blocks.v[i]->host]);
    for (size_t i = 0; i < src->loose.n; i++)
        block_adopt(dst, src, src->loose.v[i], remap[src->loose.v[i]->host]);
    rsla_arena_adopt(&dst->block_arena, &src->block_arena);
    for (size_t i = 0; i < src->covers.n; i++) {
        const cover_block *b = src->covers.v[i];
        for (int m = 0; m < AGG_COVER_MINUTES; m++)
            if (b->first[m] != INT64_MAX)
                cover_note(dst, b->block * AGG_COVER_MINUTES + m, b->first[m], b->last[m]);
    }
}

static void merge_failures(agg_table *dst, const agg_table *src, const uint32_t *remap)
{
    for (size_t i = 0; i < src->failures.n; i++) {
        failure_entry key = src->failures.v[i];
        key.host = remap[key.host];
        key.method = agg_intern(dst, key.method, strlen(key.method));
        key.repository = agg_intern(dst, key.repository, strlen(key.repository));
        failure_at(dst, &key)->count += src->failures.v[i].count;
    }
    for (size_t i = 0; i < src->idsets.n; i++) {
        const idset_entry *s = &src->idsets.v[i];
        idset_entry *d = idset_at(dst, remap[s->host], s->minute);
        for (uint32_t k = 0; k < s->n; k++) {
            const char *id = s->req[k].request_id;
            const size_t len = strlen(id);
            if (idset_wants(d, s->req[k].time_ns, id, len)) {
                const agg_failed_request r = { s->req[k].time_ns,
                                               rsla_arena_strndup(&dst->arena, id, len) };
                idset_offer(d, r);
            }
        }
    }
}

/* src's pending requests, in memory and spilled, become dst's; remap: src host -> dst host. */
static void pending_move(agg_table *dst, agg_table *src, const uint32_t *remap)
{
    string_remap strings = { { NULL }, { NULL } };
    for (size_t i = 0; i < src->pending.n; i++) {
        pending_entry e = src->pending.v[i];
        e.host = remap[e.host];
        e.method = remap_string(dst, &strings, e.method);
        e.repository = remap_string(dst, &strings, e.repository);
        agg_pending_add(dst, &e);
        pending_check(dst);
    }
    agg_pending_clear(src);
    agg_spill_move(dst, src);
}

void agg_pending_take(agg_table *dst, agg_table *src)
{
    uint32_t *remap = remap_hosts(dst, src);
    pending_move(dst, src, remap);
    free(remap);
}

void agg_table_merge(agg_table *dst, agg_table *src)
{
    /* src's blocks become loose blocks in dst's arena, which a move to the sink would free. */
    agg_table_set_sink(dst, NULL);
    uint32_t *remap = remap_hosts(dst, src);
    for (size_t i = 0; i < src->hosts.n; i++) {
        const host_entry *s = &src->hosts.v[i];
        host_entry *d = &dst->hosts.v[remap[i]];
        for (int c = 0; c < CLASSIFY_CLASS_COUNT; c++)
            d->by_class[c] += s->by_class[c];
        d->excluded += s->excluded;
        d->duplicate_lines += s->duplicate_lines;
    }
    merge_blocks(dst, src, remap);
    merge_failures(dst, src, remap);
    pending_move(dst, src, remap);
    free(remap);
    if (src->error && !dst->error) {
        dst->error = src->error;
        src->error = NULL;
    }
    const agg_status_table statuses = src->statuses;
    table_release(src);
    table_init(src, &statuses);
}
