#ifndef RSLA_REPORT_INTERNAL_H
#define RSLA_REPORT_INTERNAL_H
/* Helpers shared by the report writers (report.c); not part of the public API. */
#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */
#include <stdio.h>  /* FILE */

#include "analyzer/sla.h" /* sla_row */

/* Instant as RFC 3339 in UTC ("...Z"), seconds precision unless the instant has a fraction.
 * out needs 48 bytes. */
void report_time_utc(char *out, int64_t ns);
/* Instant as RFC 3339 at the zone's offset in force at that instant ("...+08:00"). */
void report_time_zone(char *out, const tz_zone *z, int64_t ns);
/* Minor units as a decimal amount with `decimals` digits ("158000", 2 -> "1580.00"). out needs
 * 32 bytes. */
void report_amount(char *out, int64_t minor, int decimals);
/* A JSON string literal of s (escaped, invalid UTF-8 replaced by U+FFFD). */
void report_json_string(FILE *f, const char *s);
/* A CSV field (RFC 4180: quoted when it holds a comma, quote, CR or LF, or leading or trailing
 * space). */
void report_csv_field(FILE *f, const char *s);
/* Status set as compact ranges: "0", "500-599". Calls emit for each. */
typedef void (*report_range_fn)(void *ctx, int lo, int hi);
void report_status_ranges(const bool set[1000], report_range_fn emit, void *ctx);

#endif
