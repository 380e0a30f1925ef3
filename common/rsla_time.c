#include "common/rsla_time.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* memcpy */

/* The instants a parsed time may give, in seconds: 1678-01-01T00:00:00Z up to
 * 2261-12-31T23:59:59Z (the header's "years 1678 to 2261"). The int64 nanosecond clock spans
 * 1677-09-21 to 2262-04-11, so every such instant fits, shifted by any offset too. */
#define RSLA_TIME_MIN_SECS (INT64_C(86400) * -106650)    /* 1678-01-01 is day -106650 */
#define RSLA_TIME_MAX_SECS (INT64_C(86400) * 106651 - 1) /* 2262-01-01 is day 106651 */

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date, no tables, no
 * floating point. Eras are 400-year cycles of 146097 days. */
int64_t rsla_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = rsla_floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t mp = (m + 9) % 12;
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rsla_civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    const int64_t era = rsla_floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

bool rsla_is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rsla_days_in_month(int64_t year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && rsla_is_leap_year(year))
        return 29;
    return days[month - 1];
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Offset part: `Z`, `+hh:mm`, `+hhmm`. Sets *offset_min; returns bytes used or 0 on error. */
static size_t parse_offset(const char *s, size_t len, int *offset_min)
{
    if (len >= 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *offset_min = 0;
        return 1;
    }
    if (len < 5 || (s[0] != '+' && s[0] != '-'))
        return 0;
    int hh, mm;
    size_t used;
    if (s[3] == ':') {
        if (len < 6 || !digits(s + 1, 2, &hh) || !digits(s + 4, 2, &mm))
            return 0;
        used = 6;
    } else {
        if (!digits(s + 1, 2, &hh) || !digits(s + 3, 2, &mm))
            return 0;
        used = 5;
    }
    if (hh > 23 || mm > 59)
        return (size_t)-1;
    *offset_min = (s[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return used;
}

rsla_time_status rsla_time_parse_rfc3339_general(const char *s, size_t len, int64_t *ns)
{
    int y, mo, d, h, mi, se;
    if (len < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
        return RSLA_TIME_SYNTAX;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return RSLA_TIME_SYNTAX;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return RSLA_TIME_SYNTAX;
    size_t i = 19;
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 9)
            frac = frac * 10 + (s[i++] - '0');
        const size_t nd = i - start;
        if (nd == 0 || (i < len && s[i] >= '0' && s[i] <= '9'))
            return RSLA_TIME_SYNTAX;
        for (size_t k = nd; k < 9; k++)
            frac *= 10;
    }
    if (i == len)
        return RSLA_TIME_NO_ZONE;
    int off = 0;
    const size_t used = parse_offset(s + i, len - i, &off);
    if (used == (size_t)-1)
        return RSLA_TIME_RANGE;
    if (used == 0 || i + used != len)
        return RSLA_TIME_SYNTAX;
    if (mo < 1 || mo > 12 || d < 1 || d > rsla_days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
        return RSLA_TIME_RANGE;
    const int64_t days = rsla_days_from_civil(y, mo, d);
    const int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    /* Outside this span the multiplication below would overflow (undefined behaviour, and a
     * garbage instant that lands in some random month). */
    if (secs < RSLA_TIME_MIN_SECS || secs > RSLA_TIME_MAX_SECS)
        return RSLA_TIME_RANGE;
    *ns = secs * RSLA_NS_PER_SEC + frac;
    return RSLA_TIME_OK;
}

/* MARK: - RFC 3339 fast path (Private)
 *
 * Log times nearly all have one shape: `YYYY-MM-DDTHH:MM:SS`, then `.` and 1 to 9 fraction
 * digits or nothing, then `Z` or `+hh:mm` / `-hh:mm`. The fast path checks that shape eight bytes
 * at a time and accepts only valid times of it; anything else, including every error, goes to
 * the general parser, so statuses are the general parser's by construction and the fast path only
 * has to compute the same instant for what it accepts (tests/test_time.c checks both on random and
 * edge inputs). It reads only bytes inside the slice. */

static uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Whether every byte of v selected by the 0xFF bytes of digit_mask is an ASCII digit: its high
 * nibble is 3 and adding 6 keeps it there. A carry out of a non-digit byte can only reach the next
 * byte after that byte has already failed the first test. */
static bool swar_digits(uint64_t v, uint64_t digit_mask)
{
    const uint64_t hi = digit_mask & UINT64_C(0xF0F0F0F0F0F0F0F0);
    const uint64_t threes = digit_mask & UINT64_C(0x3030303030303030);
    const uint64_t six = digit_mask & UINT64_C(0x0606060606060606);
    return (v & hi) == threes && ((v + six) & hi) == threes;
}

/* The value of eight ASCII digits, the first in the lowest byte (little-endian load), by three
 * multiply-add steps that pair digits, then pairs, then quads. */
static uint32_t swar_parse8(uint64_t v)
{
    v -= UINT64_C(0x3030303030303030);
    v = v * 10 + (v >> 8);
    v = ((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
         ((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >> 32;
    return (uint32_t)v;
}

static int two_digits(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* Days before the first of each month (1-based) in a year starting in March, Hinnant's day of
 * year: (153 * mp + 2) / 5 with mp = (m + 9) % 12, as a table. */
static const int16_t days_before_month_from_march[13] = { 0,   306, 337, 0,   31,  61, 92,
                                                          122, 153, 184, 214, 245, 275 };

/* rsla_days_from_civil for years 1 to 9999, divisions by constants only: the year is shifted by
 * one 400-year era (146097 days) so that it stays positive after January and February are moved
 * to the end of the previous year. */
static int64_t days_from_civil_4digit(int y, int m, int d)
{
    const uint32_t yy = (uint32_t)(y + 400 - (m <= 2));
    const uint32_t days = yy * 365 + yy / 4 - yy / 100 + yy / 400 +
                          (uint32_t)days_before_month_from_march[m] + (uint32_t)d - 1;
    return (int64_t)days - 146097 - 719468;
}

/* rsla_days_in_month for years 0 to 9999: 32-bit unsigned remainders by constants become
 * multiplications (the int64_t ones of rsla_is_leap_year compile to a division, which cost the
 * fast path a third of its time on February logs). */
static int days_in_month_4digit(int y, int m)
{
    static const uint8_t days[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const uint32_t u = (uint32_t)y;
    const bool leap = (u & 3) == 0 && (u % 100 != 0 || u % 400 == 0);
    return days[m] + (m == 2 && leap);
}

/* The zone at the end of s (`Z`, or `+hh:mm` / `-hh:mm` with hh <= 23, mm <= 59): its length,
 * and the offset in minutes; 0 when it is not one of those. */
static size_t fast_zone(const char *s, size_t len, int *off_min)
{
    if (s[len - 1] == 'Z') {
        *off_min = 0;
        return 1;
    }
    const char *z = s + len - 6;
    if ((z[0] != '+' && z[0] != '-') || z[3] != ':' ||
        !swar_digits(load8(z - 2), UINT64_C(0xFFFF00FFFF000000)))
        return 0;
    const int hh = two_digits(z + 1), mm = two_digits(z + 4);
    if (hh > 23 || mm > 59)
        return 0;
    *off_min = (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return 6;
}

/* The fraction s[19, end) (`.` and 1 to 9 digits, or nothing) in nanoseconds, or -1. */
static int64_t fast_fraction(const char *s, size_t end)
{
    static const uint32_t scale[10] = { 1,      10,      100,      1000,      10000,
                                        100000, 1000000, 10000000, 100000000, 1000000000 };
    if (end == 19)
        return 0;
    const size_t nd = end - 20;
    if (s[19] != '.' || nd == 0 || nd > 9)
        return -1;
    /* The last eight bytes before end: the digits are the top nd of them (all 8 when nd >= 8);
     * the bytes below are the `.` and seconds, counted as zeros. */
    const unsigned keep = nd < 8 ? (unsigned)nd : 8;
    const uint64_t top = ~UINT64_C(0) << (64 - 8 * keep);
    const uint64_t v = load8(s + end - 8);
    if (!swar_digits(v, top))
        return -1;
    uint64_t frac = swar_parse8((v & top) | (UINT64_C(0x3030303030303030) & ~top));
    if (nd == 9) {
        if (s[20] < '0' || s[20] > '9')
            return -1;
        frac += (uint64_t)(s[20] - '0') * 100000000u;
    }
    return (int64_t)(frac * scale[9 - nd]);
}

/* The minute `YYYY-MM-DDTHH:MM` held in a and b (the first 16 bytes) in seconds since the epoch,
 * or -1 when those bytes are not a valid minute of that shape. */
static int64_t fast_minute(const char *s, uint64_t a, uint64_t b)
{
    if ((a & UINT64_C(0xFF0000FF00000000)) != UINT64_C(0x2D00002D00000000) ||
        !swar_digits(a, UINT64_C(0x00FFFF00FFFFFFFF)) ||
        (b & UINT64_C(0x0000FF0000FF0000)) != UINT64_C(0x00003A0000540000) ||
        !swar_digits(b, UINT64_C(0xFFFF00FFFF00FFFF)))
        return -1;
    const int y = two_digits(s) * 100 + two_digits(s + 2), mo = two_digits(s + 5),
              d = two_digits(s + 8), h = two_digits(s + 11), mi = two_digits(s + 14);
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month_4digit(y, mo) || h > 23 || mi > 59)
        return -1;
    /* + 146097 * 86400 keeps every 4-digit year's minute non-negative, so -1 stays free */
    return (days_from_civil_4digit(y, mo, d) + 146097 + 719468) * 86400 + h * 3600 + mi * 60;
}

/* The fast path: true and *ns set for a valid time of the common shape, false for anything
 * else (the general parser then decides). With a cache, the minute of the previous accepted
 * time is reused when the first 16 bytes are the same (log lines come in time order, about 40
 * to a minute in a month of one registry): only seconds, fraction and zone are read. */
static bool parse_rfc3339_fast(const char *s, size_t len, int64_t *ns, rsla_time_cache *cache)
{
    if (len < 20 || len > 35)
        return false;
    /* `YYYY-MM-` `DDTHH:MM` and `:SS` (bytes 16..18, checked in the load at 11). */
    const uint64_t a = load8(s), b = load8(s + 8), c = load8(s + 11);
    int64_t minute;
    if (cache && a == cache->text[0] && b == cache->text[1]) {
        minute = cache->minute;
    } else {
        if ((minute = fast_minute(s, a, b)) < 0)
            return false;
        if (cache)
            *cache = (rsla_time_cache){ { a, b }, minute };
    }
    if ((c & UINT64_C(0x0000FF0000000000)) != UINT64_C(0x00003A0000000000) ||
        !swar_digits(c, UINT64_C(0xFFFF000000000000)))
        return false;
    int off_min;
    const size_t zone = fast_zone(s, len, &off_min);
    if (zone == 0)
        return false;
    const int64_t frac = fast_fraction(s, len - zone);
    const int se = two_digits(s + 17);
    if (frac < 0 || se > 59)
        return false;
    const int64_t secs = minute - (INT64_C(146097) + 719468) * 86400 + se - (int64_t)off_min * 60;
    if (secs < RSLA_TIME_MIN_SECS || secs > RSLA_TIME_MAX_SECS)
        return false;
    *ns = secs * RSLA_NS_PER_SEC + frac;
    return true;
}

/* MARK: - RFC 3339 (Public) */

rsla_time_status rsla_time_parse_rfc3339_cached(const char *s, size_t len, int64_t *ns,
                                                rsla_time_cache *cache)
{
    if (parse_rfc3339_fast(s, len, ns, cache))
        return RSLA_TIME_OK;
    return rsla_time_parse_rfc3339_general(s, len, ns);
}

rsla_time_status rsla_time_parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
    return rsla_time_parse_rfc3339_cached(s, len, ns, NULL);
}

void rsla_civil_from_ns(int64_t ns, int32_t offset_min, rsla_civil *c)
{
    const int64_t local = ns + (int64_t)offset_min * RSLA_NS_PER_MIN;
    const int64_t secs = rsla_floor_div(local, RSLA_NS_PER_SEC);
    const int64_t days = rsla_floor_div(secs, 86400);
    const int64_t sod = secs - days * 86400;
    rsla_civil_from_days(days, &c->year, &c->month, &c->day);
    c->hour = (int)(sod / 3600);
    c->minute = (int)(sod / 60 % 60);
    c->second = (int)(sod % 60);
    c->nanosecond = (int32_t)(local - secs * RSLA_NS_PER_SEC);
}

size_t rsla_time_format(char *out, int64_t ns, int32_t offset_min, bool use_z)
{
    rsla_civil c;
    rsla_civil_from_ns(ns, offset_min, &c);
    int n = snprintf(out, 40, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)c.year, c.month, c.day,
                     c.hour, c.minute, c.second);
    if (c.nanosecond)
        n += snprintf(out + n, 40 - (size_t)n, ".%09d", (int)c.nanosecond);
    if (offset_min == 0 && use_z) {
        out[n++] = 'Z';
        out[n] = '\0';
    } else {
        const int a = offset_min < 0 ? -offset_min : offset_min;
        n += snprintf(out + n, 40 - (size_t)n, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
    }
    return (size_t)n;
}
