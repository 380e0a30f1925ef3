/* Time zones without the process TZ: fixed offsets, and TZif files read by hand; see tz.h.
 *
 * An IANA zone is a sorted table of transitions (UTC instant -> offset) plus, for instants after
 * the last one, a POSIX TZ rule such as `EST5EDT,M3.2.0,M11.1.0` that yields two transitions a
 * year. Everything here is a lookup in one or the other. */
#include "analyzer/tz.h"

#include <stdbool.h> /* bool */
#include <stdio.h>   /* snprintf */
#include <stdlib.h>  /* free, getenv */
#include <string.h>  /* strcmp, strlen */

#include "common/rsla_base.h" /* rsla_xmalloc, rsla_read_file */
#include "common/rsla_time.h" /* rsla_days_from_civil, rsla_civil_from_days, rsla_floor_div */

/* Largest TZif file read; real ones are below 4 KiB. */
#define TZ_MAX_FILE (1u << 20)
/* Largest offset magnitude accepted (RFC 8536 allows -89999..93599 s). */
#define TZ_MAX_OFFSET 93600

typedef struct rule_date {
    char kind;    /* 'J': Jn (1..365, no Feb 29); 'N': n (0..365); 'M': Mm.w.d */
    int n, m, w, d;
    int32_t time; /* seconds after local midnight of that date (may be negative or > 24 h) */
} rule_date;

typedef struct posix_rule {
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    rule_date start, end;     /* start: std -> dst (local standard time); end: dst -> std */
} posix_rule;

struct tz_zone {
    char name[128];
    bool fixed;
    int32_t fixed_off;
    int64_t *trans;    /* transition instants, ascending */
    int32_t *trans_off; /* offset in force from trans[i] on */
    size_t n_trans;
    int32_t first_off; /* offset before the first transition (time type 0) */
    bool has_rule;
    posix_rule rule;
};

#define SET_ERR(err, errlen, ...)                    \
    do {                                             \
        if ((err) && (errlen))                       \
            snprintf((err), (errlen), __VA_ARGS__);  \
    } while (0)

/* MARK: - POSIX TZ strings (Private) */

/* [+-]hh[h][:mm[:ss]] -> seconds; max_h bounds the hours. Returns false on syntax error. */
static bool parse_hms(const char **pp, int max_h, int32_t *out)
{
    const char *p = *pp;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (*p < '0' || *p > '9')
        return false;
    int h = 0, n = 0;
    while (*p >= '0' && *p <= '9' && n < 3) {
        h = h * 10 + (*p++ - '0');
        n++;
    }
    if (h > max_h)
        return false;
    int m = 0, s = 0;
    if (*p == ':') {
        p++;
        if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9')
            return false;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == ':') {
            p++;
            if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9')
                return false;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    *pp = p;
    return true;
}

static bool parse_tzname(const char **pp)
{
    const char *p = *pp;
    if (*p == '<') {
        p++;
        while (*p && *p != '>')
            p++;
        if (*p != '>')
            return false;
        *pp = p + 1;
        return true;
    }
    int n = 0;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
        p++;
        n++;
    }
    if (n < 3)
        return false;
    *pp = p;
    return true;
}

static int parse_uint(const char **pp, int max)
{
    const char *p = *pp;
    int v = 0, n = 0;
    while (*p >= '0' && *p <= '9' && n < 4) {
        v = v * 10 + (*p++ - '0');
        n++;
    }
    if (n == 0 || v > max)
        return -1;
    *pp = p;
    return v;
}

static bool parse_rule_date(const char **pp, rule_date *r)
{
    const char *p = *pp;
    memset(r, 0, sizeof *r);
    if (*p == 'J') {
        p++;
        r->kind = 'J';
        r->n = parse_uint(&p, 365);
        if (r->n < 1)
            return false;
    } else if (*p == 'M') {
        p++;
        r->kind = 'M';
        r->m = parse_uint(&p, 12);
        if (r->m < 1 || *p++ != '.')
            return false;
        r->w = parse_uint(&p, 5);
        if (r->w < 1 || *p++ != '.')
            return false;
        r->d = parse_uint(&p, 6);
        if (r->d < 0)
            return false;
    } else {
        r->kind = 'N';
        r->n = parse_uint(&p, 365);
        if (r->n < 0)
            return false;
    }
    r->time = 2 * 3600;
    if (*p == '/') {
        p++;
        if (!parse_hms(&p, 167, &r->time))
            return false;
    }
    *pp = p;
    return true;
}

