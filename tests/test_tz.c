/* analyzer/tz: fixed offsets, IANA zones from TZif files, DST gaps and overlaps, POSIX footers. */
#include <stdlib.h>
#include <unistd.h>

#include "analyzer/tz.h"
#include "common/rsla_base.h"
#include "common/rsla_time.h"
#include "rsla_test.h"

static int64_t S(const char *iso)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(iso, strlen(iso), &ns) != RSLA_TIME_OK)
        abort();
    return ns / RSLA_NS_PER_SEC;
}

/* Local civil time as seconds since 1970-01-01T00:00 local. */
static int64_t L(int64_t y, int m, int d, int hh, int mm)
{
    return rsla_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static tz_zone *load(const char *name)
{
    char err[256];
    tz_zone *z = tz_load(name, err, sizeof err);
    if (!z)
        fprintf(stderr, "tz_load(%s): %s\n", name, err);
    return z;
}

static void test_fixed(void)
{
    const struct {
        const char *name;
        int32_t off;
    } ok[] = { { "UTC", 0 },         { "Z", 0 },           { "GMT", 0 },
               { "+08:00", 28800 },  { "-05:00", -18000 }, { "+0530", 19800 },
               { "+8", 28800 },      { "-03:30", -12600 }, { "UTC+08:00", 28800 } };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(ok); i++) {
        tz_zone *z = load(ok[i].name);
        CHECK(z != NULL);
        if (!z)
            continue;
        CHECK_EQ_INT(tz_offset_at(z, 0), ok[i].off);
        CHECK_EQ_INT(tz_utc_of_local(z, 1000000), 1000000 - ok[i].off);
        CHECK_EQ_STR(tz_name(z), ok[i].name);
        tz_free(z);
    }
    const char *bad[] = { "+24:00", "+08:60", "+123", "08:00", "", "../../etc/passwd",
                          "/etc/localtime", "No/Such_Zone", "Asia/Shang hai" };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(bad); i++) {
        char err[256] = "";
        tz_zone *z = tz_load(bad[i], err, sizeof err);
        CHECK(z == NULL);
        CHECK(err[0] != '\0');
        tz_free(z);
    }
    char err[256];
    CHECK(tz_load("No/Such_Zone", err, sizeof err) == NULL);
    CHECK(strstr(err, "unknown time zone \"No/Such_Zone\"") != NULL);
    /* midnight of 1 March 2024 at +08:00 = 2024-02-29T16:00Z */
    tz_zone *z = load("+08:00");
    CHECK_EQ_INT(tz_midnight_utc(z, 2024, 3, 1), S("2024-02-29T16:00:00Z"));
    tz_free(z);
    z = tz_fixed(-18000);
    CHECK_EQ_STR(tz_name(z), "-05:00");
    tz_free(z);
}

static void test_new_york(void)
{
    tz_zone *z = load("America/New_York");
    CHECK(z != NULL);
    if (!z)
        return;
    /* 10 March 2024: 02:00 EST -> 03:00 EDT at 07:00Z. */
    CHECK_EQ_INT(tz_offset_at(z, S("2024-03-10T06:59:59Z")), -5 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2024-03-10T07:00:00Z")), -4 * 3600);
    /* 3 November 2024: 02:00 EDT -> 01:00 EST at 06:00Z. */
    CHECK_EQ_INT(tz_offset_at(z, S("2024-11-03T05:59:59Z")), -4 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2024-11-03T06:00:00Z")), -5 * 3600);
    /* Month starts: the month lengths in minutes the SLA uses. */
    const int64_t mar = tz_midnight_utc(z, 2024, 3, 1), apr = tz_midnight_utc(z, 2024, 4, 1);
    CHECK_EQ_INT(mar, S("2024-03-01T05:00:00Z"));
    CHECK_EQ_INT(apr, S("2024-04-01T04:00:00Z"));
    CHECK_EQ_INT((apr - mar) / 60, 44580);
    const int64_t nov = tz_midnight_utc(z, 2024, 11, 1), dec = tz_midnight_utc(z, 2024, 12, 1);
    CHECK_EQ_INT((dec - nov) / 60, 43260);
    /* A local time in the gap (02:30 on 10 March does not exist): the first valid instant
     * after it, the transition at 07:00Z (03:00 EDT). */
    CHECK_EQ_INT(tz_utc_of_local(z, L(2024, 3, 10, 2, 30)), S("2024-03-10T07:00:00Z"));
    /* A local time that occurs twice (01:30 on 3 November): the earlier, EDT, 05:30Z. */
    CHECK_EQ_INT(tz_utc_of_local(z, L(2024, 11, 3, 1, 30)), S("2024-11-03T05:30:00Z"));
    CHECK_EQ_INT(tz_utc_of_local(z, L(2024, 11, 3, 2, 0)), S("2024-11-03T07:00:00Z"));
    /* Past the table (2037): the footer rule EST5EDT,M3.2.0,M11.1.0 takes over. In 2100, DST
     * starts on Sunday 14 March and ends Sunday 7 November. */
    CHECK_EQ_INT(tz_offset_at(z, S("2100-01-15T12:00:00Z")), -5 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2100-07-15T12:00:00Z")), -4 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2100-03-14T06:59:59Z")), -5 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2100-03-14T07:00:00Z")), -4 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2100-11-07T05:59:59Z")), -4 * 3600);
    CHECK_EQ_INT(tz_offset_at(z, S("2100-11-07T06:00:00Z")), -5 * 3600);
    CHECK_EQ_INT(tz_utc_of_local(z, L(2100, 3, 14, 2, 30)), S("2100-03-14T07:00:00Z"));
    /* Before standard time (1883) New York kept local mean time, -4:56:02. */
    CHECK_EQ_INT(tz_offset_at(z, S("1850-01-01T00:00:00Z")), -(4 * 3600 + 56 * 60 + 2));
    tz_free(z);
}

