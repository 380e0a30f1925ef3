#ifndef RSLA_AGG_INTERNAL_H
#define RSLA_AGG_INTERNAL_H
/* The inside of an agg_table, shared by agg.c (adding and merging) and agg_finish.c (turning a
 * table into the sorted agg_result). Nothing outside analyzer/agg*.c includes this. */
#include <stdint.h>             /* int64_t, uint32_t */
#include "analyzer/agg.h"       /* agg_table, agg_failed_request */
#include "common/rsla_map.h"    /* rsla_map, rsla_arena */

/* Minutes per counter block. Small, because counts are sparse in the month of an instance with
 * little traffic (a 10,000-instance month has ~200 requests per instance), yet big enough that a
 * busy instance's month is a few thousand blocks. */
#define AGG_BLOCK_MINUTES 8
/* Coverage is one table for the whole input, dense over the span the logs cover. */
#define AGG_COVER_MINUTES 64

/* The counters of one minute: valid and failed by class (CLASSIFY_PUSH, CLASSIFY_PULL), then
 * requests that are neither. */
enum { CNT_VALID = 0, CNT_FAILED = 2, CNT_OTHER = 4, CNT_SLOTS = 5 };

/* Counters start as 16 bits, which is most of a month's memory in a dense table; a block whose
 * count would pass 65535 moves for good to 32-bit counters in t->wide. */
typedef struct minute_block {
    uint32_t host;
    uint32_t wide;  /* 0: the narrow counters hold the counts; else 1 + index into t->wide */
    int64_t block;
    uint16_t narrow[AGG_BLOCK_MINUTES][CNT_SLOTS];
} minute_block;

typedef struct wide_counts {
    uint32_t c[AGG_BLOCK_MINUTES][CNT_SLOTS];
} wide_counts;

typedef struct cover_block {
    int64_t block;
    int64_t first[AGG_COVER_MINUTES]; /* INT64_MAX: no line in that minute */
    int64_t last[AGG_COVER_MINUTES];
} cover_block;

typedef struct host_entry {
    const char *name;
    size_t len;
    uint64_t by_class[CLASSIFY_CLASS_COUNT];
    uint64_t excluded;
    uint64_t duplicate_lines;
    minute_block *last_block; /* a host's lines come in time order: mostly the same block */
} host_entry;

typedef struct raw_host {
    const char *raw;
    size_t len;
    uint32_t host;
} raw_host;

typedef struct interned {
    const char *s;
    size_t len;
} interned;

typedef struct failure_entry {
    uint32_t host;
    int64_t minute;
    int32_t status;
    uint8_t cls, endpoint;
    const char *method, *repository; /* interned in the table */
    uint64_t count;
} failure_entry;

typedef struct idset_entry {
    uint32_t host;
    int64_t minute;
    uint32_t n;
    agg_failed_request req[AGG_FAILED_IDS_PER_MINUTE];
} idset_entry;

/* One request known by its error lines; its details come from its earliest line. */
typedef struct pending_entry {
    uint32_t host;
    const char *id;
    size_t id_len;
    int64_t time_ns;
    int32_t status; /* the highest status among its lines */
    uint8_t cls, endpoint;
    const char *method, *repository;
    uint64_t lines;
} pending_entry;

#define VEC(T)     \
    struct {       \
        T *v;      \
        size_t n;  \
        size_t cap; \
    }

#define VEC_PUSH(vec, item)                                                        \
    do {                                                                           \
        if ((vec).n == (vec).cap) {                                                \
            (vec).cap = (vec).cap ? (vec).cap * 2 : 16;                            \
            (vec).v = rsla_xrealloc((vec).v, (vec).cap * sizeof *(vec).v);         \
        }                                                                          \
        (vec).v[(vec).n++] = (item);                                               \
    } while (0)

struct agg_table {
    agg_status_table statuses;
    rsla_arena arena;
    rsla_arena block_arena; /* minute blocks: many small records freed together */
    VEC(host_entry) hosts;
    rsla_map host_map;
    VEC(raw_host) raws;
    rsla_map raw_map;
    VEC(interned) strings;
    rsla_map string_map;
    VEC(minute_block *) blocks;
    rsla_map block_map;
    VEC(wide_counts) wide;
    VEC(cover_block *) covers;
    rsla_map cover_map;
    VEC(failure_entry) failures;
    rsla_map failure_map;
    VEC(idset_entry) idsets;
    rsla_map idset_map;
    VEC(pending_entry) pending;
    rsla_map pending_map;
    /* One-entry caches: consecutive lines mostly share a raw host and a coverage block. */
    uint32_t last_raw;
    uint32_t last_cover;
};

/* The count of one minute and slot of a block, narrow or wide. Inline: the finish step reads
 * every counter of a month through it. */
static inline uint32_t agg_block_get(const agg_table *t, const minute_block *b, int m, int slot)
{
    return b->wide ? t->wide.v[b->wide - 1].c[m][slot] : b->narrow[m][slot];
}
/* Order of failed requests: time, then id. */
int agg_failed_request_cmp(const agg_failed_request *a, const agg_failed_request *b);
/* Counts every request known by its error lines; the table's pending set is empty afterwards. */
void agg_pending_resolve(agg_table *t);

#endif
