/* Field-value syntaxes shared by the input profiles (see ing_value.h). */
#include "ingest/ing_value.h"

#include <string.h> /* memchr, memmove, strchr */

/* MARK: - Go durations (Private) */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Nanoseconds in one unit, or 0 when the unit is unknown, and in *zeros the decimal zeros that
 * end it (1 ms = 10^6 ns: 6; 1 m = 6 * 10^10 ns: 10). The micro sign comes in two spellings: Go
 * writes U+00B5 and also reads the Greek small mu U+03BC. A switch on the length: this runs once
 * per duration of every outcome line. */
static uint64_t go_unit_ns(const char *u, size_t n, int *zeros)
{
    switch (n) {
    case 1:
        *zeros = u[0] == 's' ? 9 : u[0] == 'm' ? 10 : 11;
        return u[0] == 's' ? UINT64_C(1000000000)
             : u[0] == 'm' ? UINT64_C(60000000000)
             : u[0] == 'h' ? UINT64_C(3600000000000) : 0;
    case 2:
        if (u[1] != 's')
            return 0;
        *zeros = u[0] == 'm' ? 6 : u[0] == 'n' ? 0 : 3;
        return u[0] == 'm' ? 1000000 : u[0] == 'n' ? 1 : u[0] == 'u' ? 1000 : 0;
    case 3:
        *zeros = 3;
        return u[2] == 's' && ((u[0] == '\xc2' && u[1] == '\xb5') || (u[0] == '\xce' && u[1] == '\xbc'))
                   ? 1000 : 0;
    default:
        return 0;
    }
}

static const uint64_t pow10_table[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                         100000000, 1000000000, 10000000000ULL, 100000000000ULL };

static uint64_t fraction_ns(uint64_t frac, int digits, uint64_t unit, int zeros)
{
    /* Go writes at most as many fraction digits as the unit has zeros (`40.123508ms`: 6 digits,
     * 1 ms = 10^6 ns), and then the result is exact by one multiplication. */
    if (digits <= zeros)
        return frac * (zeros == 10 ? 6 : zeros == 11 ? 36 : 1) * pow10_table[zeros - digits];
    /* Otherwise 64 bits usually suffice; the 128-bit division is the last resort. */
    if (digits <= 10 && frac <= UINT64_MAX / unit)
        return frac * unit / pow10_table[digits];
    unsigned __int128 scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    return (uint64_t)(((unsigned __int128)frac * unit) / scale);
}

/* One `[0-9]*(\.[0-9]*)?unit` component starting at *i; adds its nanoseconds to *total. */
static bool go_component(const char *s, size_t len, size_t *i, uint64_t *total)
{
    const uint64_t max = (uint64_t)INT64_MAX;
    size_t p = *i;
    const size_t int_start = p;
    uint64_t whole = 0;
    for (; p < len && is_digit(s[p]); p++) {
        /* 18 digits cannot overflow; only longer runs pay for the exact check. */
        if (p - int_start >= 18 && whole > (max - (uint64_t)(s[p] - '0')) / 10)
            return false;
        whole = whole * 10 + (uint64_t)(s[p] - '0');
    }
    const bool pre = p > int_start;
    uint64_t frac = 0;
    int frac_digits = 0;
    bool post = false;
    if (p < len && s[p] == '.') {
        const size_t frac_start = ++p;
        for (; p < len && is_digit(s[p]); p++) {
            if (frac_digits < 19) {
                frac = frac * 10 + (uint64_t)(s[p] - '0');
                frac_digits++;
            }
        }
        post = p > frac_start;
    }
    if (!pre && !post)
        return false;
    const size_t unit_start = p;
    while (p < len && s[p] != '.' && !is_digit(s[p]))
        p++;
    int zeros = 0;
    const uint64_t unit = go_unit_ns(s + unit_start, p - unit_start, &zeros);
    /* Overflow by the multiplication's own flag: a division by the unit here cost more than the
     * rest of the parse. */
    uint64_t v;
    if (unit == 0 || __builtin_mul_overflow(whole, unit, &v) || v > max)
        return false;
    v += frac ? fraction_ns(frac, frac_digits, unit, zeros) : 0;
    if (v > max || *total > max - v)
        return false;
    *total += v;
    *i = p;
    return true;
}