static bool parse_posix_tz(const char *s, posix_rule *out)
{
    const char *p = s;
    memset(out, 0, sizeof *out);
    int32_t v;
    if (!parse_tzname(&p) || !parse_hms(&p, 24, &v))
        return false;
    out->std_off = -v; /* POSIX offsets count west of Greenwich */
    if (*p == '\0')
        return true;
    if (!parse_tzname(&p))
        return false;
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (*p && *p != ',') {
        if (!parse_hms(&p, 24, &v))
            return false;
        out->dst_off = -v;
    }
    if (*p == '\0') {
        /* No rule: the POSIX default, today's US rule. */
        const char *def = ",M3.2.0,M11.1.0";
        p = def;
    }
    if (*p++ != ',' || !parse_rule_date(&p, &out->start) || *p++ != ',' ||
        !parse_rule_date(&p, &out->end) || *p != '\0')
        return false;
    return true;
}

/* Days since the epoch of a rule date in a year. */
static int64_t rule_day(const rule_date *r, int64_t year)
{
    const int64_t jan1 = rsla_days_from_civil(year, 1, 1);
    if (r->kind == 'J')
        return jan1 + r->n - 1 + (rsla_is_leap_year(year) && r->n >= 60 ? 1 : 0);
    if (r->kind == 'N')
        return jan1 + r->n;
    const int64_t first = rsla_days_from_civil(year, r->m, 1);
    const int dow_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
    int day = 1 + (r->d - dow_first + 7) % 7 + (r->w - 1) * 7;
    while (day > rsla_days_in_month(year, r->m))
        day -= 7;
    return first + day - 1;
}

static void rule_year(const posix_rule *r, int64_t year, int64_t *start, int64_t *end)
{
    *start = rule_day(&r->start, year) * 86400 + r->start.time - r->std_off;
    *end = rule_day(&r->end, year) * 86400 + r->end.time - r->dst_off;
}

static int64_t year_of(int64_t utc_sec, int32_t off)
{
    int64_t y;
    int m, d;
    rsla_civil_from_days(rsla_floor_div(utc_sec + off, 86400), &y, &m, &d);
    return y;
}

static int32_t rule_offset(const posix_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t s, e;
    rule_year(r, year_of(t, r->std_off), &s, &e);
    bool dst;
    if (s < e)
        dst = t >= s && t < e;
    else
        dst = !(t >= e && t < s);
    return dst ? r->dst_off : r->std_off;
}

/* First rule transition strictly after t: instant and offset from then on. */
static bool rule_next(const posix_rule *r, int64_t t, int64_t *at, int32_t *off)
{
    if (!r->has_dst)
        return false;
    const int64_t y = year_of(t, r->std_off);
    bool found = false;
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        int64_t s, e;
        rule_year(r, yy, &s, &e);
        if (s > t && (!found || s < *at)) {
            *at = s;
            *off = r->dst_off;
            found = true;
        }
        if (e > t && (!found || e < *at)) {
            *at = e;
            *off = r->std_off;
            found = true;
        }
    }
    return found;
}

/* MARK: - TZif files (Private) */

