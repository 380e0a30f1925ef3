#include "common/rsla_time.h"

#include <stdio.h> /* snprintf */

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

rsla_time_status rsla_time_parse_rfc3339(const char *s, size_t len, int64_t *ns)
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
