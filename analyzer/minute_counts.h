#ifndef RSLA_MINUTE_COUNTS_H
#define RSLA_MINUTE_COUNTS_H
/* Per (normalised host, UTC minute) counts of outcome lines and of 5xx among them, before any
 * deduplication: the raw job other tools (jq, DuckDB, simdjson programs) can do too, so that
 * their counts can be checked against regsla's line for line (`regsla report --minute-counts`).
 * Mergeable like agg_table: one table per thread, merged in any order. */
#include <stdio.h>            /* FILE */
#include "analyzer/outcome.h" /* rsla_outcome */

typedef struct minute_counts minute_counts;

minute_counts *minute_counts_create(void);
void minute_counts_free(minute_counts *t);
/* Not thread-safe: one table per thread. */
void minute_counts_add(minute_counts *t, const rsla_outcome *o);
/* Moves src's counts into dst; src is left empty. */
void minute_counts_merge(minute_counts *dst, minute_counts *src);
/* `host<TAB>unix_minute<TAB>lines<TAB>5xx` per line, sorted by host bytes then minute. */
void minute_counts_write(const minute_counts *t, FILE *f);

#endif
