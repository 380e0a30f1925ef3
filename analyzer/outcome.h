#ifndef RSLA_OUTCOME_H
#define RSLA_OUTCOME_H
/* The one record that crosses the ingest/analyzer boundary (SLA-SPEC section 1).
 *
 * Ingest turns a log line into at most one outcome; the analyzer never sees the line itself.
 * Every slice is a decoded field value (JSON escapes already resolved) and is borrowed: it is
 * valid only during the call that hands the outcome over, so a consumer copies what it keeps. */
#include <stdint.h>           /* int64_t, int32_t */
#include "common/rsla_base.h" /* rsla_slice */

typedef struct rsla_outcome {
    int64_t time_ns;        /* UTC nanoseconds since the epoch */
    rsla_slice host;        /* the profile's host field as logged (any case, may carry :port) */
    rsla_slice method;      /* HTTP method as logged */
    rsla_slice path;        /* request path, query string removed, percent-encoding kept */
    int32_t status;         /* 0..999; 0 when the front end sent no response */
    int64_t duration_ns;    /* -1 when the line gives none */
    rsla_slice request_id;  /* empty when the line gives none */
} rsla_outcome;

#endif
