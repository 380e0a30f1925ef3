/* common/rsla_time: calendar arithmetic and RFC 3339 timestamps. */
#include "common/rsla_time.h"
#include "rsla_test.h"

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

int main(void)
{
    test_civil();
    test_parse();
    test_format();
    TEST_MAIN_END();
}
