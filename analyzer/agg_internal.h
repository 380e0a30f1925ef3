#ifndef RSLA_AGG_INTERNAL_H
#define RSLA_AGG_INTERNAL_H
/* The inside of an agg_table, shared by agg.c (adding and merging) and agg_finish.c (turning a
 * table into the sorted agg_result). Nothing outside analyzer/agg*.c includes this. */
#include <pthread.h>            /* pthread_mutex_t */
#include <stdatomic.h>          /* atomic_uint */
#include <stdbool.h>            /* bool */
#include <stdint.h>             /* int64_t, uint32_t */
#include <stdio.h>              /* FILE */
#include <stdlib.h>             /* free */
#include "analyzer/agg.h"       /* agg_table, agg_failed_request */
#include "common/rsla_map.h"    /* rsla_map, rsla_arena */

/* Minutes per counter block. A block costs its header, its map slots and its vector entry
 * (35-45 bytes) whatever its minutes hold, so the blocks of a busy host are memory that follows
 * how many of its hours have traffic: a month of 2 M lines has 43 k blocks, one four times as
 * large 49 k, and the two runs differ by ~5 % (README, "Performance"). At 16 minutes they had
 * 128 k and 170 k, and the 4x month took 21-24 % more than the month. The price is paid by
 * sparse hosts: a 10,000-instance month (~200 requests per instance, most blocks hold one) takes
 * ~360 MiB instead of ~260. */
#define AGG_BLOCK_MINUTES 64
/* Coverage is one table for the whole input, dense over the span the logs cover. */
#define AGG_COVER_MINUTES 64

/* The counters of one minute: valid by class (CLASSIFY_PUSH, CLASSIFY_PULL), requests that are
 * neither, then failed by class. The first CNT_NARROW are the ones a block holds in 8 bits. */
enum { CNT_VALID = 0, CNT_OTHER = 2, CNT_FAILED = 3, CNT_SLOTS = 5, CNT_NARROW = 3 };

/* Counters start as 8 bits, which hold a month of most hosts (the busiest minute of a generated
 * 4x month has 58 requests) and are most of a month's memory. A block holds its valid and other
 * counters; its failed ones, zero in all but ~1 % of a month's blocks, are in t->fails from its
 * first failed request on (128 bytes more, where inline they would cost every block as much). A
 * block whose count would pass 255 moves for good to 16-bit counters in t->mid, and past 65535 to
 * 32-bit ones in t->wide: a busy host pays for its width, the others do not. */
#define AGG_MORE_WIDE 0x80000000u  /* bits of minute_block.more: the counters are in t->wide */
#define AGG_MORE_FAILED 0x40000000u /* the failed counters are in t->fails, the rest inline */
#define AGG_MORE_TAGS (AGG_MORE_WIDE | AGG_MORE_FAILED)

typedef struct minute_block {
    uint32_t host;
    uint32_t more;  /* 0: the narrow counters hold the counts (failed ones are 0); else 1 + index
                       into t->mid, AGG_MORE_WIDE | 1 + index into t->wide, or
                       AGG_MORE_FAILED | 1 + index into t->fails */
    int64_t block;
    uint8_t narrow[AGG_BLOCK_MINUTES][CNT_NARROW];
} minute_block;

/* Where a block's counters are in t->mid, t->wide or t->fails (b->more is not 0). */
static inline uint32_t agg_more_index(const minute_block *b)
{
    return (b->more & ~AGG_MORE_TAGS) - 1;
}

/* Whether the block's valid and other counters are the 8-bit ones inline. */
static inline bool agg_block_narrow(const minute_block *b)
{
    return !b->more || (b->more & AGG_MORE_FAILED);
}

/* A set of a block's minutes, bit m for minute m. */
typedef uint64_t agg_minute_bits;

/* A counter block of an instance, for walking an instance's blocks in time order: sorted by
 * (inst, block), they are the minutes of an agg_result's instances. */
