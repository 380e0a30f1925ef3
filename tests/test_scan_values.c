/* The fast paths of the profile step's value parsers (ingest/ing_value.c) against their general
 * forms: the Go duration fast path against ing_value_go_duration_general, the three-digit status
 * against the digit rules, and the run-copying JSON unescape against a byte-at-a-time reference.
 * Differential, on edge inputs, every byte value at every position, and seeded random inputs. */
#include "common/rsla_base.h"  /* RSLA_ARRAY_LEN */
#include "ingest/ing_value.h"
#include "rsla_test.h"

#include <stdlib.h> /* malloc, free */

static int failures;

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* MARK: - Go durations */

/* ing_value_go_duration (fast path first) must agree with the general parser on acceptance and
 * value; a refusal leaves *ns alone. The text is copied to an exact-length heap buffer so that
 * ASan sees any read past the slice. */
static void duration_one(const char *text, size_t len)
{
    char *s = malloc(len ? len : 1);
    memcpy(s, text, len);
    int64_t fast = INT64_MIN, general = INT64_MIN;
    const bool a = ing_value_go_duration(s, len, &fast);
    const bool b = ing_value_go_duration_general(s, len, &general);
    if (a != b || fast != general) {
        if (failures++ < 20)
            fprintf(stderr, "duration fast/general differ on '%.*s': %d %lld vs %d %lld\n",
                    (int)len, s, a, (long long)fast, b, (long long)general);
    }
    free(s);
}

static void duration_str(const char *s) { duration_one(s, strlen(s)); }

static const char *const units[] = { "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h", "" };

/* whole digits, fraction digits (-1: no point), unit */
static size_t make_duration(char *out, int whole, int frac, const char *unit)
{
    size_t n = 0;
    for (int i = 0; i < whole; i++)
        out[n++] = (char)('0' + (i * 7 + 3) % 10);
    if (frac >= 0) {
        out[n++] = '.';
        for (int i = 0; i < frac; i++)
            out[n++] = (char)('0' + (i * 3 + 1) % 10);
    }
    memcpy(out + n, unit, strlen(unit));
    return n + strlen(unit);
}

static void test_duration_edges(void)
{
    static const char *const cases[] = {
        "0", "+0", "0s", "1s", "5ms", "ms", "s", ".5ms", "5.ms", ".ms", "358.880582ms",
        "358.8805821ms", "88.251\xc2\xb5s", "88.2512\xc2\xb5s", "\xc2\xb5s", "\xb5s", "1\xb5s",
        "1\xc3\xb5s", "999999999.999999999s", "9999999999s", "1m51.900179248s", "2h3m", "-1s",
        "1.5s5ms", "00.5ms", "0000000001ms", "1e3ms", "1 ms", "1ms ", "1.2.3ms", "9223372036s",
        "9223372036.854775807s", "9223372036.854775808s", "18446744073709551616ns",
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(cases); i++)
        duration_str(cases[i]);
    char buf[64];
    for (int w = 0; w <= 12; w++)
        for (int f = -1; f <= 12; f++)
            for (size_t u = 0; u < RSLA_ARRAY_LEN(units); u++)
                duration_one(buf, make_duration(buf, w, f, units[u]));
}

/* Every byte value at every position, and each byte deleted, of the shapes Go writes. */
static void test_duration_mutations(void)
{
    static const struct { int whole, frac; const char *unit; } shapes[] = {
        { 3, 6, "ms" }, { 2, 6, "ms" }, { 1, 5, "ms" }, { 3, 3, "\xc2\xb5s" }, { 2, -1, "s" },
        { 1, 9, "s" }, { 9, 9, "s" }, { 10, 0, "s" }, { 1, 0, "ms" }, { 3, 7, "ms" },
    };
    char t[64];
    for (size_t k = 0; k < RSLA_ARRAY_LEN(shapes); k++)
        rsla_test_mutations(t, make_duration(t, shapes[k].whole, shapes[k].frac, shapes[k].unit),
                            duration_one);
}

