#ifndef RSLA_AGG_H
#define RSLA_AGG_H
/* Per-instance aggregation of request outcomes, mergeable.
 *
 * Each scanning thread feeds its own agg_table; tables are merged at the end with
 * agg_table_merge(), which is associative and commutative, so the result does not depend on
 * how lines were split across threads, chunks or files. agg_table_finish() then gives the
 * read-only agg_result that the SLA computation (sla.c) and the reports read.
 *
 * Counts are kept per normalised host and UTC minute; windows, months and time zones are the
 * policy's business and are applied later. What the policy decides at aggregation time is only
 * the status verdict (failed, excluded or good), given as a table at creation. */
#include <stddef.h>             /* size_t */
#include <stdint.h>             /* int64_t, uint32_t, uint64_t */
#include <stdio.h>              /* FILE */
#include "analyzer/classify.h"  /* classify_class, classify_endpoint */
#include "analyzer/outcome.h"   /* rsla_outcome */

/* Verdict of one status for push and pull requests (SLA-SPEC section 4). */
typedef enum agg_verdict { AGG_GOOD = 0, AGG_FAILED = 1, AGG_EXCLUDED = 2 } agg_verdict;
typedef struct agg_status_table {
    uint8_t verdict[1000]; /* agg_verdict by status 0..999 */
} agg_status_table;

/* How many failing request ids are kept per instance and minute (the earliest ones). */
#define AGG_FAILED_IDS_PER_MINUTE 3

typedef struct agg_minute {
    int64_t minute;     /* UTC minutes since the epoch */
    uint32_t valid[2];  /* by class: [CLASSIFY_PUSH], [CLASSIFY_PULL]; valid = good + failed */
    uint32_t failed[2];
    uint32_t other;     /* requests of this minute that are not valid push/pull: other, not
                           registry, or an excluded status; so a minute appears here when the
                           instance has any request in it */
} agg_minute;

/* Failed requests of one instance and minute, grouped by what an SRE reads in an incident. */
typedef struct agg_failure {
    int64_t minute;
    int32_t status;
    uint8_t cls;              /* CLASSIFY_PUSH or CLASSIFY_PULL */
    uint8_t endpoint;         /* classify_endpoint */
    const char *method;
    const char *repository;   /* "" when the route has none */
    uint64_t count;
} agg_failure;

typedef struct agg_failed_request {
    int64_t time_ns;
    const char *request_id;
} agg_failed_request;

/* The counter blocks of a table that hold one instance's minutes (agg_internal.h). */
typedef struct agg_block_ref agg_block_ref;
typedef struct agg_table agg_table;
typedef struct agg_sink agg_sink;

typedef struct agg_instance {
    const char *name;                     /* instance id (inventory) or normalised host */
    /* The minutes in which the instance has any request, in time order, read with
     * agg_minutes_next(): either an array (minutes), or, in a result of agg_table_finish(), the
     * table's own counter blocks (blocks[0, n_blocks) of table), summed over the instance's
     * hosts as they are read. A copy of them as an array was the largest thing a dense month
     * held, and grew with the share of minutes that have a request. */
    const agg_minute *minutes;
    const agg_block_ref *blocks;
    size_t n_blocks;
    const agg_table *table;
    size_t n_minutes;
    agg_failure *failures;                /* sorted by (minute, status, cls, endpoint, method,
                                             repository) */
    size_t n_failures;
    agg_failed_request *failed_requests;  /* sorted by (time_ns, request_id); the earliest
                                             AGG_FAILED_IDS_PER_MINUTE of each minute */
    size_t n_failed_requests;
    uint64_t by_class[CLASSIFY_CLASS_COUNT]; /* requests, duplicates merged */
    uint64_t excluded;                    /* push/pull requests with an excluded status */
    uint64_t duplicate_lines;             /* error lines merged into another line of the same
                                             request (same instance and request id) */
} agg_instance;

/* A UTC minute in which the input has at least one outcome line, of any instance. */
typedef struct agg_coverage_minute {
    int64_t minute;
    int64_t first_ns, last_ns;
} agg_coverage_minute;

typedef struct agg_unmatched_host {
    const char *host;
    uint64_t requests;
} agg_unmatched_host;

typedef struct agg_result {
    agg_instance *instances;        /* sorted by name */
    agg_block_ref *blocks;          /* the instances' block lists, one allocation */
    size_t n_instances;
    agg_coverage_minute *coverage;  /* sorted by minute */
    size_t n_coverage;
    agg_unmatched_host *unmatched;  /* with an inventory: hosts that matched no instance,
                                       sorted by host */
    size_t n_unmatched;
    uint64_t unmatched_requests;
} agg_result;

/* Most minutes agg_minutes_next() gives at a time. */
#define AGG_MINUTES_BATCH 64

/* agg_minutes_next() :
 * The next minutes of an instance, in time order, from *pos (0 at the start; the call moves it).
 * @return how many were written to out, 0 at the end. */
