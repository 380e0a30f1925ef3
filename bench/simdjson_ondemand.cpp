// The peers for bench_scan: the same job done with simdjson's on-demand API
// (bench/simdjson_lines.hpp), counting each request per host and minute in one of two ways:
// - dense: the same per-host minute arrays as the regsla kernels (bench_agg_add), the fastest
//   program we know how to write with simdjson;
// - hash map: a std::unordered_map keyed by (host, minute), the program PERF-ANCHORS measured
//   ("simdjson on-demand, one line at a time, + hash-map aggregation", 736 MB/s) and the one the
//   scanner issue's target is stated against. Its counts are copied into a bench_agg after the
//   timed part, so that both peers are checked against the kernels' counts.
#include "bench/bench_peer.h"
#include "bench/simdjson_lines.hpp"

struct bench_hashmap {
    bench_sj::cell_map cells;
};

namespace {

void add_counts(const bench_sj::line_counts &from, bench_counts *to)
{
    to->lines += from.lines;
    to->outcomes += from.outcomes;
    to->skipped += from.skipped;
    to->rejected += from.rejected;
}

} // namespace

extern "C" bench_hashmap *bench_hashmap_create(void) { return new bench_hashmap(); }

extern "C" void bench_hashmap_free(bench_hashmap *m) { delete m; }

extern "C" void bench_simdjson_hashmap_run(const char *buf, size_t len, bench_hashmap *m,
                                           bench_counts *c)
{
    bench_sj::line_counts lc;
    bench_sj::scan_lines(buf, len, &lc, [m](std::string_view host, int64_t ns, int status) {
        bench_sj::count_in(m->cells, std::string(host), ns, status);
    });
    add_counts(lc, c);
}

extern "C" void bench_hashmap_export(const bench_hashmap *m, bench_agg *a)
{
    for (const auto &cell : m->cells)
        bench_agg_add_counts(a, cell.first.host.data(), cell.first.host.size(), cell.first.minute,
                             cell.second.requests, cell.second.errors_5xx);
}

extern "C" void bench_simdjson_run(const char *buf, size_t len, bench_agg *a, bench_counts *c)
{
    bench_sj::line_counts lc;
    bench_sj::scan_lines(buf, len, &lc, [a](std::string_view host, int64_t ns, int status) {
        bench_agg_add(a, host.data(), host.size(), ns, status);
    });
    add_counts(lc, c);
}
