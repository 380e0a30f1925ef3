#ifndef SCAN_RECORD_H
#define SCAN_RECORD_H
/* A scan_sink that writes every call as one text line, for tests, fuzzers and benches: two
 * kernels agree on a chunk exactly when their records are byte-identical, and a mismatch prints
 * as a readable diff. Not used by the pipeline. Header-only (static functions).
 *
 *     O <time_ns> <status> <duration_ns> host=<..> method=<..> path=<..> id=<..>
 *     S <skip reason name>
 *     R <line_start> <line_index> <reject reason name> <column> <field or ->
 *
 * Field bytes are written as they are, except that bytes below 0x20, '\\' and 0x7F and above
 * are written as \xHH, so every record is one line. */
#include <inttypes.h>               /* PRId64 */
#include <stdio.h>                  /* snprintf */
#include <stdlib.h>                 /* free */
#include <string.h>                 /* memcpy */
#include "common/rsla_base.h"       /* rsla_xrealloc */
#include "ingest/scan/scan.h"       /* scan_sink */

typedef struct scan_record {
    char *text;
    size_t len, cap;
    size_t outcomes, skips, rejects;
} scan_record;

static inline void scan_record_put(scan_record *r, const char *s, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        r->cap = (r->len + n + 1) * 2;
        r->text = (char *)rsla_xrealloc(r->text, r->cap);
    }
    memcpy(r->text + r->len, s, n);
    r->len += n;
    r->text[r->len] = '\0';
}

static inline void scan_record_str(scan_record *r, const char *s)
{
    scan_record_put(r, s, strlen(s));
}

static inline void scan_record_slice(scan_record *r, const char *name, rsla_slice v)
{
    char hex[8];
    scan_record_str(r, " ");
    scan_record_str(r, name);
    scan_record_str(r, "=");
    for (size_t i = 0; i < v.len; i++) {
        const unsigned char c = (unsigned char)v.ptr[i];
        if (c < 0x20 || c >= 0x7F || c == '\\') {
            snprintf(hex, sizeof hex, "\\x%02X", c);
            scan_record_str(r, hex);
        } else {
            scan_record_put(r, (const char *)&v.ptr[i], 1);
        }
    }
}

static inline void scan_record_on_outcome(void *ctx, const rsla_outcome *o)
{
    scan_record *r = (scan_record *)ctx;
    char head[96];
    snprintf(head, sizeof head, "O %" PRId64 " %d %" PRId64, o->time_ns, (int)o->status,
             o->duration_ns);
    scan_record_str(r, head);
    scan_record_slice(r, "host", o->host);
    scan_record_slice(r, "method", o->method);
    scan_record_slice(r, "path", o->path);
    scan_record_slice(r, "id", o->request_id);
    scan_record_str(r, "\n");
    r->outcomes++;
}

static inline void scan_record_on_skip(void *ctx, rsla_skip_reason reason)
{
    scan_record *r = (scan_record *)ctx;
    scan_record_str(r, "S ");
    scan_record_str(r, rsla_skip_reason_name(reason));
    scan_record_str(r, "\n");
    r->skips++;
}

static inline void scan_record_on_reject(void *ctx, size_t line_start, size_t line_index,
                                         rsla_reject_reason reason, size_t column,
                                         const char *field)
{
    scan_record *r = (scan_record *)ctx;
    char line[256];
    snprintf(line, sizeof line, "R %zu %zu %s %zu %s\n", line_start, line_index,
             rsla_reject_reason_name(reason), column, field ? field : "-");
    scan_record_str(r, line);
    r->rejects++;
}

/* A sink writing into r (which starts zeroed). */
static inline scan_sink scan_record_sink(scan_record *r)
{
    scan_sink s = { r, scan_record_on_outcome, scan_record_on_skip, scan_record_on_reject };
    return s;
}

static inline void scan_record_clear(scan_record *r)
{
    free(r->text);
    memset(r, 0, sizeof *r);
}

#endif
