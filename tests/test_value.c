/* ingest/ing_value: Go durations, status digits, JSON unescaping. */
#include <string.h>
#include "ingest/ing_value.h"
#include "rsla_test.h"

static int64_t dur(const char *s)
{
    int64_t ns = -42;
    return ing_value_go_duration(s, strlen(s), &ns) ? ns : -1;
}

static void test_duration(void)
{
    CHECK_EQ_INT(dur("40.123508ms"), 40123508);
    CHECK_EQ_INT(dur("88.251\xc2\xb5s"), 88251);
    CHECK_EQ_INT(dur("88.251\xce\xbcs"), 88251);
    CHECK_EQ_INT(dur("88.2us"), 88200);
    CHECK_EQ_INT(dur("1m51.900179248s"), 111900179248LL);
    CHECK_EQ_INT(dur("2.244712427s"), 2244712427LL);
    CHECK_EQ_INT(dur("2h3m"), 7380000000000LL);
    CHECK_EQ_INT(dur("0s"), 0);
    CHECK_EQ_INT(dur("0"), 0);
    CHECK_EQ_INT(dur("+5ns"), 5);
    CHECK_EQ_INT(dur("750ns"), 750);
    CHECK_EQ_INT(dur(".5s"), 500000000);
    CHECK_EQ_INT(dur("5.s"), 5000000000LL);
    CHECK_EQ_INT(dur("1.0000000001h"), 3600000000360LL);
    CHECK_EQ_INT(dur("0.3333333333333333333333h"), 1199999999999LL);
    CHECK_EQ_INT(dur("2562047h47m16.854775807s"), INT64_MAX);
    CHECK_EQ_INT(dur("2562047h47m16.854775808s"), -1);
    CHECK_EQ_INT(dur("9999999999999999999ns"), -1);
    CHECK_EQ_INT(dur("1.5h"), 5400000000000LL);
    CHECK_EQ_INT(dur("1.25m"), 75000000000LL);
    CHECK_EQ_INT(dur("0.000000001s"), 1);
    CHECK_EQ_INT(dur("1.0000000001s"), 1000000000LL);
    CHECK_EQ_INT(dur("2.5\xc2\xb5s"), 2500);
    CHECK_EQ_INT(dur("1.123456789123h"), 4044444440842LL);
    CHECK_EQ_INT(dur("0.1234567891234m"), 7407407347LL);
    CHECK_EQ_INT(dur("ns"), -1);
    CHECK_EQ_INT(dur("h"), -1);
    CHECK_EQ_INT(dur(""), -1);
    CHECK_EQ_INT(dur("."), -1);
    CHECK_EQ_INT(dur(".s"), -1);
    CHECK_EQ_INT(dur("12"), -1);
    CHECK_EQ_INT(dur("-1s"), -1);
    CHECK_EQ_INT(dur("1x"), -1);
    CHECK_EQ_INT(dur("1msx"), -1);
    CHECK_EQ_INT(dur("1s "), -1);
    CHECK_EQ_INT(dur("1.2.3s"), -1);
}

static ing_status_result st(const char *s, bool number, int32_t *v)
{
    *v = -1;
    return number ? ing_value_status_json_number(s, strlen(s), v)
                  : ing_value_status_digits(s, strlen(s), v);
}

static void test_status(void)
{
    int32_t v;
    CHECK_EQ_INT(st("200", false, &v), ING_STATUS_OK);
    CHECK_EQ_INT(v, 200);
    CHECK_EQ_INT(st("0", false, &v), ING_STATUS_OK);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(st("007", false, &v), ING_STATUS_OK);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(st("", false, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st("2000", false, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st(" 200", false, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st("-1", false, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st("999", true, &v), ING_STATUS_OK);
    CHECK_EQ_INT(v, 999);
    CHECK_EQ_INT(st("1000", true, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st("123456789012345678901234567890", true, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st("-0", true, &v), ING_STATUS_BAD_VALUE);
    CHECK_EQ_INT(st("200.0", true, &v), ING_STATUS_WRONG_TYPE);
    CHECK_EQ_INT(st("2e2", true, &v), ING_STATUS_WRONG_TYPE);
    CHECK_EQ_INT(st("-2E2", true, &v), ING_STATUS_WRONG_TYPE);
}

static void unesc(const char *in, const char *want)
{
    char out[64];
    const size_t n = ing_value_json_unescape(in, strlen(in), out);
    out[n] = 0;
    CHECK_EQ_STR(out, want);
    CHECK(n <= strlen(in));
}

static void test_unescape(void)
{
    unesc("plain", "plain");
    unesc("a\\\"b\\\\c\\/d", "a\"b\\c/d");
    unesc("\\b\\f\\n\\r\\t", "\b\f\n\r\t");
    unesc("\\u0026\\u003c", "&<");
    unesc("\\u00e9", "\xc3\xa9");
    unesc("\\u20AC", "\xe2\x82\xac");
    unesc("\\uD83D\\uDE00", "\xf0\x9f\x98\x80");
    unesc("\\uD83Dx", "\xef\xbf\xbdx");
    unesc("\\uDE00", "\xef\xbf\xbd");
    unesc("\\uD83D\\u0041", "\xef\xbf\xbd" "A");
}

int main(void)
{
    test_duration();
    test_status();
    test_unescape();
    TEST_MAIN_END();
}
