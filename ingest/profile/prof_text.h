#ifndef PROF_TEXT_H
#define PROF_TEXT_H
/* Line readers for the two text formats a Distribution registry writes (LOG-FORMATS section 1):
 *
 *   distribution-text   logrus' text formatter, logfmt-like:
 *       time="2023-01-18T22:23:09.57916752Z" level=info msg="response completed" \
 *       http.request.host="127.0.0.1:42697" http.request.method=HEAD http.request.uri="/v2/…" \
 *       http.response.duration=65.325152ms http.response.status=200 http.request.id=02e6…
 *   combined            Apache/nginx combined access log, and its relatives:
 *       127.0.0.1 - - [18/Jan/2023:22:23:09 +0000] "HEAD /v2/… HTTP/1.1" 200 0 "" "ua"
 *
 * Each reader takes one line (prefixes and envelopes already removed, no newline) and gives a
 * verdict: an outcome, a skip or a reject, exactly what the scan_sink contract asks for one line.
 * Outcome slices point into the line or into the caller's scratch (for unescaped values), so they
 * live as long as both. Pure functions of their arguments; safe from any thread.
 *
 * Choices made here (docs/FORMATS.md gives the reasons):
 *   - logrus TTY lines (`INFO[0025] response completed …`) have no absolute time: an outcome
 *     there is rejected (RSLA_REJECT_NO_ABSOLUTE_TIME), any other TTY line skipped.
 *   - A quoted logrus value ends at the first '"' followed by the end of the line or by spaces
 *     and a `key=`; other quotes inside are the unescaped inner quotes some lines carry.
 *     A bare token without `=` (an unquoted value with spaces) makes an outcome line ambiguous:
 *     it is rejected (RSLA_REJECT_TEXT_SYNTAX); a quote that never closes means the line was
 *     cut (RSLA_REJECT_PARTIAL_LINE).
 *   - A combined line whose request is not `METHOD target [proto]` (TLS bytes sent to a plain
 *     HTTP port, `-`) is skipped (RSLA_SKIP_NOT_REQUEST): it records no HTTP request.
 *   - Combined has no host field: the host is the authority of an absolute-form target, else
 *     the caller's default host, else "-".
 *   - A line without a time of its own takes the time the caller found in a prefix or envelope;
 *     without one, it is rejected (MISSING_FIELD "time", or TIME_NO_ZONE for a syslog stamp
 *     whose zone is unknown). */
#include <stdbool.h>                /* bool */
#include <stddef.h>                 /* size_t */
#include <stdint.h>                 /* int64_t */
#include "analyzer/outcome.h"       /* rsla_outcome */
#include "common/rsla_accounting.h" /* rsla_skip_reason, rsla_reject_reason */

typedef enum prof_verdict_kind {
    PROF_VERDICT_OUTCOME = 0,
    PROF_VERDICT_SKIP,
    PROF_VERDICT_REJECT,
} prof_verdict_kind;

/* What became of one line. */
typedef struct prof_verdict {
    prof_verdict_kind kind;
    bool recognised;           /* the line is of the reader's format (all but "other format"
                                  and blank); detection counts these */
    rsla_skip_reason skip;     /* with SKIP */
    rsla_reject_reason reject; /* with REJECT */
    size_t column;             /* with REJECT: byte within the line given to the reader */
    const char *field;         /* with REJECT: the field concerned (static) or NULL */
    rsla_outcome outcome;      /* with OUTCOME */
} prof_verdict;

/* What the caller knows about a line beyond its text. */
typedef struct prof_line_ctx {
    const char *default_host;  /* combined: host when the line names none; NULL means "-" */
    bool has_time;             /* a prefix or envelope gave the line's instant */
    int64_t time_ns;
    bool time_no_zone;         /* a prefix gave a stamp that cannot be placed (syslog, no zone) */
    char *scratch;             /* at least len bytes, for unescaped values */
} prof_line_ctx;

/*! prof_text_logrus_line() :
 * Reads one distribution-text line into *v (always written).
 * Outcome lines are those whose msg is "response completed" or "response completed with error";
 * required: time (RFC 3339, or the context's), http.request.host, http.request.method,
 * http.request.uri (query cut at the first '?'), http.response.status (1 to 3 digits); optional:
 * http.response.duration (Go duration), http.request.id.
 * Other logrus lines skip OTHER_MESSAGE; lines that are not logrus at all skip
 * RSLA_SKIP_OTHER_FORMAT with recognised = false. */
void prof_text_logrus_line(const char *line, size_t len, const prof_line_ctx *ctx,
                           prof_verdict *v);

/*! prof_text_combined_line() :
 * Reads one combined access-log line into *v (always written). Accepted shapes: the Apache /
 * gorilla combined line; nginx with `\x22` escapes and extra fields after the user agent
 * (ingress-nginx); `ip - [real_ip] - user [time]` (old ingress-nginx); LabKit's
 * `host ip - - [YYYY/MM/DD:HH:MM:SS ±hhmm]` (host taken from the first field); Harbor's
 * timed_combined without a time (`ip - "request" status …`, time from the context); the
 * harbor-helm `[time]:ip - "request"` and bitnami `"request" (8080) status` variants.
 * duration_ns is always -1 and request_id empty: combined has neither.
 * Lines without a quoted request followed by a status skip RSLA_SKIP_OTHER_FORMAT with
 * recognised = false. */
void prof_text_combined_line(const char *line, size_t len, const prof_line_ctx *ctx,
                             prof_verdict *v);

#endif