static void test_other_zones(void)
{
    tz_zone *z = load("Asia/Shanghai");
    CHECK(z != NULL);
    if (z) {
        CHECK_EQ_INT(tz_offset_at(z, S("2024-07-01T00:00:00Z")), 8 * 3600);
        /* China observed DST 1986-1991: +09:00 in summer 1990. */
        CHECK_EQ_INT(tz_offset_at(z, S("1990-07-01T00:00:00Z")), 9 * 3600);
        CHECK_EQ_INT(tz_midnight_utc(z, 2024, 3, 1), S("2024-02-29T16:00:00Z"));
        tz_free(z);
    }
    /* Sao Paulo moved clocks forward at midnight: 4 November 2018 00:00 -03 did not exist.
     * Local midnight in the gap -> the first valid instant, 03:00Z (01:00 -02). */
    z = load("America/Sao_Paulo");
    CHECK(z != NULL);
    if (z) {
        CHECK_EQ_INT(tz_midnight_utc(z, 2018, 11, 4), S("2018-11-04T03:00:00Z"));
        CHECK_EQ_INT(tz_midnight_utc(z, 2018, 11, 5), S("2018-11-05T02:00:00Z"));
        tz_free(z);
    }
    /* Southern hemisphere: Sydney is +11 in January, +10 in July, also past 2037. */
    z = load("Australia/Sydney");
    CHECK(z != NULL);
    if (z) {
        CHECK_EQ_INT(tz_offset_at(z, S("2024-01-15T00:00:00Z")), 11 * 3600);
        CHECK_EQ_INT(tz_offset_at(z, S("2024-07-15T00:00:00Z")), 10 * 3600);
        CHECK_EQ_INT(tz_offset_at(z, S("2090-01-15T00:00:00Z")), 11 * 3600);
        CHECK_EQ_INT(tz_offset_at(z, S("2090-07-15T00:00:00Z")), 10 * 3600);
        tz_free(z);
    }
}

/* MARK: - Hand-made TZif files under a private TZDIR */

static size_t be32(unsigned char *p, int64_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return 4;
}

static size_t be64(unsigned char *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
    return 8;
}

/* Header: version, counts (isut, isstd, leap, time, type, char). */
static size_t header(unsigned char *p, char version, int64_t timecnt, int64_t typecnt,
                     int64_t charcnt)
{
    memset(p, 0, 44);
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)version;
    be32(p + 20 + 12, timecnt);
    be32(p + 20 + 16, typecnt);
    be32(p + 20 + 20, charcnt);
    return 44;
}