struct agg_block_ref {
    uint32_t inst;
    agg_minute_bits used; /* bit m: minute m has a request; read while the blocks are walked in
                             memory order, so that counting minutes needs no pass over them in
                             sorted order */
    int64_t block; /* b->block, kept here: sorting must not chase a pointer per comparison */
    const minute_block *b;
};
_Static_assert(AGG_BLOCK_MINUTES <= 64, "agg_block_ref.used has a bit per minute of a block");

typedef struct failed_counts {
    uint8_t c[AGG_BLOCK_MINUTES][CNT_SLOTS - CNT_NARROW];
} failed_counts;

typedef struct mid_counts {
    uint16_t c[AGG_BLOCK_MINUTES][CNT_SLOTS];
} mid_counts;

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
    uint32_t sink_host;       /* the host's index in the sink's table, RSLA_MAP_NONE until its
                                 first blocks go there */
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
#define VEC_FREE(vec)                                                              \
    do {                                                                           \
        free((vec).v);                                                             \
        (vec).v = NULL;                                                            \
        (vec).n = (vec).cap = 0;                                                   \
    } while (0)

/* MARK: - Spill of pending requests (agg_spill.c) */

/* How much memory one table's pending requests may take before they go to temporary files: the
 * error lines of a month are ~10 % of it, so keeping them all would make memory grow with the
 * input. The size only moves the point where a partition must itself be partitioned again (one
 * more write and read of it); each scanning thread holds up to this much. At 1 MiB a 4x month's
 * ~50 MB of spilled requests resolve in one level. */
#ifndef AGG_PENDING_BUDGET
#define AGG_PENDING_BUDGET (1u << 20)
#endif
/* Partitions of the spill, by a hash of (host name, request id): all lines of one request land in
 * one partition, so the partitions are resolved one at a time, each in ~1/AGG_SPILL_PARTS of the
 * memory of the whole set. */
#define AGG_SPILL_PARTS 32

/* One partition of one spilled run: bytes [off, off + len) of files.v[file]. */
typedef struct spill_segment {
    uint32_t file;
    uint64_t off, len;
} spill_segment;

/* Temporary files (unlinked at creation) holding runs of pending requests, each run grouped by
 * partition. A merge moves the files of one table to the other, nothing is copied. */
typedef struct agg_spill {
    VEC(FILE *) files;
    VEC(spill_segment) parts[AGG_SPILL_PARTS];
    char *dir;      /* where the files are: $TMPDIR or /tmp, for messages */
    unsigned level; /* which 5 bits of the hash make the partition */
} agg_spill;

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
    /* Blocks taken over from merged tables, in no map: a (host, block) may have a block here as
     * well as in `blocks`, and the finish sums them (it sums the hosts of an instance anyway).
     * Looking each one up to add it into an existing block made the merge ~170 k cache-missing
     * lookups on a 2 M-line month, whose threads' tables hardly overlap (each thread reads its
     * own stretches of time). Where they do overlap (one log per replica of the same hosts,
     * read by several threads), up to one block per thread is kept for a (host, block) until
     * the end, as each thread's table held during the run. */
    VEC(minute_block *) loose;
    VEC(failed_counts) fails;
    VEC(mid_counts) mid;
    VEC(wide_counts) wide;
    VEC(cover_block *) covers;
    rsla_map cover_map;
    VEC(failure_entry) failures;
    rsla_map failure_map;
    VEC(idset_entry) idsets;
    rsla_map idset_map;
    VEC(pending_entry) pending;
    rsla_map pending_map;
    rsla_arena pending_arena; /* the pending requests' ids, freed with each spill */
    size_t pending_bytes;     /* memory the pending set takes, as counted against the budget */
    size_t pending_budget;
    agg_spill *spill;         /* NULL until the first spill */
    char *error;              /* the first spill failure; a table with one has no result */
    agg_sink *sink;           /* where the counter blocks go past sink->flush_blocks, or NULL */
    uint64_t seed; /* agg_process_seed(): of the hashes of names and ids, which clients choose */
    /* One-entry caches: consecutive lines mostly share a raw host and a coverage block. */
    uint32_t last_raw;
    uint32_t last_cover;
};