/* The unit at the end of a one-component duration: `ms`, `s` after a digit, or `µs` (U+00B5, as
 * Go writes it); its length, nanoseconds and decimal zeros, or 0 for any other ending. */
static size_t go_fast_unit(const char *s, size_t len, uint64_t *unit, int *zeros)
{
    if (len < 2 || s[len - 1] != 's')
        return 0;
    const char u = s[len - 2];
    if (u == 'm') {
        *unit = 1000000;
        *zeros = 6;
        return 2;
    }
    if (is_digit(u)) {
        *unit = 1000000000;
        *zeros = 9;
        return 1;
    }
    if (u == '\xb5' && len >= 3 && s[len - 3] == '\xc2') {
        *unit = 1000;
        *zeros = 3;
        return 3;
    }
    return 0;
}

/* The value of the n ASCII digits at p into *out; false if any byte is not a digit. The digits
 * are checked all together, without a branch per byte (at most 9 here: no overflow). */
static bool digits_value(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned d = (unsigned)(unsigned char)p[i] - '0';
        bad |= d > 9;
        v = v * 10 + d;
    }
    *out = v;
    return bad == 0;
}

/* The shape Go writes for nearly every request: one component, 1 to 9 whole digits, at most as
 * many fraction digits as the unit has zeros (`358.880582ms`, `88.251µs`, `1.5s`). Then the value
 * cannot overflow and is exact without the general parser's overflow checks and unit search.
 * @return false for anything else (the general parser decides; it gives the same value for every
 *         text accepted here). */
static bool go_duration_fast(const char *s, size_t len, int64_t *ns)
{
    uint64_t unit;
    int zeros;
    const size_t ulen = go_fast_unit(s, len, &unit, &zeros);
    if (ulen == 0)
        return false;
    const size_t n = len - ulen;
    /* a loop, not memchr: the number is about 10 bytes, shorter than a library call's setup */
    size_t whole_digits = 0;
    while (whole_digits < n && s[whole_digits] != '.')
        whole_digits++;
    const bool point = whole_digits < n;
    const size_t frac_digits = point ? n - whole_digits - 1 : 0;
    if (whole_digits == 0 || whole_digits > 9 ||
        (point && (frac_digits == 0 || frac_digits > (size_t)zeros)))
        return false;
    uint64_t whole, frac = 0;
    if (!digits_value(s, whole_digits, &whole) ||
        (point && !digits_value(s + whole_digits + 1, frac_digits, &frac)))
        return false;
    *ns = (int64_t)(whole * unit + frac * pow10_table[(size_t)zeros - frac_digits]);
    return true;
}

/* MARK: - Go durations (Public) */

bool ing_value_go_duration(const char *s, size_t len, int64_t *ns)
{
    return go_duration_fast(s, len, ns) || ing_value_go_duration_general(s, len, ns);
}

bool ing_value_go_duration_general(const char *s, size_t len, int64_t *ns)
{
    size_t i = 0;
    if (i < len && s[i] == '+')
        i++;
    if (len - i == 1 && s[i] == '0') {
        *ns = 0;
        return true;
    }
    if (i == len)
        return false;
    uint64_t total = 0;
    while (i < len)
        if (!go_component(s, len, &i, &total))
            return false;
    *ns = (int64_t)total;
    return true;
}

/* MARK: - HTTP status (Public) */

ing_status_result ing_value_status_digits(const char *s, size_t len, int32_t *status)
{
    if (len == 0 || len > 3)
        return ING_STATUS_BAD_VALUE;
    int32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return ING_STATUS_BAD_VALUE;
        v = v * 10 + (s[i] - '0');
    }
    *status = v;
    return ING_STATUS_OK;
}

