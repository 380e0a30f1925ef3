#ifndef PROF_SCAN_H
#define PROF_SCAN_H
/* The chunk scanner for every profile that is not plain JSON: same contract as scan_chunk()
 * (ingest/scan/scan.h), exactly one sink call per line, in order, slices valid during the call.
 *
 * Per line:
 *
 *     line ──prefixes (choice.prefixes)──> [envelope (choice.envelope)] ──> reader
 *                │ time from docker -t / CRI / syslog+year+zone        │
 *                └──────────── used when the line has no time of its own ┘
 *     reader = prof_text_logrus_line / prof_text_combined_line, or, for a JSON format, the JSON
 *     scanner (scan_chunk on that one line, with the caller's scan_state).
 *
 * How the pipeline uses it, per file:
 *     prof_choice c;  prof_detect(first_bytes, n, &c);          // or prof_choice_forced()
 *     if (c.format == PROF_FORMAT_NONE)        -> report c.reason, do not scan the file
 *     else if (!prof_choice_needs_line_scan(&c)) -> scan_chunk() with the JSON profile (fast path)
 *     else  per thread: st = prof_state_create(&c, &opt, json_state_or_NULL);
 *           per chunk:  prof_scan_chunk(st, buf, len, &sink);
 *
 * The syslog year rule: a syslog stamp is used as a line's time only when the line has no time of
 * its own and the zone is known (prof_options.syslog_zone_known); the year is syslog_year when
 * given, else the year that puts the stamp nearest to the reference instant (the first absolute
 * time detection saw in the file, or one the caller supplies, e.g. the file's mtime). Without a
 * zone the line is rejected TIME_NO_ZONE; without a year or reference, MISSING_FIELD "time". */
#include <stdbool.h>                      /* bool */
#include <stddef.h>                       /* size_t */
#include <stdint.h>                       /* int64_t, int32_t */
#include "ingest/profile/prof_detect.h"   /* prof_choice */
#include "ingest/scan/scan.h"             /* scan_sink, scan_state */

/* What the user or the input's metadata tells about a file. */
typedef struct prof_options {
    const char *default_host;   /* instance for lines that name no host (combined); NULL: "-" */
    int64_t syslog_year;        /* year of syslog stamps; 0: by the reference instant */
    bool syslog_zone_known;     /* syslog stamps are at syslog_offset_min; false: unknown zone */
    int32_t syslog_offset_min;  /* minutes east of UTC */
    bool has_ref_time;          /* reference instant for the syslog year when the choice has none */
    int64_t ref_time_ns;
} prof_options;

/* Per-thread scratch and the settings of one file. Not thread-safe; one per worker and file. */
typedef struct prof_state prof_state;

/*! prof_choice_needs_line_scan() :
 * False when the file is a JSON format without prefixes or envelope: then scan_chunk() with the
 * JSON profile reads it directly, at full speed. True otherwise. */
bool prof_choice_needs_line_scan(const prof_choice *c);

/*! prof_state_create() :
 * State for scanning lines chosen as c under opt (both copied; default_host is borrowed and must
 * outlive the state). json is the caller's JSON scanner state for c->format when that is a JSON
 * format (borrowed; NULL makes every JSON line a skip RSLA_SKIP_OTHER_FORMAT). Allocation failure
 * ends the run (rsla_xmalloc). Free with prof_state_free(). */
prof_state *prof_state_create(const prof_choice *c, const prof_options *opt, scan_state *json);

/* Frees a state; NULL is accepted. */
void prof_state_free(prof_state *s);

/*! prof_scan_chunk() :
 * Reads every line of buf[0, len) (lines end with '\n', the last one possibly at len; no padding
 * needed) and makes exactly one sink call per line, in order. Reject columns are bytes within
 * the whole line; inside an envelope they point at the envelope's start, since the inner line's
 * bytes are not the file's.
 * @return the number of lines (= sink calls made). */
size_t prof_scan_chunk(prof_state *s, const char *buf, size_t len, const scan_sink *sink);

#endif