static void write_file(const char *dir, const char *name, const unsigned char *b, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static void test_handmade(void)
{
    char dir[] = "/tmp/rsla_tzdir_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    unsigned char b[512];
    size_t n = 0;
    /* Version 1 only: one transition at 1000000000 s from +01:00 to +02:00. */
    n += header(b + n, 0, 1, 2, 4);
    n += be32(b + n, 1000000000);
    b[n++] = 1;
    n += be32(b + n, 3600);
    b[n++] = 0;
    b[n++] = 0;
    n += be32(b + n, 7200);
    b[n++] = 1;
    b[n++] = 0;
    memcpy(b + n, "AB\0\0", 4);
    n += 4;
    write_file(dir, "V1", b, n);

    /* Version 2 without transitions, only the footer rule (US-style). v1 block empty. */
    n = 0;
    n += header(b + n, '2', 0, 1, 4);
    n += be32(b + n, -18000);
    b[n++] = 0;
    b[n++] = 0;
    memcpy(b + n, "EST\0", 4);
    n += 4;
    n += header(b + n, '2', 0, 1, 4);
    n += be32(b + n, -18000);
    b[n++] = 0;
    b[n++] = 0;
    memcpy(b + n, "EST\0", 4);
    n += 4;
    const char *footer = "\nEST5EDT,M3.2.0,M11.1.0\n";
    memcpy(b + n, footer, strlen(footer));
    n += strlen(footer);
    write_file(dir, "Rule", b, n);

    /* Version 2 with a 64-bit transition and a footer with <...> names and J/n rules:
     * <+0330>-3:30<+0430>,J79/24,J263/24 (Tehran's old rule). */
    n = 0;
    n += header(b + n, '2', 0, 1, 4);
    n += be32(b + n, 12600);
    b[n++] = 0;
    b[n++] = 0;
    memcpy(b + n, "XYZ\0", 4);
    n += 4;
    n += header(b + n, '2', 1, 2, 4);
    n += be64(b + n, -5000000000LL);
    b[n++] = 1;
    n += be32(b + n, 12344);
    b[n++] = 0;
    b[n++] = 0;
    n += be32(b + n, 12600);
    b[n++] = 0;
    b[n++] = 0;
    memcpy(b + n, "XYZ\0", 4);
    n += 4;
    footer = "\n<+0330>-3:30<+0430>,J79/24,J263/24\n";
    memcpy(b + n, footer, strlen(footer));
    n += strlen(footer);
    write_file(dir, "Tehran", b, n);

    /* Garbage and truncation. */
    write_file(dir, "Garbage", (const unsigned char *)"not a tzif file at all, sorry...............", 44);
    n = header(b, '2', 5, 1, 4);
    write_file(dir, "Short", b, n + 3);

    const char *old = getenv("TZDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZDIR", dir, 1);

    tz_zone *z = load("V1");
    CHECK(z != NULL);
    if (z) {
        CHECK_EQ_INT(tz_offset_at(z, 999999999), 3600);
        CHECK_EQ_INT(tz_offset_at(z, 1000000000), 7200);
        CHECK_EQ_INT(tz_offset_at(z, 2000000000), 7200);
        tz_free(z);
    }
    z = load("Rule");
    CHECK(z != NULL);
    if (z) {
        CHECK_EQ_INT(tz_offset_at(z, S("2024-03-10T06:59:59Z")), -5 * 3600);
        CHECK_EQ_INT(tz_offset_at(z, S("2024-03-10T07:00:00Z")), -4 * 3600);
        CHECK_EQ_INT(tz_utc_of_local(z, L(2024, 11, 3, 1, 30)), S("2024-11-03T05:30:00Z"));
        tz_free(z);
    }
    z = load("Tehran");
    CHECK(z != NULL);
    if (z) {
        /* J79 = 20 March (Feb 29 never counted), at 24:00 local standard time (+03:30):
         * 2021-03-21T00:00+03:30 = 2021-03-20T20:30Z. */
        CHECK_EQ_INT(tz_offset_at(z, S("2021-03-20T20:29:59Z")), 12600);
        CHECK_EQ_INT(tz_offset_at(z, S("2021-03-20T20:30:00Z")), 16200);
        CHECK_EQ_INT(tz_offset_at(z, S("2021-07-01T00:00:00Z")), 16200);
        /* Before the 64-bit transition: type 0 (12344 s). */
        CHECK_EQ_INT(tz_offset_at(z, -6000000000LL), 12344);
        tz_free(z);
    }
    char err[512];
    CHECK(tz_load("Garbage", err, sizeof err) == NULL);
    CHECK(strstr(err, "not a TZif file") != NULL);
    CHECK(tz_load("Short", err, sizeof err) == NULL);
    CHECK(strstr(err, "truncated") != NULL);
    CHECK(tz_load("America/New_York", err, sizeof err) == NULL); /* not under this TZDIR */

    if (saved) {
        setenv("TZDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TZDIR");
    }
    const char *names[] = { "V1", "Rule", "Tehran", "Garbage", "Short" };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(names); i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    test_fixed();
    test_new_york();
    test_other_zones();
    test_handmade();
    TEST_MAIN_END();
}
