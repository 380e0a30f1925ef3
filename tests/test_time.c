/* common/rsla_time: calendar arithmetic and RFC 3339 timestamps. */
#include "common/rsla_time.h"
#include "rsla_test.h"

#include <stdlib.h> /* malloc */

static int64_t parse_ok(const char *s)
{
    int64_t ns = 0;
    rsla_time_status st = rsla_time_parse_rfc3339(s, strlen(s), &ns);
    CHECK_EQ_INT(st, RSLA_TIME_OK);
    return ns;
}

static void check_status(const char *s, rsla_time_status want)
{
    int64_t ns = 0;
    CHECK_EQ_INT(rsla_time_parse_rfc3339(s, strlen(s), &ns), want);
}

static void test_civil(void)
{
    CHECK_EQ_INT(rsla_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(rsla_days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ_INT(rsla_days_from_civil(1969, 12, 31), -1);
    for (int64_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        int m, day;
        rsla_civil_from_days(d, &y, &m, &day);
        CHECK_EQ_INT(rsla_days_from_civil(y, m, day), d);
    }
    CHECK_EQ_INT(rsla_days_in_month(2024, 2), 29);
    CHECK_EQ_INT(rsla_days_in_month(2100, 2), 28);
    CHECK_EQ_INT(rsla_days_in_month(2000, 2), 29);
}

static void test_parse(void)
{
    CHECK_EQ_INT(parse_ok("1970-01-01T00:00:00Z"), 0);
    CHECK_EQ_INT(parse_ok("2016-07-15T05:49:20.435122278Z"), INT64_C(1468561760435122278));
    CHECK_EQ_INT(parse_ok("2016-07-15T05:49:20.4Z"), INT64_C(1468561760400000000));
    /* +hh:mm and +hhmm mean the same instant */
    CHECK_EQ_INT(parse_ok("2024-04-12T16:58:30+08:00"), parse_ok("2024-04-12T08:58:30Z"));
    CHECK_EQ_INT(parse_ok("2024-04-12T16:58:30+0800"), parse_ok("2024-04-12T08:58:30Z"));
    CHECK_EQ_INT(parse_ok("2020-07-23T13:33:01-04:00"), parse_ok("2020-07-23T17:33:01Z"));
    CHECK_EQ_INT(parse_ok("1969-12-31T23:59:59.999999999Z"), -1);
    CHECK_EQ_INT(parse_ok("2024-02-29T23:59:59.999999999Z"),
                 parse_ok("2024-03-01T00:00:00Z") - 1);
    CHECK(parse_ok("2100-01-01T00:00:00Z") > 0);
    check_status("2024-02-30T00:00:00Z", RSLA_TIME_RANGE);
    check_status("2023-02-29T00:00:00Z", RSLA_TIME_RANGE);
    check_status("2024-01-01T24:00:00Z", RSLA_TIME_RANGE);
    check_status("2024-01-01T00:00:00", RSLA_TIME_NO_ZONE);
    check_status("2024-01-01T00:00:00.5", RSLA_TIME_NO_ZONE);
    check_status("2024-01-01T00:00:00.Z", RSLA_TIME_SYNTAX);
    check_status("2024-01-01T00:00:00.1234567891Z", RSLA_TIME_SYNTAX);
    check_status("2024-01-01T00:00:00+8:00", RSLA_TIME_SYNTAX);
    check_status("2024-01-01T00:00:00Zjunk", RSLA_TIME_SYNTAX);
    check_status("20240101T000000Z", RSLA_TIME_SYNTAX);
    check_status("", RSLA_TIME_SYNTAX);
}

static void test_format(void)
{
    char buf[40];
    rsla_time_format(buf, parse_ok("2016-07-15T05:49:20.435122278Z"), 0, true);
    CHECK_EQ_STR(buf, "2016-07-15T05:49:20.435122278Z");
    rsla_time_format(buf, parse_ok("2024-03-31T16:00:00Z"), 480, false);
    CHECK_EQ_STR(buf, "2024-04-01T00:00:00+08:00");
    rsla_time_format(buf, -1, -300, false);
    CHECK_EQ_STR(buf, "1969-12-31T18:59:59.999999999-05:00");
}

/* MARK: - The fast path against the general parser */

static int diff_failures;

/* One cache for every comparison: the inputs of a test follow one another as log lines do, some
 * sharing their minute with the one before, some only nearly. */
static rsla_time_cache diff_cache;

/* rsla_time_parse_rfc3339 (fast path first) and rsla_time_parse_rfc3339_cached must give the
 * general parser's status, and the same instant when it accepts; a refusal leaves *ns alone. The
 * text is copied to an exact-length heap buffer so that ASan sees any read past the slice. */
static void diff_one(const char *text, size_t len)
{
    char *s = malloc(len ? len : 1);
    memcpy(s, text, len);
    int64_t fast = INT64_MIN, cached = INT64_MIN, general = INT64_MIN;
    const rsla_time_status a = rsla_time_parse_rfc3339(s, len, &fast);
    const rsla_time_status c = rsla_time_parse_rfc3339_cached(s, len, &cached, &diff_cache);
    const rsla_time_status b = rsla_time_parse_rfc3339_general(s, len, &general);
    if (a != b || c != b || fast != general || cached != general) {
        if (diff_failures++ < 20)
            fprintf(stderr, "fast/cached/general differ on '%.*s': %d %lld, %d %lld, %d %lld\n",
                    (int)len, s, (int)a, (long long)fast, (int)c, (long long)cached, (int)b,
                    (long long)general);
    }
    free(s);
}

static void diff_str(const char *s) { diff_one(s, strlen(s)); }

/* Valid shapes the fast path takes: every fraction length, Z and both offset signs. */
static size_t make_template(char *out, int frac_digits, int zone)
{
    static const char *const zones[] = { "Z", "+05:30", "-11:45", "+0800", "z" };
    int n = sprintf(out, "2024-02-29T23:59:58");
    if (frac_digits > 0)
        n += sprintf(out + n, ".%.*s", frac_digits, "1234567890");
    n += sprintf(out + n, "%s", zones[zone]);
    return (size_t)n;
}

/* Every byte value at every position of every template, and each byte deleted. */
static void test_fast_mutations(void)
{
    char t[48];
    for (int fd = 0; fd <= 10; fd++)
        for (int z = 0; z < 5; z++)
            rsla_test_mutations(t, make_template(t, fd, z), diff_one); /* and t itself: cut n */
}

static void test_fast_edges(void)
{
    static const char *const cases[] = {
        "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2000-02-29T12:00:00Z",
        "1900-02-29T12:00:00Z", "2100-02-29T12:00:00Z", "2400-02-29T12:00:00Z",
        "2024-01-31T00:00:00Z", "2024-04-31T00:00:00Z", "2024-12-31T23:59:59.999999999Z",
        "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
        "2024-01-32T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:60Z", "2024-03-01T00:00:00.000000001Z", "1970-01-01T00:00:00.0Z",
        "0000-01-01T00:00:00Z", "0000-03-01T00:00:00Z", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z", "1677-12-31T23:59:59Z", "1678-01-01T00:00:00Z",
        "1678-01-01T00:00:00+00:01", "1678-01-01T00:00:00-00:01", "2261-12-31T23:59:59.999999999Z",
        "2261-12-31T23:59:59-00:01", "2262-01-01T00:00:00Z", "2024-06-01T00:00:00+23:59",
        "2024-06-01T00:00:00-23:59", "2024-06-01T00:00:00+24:00", "2024-06-01T00:00:00+00:60",
        "2024-06-01T00:00:00.+01:00", "2024-06-01T00:00:00.1234567890Z",
        "2024-06-01t00:00:00Z", "2024-06-01 00:00:00Z", "2024-06-01T00:00:00",
        "2024-06-01T00:00:00ZZ", "2024-06-01T00:00:00.5+01:00Z", "+2024-06-01T00:00:00Z",
        "2024-06-01T00:00:00.12345678901234+01:00",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        diff_str(cases[i]);
    /* the first and last day of every month of a 400-year cycle, and the day after */
    char buf[48];
    for (int y = 1999; y <= 2401; y++)
        for (int mo = 1; mo <= 12; mo++) {
            sprintf(buf, "%04d-%02d-01T00:00:00Z", y, mo);
            diff_str(buf);
            sprintf(buf, "%04d-%02d-%02dT12:34:56.789+01:00", y, mo, rsla_days_in_month(y, mo));
            diff_str(buf);
            sprintf(buf, "%04d-%02d-%02dT12:34:56Z", y, mo, rsla_days_in_month(y, mo) + 1);
            diff_str(buf);
        }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random instants formatted at random offsets with random fraction lengths, and random strings
 * of the shape's alphabet. */
static void test_fast_random(void)
{
    /* microseconds either side of 1970, a little past the parser's years 1678 to 2261 */
    const int64_t span = INT64_C(86400) * 106700 * 1000000;
    char buf[64];
    for (int i = 0; i < 300000; i++) {
        const int64_t ns = (int64_t)(rng() % (uint64_t)(2 * span)) - span;
        const int32_t off = (int32_t)(rng() % 2879) - 1439;
        size_t n = rsla_time_format(buf, ns * 1000 + (int64_t)(rng() % 1000), off, rng() & 1);
        diff_one(buf, n);
        /* cut the fraction to fewer digits */
        const char *dot = memchr(buf, '.', n);
        if (dot) {
            const size_t keep = (size_t)(dot - buf) + 1 + rng() % 10;
            char zone[8];
            const char *zs = buf + n - (buf[n - 1] == 'Z' ? 1 : 6);
            const size_t zl = (size_t)(buf + n - zs);
            memcpy(zone, zs, zl);
            memcpy(buf + keep, zone, zl);
            diff_one(buf, keep + zl);
        }
    }
    /* times in order, a few seconds apart, at one of a few offsets: mostly cache hits */
    int64_t t = INT64_C(1706745600) * RSLA_NS_PER_SEC;
    for (int i = 0; i < 300000; i++) {
        t += (int64_t)(rng() % (3 * RSLA_NS_PER_SEC));
        const size_t n = rsla_time_format(buf, t, (int32_t)(rng() % 3) * 330 - 330, true);
        diff_one(buf, n);
    }
    static const char alphabet[] = "0123456789-:T.Z+ 0123456789";
    for (int i = 0; i < 300000; i++) {
        size_t n = 19 + rng() % 18;
        make_template(buf, (int)(rng() % 10), (int)(rng() % 3));
        for (int k = 0, muts = 1 + (int)(rng() % 3); k < muts; k++)
            buf[rng() % n] = alphabet[rng() % (sizeof alphabet - 1)];
        diff_one(buf, n);
    }
}

int main(void)
{
    test_civil();
    test_parse();
    test_format();
    test_fast_edges();
    test_fast_mutations();
    test_fast_random();
    CHECK_EQ_INT(diff_failures, 0);
    TEST_MAIN_END();
}
