/* What bench/bench_scan.c and its simdjson peers (bench/simdjson_ondemand.cpp) call of each other:
 * the dense aggregation is bench_scan's, the peers' runs and hash map are the C++ file's. */
#ifndef RSLA_BENCH_PEER_H
#define RSLA_BENCH_PEER_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t, uint32_t, uint64_t */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_agg bench_agg;
void bench_agg_add(bench_agg *a, const char *host, size_t len, int64_t time_ns, int status);
void bench_agg_add_counts(bench_agg *a, const char *host, size_t len, int64_t minute,
                          uint32_t requests, uint32_t errors_5xx);

typedef struct bench_counts {
    uint64_t lines, outcomes, skipped, rejected;
} bench_counts;

/* simdjson on-demand counting into bench_scan's dense arrays. */
void bench_simdjson_run(const char *buf, size_t len, bench_agg *a, bench_counts *c);

/* simdjson on-demand counting into a std::unordered_map, copied into a bench_agg untimed. */
typedef struct bench_hashmap bench_hashmap;
bench_hashmap *bench_hashmap_create(void);
void bench_hashmap_free(bench_hashmap *m);
void bench_simdjson_hashmap_run(const char *buf, size_t len, bench_hashmap *m, bench_counts *c);
void bench_hashmap_export(const bench_hashmap *m, bench_agg *a);

#ifdef __cplusplus
}
#endif

#endif
