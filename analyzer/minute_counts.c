#include "analyzer/minute_counts.h"

#include <stdlib.h> /* qsort, free */
#include <string.h> /* memcmp, strcmp */

#include "analyzer/agg.h" /* agg_normalise_host */
#include "common/rsla_map.h"
#include "common/rsla_time.h"

typedef struct count_entry {
    const char *host; /* normalised, in the arena */
    size_t host_len;
    int64_t minute;
    uint64_t lines, errors;
} count_entry;

struct minute_counts {
    rsla_arena arena;
    count_entry *v;
    size_t n, cap;
    rsla_map map;
};

typedef struct count_key {
    const minute_counts *t;
    const char *host;
    size_t len;
    int64_t minute;
} count_key;

static bool count_eq(const void *ctx, uint32_t i)
{
    const count_key *k = ctx;
    const count_entry *e = &k->t->v[i];
    return e->minute == k->minute && e->host_len == k->len && memcmp(e->host, k->host, k->len) == 0;
}

minute_counts *minute_counts_create(void)
{
    minute_counts *t = rsla_xcalloc(1, sizeof *t);
    rsla_arena_init(&t->arena);
    rsla_map_init(&t->map);
    return t;
}

void minute_counts_free(minute_counts *t)
{
    if (!t)
        return;
    rsla_arena_free(&t->arena);
    rsla_map_free(&t->map);
    free(t->v);
    free(t);
}

static count_entry *entry_at(minute_counts *t, const char *host, size_t len, int64_t minute)
{
    const count_key k = { t, host, len, minute };
    const uint64_t h = rsla_hash_bytes(host, len, (uint64_t)minute);
    uint32_t i = rsla_map_find(&t->map, h, count_eq, &k);
    if (i == RSLA_MAP_NONE) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 1024;
            t->v = rsla_xrealloc(t->v, t->cap * sizeof *t->v);
        }
        i = (uint32_t)t->n++;
        t->v[i] = (count_entry){ rsla_arena_strndup(&t->arena, host, len), len, minute, 0, 0 };
        rsla_map_insert(&t->map, h, i);
    }
    return &t->v[i];
}

void minute_counts_add(minute_counts *t, const rsla_outcome *o)
{
    char small[256];
    char *norm = o->host.len < sizeof small ? small : rsla_xmalloc(o->host.len + 1);
    const size_t len = agg_normalise_host(o->host.ptr, o->host.len, norm);
    count_entry *e = entry_at(t, norm, len, rsla_minute_of_ns(o->time_ns));
    e->lines++;
    e->errors += o->status >= 500 && o->status <= 599;
    if (norm != small)
        free(norm);
}

void minute_counts_merge(minute_counts *dst, minute_counts *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const count_entry *s = &src->v[i];
        count_entry *d = entry_at(dst, s->host, s->host_len, s->minute);
        d->lines += s->lines;
        d->errors += s->errors;
    }
    rsla_arena_free(&src->arena);
    rsla_map_free(&src->map);
    free(src->v);
    memset(src, 0, sizeof *src);
    rsla_arena_init(&src->arena);
    rsla_map_init(&src->map);
}

static int entry_cmp(const void *pa, const void *pb)
{
    const count_entry *a = pa, *b = pb;
    const int c = strcmp(a->host, b->host);
    if (c)
        return c;
    return (a->minute > b->minute) - (a->minute < b->minute);
}

void minute_counts_write(const minute_counts *t, FILE *f)
{
    count_entry *sorted = rsla_xmalloc((t->n + 1) * sizeof *sorted);
    if (t->n)
        memcpy(sorted, t->v, t->n * sizeof *sorted);
    rsla_sort(sorted, t->n, sizeof *sorted, entry_cmp);
    for (size_t i = 0; i < t->n; i++)
        fprintf(f, "%s\t%lld\t%llu\t%llu\n", sorted[i].host, (long long)sorted[i].minute,
                (unsigned long long)sorted[i].lines, (unsigned long long)sorted[i].errors);
    free(sorted);
}