/* The count of one minute and slot of a block, whatever its counters' width. Inline: the finish
 * step reads every counter of a month through it. */
static inline uint32_t agg_block_get(const agg_table *t, const minute_block *b, int m, int slot)
{
    if (agg_block_narrow(b)) {
        if (slot < CNT_NARROW)
            return b->narrow[m][slot];
        return b->more ? t->fails.v[agg_more_index(b)].c[m][slot - CNT_NARROW] : 0;
    }
    const uint32_t i = agg_more_index(b);
    return b->more & AGG_MORE_WIDE ? t->wide.v[i].c[m][slot] : t->mid.v[i].c[m][slot];
}
/* One table that the scanning tables move their counter blocks into (agg.h, agg_sink_create). */
struct agg_sink {
    agg_table *table;
    pthread_mutex_t lock;
    size_t flush_blocks; /* how many blocks a scanning table holds before it moves them */
};

/* Order of failed requests: time, then id. */
int agg_failed_request_cmp(const agg_failed_request *a, const agg_failed_request *b);
/* The index of a normalised host name in t, added when new. */
uint32_t agg_host_get(agg_table *t, const char *name, size_t len);
/* A random value drawn once per process (agg_spill.c). */
uint64_t agg_process_seed(void);
/* t's own NUL-terminated copy of s[0..len), one per distinct string. */
const char *agg_intern(agg_table *t, const char *s, size_t len);
/* Adds what one or more lines say of a request: e's method and repository are t's own
 * (agg_intern), its id is copied. */
void agg_pending_add(agg_table *t, const pending_entry *e);
/* Moves src's pending requests (in memory and spilled) to dst, hosts matched by name. */
void agg_pending_take(agg_table *dst, agg_table *src);
/* Counts every request of src's in-memory pending set in dst (src itself, or another table:
 * hosts matched by name), then empties src's set. */
void agg_pending_count_into(agg_table *dst, agg_table *src);
/* Empties the in-memory pending set and releases its ids. */
void agg_pending_clear(agg_table *t);
/* Counts every request known by its error lines, spilled or not; the pending set is empty
 * afterwards. @return false (t->error set) when a spill file could not be read. */
bool agg_pending_resolve(agg_table *t);

/* Records the first failure of a table (printf-style); later ones are dropped. */
void agg_fail(agg_table *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Writes the in-memory pending set to the table's spill as one run and empties it.
 * @return false (t->error set) when a file could not be created or written. */
bool agg_spill_pending(agg_table *t);
/* Moves src's spill files and segments to dst (src is left without a spill). */
void agg_spill_move(agg_table *dst, agg_table *src);
/* Reads every partition back and counts its requests, one partition (or, past the budget, one
 * partition of a partition) in memory at a time. @return false (t->error set) on a read failure. */
bool agg_spill_resolve(agg_table *t);
/* Where resolved requests are counted: `table`, shared by several resolving threads and a
 * merging one, each holding `lock` while it writes the table. */
typedef struct agg_count_target {
    agg_table *table;
    pthread_mutex_t *lock;
} agg_count_target;
/* Resolves partitions of s in `scratch` (a table of its own, which holds one partition's
 * requests at a time) and counts each one's requests in target's table, taking the next
 * partition from *next_part until none is left: s is only read, so several threads share it
 * and its counter. @return false (scratch->error set) on a read failure. */
bool agg_spill_resolve_shared(agg_table *scratch, const agg_spill *s, atomic_uint *next_part,
                              const agg_count_target *target);
void agg_spill_free(agg_spill *s);

#endif