ing_status_result ing_value_status_json_number(const char *s, size_t len, int32_t *status)
{
    /* Three digits, the status of nearly every line: no fraction, exponent or sign to look for. */
    if (len == 3 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2])) {
        *status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
        return ING_STATUS_OK;
    }
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
            return ING_STATUS_WRONG_TYPE;
    if (len > 0 && s[0] == '-')
        return ING_STATUS_BAD_VALUE;
    return ing_value_status_digits(s, len, status);
}

/* MARK: - JSON strings (Private) */

static unsigned hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    return (unsigned)(c - 'A' + 10);
}

static unsigned read_hex4(const char *p)
{
    return hex_value(p[0]) << 12 | hex_value(p[1]) << 8 | hex_value(p[2]) << 4 | hex_value(p[3]);
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the `\u` escape at s[*i] (pointing at the backslash); a high surrogate takes a following
 * low surrogate escape with it. Six input bytes never give more than three output bytes, twelve
 * never more than four, so the output stays shorter than the input. */
static size_t unescape_u(const char *s, size_t len, size_t *i, char *out)
{
    uint32_t cp = read_hex4(s + *i + 2);
    *i += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && *i + 6 <= len && s[*i] == '\\' && s[*i + 1] == 'u') {
        const uint32_t lo = read_hex4(s + *i + 2);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            *i += 6;
            return put_utf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD;
    return put_utf8(out, cp);
}

/* MARK: - JSON strings (Public) */

size_t ing_value_json_unescape(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0;
    while (i < len) {
        /* Escapes are rare even in escaped strings (one `\u0026` in a 250-byte URI): copy the
         * run up to the next backslash at once. */
        const char *bs = memchr(s + i, '\\', len - i);
        const size_t run = bs ? (size_t)(bs - (s + i)) : len - i;
        memmove(out + o, s + i, run);
        i += run;
        o += run;
        if (i + 1 >= len)
            break; /* the end, or a lone final backslash (not in a validated string) */
        const char e = s[i + 1];
        if (e == 'u' && i + 6 <= len) {
            o += unescape_u(s, len, &i, out + o);
            continue;
        }
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        default: out[o++] = e; break; /* '"', '\\', '/' */
        }
        i += 2;
    }
    return o;
}

/* MARK: - Decimals and request lines (Public) */

bool ing_value_decimal_ns(const char *s, size_t len, unsigned exp10, int64_t *ns)
{
    if (exp10 > 9 || len == 0 || s[0] < '0' || s[0] > '9')
        return false;
    size_t i = 0;
    int64_t whole = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (whole > (INT64_MAX - 9) / 10)
            return false;
        whole = whole * 10 + (s[i] - '0');
    }
    int64_t unit = 1, frac = 0;
    for (unsigned e = 0; e < exp10; e++)
        unit *= 10;
    if (i < len) {
        if (s[i] != '.' || i + 1 == len)
            return false;
        int64_t scale = unit;
        for (i++; i < len; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            scale /= 10; /* 0 once the unit's precision is used up: later digits are dropped */
            frac += (s[i] - '0') * scale;
        }
    }
    if (whole > (INT64_MAX - frac) / unit)
        return false;
    *ns = whole * unit + frac;
    return true;
}

/* RFC 9110 token characters, for the method. */
static bool is_tchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool ing_value_request_line(const char *s, size_t len, size_t *method_len, size_t *target_start,
                            size_t *target_len)
{
    size_t i = 0;
    while (i < len && is_tchar(s[i]))
        i++;
    if (i == 0 || i >= len || s[i] != ' ')
        return false;
    const size_t m = i, t = ++i;
    while (i < len && (unsigned char)s[i] > 0x20 && s[i] != 0x7f)
        i++;
    if (i == t || (i < len && s[i] != ' '))
        return false;
    *method_len = m;
    *target_start = t;
    *target_len = i - t;
    return true;
}
