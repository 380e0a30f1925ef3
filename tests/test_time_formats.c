/* The access-log time syntaxes of common/rsla_time_formats.h: CLF, LabKit, epoch seconds and
 * syslog stamps with the year rule. Expected instants are written as RFC 3339 and read by the
 * RFC 3339 parser, a separate code path. */
#include "rsla_test.h"
#include "common/rsla_time.h"
#include "common/rsla_time_formats.h"

static int64_t t_of(const char *s)
{
    int64_t ns = 0;
    rsla_time_parse_rfc3339(s, strlen(s), &ns);
    return ns;
}

#define CLF(s, st) rsla_time_parse_clf(s, strlen(s), &ns) == (st)

static void test_clf(void)
{
    int64_t ns = 0;
    CHECK(CLF("13/May/2020:15:25:30 +0000", RSLA_TIME_OK));
    CHECK_EQ_INT(ns, t_of("2020-05-13T15:25:30Z"));
    CHECK(CLF("15/Jul/2016:05:49:14 +0200", RSLA_TIME_OK));
    CHECK_EQ_INT(ns, t_of("2016-07-15T03:49:14Z"));
    CHECK(CLF("01/Jan/2021:07:00:00 +0800", RSLA_TIME_OK)); /* crosses back into last year */
    CHECK_EQ_INT(ns, t_of("2020-12-31T23:00:00Z"));
    CHECK(CLF("31/Dec/2020:20:30:00 -0330", RSLA_TIME_OK));
    CHECK_EQ_INT(ns, t_of("2021-01-01T00:00:00Z"));
    CHECK(CLF("29/Feb/2024:00:00:00 +0000", RSLA_TIME_OK));
    CHECK(CLF("29/Feb/2023:00:00:00 +0000", RSLA_TIME_RANGE));
    CHECK(CLF("31/Apr/2023:00:00:00 +0000", RSLA_TIME_RANGE));
    CHECK(CLF("13/May/2020:24:00:00 +0000", RSLA_TIME_RANGE));
    CHECK(CLF("13/May/2020:15:25:30", RSLA_TIME_NO_ZONE));
    CHECK(CLF("13/may/2020:15:25:30 +0000", RSLA_TIME_SYNTAX));
    CHECK(CLF("13/May/2020:15:25:30 +000", RSLA_TIME_SYNTAX));
    CHECK(CLF("13/May/2020:15:25:30 +00:00", RSLA_TIME_SYNTAX));
    CHECK(CLF("13/May/2020:15:25:30  +0000", RSLA_TIME_SYNTAX));
    CHECK(CLF("13/May/2020 15:25:30 +0000", RSLA_TIME_SYNTAX));
    CHECK(CLF("3/May/2020:15:25:30 +0000", RSLA_TIME_SYNTAX));
    CHECK(CLF("13/May/2020:15:25:30 +2400", RSLA_TIME_SYNTAX));
    CHECK(CLF("", RSLA_TIME_SYNTAX));
    CHECK(CLF("13/May/9999:15:25:30 +0000", RSLA_TIME_RANGE)); /* beyond int64 nanoseconds */
}

static void test_labkit(void)
{
    int64_t ns = 0;
    CHECK(rsla_time_parse_labkit("2006/01/02:15:04:05 -0700", 25, &ns) == RSLA_TIME_OK);
    CHECK_EQ_INT(ns, t_of("2006-01-02T22:04:05Z"));
    CHECK(rsla_time_parse_labkit("2006/13/02:15:04:05 -0700", 25, &ns) == RSLA_TIME_RANGE);
    CHECK(rsla_time_parse_labkit("2006/01/02:15:04:05", 19, &ns) == RSLA_TIME_NO_ZONE);
    CHECK(rsla_time_parse_labkit("2006-01-02:15:04:05 -0700", 25, &ns) == RSLA_TIME_SYNTAX);
}

