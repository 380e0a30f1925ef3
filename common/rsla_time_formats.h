#ifndef RSLA_TIME_FORMATS_H
#define RSLA_TIME_FORMATS_H
/* Timestamp syntaxes of access logs other than RFC 3339, in integers only.
 *
 * Every parser takes one isolated token (a slice of a line, without brackets or quotes) and
 * either consumes it whole or refuses it with the reasons of rsla_time_status. Nothing here reads
 * the process time zone or the clock: a stamp without a zone (syslog) is turned into an instant
 * only with a year and an offset the caller supplies. Pure functions, safe from any thread.
 *
 *     CLF / nginx $time_local   13/May/2020:15:25:30 +0000     (rsla_time_parse_clf)
 *     LabKit combined           2006/01/02:15:04:05 -0700      (rsla_time_parse_labkit)
 *     nginx $msec               1503988479.444                 (rsla_time_parse_epoch_seconds)
 *     BSD syslog                Jan 17 19:28:03, Apr  9 09:40:03 (rsla_time_parse_syslog)
 */
#include <stdbool.h>           /* bool */
#include <stddef.h>            /* size_t */
#include <stdint.h>            /* int64_t, int32_t */
#include "common/rsla_time.h"  /* rsla_time_status, rsla_days_from_civil */

/*! rsla_time_parse_clf() :
 * Parses the Apache/nginx `$time_local` form `DD/Mon/YYYY:HH:MM:SS ±hhmm` (English month
 * abbreviation, case as written by Apache: `Jan`..`Dec`; one space before the zone) into UTC
 * nanoseconds. The whole slice must be consumed; a missing zone is RSLA_TIME_NO_ZONE.
 * @return RSLA_TIME_OK and *ns set, or the reason (*ns untouched). */
rsla_time_status rsla_time_parse_clf(const char *s, size_t len, int64_t *ns);

/*! rsla_time_parse_labkit() :
 * Parses GitLab LabKit's combined access-log time `YYYY/MM/DD:HH:MM:SS ±hhmm` into UTC
 * nanoseconds. Same rules as rsla_time_parse_clf(). */
rsla_time_status rsla_time_parse_labkit(const char *s, size_t len, int64_t *ns);

/*! rsla_time_parse_epoch_seconds() :
 * Parses nginx `$msec` style epoch seconds: 1 to 12 digits, optionally `.` and 1 to 9 fraction
 * digits (`1503988479.444`). No sign, no exponent.
 * @return RSLA_TIME_OK and *ns set, RSLA_TIME_SYNTAX otherwise. */
rsla_time_status rsla_time_parse_epoch_seconds(const char *s, size_t len, int64_t *ns);

/* A BSD syslog stamp: a civil time without year or zone. */
typedef struct rsla_syslog_stamp {
    int month;  /* 1..12 */
    int day;    /* 1..31 (checked against the month only once a year is chosen) */
    int hour, minute, second;
} rsla_syslog_stamp;

/*! rsla_time_parse_syslog() :
 * Parses `Mon DD HH:MM:SS` (RFC 3164; the day space-padded `Apr  9` or zero-padded `Apr 09`).
 * The slice must be exactly the stamp (15 bytes).
 * @return RSLA_TIME_OK and *st set, or RSLA_TIME_SYNTAX / RSLA_TIME_RANGE. */
rsla_time_status rsla_time_parse_syslog(const char *s, size_t len, rsla_syslog_stamp *st);

/*! rsla_time_syslog_year_near() :
 * The year rule for syslog stamps when no year is configured: of ref's year - 1, ref's year and
 * ref's year + 1, the one that puts the stamp (read at offset_min) nearest to the reference
 * instant ref_ns. A log is read within months of when it was written, so the nearest year is the
 * right one whenever the stamp lies within six months of the reference.
 * @return the year (a stamp of 29 February prefers the nearest leap year among the three). */
int64_t rsla_time_syslog_year_near(const rsla_syslog_stamp *st, int32_t offset_min, int64_t ref_ns);

/*! rsla_time_syslog_to_ns() :
 * The instant of a syslog stamp in the given year, read at offset_min minutes east of UTC.
 * @return RSLA_TIME_OK and *ns set, or RSLA_TIME_RANGE when the day does not exist that year. */
rsla_time_status rsla_time_syslog_to_ns(const rsla_syslog_stamp *st, int64_t year,
                                        int32_t offset_min, int64_t *ns);

#endif