static int64_t be32(const unsigned char *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static int64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* Parses a TZif image into z; returns NULL or a reason. */
static const char *parse_tzif(tz_zone *z, const unsigned char *b, size_t len)
{
    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        return "not a TZif file";
    const int version = b[4] == 0 ? 1 : b[4] - '0';
    size_t pos = 0;
    int tsize = 4;
    for (int pass = 0;; pass++) {
        if (len - pos < 44 || memcmp(b + pos, "TZif", 4) != 0)
            return "truncated TZif header";
        const unsigned char *h = b + pos + 20;
        const uint64_t isutcnt = (uint32_t)be32(h), isstdcnt = (uint32_t)be32(h + 4),
                       leapcnt = (uint32_t)be32(h + 8), timecnt = (uint32_t)be32(h + 12),
                       typecnt = (uint32_t)be32(h + 16), charcnt = (uint32_t)be32(h + 20);
        pos += 44;
        const uint64_t need = timecnt * (uint64_t)tsize + timecnt + typecnt * 6 + charcnt +
                              leapcnt * (uint64_t)(tsize + 4) + isstdcnt + isutcnt;
        if (need > len - pos)
            return "truncated TZif data";
        if (pass == 0 && version >= 2) {
            pos += (size_t)need;
            tsize = 8;
            continue;
        }
        if (typecnt == 0 || typecnt > 256)
            return "bad TZif type count";
        const unsigned char *tp = b + pos;
        const unsigned char *ip = tp + timecnt * tsize;
        const unsigned char *ty = ip + timecnt;
        int32_t offs[256];
        for (uint64_t i = 0; i < typecnt; i++) {
            const int64_t o = be32(ty + 6 * i);
            if (o <= -TZ_MAX_OFFSET || o >= TZ_MAX_OFFSET)
                return "TZif offset out of range";
            offs[i] = (int32_t)o;
        }
        z->first_off = offs[0];
        z->n_trans = (size_t)timecnt;
        z->trans = rsla_xmalloc((timecnt ? timecnt : 1) * sizeof *z->trans);
        z->trans_off = rsla_xmalloc((timecnt ? timecnt : 1) * sizeof *z->trans_off);
        for (uint64_t i = 0; i < timecnt; i++) {
            z->trans[i] = tsize == 8 ? be64(tp + 8 * i) : be32(tp + 4 * i);
            if (ip[i] >= typecnt)
                return "TZif transition names an unknown type";
            if (i > 0 && z->trans[i] <= z->trans[i - 1])
                return "TZif transitions out of order";
            z->trans_off[i] = offs[ip[i]];
        }
        pos += (size_t)need;
        break;
    }
    if (version >= 2 && pos < len && b[pos] == '\n') {
        const size_t start = pos + 1;
        size_t e = start;
        while (e < len && b[e] != '\n')
            e++;
        if (e < len && e > start) {
            char footer[256];
            if (e - start >= sizeof footer)
                return "TZif footer too long";
            memcpy(footer, b + start, e - start);
            footer[e - start] = '\0';
            if (!parse_posix_tz(footer, &z->rule))
                return "TZif footer is not a POSIX TZ string this reader understands";
            z->has_rule = true;
        }
    }
    return NULL;
}

/* MARK: - Public */

static bool parse_fixed(const char *s, int32_t *off)
{
    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcmp(s, "GMT") == 0 ||
        strcmp(s, "z") == 0) {
        *off = 0;
        return true;
    }
    if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0)
        s += 3;
    if (*s != '+' && *s != '-')
        return false;
    const int sign = *s == '-' ? -1 : 1;
    const char *p = s + 1;
    int digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    int h, m = 0;
    if (digits == 4 && p[4] == '\0') {
        h = (p[0] - '0') * 10 + (p[1] - '0');
        m = (p[2] - '0') * 10 + (p[3] - '0');
    } else if ((digits == 1 || digits == 2) && (p[digits] == '\0' || p[digits] == ':')) {
        h = p[0] - '0';
        if (digits == 2)
            h = h * 10 + (p[1] - '0');
        if (p[digits] == ':') {
            const char *q = p + digits + 1;
            if (q[0] < '0' || q[0] > '9' || q[1] < '0' || q[1] > '9' || q[2] != '\0')
                return false;
            m = (q[0] - '0') * 10 + (q[1] - '0');
        }
    } else {
        return false;
    }
    if (h > 23 || m > 59)
        return false;
    *off = sign * (h * 3600 + m * 60);
    return true;
}

tz_zone *tz_fixed(int32_t offset_sec)
{
    tz_zone *z = rsla_xcalloc(1, sizeof *z);
    z->fixed = true;
    z->fixed_off = offset_sec;
    if (offset_sec == 0) {
        snprintf(z->name, sizeof z->name, "UTC");
    } else {
        const int32_t a = offset_sec < 0 ? -offset_sec : offset_sec;
        snprintf(z->name, sizeof z->name, "%c%02d:%02d", offset_sec < 0 ? '-' : '+',
                 (int)(a / 3600), (int)(a / 60 % 60));
    }
    return z;
}