size_t agg_minutes_next(const agg_instance *ai, size_t *pos, agg_minute out[AGG_MINUTES_BATCH]);

/* Maps a normalised host to an instance id; NULL when the host belongs to no instance. */
typedef const char *(*agg_instance_of_host)(void *ctx, const char *host);

agg_table *agg_table_create(const agg_status_table *statuses);
void agg_table_free(agg_table *t);

/* Adds one outcome. Not thread-safe: one table per thread. */
void agg_table_add(agg_table *t, const rsla_outcome *o);

/* Moves everything of src into dst (src is left empty but usable). Both must have been created
 * with the same status table. */
void agg_table_merge(agg_table *dst, agg_table *src);

/* agg_table_error() :
 * Why the table cannot give a result, or NULL. The one failure a table can have is its spill:
 * error lines waiting for the other lines of their request go to temporary files in $TMPDIR
 * (default /tmp) past a memory budget, and a file that cannot be created, written or read back
 * (no such folder, disk full, I/O error) loses requests. The message names the folder and the
 * reason. A merge carries the failure of src over to dst. */
const char *agg_table_error(const agg_table *t);

/* Sets how many bytes of memory the table's pending error lines may take before they are spilled
 * to temporary files (default: AGG_PENDING_BUDGET, 1 MiB, or RSLA_AGG_PENDING_BUDGET from the
 * environment). Results do not depend on it; tests set it tiny to force spills. */
void agg_table_set_pending_budget(agg_table *t, size_t bytes);

/* Counter blocks, all scanning tables together, that may wait in the tables before they move to
 * their sink: ~2 MiB (~3 MiB where every block has a failed request). Each table holds its
 * share, AGG_SINK_MIN_FLUSH at least. */
#define AGG_SINK_BLOCKS 8192
#define AGG_SINK_MIN_FLUSH 256

/* agg_sink_create() :
 * A table that `tables` scanning tables move their counter blocks into, summed into one block per
 * (host, 64 minutes), each time one of them holds its share of AGG_SINK_BLOCKS (or
 * RSLA_AGG_SINK_BLOCKS from the environment, which tests use for tiny shares) of them.
 * Without it, every thread's table keeps a block for each (host, 64 minutes) it has seen lines
 * of: once logs are dense enough that a chunk covers fewer minutes than a block, the threads
 * interleave in every block, and memory grows with threads x lines rather than with the
 * (host, minute) cells of the input (a 16x month took 57 MiB at 2 threads, 39 at 1). Moving
 * the blocks takes the sink's lock; the sums do not depend on when it happens. */
agg_sink *agg_sink_create(const agg_status_table *statuses, unsigned tables);
/* t moves its counter blocks into s from now on; t is used by one thread, s by all, under its
 * lock. A merge into t, agg_table_finish() and agg_tables_finish() end it: the blocks that t
 * moved are in the sink's table, which only agg_tables_finish() finishes with t. */
void agg_table_set_sink(agg_table *t, agg_sink *s);
/* The sink's table, to be finished with the scanning tables (agg_tables_finish) and freed by
 * the caller; the sink itself is freed. */
agg_table *agg_sink_release(agg_sink *s);

/* agg_table_finish() :
 * Resolves duplicate error lines, maps hosts to instances (with map == NULL every normalised
 * host is its own instance) and builds the sorted read-only result. The table must not be used
 * afterwards except to free it; the result borrows its strings and reads its counter blocks.
 * @return a result to release with agg_result_free() before agg_table_free(), or NULL when the
 *         table has failed (agg_table_error() says why): no result may be reported then. */
agg_result *agg_table_finish(agg_table *t, agg_instance_of_host map, void *map_ctx);

/* agg_tables_finish() :
 * What merging tables[1, n) into tables[0] and finishing it gives, with up to `threads` threads:
 * the spilled pending error requests are resolved partition by partition, each thread taking
 * the next partition and counting it in tables[0] under a lock, one of them after merging the
 * other tables into tables[0] under that lock.
 * The table with the most counter blocks is moved to tables[0] (the tables swap places in the
 * array) and takes the others: tables[1, n) are left empty; tables[0] is as after
 * agg_table_finish(): the result borrows its strings and reads its counter blocks, so free it
 * after the result. On failure (NULL), agg_table_error(tables[0]) says why.
 * The result is the same for any threads and any order of the tables. */
agg_result *agg_tables_finish(agg_table **tables, size_t n, unsigned threads,
                              agg_instance_of_host map, void *map_ctx);
void agg_result_free(agg_result *r);

/* Writes every figure of a result as canonical text, one record per line (I instance, M minute,
 * F failure group, R failed request, C coverage minute, U unmatched host): equal texts mean
 * equal results. For tests, and for checking other tools' counts against regsla's. */
void agg_result_dump(const agg_result *r, FILE *f);

/* Lower-cases a host and removes a :port suffix (also from [v6]:port) into out (at least
 * len + 1 bytes). @return the normalised length. */
size_t agg_normalise_host(const char *host, size_t len, char *out);

#endif