static void test_epoch(void)
{
    int64_t ns = 0;
    CHECK(rsla_time_parse_epoch_seconds("1503988479.444", 14, &ns) == RSLA_TIME_OK);
    CHECK_EQ_INT(ns, t_of("2017-08-29T06:34:39.444Z"));
    CHECK(rsla_time_parse_epoch_seconds("1503988479", 10, &ns) == RSLA_TIME_OK);
    CHECK_EQ_INT(ns, t_of("2017-08-29T06:34:39Z"));
    CHECK(rsla_time_parse_epoch_seconds("0.000000001", 11, &ns) == RSLA_TIME_OK);
    CHECK_EQ_INT(ns, 1);
    CHECK(rsla_time_parse_epoch_seconds("1.", 2, &ns) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_epoch_seconds(".5", 2, &ns) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_epoch_seconds("-1", 2, &ns) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_epoch_seconds("1.0000000001", 12, &ns) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_epoch_seconds("1e9", 3, &ns) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_epoch_seconds("9999999999999", 13, &ns) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_epoch_seconds("99999999999", 11, &ns) == RSLA_TIME_RANGE);
}

static void test_syslog(void)
{
    rsla_syslog_stamp st;
    int64_t ns = 0;
    CHECK(rsla_time_parse_syslog("Jan 17 19:28:03", 15, &st) == RSLA_TIME_OK);
    CHECK_EQ_INT(st.month, 1);
    CHECK_EQ_INT(st.day, 17);
    CHECK(rsla_time_parse_syslog("Apr  9 09:40:03", 15, &st) == RSLA_TIME_OK);
    CHECK_EQ_INT(st.day, 9);
    CHECK(rsla_time_parse_syslog("Apr 09 09:40:03", 15, &st) == RSLA_TIME_OK);
    CHECK_EQ_INT(st.day, 9);
    CHECK(rsla_time_parse_syslog("Apr 9 09:40:03", 14, &st) == RSLA_TIME_SYNTAX);
    CHECK(rsla_time_parse_syslog("Apr 32 09:40:03", 15, &st) == RSLA_TIME_RANGE);
    CHECK(rsla_time_parse_syslog("Foo  9 09:40:03", 15, &st) == RSLA_TIME_SYNTAX);
    /* to an instant, in a year and a zone */
    rsla_time_parse_syslog("Apr  9 09:40:03", 15, &st);
    CHECK(rsla_time_syslog_to_ns(&st, 2018, 120, &ns) == RSLA_TIME_OK);
    CHECK_EQ_INT(ns, t_of("2018-04-09T07:40:03Z"));
    rsla_time_parse_syslog("Feb 29 00:00:00", 15, &st);
    CHECK(rsla_time_syslog_to_ns(&st, 2023, 0, &ns) == RSLA_TIME_RANGE);
    /* the year rule: nearest to the reference */
    rsla_time_parse_syslog("Dec 31 23:59:00", 15, &st);
    CHECK_EQ_INT(rsla_time_syslog_year_near(&st, 0, t_of("2024-01-01T00:10:00Z")), 2023);
    CHECK_EQ_INT(rsla_time_syslog_year_near(&st, 0, t_of("2024-12-30T00:00:00Z")), 2024);
    rsla_time_parse_syslog("Jan  1 00:01:00", 15, &st);
    CHECK_EQ_INT(rsla_time_syslog_year_near(&st, 0, t_of("2023-12-31T23:00:00Z")), 2024);
    CHECK_EQ_INT(rsla_time_syslog_year_near(&st, 0, t_of("2023-06-15T00:00:00Z")), 2023);
    rsla_time_parse_syslog("Feb 29 12:00:00", 15, &st);
    CHECK_EQ_INT(rsla_time_syslog_year_near(&st, 0, t_of("2025-01-10T00:00:00Z")), 2024);
}

int main(void)
{
    test_clf();
    test_labkit();
    test_epoch();
    test_syslog();
    TEST_MAIN_END();
}
