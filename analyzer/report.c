/* Report dispatch and the helpers the writers share; see report.h. */
#include "analyzer/report.h"

#include <string.h> /* strcmp */

#include "analyzer/report_internal.h"
#include "common/rsla_time.h" /* rsla_time_format */

bool report_format_parse(const char *name, report_format *out)
{
    if (!name)
        return false;
    if (strcmp(name, "table") == 0)
        *out = REPORT_TABLE;
    else if (strcmp(name, "csv") == 0)
        *out = REPORT_CSV;
    else if (strcmp(name, "json") == 0)
        *out = REPORT_JSON;
    else
        return false;
    return true;
}

int report_write(FILE *out, report_format fmt, const sla_report *r, const rsla_run_input *in)
{
    switch (fmt) {
    case REPORT_CSV: return report_write_csv(out, r);
    case REPORT_JSON: return report_write_json(out, r, in);
    case REPORT_TABLE:
    default: return report_write_table(out, r, in);
    }
}

void report_time_utc(char *out, int64_t ns) { rsla_time_format(out, ns, 0, true); }

void report_time_zone(char *out, const tz_zone *z, int64_t ns)
{
    const int64_t sec = rsla_floor_div(ns, RSLA_NS_PER_SEC);
    /* Offsets with seconds exist only in local mean time before 1900; the minute is shown. */
    rsla_time_format(out, ns, (int32_t)(tz_offset_at(z, sec) / 60), false);
}

void report_amount(char *out, int64_t minor, int decimals)
{
    int64_t p = 1;
    for (int i = 0; i < decimals; i++)
        p *= 10;
    const char *sign = minor < 0 ? "-" : "";
    const uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    if (decimals == 0)
        snprintf(out, 32, "%s%llu", sign, (unsigned long long)a);
    else
        snprintf(out, 32, "%s%llu.%0*llu", sign, (unsigned long long)(a / (uint64_t)p), decimals,
                 (unsigned long long)(a % (uint64_t)p));
}

/* Length of a valid UTF-8 sequence at p, 0 if invalid (no overlongs, no surrogates). */
static size_t utf8_seq(const unsigned char *p)
{
    const unsigned c = p[0];
    size_t n;
    unsigned cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void report_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            p++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            fputc(c, f);
            p++;
        } else {
            const size_t n = utf8_seq(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

void report_csv_field(FILE *f, const char *s)
{
    const size_t n = strlen(s);
    const bool quote = strpbrk(s, ",\"\r\n") != NULL ||
                       (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void report_status_ranges(const bool set[1000], report_range_fn emit, void *ctx)
{
    for (int s = 0; s < 1000;) {
        if (!set[s]) {
            s++;
            continue;
        }
        int e = s;
        while (e + 1 < 1000 && set[e + 1])
            e++;
        emit(ctx, s, e);
        s = e + 1;
    }
}
