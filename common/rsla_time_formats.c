/* Timestamp syntaxes of access logs other than RFC 3339 (see rsla_time_formats.h). */
#include "common/rsla_time_formats.h"

/* MARK: - Helpers (Private) */

/* Reads exactly n ASCII digits at s. @return the value, or -1 when one is not a digit. */
static int64_t digits_n(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* English month abbreviation as Apache, nginx and syslog write it. @return 1..12 or 0. */
static int month_abbrev(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (s[0] == names[3 * m] && s[1] == names[3 * m + 1] && s[2] == names[3 * m + 2])
            return m + 1;
    return 0;
}

/* `±hhmm` at s (5 bytes). @return true and *offset_min set (minutes east of UTC). */
static bool zone_hhmm(const char *s, int32_t *offset_min)
{
    if (s[0] != '+' && s[0] != '-')
        return false;
    int64_t hh = digits_n(s + 1, 2), mm = digits_n(s + 3, 2);
    if (hh < 0 || mm < 0 || hh > 23 || mm > 59)
        return false;
    int32_t off = (int32_t)(hh * 60 + mm);
    *offset_min = s[0] == '-' ? -off : off;
    return true;
}

/* Range-checks civil fields and turns them into UTC nanoseconds at a fixed offset. */
static rsla_time_status civil_to_ns(int64_t year, int64_t month, int64_t day, int64_t hour,
                                    int64_t minute, int64_t second, int32_t offset_min,
                                    int64_t *ns)
{
    if (month < 1 || month > 12 || day < 1 || day > rsla_days_in_month(year, (int)month) ||
        hour > 23 || minute > 59 || second > 60)
        return RSLA_TIME_RANGE;
    /* A leap second (:60) is read as the first instant of the next minute, as RFC 3339 readers
     * commonly do; the instant arithmetic below makes that happen by itself. */
    int64_t days = rsla_days_from_civil(year, (int)month, (int)day);
    int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - (int64_t)offset_min * 60;
    if (secs > INT64_MAX / RSLA_NS_PER_SEC - 1 || secs < INT64_MIN / RSLA_NS_PER_SEC + 1)
        return RSLA_TIME_RANGE; /* outside the int64 nanosecond range (years 1678..2261) */
    *ns = secs * RSLA_NS_PER_SEC;
    return RSLA_TIME_OK;
}

/* The shared tail of CLF and LabKit: `HH:MM:SS ±hhmm` at s (len bytes from there). */
static rsla_time_status clock_and_zone(const char *s, size_t len, int64_t year, int64_t month,
                                       int64_t day, int64_t *ns)
{
    if (len < 8 || s[2] != ':' || s[5] != ':')
        return RSLA_TIME_SYNTAX;
    int64_t hh = digits_n(s, 2), mi = digits_n(s + 3, 2), ss = digits_n(s + 6, 2);
    if (hh < 0 || mi < 0 || ss < 0)
        return RSLA_TIME_SYNTAX;
    if (len == 8)
        return RSLA_TIME_NO_ZONE;
    int32_t off;
    if (len != 14 || s[8] != ' ' || !zone_hhmm(s + 9, &off))
        return RSLA_TIME_SYNTAX;
    return civil_to_ns(year, month, day, hh, mi, ss, off, ns);
}

/* MARK: - Parsers (Public) */

rsla_time_status rsla_time_parse_clf(const char *s, size_t len, int64_t *ns)
{
    /* DD/Mon/YYYY: is 12 bytes */
    if (len < 12 || s[2] != '/' || s[6] != '/' || s[11] != ':')
        return RSLA_TIME_SYNTAX;
    int64_t day = digits_n(s, 2), year = digits_n(s + 7, 4);
    int month = month_abbrev(s + 3);
    if (day < 0 || year < 0 || month == 0)
        return RSLA_TIME_SYNTAX;
    return clock_and_zone(s + 12, len - 12, year, month, day, ns);
}

rsla_time_status rsla_time_parse_labkit(const char *s, size_t len, int64_t *ns)
{
    /* YYYY/MM/DD: is 11 bytes */
    if (len < 11 || s[4] != '/' || s[7] != '/' || s[10] != ':')
        return RSLA_TIME_SYNTAX;
    int64_t year = digits_n(s, 4), month = digits_n(s + 5, 2), day = digits_n(s + 8, 2);
    if (year < 0 || month < 0 || day < 0)
        return RSLA_TIME_SYNTAX;
    return clock_and_zone(s + 11, len - 11, year, month, day, ns);
}

rsla_time_status rsla_time_parse_epoch_seconds(const char *s, size_t len, int64_t *ns)
{
    size_t i = 0;
    int64_t secs = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (i >= 12) /* about year 33658: far beyond the instant range, refuse early */
            return RSLA_TIME_SYNTAX;
        secs = secs * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0)
        return RSLA_TIME_SYNTAX;
    int64_t frac = 0;
    size_t fd = 0;
    if (i < len) {
        if (s[i] != '.')
            return RSLA_TIME_SYNTAX;
        for (i++; i < len; i++, fd++) {
            if (fd >= 9 || s[i] < '0' || s[i] > '9')
                return RSLA_TIME_SYNTAX;
            frac = frac * 10 + (s[i] - '0');
        }
        if (fd == 0)
            return RSLA_TIME_SYNTAX;
    }
    for (; fd < 9; fd++)
        frac *= 10;
    if (secs > INT64_MAX / RSLA_NS_PER_SEC - 1)
        return RSLA_TIME_RANGE;
    *ns = secs * RSLA_NS_PER_SEC + frac;
    return RSLA_TIME_OK;
}

rsla_time_status rsla_time_parse_syslog(const char *s, size_t len, rsla_syslog_stamp *st)
{
    if (len != 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
        return RSLA_TIME_SYNTAX;
    int month = month_abbrev(s);
    int64_t day = s[4] == ' ' ? digits_n(s + 5, 1) : digits_n(s + 4, 2);
    int64_t hh = digits_n(s + 7, 2), mi = digits_n(s + 10, 2), ss = digits_n(s + 13, 2);
    if (month == 0 || day < 0 || hh < 0 || mi < 0 || ss < 0)
        return RSLA_TIME_SYNTAX;
    if (day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
        return RSLA_TIME_RANGE;
    *st = (rsla_syslog_stamp){ month, (int)day, (int)hh, (int)mi, (int)ss };
    return RSLA_TIME_OK;
}

rsla_time_status rsla_time_syslog_to_ns(const rsla_syslog_stamp *st, int64_t year,
                                        int32_t offset_min, int64_t *ns)
{
    return civil_to_ns(year, st->month, st->day, st->hour, st->minute, st->second, offset_min,
                       ns);
}

int64_t rsla_time_syslog_year_near(const rsla_syslog_stamp *st, int32_t offset_min, int64_t ref_ns)
{
    rsla_civil c;
    rsla_civil_from_ns(ref_ns, offset_min, &c);
    int64_t best_year = c.year;
    uint64_t best_dist = UINT64_MAX;
    for (int64_t y = c.year - 1; y <= c.year + 1; y++) {
        int64_t t;
        if (rsla_time_syslog_to_ns(st, y, offset_min, &t) != RSLA_TIME_OK)
            continue;
        uint64_t d = t > ref_ns ? (uint64_t)t - (uint64_t)ref_ns : (uint64_t)ref_ns - (uint64_t)t;
        if (d < best_dist) {
            best_dist = d;
            best_year = y;
        }
    }
    return best_year;
}