tz_zone *tz_load(const char *name, char *err, size_t errlen)
{
    if (!name || !*name) {
        SET_ERR(err, errlen, "empty time zone name");
        return NULL;
    }
    if (strlen(name) >= sizeof ((tz_zone *)0)->name) {
        SET_ERR(err, errlen, "time zone name too long: %.40s...", name);
        return NULL;
    }
    int32_t off;
    if (parse_fixed(name, &off)) {
        tz_zone *z = tz_fixed(off);
        snprintf(z->name, sizeof z->name, "%s", name);
        return z;
    }
    bool ok = name[0] != '/' && name[0] != '+' && name[0] != '-' && strstr(name, "..") == NULL;
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
             *p == '/' || *p == '_' || *p == '+' || *p == '-';
    if (!ok) {
        SET_ERR(err, errlen, "unknown time zone \"%s\": neither an offset like +08:00 nor an "
                             "IANA name like Asia/Shanghai", name);
        return NULL;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    rsla_read_status st;
    /* A file of TZ_MAX_FILE bytes or more is refused. */
    unsigned char *buf = (unsigned char *)rsla_read_file(path, TZ_MAX_FILE - 1, &len, &st);
    if (!buf && st == RSLA_READ_OPEN) {
        if (err && errlen)
            snprintf(err, errlen, "unknown time zone \"%s\" (no file %s)", name, path);
        return NULL;
    }
    tz_zone *z = rsla_xcalloc(1, sizeof *z);
    snprintf(z->name, sizeof z->name, "%s", name);
    /* A folder of zones (Asia) fails to read: it is judged as no bytes, not a TZif file. */
    const char *why = st == RSLA_READ_TOO_BIG ? "file too large"
                      : buf                   ? parse_tzif(z, buf, len)
                                              : parse_tzif(z, (const unsigned char *)"", 0);
    free(buf);
    if (why) {
        if (err && errlen)
            snprintf(err, errlen, "time zone \"%s\": %s: %s", name, path, why);
        tz_free(z);
        return NULL;
    }
    return z;
}

void tz_free(tz_zone *z)
{
    if (!z)
        return;
    free(z->trans);
    free(z->trans_off);
    free(z);
}

const char *tz_name(const tz_zone *z) { return z->name; }

int32_t tz_offset_at(const tz_zone *z, int64_t t)
{
    if (z->fixed)
        return z->fixed_off;
    if (z->n_trans == 0)
        return z->has_rule ? rule_offset(&z->rule, t) : z->first_off;
    if (t < z->trans[0])
        return z->first_off;
    size_t lo = 0, hi = z->n_trans; /* last i with trans[i] <= t */
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (lo == z->n_trans - 1 && z->has_rule)
        return rule_offset(&z->rule, t);
    return z->trans_off[lo];
}

/* First change of offset strictly after t (a transition that keeps the offset counts too). */
static bool next_change(const tz_zone *z, int64_t t, int64_t *at, int32_t *off)
{
    if (z->fixed)
        return false;
    if (z->n_trans > 0 && t < z->trans[z->n_trans - 1]) {
        size_t lo = 0, hi = z->n_trans - 1; /* first i with trans[i] > t */
        while (lo < hi) {
            const size_t mid = lo + (hi - lo) / 2;
            if (z->trans[mid] > t)
                hi = mid;
            else
                lo = mid + 1;
        }
        *at = z->trans[lo];
        *off = tz_offset_at(z, *at);
        return true;
    }
    if (!z->has_rule)
        return false;
    return rule_next(&z->rule, t, at, off);
}

int64_t tz_utc_of_local(const tz_zone *z, int64_t local)
{
    if (z->fixed)
        return local - z->fixed_off;
    /* The pieces of constant offset between transitions, from two days before: the first piece
     * in which the local time is reached gives the answer (earliest occurrence, or the
     * transition itself when the local time falls in a gap). */
    int64_t t = local - 2 * 86400;
    int32_t off = tz_offset_at(z, t);
    for (int i = 0; i < 64; i++) {
        int64_t at = 0;
        int32_t noff = 0;
        const bool more = next_change(z, t, &at, &noff);
        const int64_t c = RSLA_MAX(t, local - off);
        if (!more || c < at)
            return c;
        t = at;
        off = noff;
    }
    return local - tz_offset_at(z, local);
}

int64_t tz_midnight_utc(const tz_zone *z, int64_t year, int month, int day)
{
    return tz_utc_of_local(z, rsla_days_from_civil(year, month, day) * 86400);
}
