#ifndef RSLA_TIME_H
#define RSLA_TIME_H
/* Calendar arithmetic and the RFC 3339 syntax, in integers only.
 *
 * Instants are nanoseconds since 1970-01-01T00:00:00Z in an int64_t (years 1678 to 2261), minutes
 * are whole minutes since the same epoch. Days use the proleptic Gregorian calendar. Nothing here
 * reads the process time zone: zones are explicit offsets (fixed ones here, IANA rules in
 * analyzer/tz). */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t */

#define RSLA_NS_PER_SEC INT64_C(1000000000)
#define RSLA_NS_PER_MIN (INT64_C(60) * RSLA_NS_PER_SEC)
#define RSLA_MIN_PER_DAY INT64_C(1440)

typedef struct rsla_civil {
    int64_t year;
    int month; /* 1..12 */
    int day;   /* 1..31 */
    int hour, minute, second;
    int32_t nanosecond;
} rsla_civil;

/* Days since 1970-01-01 of the given proleptic Gregorian date (negative before). */
int64_t rsla_days_from_civil(int64_t year, int month, int day);
/* The date of a day number (inverse of rsla_days_from_civil). */
void rsla_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
bool rsla_is_leap_year(int64_t year);
int rsla_days_in_month(int64_t year, int month);

/* Floor division that rounds towards minus infinity (instants before 1970 are negative). */
static inline int64_t rsla_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static inline int64_t rsla_minute_of_ns(int64_t ns) { return rsla_floor_div(ns, RSLA_NS_PER_MIN); }

/* Result of parsing a timestamp. */
typedef enum rsla_time_status {
    RSLA_TIME_OK = 0,
    RSLA_TIME_SYNTAX,   /* not of the expected shape */
    RSLA_TIME_RANGE,    /* a field out of range (month 13, 30 February, hour 24, ...) */
    RSLA_TIME_NO_ZONE,  /* well-formed but without Z or an offset */
} rsla_time_status;

/* rsla_time_parse_rfc3339() :
 * Parses `YYYY-MM-DDTHH:MM:SS[.F]Z|±hh:mm|±hhmm` (F: 1 to 9 digits; `T` may be `t` or a space,
 * `Z` may be `z`) into UTC nanoseconds. The whole slice must be consumed.
 * @return RSLA_TIME_OK and *ns set, or the reason it was refused (*ns untouched). */
rsla_time_status rsla_time_parse_rfc3339(const char *s, size_t len, int64_t *ns);

/* The minute of the last time rsla_time_parse_rfc3339_cached accepted by its fast path: the
 * text `YYYY-MM-DDTHH:MM` as two 8-byte words, and the minute in seconds (offset by 400 years so
 * that it is never negative). All zeros is empty. Owned by one thread. */
typedef struct rsla_time_cache {
    uint64_t text[2];
    int64_t minute;
} rsla_time_cache;

/* rsla_time_parse_rfc3339_cached() :
 * rsla_time_parse_rfc3339 with the same results, faster on a run of times that share their
 * minute (log lines in time order): the date and the hour and minute are read once a minute. */
rsla_time_status rsla_time_parse_rfc3339_cached(const char *s, size_t len, int64_t *ns,
                                                rsla_time_cache *cache);

/* The same parser without its fast path for the common shape (byte by byte, Hinnant's
 * days_from_civil): rsla_time_parse_rfc3339 gives exactly its results, and tests compare the two. */
rsla_time_status rsla_time_parse_rfc3339_general(const char *s, size_t len, int64_t *ns);

/* Writes `YYYY-MM-DDTHH:MM:SS[.fffffffff]±hh:mm` (or `Z` when offset_min is 0 and use_z) for the
 * instant shifted by offset_min minutes; fraction digits only when non-zero (trailing zeros kept
 * to 9 digits so that lexical order is time order). Needs 40 bytes. @return the length. */
size_t rsla_time_format(char *out, int64_t ns, int32_t offset_min, bool use_z);

/* Civil fields of an instant at a fixed offset (minutes east of UTC). */
void rsla_civil_from_ns(int64_t ns, int32_t offset_min, rsla_civil *c);

#endif
