// The peer for bench_scan: the same job done with simdjson's on-demand API, one line at a time
// (PERF-ANCHORS: simdjson's batch API gives up on a batch after one bad line, so a log reader must
// go line by line). For each line: skip blank and non-'{' lines, iterate every field of the
// object (on-demand validates what it walks; unconsumed values are skipped, not fully checked), take msg, time, host, method, uri, status and
// request id, parse the time with the same RFC 3339 function regsla uses, and count the request
// per host and minute with the same aggregation as the regsla kernels.
#include <cstring>
#include <string_view>

#include <simdjson.h>

extern "C" {
#include "common/rsla_time.h"

// Shared with bench/bench_scan.c, which defines them (one list of declarations per file, since
// the bench owns no header).
typedef struct bench_agg bench_agg;
void bench_agg_add(bench_agg *a, const char *host, size_t len, int64_t time_ns, int status);
typedef struct bench_counts {
    uint64_t lines, outcomes, skipped, rejected;
} bench_counts;
void bench_simdjson_run(const char *buf, size_t len, bench_agg *a, bench_counts *c);
}

namespace {

bool is_outcome_msg(std::string_view m)
{
    return m == "response completed" || m == "response completed with error";
}

// One line; returns 1 outcome, 0 skipped, -1 rejected.
int scan_line(simdjson::ondemand::parser &parser, const char *p, size_t len, size_t capacity,
              bench_agg *a)
{
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
        i++;
    if (i == len || p[i] != '{')
        return 0;
    simdjson::ondemand::document doc;
    if (parser.iterate(p, len, capacity).get(doc))
        return -1;
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj))
        return -1;
    std::string_view msg, time, host, method, uri, id;
    int64_t status = -1;
    for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key))
            return -1;
        auto v = field.value();
        simdjson::error_code e = simdjson::SUCCESS;
        if (key == "msg")
            e = v.get_string().get(msg);
        else if (key == "time")
            e = v.get_string().get(time);
        else if (key == "http.request.host")
            e = v.get_string().get(host);
        else if (key == "http.request.method")
            e = v.get_string().get(method);
        else if (key == "http.request.uri")
            e = v.get_string().get(uri);
        else if (key == "http.request.id")
            e = v.get_string().get(id);
        else if (key == "http.response.status")
            e = v.get_int64().get(status);
        if (e)
            return -1;
    }
    // simdjson 3.0.1's document has no at_end(): trailing bytes after the object go unchecked,
    // which only makes the peer's job lighter.
    if (!is_outcome_msg(msg))
        return 0;
    int64_t ns;
    if (time.empty() || host.empty() || method.empty() || uri.empty() || status < 0 ||
        rsla_time_parse_rfc3339(time.data(), time.size(), &ns) != RSLA_TIME_OK)
        return -1;
    bench_agg_add(a, host.data(), host.size(), ns, (int)status);
    return 1;
}

} // namespace

extern "C" void bench_simdjson_run(const char *buf, size_t len, bench_agg *a, bench_counts *c)
{
    static simdjson::ondemand::parser parser;
    size_t start = 0;
    while (start < len) {
        const char *nl = static_cast<const char *>(std::memchr(buf + start, '\n', len - start));
        const size_t end = nl ? static_cast<size_t>(nl - buf) : len;
        // Bytes after the line are the next lines or the buffer's padding: readable.
        const int r = scan_line(parser, buf + start, end - start,
                                end - start + simdjson::SIMDJSON_PADDING, a);
        c->lines++;
        c->outcomes += r > 0;
        c->skipped += r == 0;
        c->rejected += r < 0;
        start = end + 1;
    }
}