static void test_duration_random(void)
{
    static const char alphabet[] = "0123456789.msuh\xc2\xb5+0123456789";
    char buf[64];
    for (int i = 0; i < 300000; i++) {
        size_t n = make_duration(buf, (int)(rng() % 12), (int)(rng() % 12) - 1,
                                 units[rng() % RSLA_ARRAY_LEN(units)]);
        if (rng() % 2 && n > 0)
            buf[rng() % n] = alphabet[rng() % (sizeof alphabet - 1)];
        duration_one(buf, n);
    }
}

/* MARK: - Status */

/* Every token of up to four characters over digits, sign, point and exponent: a JSON-number
 * status is OK exactly for an unsigned integer of at most 3 significant digits... */
static void test_status(void)
{
    static const char alphabet[] = "0123456789-.eE";
    char s[4];
    for (size_t len = 1; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= sizeof alphabet - 1;
        for (size_t code = 0; code < total; code++) {
            size_t c = code;
            bool digits = true, point = false;
            int value = 0;
            for (size_t i = 0; i < len; i++, c /= sizeof alphabet - 1) {
                s[i] = alphabet[c % (sizeof alphabet - 1)];
                digits = digits && s[i] >= '0' && s[i] <= '9';
                point = point || s[i] == '.' || s[i] == 'e' || s[i] == 'E';
                value = value * 10 + (s[i] - '0');
            }
            int32_t got = -7;
            const ing_status_result r = ing_value_status_json_number(s, len, &got);
            /* ... and a fraction or exponent is the wrong type whatever else the token holds */
            const ing_status_result want = point ? ING_STATUS_WRONG_TYPE
                                         : digits && len <= 3 ? ING_STATUS_OK
                                                              : ING_STATUS_BAD_VALUE;
            if (r != want || (r == ING_STATUS_OK && got != value) || (r != ING_STATUS_OK && got != -7)) {
                if (failures++ < 20)
                    fprintf(stderr, "status '%.*s': %d %d, want %d %d\n", (int)len, s, (int)r,
                            (int)got, (int)want, value);
            }
        }
    }
}

/* MARK: - JSON unescape */

static size_t reference_unescape(const char *s, size_t len, char *out)
{
    /* The byte-at-a-time decoder the run-copying one replaced; a \u escape (its decoder did not
     * change) is handed to ing_value_json_unescape alone. */
    size_t i = 0, o = 0;
    while (i < len) {
        if (s[i] != '\\') {
            out[o++] = s[i++];
            continue;
        }
        if (i + 1 >= len)
            break;
        const char e = s[i + 1];
        if (e == 'u' && i + 6 <= len) {
            /* a high surrogate and the escape after it may be a pair: decoded together */
            const bool high = (s[i + 2] | 0x20) == 'd' && strchr("89abAB", s[i + 3]);
            const size_t n = high && i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u' ? 12 : 6;
            o += ing_value_json_unescape(s + i, n, out + o);
            i += n;
            continue;
        }
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        default: out[o++] = e; break;
        }
        i += 2;
    }
    return o;
}

static void test_unescape_random(void)
{
    static const char *const pieces[] = { "a", "/v2/x", "?", "&", "\\u0026", "\\\"", "\\\\", "\\/",
                                          "\\n", "\\t", "\\b", "\\f", "\\r", "\\u00e9", "\\u20ac",
                                          "\\ud83d\\ude00", "\xc2\xb5", "0123456789abcdef" };
    char in[512], want[512], got[512];
    for (int i = 0; i < 200000; i++) {
        size_t n = 0;
        for (int k = 0, parts = (int)(rng() % 12); k < parts; k++) {
            const char *p = pieces[rng() % RSLA_ARRAY_LEN(pieces)];
            memcpy(in + n, p, strlen(p));
            n += strlen(p);
        }
        memset(want, 0x55, sizeof want);
        memset(got, 0x55, sizeof got);
        const size_t a = reference_unescape(in, n, want), b = ing_value_json_unescape(in, n, got);
        if (a != b || memcmp(want, got, a) != 0) {
            if (failures++ < 20)
                fprintf(stderr, "unescape differs on '%.*s'\n", (int)n, in);
        }
    }
}

int main(void)
{
    test_duration_edges();
    test_duration_mutations();
    test_duration_random();
    test_status();
    test_unescape_random();
    CHECK_EQ_INT(failures, 0);
    TEST_MAIN_END();
}
