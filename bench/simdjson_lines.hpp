// The simdjson on-demand side of the peers (bench/simdjson_ondemand.cpp for bench_scan,
// bench/simdjson_counts.cpp for run-bench.sh): the job, one line at a time (PERF-ANCHORS:
// simdjson's batch API gives up on a batch after one bad line, so a log reader must go line by
// line). For each line: skip blank and non-'{' lines, iterate every field of the object
// (on-demand validates what it walks; unconsumed values are skipped, not fully checked), take
// msg, time, host, method, uri, status and request id, parse the time with regsla's general
// RFC 3339 function (the kernels also keep the last minute per scanner, a small edge), and hand
// (host, time, status) of each completion line to a counter. Unlike regsla's kernels, on-demand
// does not validate values it skips nor bytes after the object: its job is lighter.
#ifndef RSLA_BENCH_SIMDJSON_LINES_HPP
#define RSLA_BENCH_SIMDJSON_LINES_HPP

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <simdjson.h>

extern "C" {
#include "common/rsla_time.h"
}

namespace bench_sj {

struct line_counts {
    uint64_t lines = 0, outcomes = 0, skipped = 0, rejected = 0;
};

inline bool is_outcome_msg(std::string_view m)
{
    return m == "response completed" || m == "response completed with error";
}

// One line; returns 1 outcome (counted by count(host, time_ns, status)), 0 skipped, -1 rejected.
template <typename Count>
int scan_line(simdjson::ondemand::parser &parser, const char *p, size_t len, size_t capacity,
              Count &&count)
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
    count(host, ns, (int)status);
    return 1;
}

// Every line of buf[0, len); the bytes after len must be readable (SIMDJSON_PADDING of them).
template <typename Count>
void scan_lines(const char *buf, size_t len, line_counts *c, Count &&count)
{
    static simdjson::ondemand::parser parser;
    size_t start = 0;
    while (start < len) {
        const char *nl = static_cast<const char *>(std::memchr(buf + start, '\n', len - start));
        const size_t end = nl ? static_cast<size_t>(nl - buf) : len;
        const int r = scan_line(parser, buf + start, end - start,
                                end - start + simdjson::SIMDJSON_PADDING, count);
        c->lines++;
        c->outcomes += r > 0;
        c->skipped += r == 0;
        c->rejected += r < 0;
        start = end + 1;
    }
}

// Floor division: minutes before 1970 stay in their own minute.
inline int64_t minute_of(int64_t ns)
{
    const int64_t per = INT64_C(60000000000);
    return ns / per - (ns % per < 0);
}

struct host_minute {
    std::string host;
    int64_t minute;
    bool operator==(const host_minute &o) const { return minute == o.minute && host == o.host; }
};

struct host_minute_hash {
    size_t operator()(const host_minute &k) const
    {
        return std::hash<std::string>()(k.host) ^ (std::hash<int64_t>()(k.minute) * 31);
    }
};

struct minute_counts {
    uint32_t requests = 0, errors_5xx = 0;
};

// The counting of PERF-ANCHORS' program: a std::unordered_map keyed by (host, minute).
using cell_map = std::unordered_map<host_minute, minute_counts, host_minute_hash>;

inline void count_in(cell_map &cells, std::string host, int64_t ns, int status)
{
    minute_counts &n = cells[host_minute{ std::move(host), minute_of(ns) }];
    n.requests++;
    n.errors_5xx += status >= 500 && status <= 599;
}

} // namespace bench_sj

#endif
