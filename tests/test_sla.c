/* analyzer/sla: one test per rule of SLA-SPEC sections 4 to 8, on agg_result values built by
 * hand. Every expected figure is derived in the comment above its check, not read back from the
 * code. */
#include <stdlib.h>

#include "analyzer/agg.h"
#include "analyzer/inventory.h"
#include "analyzer/policy.h"
#include "analyzer/sla.h"
#include "analyzer/sla_num.h"
#include "common/rsla_time.h"
#include "rsla_test.h"

/* MARK: - Building inputs */

static int64_t NS(const char *iso)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(iso, strlen(iso), &ns) != RSLA_TIME_OK) {
        fprintf(stderr, "bad time in test: %s\n", iso);
        abort();
    }
    return ns;
}

static int64_t MIN(const char *iso) { return rsla_minute_of_ns(NS(iso)); }

#define MAXM 4096

typedef struct fixture {
    agg_minute minutes[4][MAXM];
    agg_instance inst[4];
    agg_failure failures[64];
    agg_failed_request freq[16];
    agg_coverage_minute cov[MAXM];
    agg_result res;
} fixture;

static fixture *fx_new(int n_instances)
{
    fixture *f = calloc(1, sizeof *f);
    static const char *const names[] = { "a", "b", "c", "d" };
    for (int i = 0; i < n_instances; i++) {
        f->inst[i].name = names[i];
        f->inst[i].minutes = f->minutes[i];
    }
    f->res.instances = f->inst;
    f->res.n_instances = (size_t)n_instances;
    f->res.coverage = f->cov;
    return f;
}

/* Adds counts at a minute of instance i (minutes must be added in order). */
static void fx_add(fixture *f, int i, int64_t minute, uint32_t push_v, uint32_t push_f,
                   uint32_t pull_v, uint32_t pull_f)
{
    agg_instance *in = &f->inst[i];
    agg_minute *m = &f->minutes[i][in->n_minutes++];
    memset(m, 0, sizeof *m);
    m->minute = minute;
    m->valid[CLASSIFY_PUSH] = push_v;
    m->failed[CLASSIFY_PUSH] = push_f;
    m->valid[CLASSIFY_PULL] = pull_v;
    m->failed[CLASSIFY_PULL] = pull_f;
}

/* Same counts for `count` consecutive minutes from `from`. */
static void fx_run(fixture *f, int i, int64_t from, int count, uint32_t push_v, uint32_t push_f,
                   uint32_t pull_v, uint32_t pull_f)
{
    for (int k = 0; k < count; k++)
        fx_add(f, i, from + k, push_v, push_f, pull_v, pull_f);
}

/* A coverage minute (lines at its first and last second). */
static void fx_cov(fixture *f, int64_t minute)
{
    agg_coverage_minute *c = &f->cov[f->res.n_coverage++];
    c->minute = minute;
    c->first_ns = minute * RSLA_NS_PER_MIN;
    c->last_ns = minute * RSLA_NS_PER_MIN + 59 * RSLA_NS_PER_SEC;
}

/* Coverage at the first and last minute of a month [ms, me) so that it is not partial. */
static void fx_cov_month(fixture *f, int64_t ms, int64_t me)
{
    fx_cov(f, ms);
    fx_cov(f, me - 1);
}

static policy preset(const char *name)
{
    policy p;
    char err[256];
    if (!policy_preset(name, &p, err, sizeof err)) {
        fprintf(stderr, "preset %s: %s\n", name, err);
        abort();
    }
    return p;
}

static policy from_json(const char *json)
{
    policy p;
    char err[256];
    if (!policy_parse(json, strlen(json), "test.json", &p, err, sizeof err)) {
        fprintf(stderr, "policy: %s\n", err);
        abort();
    }
    return p;
}

static sla_report *compute(const policy *p, const inventory *inv, const exclusions *ex,
                           const char *month, const fixture *f)
{
    char err[256] = "";
    sla_report *r = sla_compute(p, inv, ex, month, &f->res, err, sizeof err);
    if (!r) {
        fprintf(stderr, "sla_compute: %s\n", err);
        abort();
    }
    return r;
}

static const sla_row *row_of(const sla_report *r, const char *inst, const char *month)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i].instance, inst) == 0 && strcmp(r->rows[i].month, month) == 0)
            return &r->rows[i];
    fprintf(stderr, "no row %s %s\n", inst, month);
    return NULL;
}

static exclusions *excl(const char *csv)
{
    char err[256];
    exclusions *e = exclusions_parse(csv, strlen(csv), "excl.csv", err, sizeof err);
    if (!e) {
        fprintf(stderr, "exclusions: %s\n", err);
        abort();
    }
    return e;
}

static inventory *inv_of(const char *csv)
{
    char err[256];
    inventory *v = inventory_parse(csv, strlen(csv), "inv.csv", err, sizeof err);
    if (!v) {
        fprintf(stderr, "inventory: %s\n", err);
        abort();
    }
    return v;
}

/* MARK: - Section 6: service minutes of a month in the zone */

static void test_month_lengths(void)
{
    /* March 2024 in +08:00: 31 days = 44640 minutes; its first minute is
     * 2024-02-29T16:00Z. */
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-15T00:00:00Z"), 0, 0, 1, 0);
    policy p = preset("acr-ee");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_rows, 1);
    CHECK_EQ_STR(r->rows[0].month, "2024-03");
    CHECK_EQ_INT(r->rows[0].service_minutes, 44640);
    CHECK_EQ_INT(r->rows[0].month_start_min, MIN("2024-02-29T16:00:00Z"));
    CHECK_EQ_STR(r->rows[0].availability_percent, "100.0000");
    CHECK(r->rows[0].met);
    sla_report_free(r);
    policy_release(&p);
    free(f);

    /* February of a leap year: 29 * 1440 = 41760. */
    f = fx_new(1);
    fx_add(f, 0, MIN("2024-02-10T00:00:00Z"), 0, 0, 1, 0);
    p = preset("gcp");
    r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->rows[0].service_minutes, 41760);
    sla_report_free(r);
    policy_release(&p);
    free(f);

    /* America/New_York: March 2024 loses an hour (10 March), 31*1440 - 60 = 44580;
     * November 2024 gains one (3 November), 30*1440 + 60 = 43260. */
    f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-20T12:00:00Z"), 0, 0, 1, 0);
    fx_add(f, 0, MIN("2024-11-20T12:00:00Z"), 0, 0, 1, 0);
    p = from_json("{\"base\":\"gcp\",\"zone\":\"America/New_York\"}");
    r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_rows, 2);
    CHECK_EQ_INT(row_of(r, "a", "2024-03")->service_minutes, 44580);
    CHECK_EQ_INT(row_of(r, "a", "2024-11")->service_minutes, 43260);
    /* March starts at local midnight EST = 05:00Z, ends at midnight EDT = 04:00Z. */
    CHECK_EQ_INT(row_of(r, "a", "2024-03")->month_start_min, MIN("2024-03-01T05:00:00Z"));
    CHECK_EQ_INT(row_of(r, "a", "2024-03")->month_end_min, MIN("2024-04-01T04:00:00Z"));
    sla_report_free(r);
    policy_release(&p);
    free(f);
}

/* A month boundary in +08:00: 2024-03-31T15:59Z is 23:59 local on 31 March, 16:00Z is already
 * 1 April local. Each failing minute lands in its own local month. */
static void test_month_boundary_plus8(void)
{
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-31T15:59:00Z"), 0, 0, 3, 3);
    fx_add(f, 0, MIN("2024-03-31T16:00:00Z"), 0, 0, 2, 2);
    policy p = preset("acr-ee");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_rows, 2);
    const sla_row *mar = row_of(r, "a", "2024-03"), *apr = row_of(r, "a", "2024-04");
    CHECK(mar && apr);
    if (mar && apr) {
        CHECK_EQ_INT(mar->unavailable_minutes, 1);
        CHECK_EQ_INT(apr->unavailable_minutes, 1);
        CHECK_EQ_INT(mar->pull.failed, 3);
        CHECK_EQ_INT(apr->pull.failed, 2);
        /* April: 30 days = 43200 minutes; 43199/43200 = 99.99768.. -> 99.9977 */
        CHECK_EQ_INT(apr->service_minutes, 43200);
        CHECK_EQ_STR(apr->availability_percent, "99.9977");
        CHECK_EQ_STR(apr->availability_num, "43199");
        CHECK_EQ_STR(apr->availability_den, "43200");
    }
    /* With --month, only that month. */
    sla_report_free(r);
    r = compute(&p, NULL, NULL, "2024-04", f);
    CHECK_EQ_INT(r->n_rows, 1);
    CHECK_EQ_STR(r->rows[0].month, "2024-04");
    sla_report_free(r);
    /* A month without requests gives no row at all (never a zero row). */
    r = compute(&p, NULL, NULL, "2024-05", f);
    CHECK_EQ_INT(r->n_rows, 0);
    sla_report_free(r);
    char err[128];
    CHECK(sla_compute(&p, NULL, NULL, "2024-13", &f->res, err, sizeof err) == NULL);
    CHECK(strstr(err, "YYYY-MM") != NULL);
    policy_release(&p);
    free(f);
}

/* MARK: - Section 7: the target is compared exactly */

/* Service period of 40000 minutes: March 2024 in +08:00 (44640) minus an exclusion of 4640
 * minutes. 20 bad minutes: 39980/40000 = 99.95 % exactly -> met, and 99.95 is not below the
 * upper end of [99, 99.95) -> no credit. 21 bad minutes: 39979/40000 = 99.9475 % -> not met,
 * 10 %. */
static void test_target_exact(void)
{
    exclusions *ex = excl("instance,start,end,reason\r\n"
                          "*,2024-03-20T00:00:00+08:00,2024-03-23T05:20:00+08:00,maintenance\r\n");
    /* 3 days 5 h 20 min = 4320 + 320 = 4640 minutes */
    for (int bad = 20; bad <= 21; bad++) {
        fixture *f = fx_new(1);
        fx_run(f, 0, MIN("2024-03-05T00:00:00Z"), bad, 1, 1, 0, 0);
        fx_cov_month(f, MIN("2024-02-29T16:00:00Z"), MIN("2024-03-31T16:00:00Z"));
        policy p = preset("acr-ee");
        sla_report *r = compute(&p, NULL, ex, NULL, f);
        const sla_row *row = &r->rows[0];
        CHECK_EQ_INT(row->service_minutes, 40000);
        CHECK_EQ_INT(row->excluded_minutes, 4640);
        CHECK_EQ_INT(row->unavailable_minutes, bad);
        if (bad == 20) {
            CHECK_EQ_STR(row->availability_percent, "99.9500");
            CHECK(row->met);
            CHECK_EQ_INT(row->tier, -1);
            CHECK_EQ_INT(row->credit_percent.units, 0);
            /* 39980/40000 reduced by 20: 1999/2000 */
            CHECK_EQ_STR(row->availability_num, "1999");
            CHECK_EQ_STR(row->availability_den, "2000");
        } else {
            CHECK_EQ_STR(row->availability_percent, "99.9475");
            CHECK(!row->met);
            CHECK_EQ_INT(row->tier, 0);
            CHECK_EQ_INT(row->credit_percent.units, 10);
        }
        CHECK(!row->partial);
        sla_report_free(r);
        policy_release(&p);
        free(f);
    }
    exclusions_free(ex);
}

/* Tier edges on the same 40000-minute service period, created by an inventory lifetime this
 * time: instance created 2024-03-01T00:00+08:00 + 4640 min = 2024-03-04T05:20+08:00.
 *   U = 400  -> 39600/40000 = 99 %     -> [99, 99.95)  10 %
 *   U = 401  -> 98.9975 %              -> [95, 99)     25 %
 *   U = 2000 -> 95 %                   -> [95, 99)     25 %
 *   U = 2001 -> 94.9975 %              -> < 95         100 % (acr-ee), 50 % (gcp)
 * Fee 1580.00 CNY = 158000 fen: 10 % = 15800, 25 % = 39500, 100 % = 158000, 50 % = 79000. */
static void test_tiers_and_lifetime(void)
{
    inventory *inv = inv_of("instance,hosts,created,deleted,monthly_fee,currency\n"
                            "a,a.example,2024-03-04T05:20:00+08:00,,1580.00,CNY\n");
    const struct {
        int bad;
        const char *pct;
        int tier;
        int credit;
        int64_t amount;
    } cases[] = {
        { 400, "99.0000", 0, 10, 15800 },
        { 401, "98.9975", 1, 25, 39500 },
        { 2000, "95.0000", 1, 25, 39500 },
        { 2001, "94.9975", 2, 100, 158000 },
    };
    for (size_t c = 0; c < RSLA_ARRAY_LEN(cases); c++) {
        fixture *f = fx_new(1);
        fx_run(f, 0, MIN("2024-03-10T00:00:00Z"), cases[c].bad, 0, 0, 1, 1);
        /* a request before creation: counted as out of service, not as downtime */
        policy p = preset("acr-ee");
        sla_report *r = compute(&p, inv, NULL, NULL, f);
        const sla_row *row = &r->rows[0];
        CHECK_EQ_INT(row->service_minutes, 40000);
        CHECK_EQ_INT(row->unavailable_minutes, cases[c].bad);
        CHECK_EQ_STR(row->availability_percent, cases[c].pct);
        CHECK_EQ_INT(row->tier, cases[c].tier);
        CHECK_EQ_INT(row->credit_percent.units, cases[c].credit);
        CHECK(row->has_fee);
        CHECK_EQ_INT(row->credit_amount_minor, cases[c].amount);
        CHECK_EQ_STR(row->currency, "CNY");
        sla_report_free(r);
        if (cases[c].bad == 2001) {
            /* gcp's last tier is 50 % (downtime counted only in runs >= 5: one run of 2001). */
            policy g = from_json("{\"base\":\"gcp\",\"zone\":\"+08:00\"}");
            r = compute(&g, inv, NULL, NULL, f);
            CHECK_EQ_INT(r->rows[0].credit_percent.units, 50);
            CHECK_EQ_INT(r->rows[0].credit_amount_minor, 79000);
            sla_report_free(r);
            policy_release(&g);
            /* A cap of 30 % caps the 100 % tier. */
            policy capped = from_json("{\"cap\": 30}");
            r = compute(&capped, inv, NULL, NULL, f);
            CHECK_EQ_INT(r->rows[0].credit_percent.units, 30);
            CHECK_EQ_INT(r->rows[0].credit_amount_minor, 47400);
            sla_report_free(r);
            policy_release(&capped);
        }
        policy_release(&p);
        free(f);
    }
    inventory_free(inv);

    /* Requests before creation and after deletion are out of service. Deleted
     * 2024-03-10T00:00:30+08:00 floors to 00:00: service = 9 days = 12960 minutes. */
    inv = inv_of("instance,hosts,created,deleted\n"
                 "a,a.example,2024-03-01T00:00:00+08:00,2024-03-10T00:00:30+08:00\n");
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-09T15:59:00Z"), 0, 0, 1, 1); /* 23:59 local on the 9th: in */
    fx_add(f, 0, MIN("2024-03-09T16:00:00Z"), 0, 0, 1, 1); /* 00:00 on the 10th: out */
    policy p = preset("acr-ee");
    sla_report *r = compute(&p, inv, NULL, NULL, f);
    CHECK_EQ_INT(r->rows[0].service_minutes, 12960);
    CHECK_EQ_INT(r->rows[0].unavailable_minutes, 1);
    CHECK_EQ_INT(r->rows[0].out_of_service, 1);
    CHECK_EQ_INT(r->rows[0].pull.valid, 1);
    CHECK(!r->rows[0].has_fee);
    sla_report_free(r);
    policy_release(&p);
    free(f);
    inventory_free(inv);
}

/* Credit amounts: fee * percent / 100, half-up to the minor unit, in integers. */
static void test_credit_rounding(void)
{
    const struct {
        const char *fee, *currency;
        int bad;           /* 21 -> 10 %, 2000 -> 25 %, 2001 -> 100 % (as above) */
        int64_t amount;
    } cases[] = {
        { "0.05", "USD", 21, 1 },     /* 0.5 cent -> 1 */
        { "0.04", "USD", 21, 0 },     /* 0.4 cent -> 0 */
        { "0.15", "USD", 401, 4 },    /* 25 % of 15 = 3.75 -> 4 */
        { "0.14", "USD", 401, 4 },    /* 3.5 -> 4 (half up) */
        { "1005", "JPY", 21, 101 },   /* 100.5 yen -> 101 */
        { "1.005", "KWD", 21, 101 },  /* 1005 fils * 10 % = 100.5 -> 101 */
        { "12", "", 2001, 1200 },     /* no currency: 2 decimals, 12.00 -> 1200 */
    };
    for (size_t c = 0; c < RSLA_ARRAY_LEN(cases); c++) {
        char csv[256];
        snprintf(csv, sizeof csv,
                 "instance,hosts,created,monthly_fee,currency\n"
                 "a,h,2024-03-04T05:20:00+08:00,%s,%s\n", cases[c].fee, cases[c].currency);
        inventory *inv = inv_of(csv);
        fixture *f = fx_new(1);
        fx_run(f, 0, MIN("2024-03-10T00:00:00Z"), cases[c].bad, 0, 0, 1, 1);
        policy p = preset("acr-ee");
        sla_report *r = compute(&p, inv, NULL, NULL, f);
        CHECK_EQ_INT(r->rows[0].credit_amount_minor, cases[c].amount);
        sla_report_free(r);
        policy_release(&p);
        free(f);
        inventory_free(inv);
    }
}

/* MARK: - Section 5: windows */

/* A bad window split by an exclusion. scaleway: 5-minute windows, bad when failed/valid > 1/2
 * with at least 10 valid. Window 10:00-10:05Z: minute 10:00 has 10 valid, 10 failed; minute
 * 10:03 has 10 valid, 0 failed.
 *  - without exclusion: 10 failed of 20 -> 10*2 > 20 is false: not bad.
 *  - exclusion [10:02, 10:10): minute 10:03 is out of service; the window holds 10/10 and is
 *    bad; it counts for its 2 in-service minutes (10:00, 10:01).
 *    service = 44640 - 8 = 44632, availability = 44630/44632 = 22315/22316 = 99.99551.. */
static void test_window_split_by_exclusion(void)
{
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-05T10:00:00Z"), 0, 0, 10, 10);
    fx_add(f, 0, MIN("2024-03-05T10:03:00Z"), 0, 0, 10, 0);
    policy p = preset("scaleway");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->rows[0].unavailable_minutes, 0);
    CHECK_EQ_INT(r->rows[0].bad_windows, 0);
    CHECK_EQ_INT(r->n_incidents, 0);
    sla_report_free(r);

    exclusions *ex = excl("instance,start,end,reason\n"
                          "a,2024-03-05T10:02:00Z,2024-03-05T10:10:00Z,\"upgrade, v2\"\n"
                          "b,2024-03-05T00:00:00Z,2024-03-06T00:00:00Z,other instance\n");
    r = compute(&p, NULL, ex, NULL, f);
    CHECK_EQ_INT(r->rows[0].service_minutes, 44632);
    CHECK_EQ_INT(r->rows[0].excluded_minutes, 8);
    CHECK_EQ_INT(r->rows[0].bad_windows, 1);
    CHECK_EQ_INT(r->rows[0].unavailable_minutes, 2);
    CHECK_EQ_STR(r->rows[0].availability_num, "22315");
    CHECK_EQ_STR(r->rows[0].availability_den, "22316");
    CHECK_EQ_STR(r->rows[0].availability_percent, "99.9955");
    CHECK_EQ_INT(r->rows[0].pull.valid, 10);
    CHECK_EQ_INT(r->rows[0].out_of_service, 10);
    CHECK_EQ_INT(r->n_incidents, 1);
    CHECK_EQ_INT(r->incidents[0].minutes, 2);
    CHECK_EQ_INT(r->incidents[0].start_min, MIN("2024-03-05T10:00:00Z"));
    CHECK_EQ_INT(r->incidents[0].end_min, MIN("2024-03-05T10:05:00Z"));
    /* Exclusions are reported with their reasons; "b" is not in the input. */
    CHECK_EQ_INT(r->n_exclusions, 2);
    CHECK_EQ_STR(r->exclusions[0].instance, "b");
    CHECK(!r->exclusions[0].known);
    CHECK_EQ_STR(r->exclusions[1].reason, "upgrade, v2");
    CHECK(r->exclusions[1].known);
    sla_report_free(r);
    /* With a month filter, only exclusions overlapping the month. */
    r = compute(&p, NULL, ex, "2024-04", f);
    CHECK_EQ_INT(r->n_exclusions, 0);
    sla_report_free(r);
    exclusions_free(ex);
    policy_release(&p);
    free(f);
}

/* The grid on a day that is not a multiple of the window: Australia/Lord_Howe moves from +10:30
 * to +11:00 at 02:00 local on Sunday 6 October 2024, so that day lasts 1410 minutes, from
 * 2024-10-05T13:30Z to 2024-10-06T13:00Z. With 60-minute windows its last window is
 * [12:30Z, 13:00Z), 30 minutes; the next day starts a fresh grid at 13:00Z.
 * A bad minute at 12:45Z costs 30 minutes, one at 13:10Z a whole 60: 90. */
static void test_grid_short_day(void)
{
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-10-06T12:45:00Z"), 0, 0, 1, 1);
    fx_add(f, 0, MIN("2024-10-06T13:10:00Z"), 0, 0, 1, 1);
    policy p = from_json("{\"zone\": \"Australia/Lord_Howe\", \"window_minutes\": 60}");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_rows, 1);
    CHECK_EQ_STR(r->rows[0].month, "2024-10");
    CHECK_EQ_INT(r->rows[0].unavailable_minutes, 90);
    /* October 2024 there: 31 days minus the 30 minutes skipped = 44610 */
    CHECK_EQ_INT(r->rows[0].service_minutes, 44610);
    /* adjacent windows: one incident [12:30Z, 14:00Z) */
    CHECK_EQ_INT(r->n_incidents, 1);
    CHECK_EQ_INT(r->incidents[0].start_min, MIN("2024-10-06T12:30:00Z"));
    CHECK_EQ_INT(r->incidents[0].end_min, MIN("2024-10-06T14:00:00Z"));
    CHECK_EQ_INT(r->incidents[0].windows, 2);
    CHECK_EQ_INT(r->incidents[0].minutes, 90);
    sla_report_free(r);
    policy_release(&p);
    free(f);
}

/* Thresholds: `>=` against `>`, min_requests, either against combined, no valid -> never bad. */
static void test_thresholds(void)
{
    /* One minute, push 4 valid 2 failed, pull 6 valid 0 failed. */
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-05T10:00:00Z"), 4, 2, 6, 0);
    /* A minute with only non-valid requests (429, other): never bad. */
    fx_add(f, 0, MIN("2024-03-05T10:01:00Z"), 0, 0, 0, 0);
    f->minutes[0][1].other = 7;
    const struct {
        const char *json;
        int bad;
    } cases[] = {
        /* either, >= 1/2: push 2/4 -> 2*2 >= 1*4 -> bad */
        { "{\"threshold\":\"1/2\",\"classes\":\"either\"}", 1 },
        /* either, > 1/2: 4 > 4 false; pull 0 -> not bad */
        { "{\"threshold\":\"1/2\",\"threshold_strict\":true,\"classes\":\"either\"}", 0 },
        /* combined, >= 1/2: 2/10 -> 4 >= 10 false */
        { "{\"threshold\":\"0.5\",\"classes\":\"combined\"}", 0 },
        /* combined, >= 0.2: 2*10 >= 2*10 -> bad */
        { "{\"threshold\":\"0.2\",\"classes\":\"combined\"}", 1 },
        /* combined, > 0.2: not bad */
        { "{\"threshold\":0.2,\"threshold_strict\":true,\"classes\":\"combined\"}", 0 },
        /* either, min_requests 5: push has 4 valid, cannot be bad; pull not failing */
        { "{\"threshold\":\"1/2\",\"min_requests\":5}", 0 },
        /* combined, min_requests 10: 10 valid, 2/10 >= 0.2 -> bad */
        { "{\"threshold\":\"0.2\",\"classes\":\"combined\",\"min_requests\":10}", 1 },
        /* threshold 0 with >=: any window with a valid request is bad; the 429-only minute
         * has none and stays good */
        { "{\"threshold\":\"0\"}", 1 },
    };
    for (size_t c = 0; c < RSLA_ARRAY_LEN(cases); c++) {
        policy p = from_json(cases[c].json);
        sla_report *r = compute(&p, NULL, NULL, NULL, f);
        if (r->rows[0].unavailable_minutes != cases[c].bad)
            fprintf(stderr, "case %zu: %s\n", c, cases[c].json);
        CHECK_EQ_INT(r->rows[0].unavailable_minutes, cases[c].bad);
        CHECK_EQ_INT(r->rows[0].other, 7);
        sla_report_free(r);
        policy_release(&p);
    }
    free(f);
}

/* min_consecutive (gcp: 5): a run of 4 bad minutes is an incident but no downtime; a run of 5
 * is 5 minutes of downtime; a run across the month boundary (UTC) counts whole, and each month
 * gets its own minutes of it. */
static void test_min_consecutive(void)
{
    fixture *f = fx_new(1);
    fx_run(f, 0, MIN("2024-03-05T10:00:00Z"), 4, 0, 0, 10, 10); /* run of 4 */
    fx_run(f, 0, MIN("2024-03-05T11:00:00Z"), 5, 0, 0, 10, 10); /* run of 5 */
    /* 10 failed of 100 = 10 % > 5 %: bad; then 5 of 100 = 5 %: not > 5 %, breaks the run */
    fx_run(f, 0, MIN("2024-03-05T12:00:00Z"), 3, 0, 0, 100, 10);
    fx_add(f, 0, MIN("2024-03-05T12:03:00Z"), 0, 0, 100, 5);
    fx_run(f, 0, MIN("2024-03-05T12:04:00Z"), 3, 0, 0, 100, 10);
    /* 23:58, 23:59 on 31 March and 00:00-00:02 on 1 April: one run of 5 */
    fx_run(f, 0, MIN("2024-03-31T23:58:00Z"), 5, 0, 0, 1, 1);
    policy p = preset("gcp");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    const sla_row *mar = row_of(r, "a", "2024-03"), *apr = row_of(r, "a", "2024-04");
    CHECK(mar && apr);
    if (mar && apr) {
        /* March: 5 (11:00 run) + 2 (23:58, 23:59) = 7; bad windows 4+5+3+3+2 = 17 */
        CHECK_EQ_INT(mar->unavailable_minutes, 7);
        CHECK_EQ_INT(mar->bad_windows, 17);
        CHECK_EQ_INT(mar->counted_bad_windows, 7);
        CHECK_EQ_INT(apr->unavailable_minutes, 3);
    }
    /* incidents: runs of 4, 5, 3, 3, 5 */
    CHECK_EQ_INT(r->n_incidents, 5);
    if (r->n_incidents == 5) {
        CHECK_EQ_INT(r->incidents[0].windows, 4);
        CHECK(!r->incidents[0].counted);
        CHECK_EQ_INT(r->incidents[1].windows, 5);
        CHECK(r->incidents[1].counted);
        CHECK_EQ_INT(r->incidents[2].windows, 3);
        CHECK_EQ_INT(r->incidents[3].windows, 3);
        CHECK_EQ_INT(r->incidents[4].windows, 5);
        CHECK(r->incidents[4].counted);
        CHECK_EQ_INT(r->incidents[4].start_min, MIN("2024-03-31T23:58:00Z"));
        CHECK_EQ_INT(r->incidents[4].end_min, MIN("2024-04-01T00:03:00Z"));
    }
    sla_report_free(r);
    /* --month 2024-04 still sees the run whole (5 windows), so April keeps its 3 minutes, and
     * the incident overlapping April is listed. */
    r = compute(&p, NULL, NULL, "2024-04", f);
    CHECK_EQ_INT(r->n_rows, 1);
    CHECK_EQ_INT(r->rows[0].unavailable_minutes, 3);
    CHECK_EQ_INT(r->n_incidents, 1);
    sla_report_free(r);
    policy_release(&p);
    free(f);
}

/* MARK: - Section 9: the four presets on the same input */

/* Instance "a", all on 2024-03-15 (UTC; the same local day in +08:00 for these hours), March
 * has 44640 minutes in both zones:
 *   A: 10:00-10:05 (6 minutes), each pull 4 valid / 4 failed
 *   B: 12:00-12:02 (3 minutes), each pull 20/2 and push 2/2
 *   C: 14:00, pull 100 valid / 60 failed
 * acr-ee (1 min, either, all failed): A 6 minutes + B 3 (push all failed) = 9;
 *   44631/44640 = 4959/4960 (gcd 9) = 99.97983.. -> "99.9798", met.
 * gcp (1 min, combined > 5 %, runs >= 5): A 6 bad in a run of 6 -> 6; B 3 bad (4/22) in a run
 *   of 3 -> 0; C 1 bad -> 0. 44634/44640 = 7439/7440 = 99.98655.. -> "99.9866", met.
 * scaleway (5 min, combined > 1/2, >= 10 valid): window 10:00 20/20 bad (5 min); 10:05 4
 *   valid < 10; 12:00 12/66 not > 1/2; 14:00 60/100 bad (5 min) -> 10;
 *   44630/44640 = 4463/4464 = 99.97759.. -> "99.9776", met.
 * aws-s3 (error-rate, 5 min, combined): rates 20/20 + 4/4 + 12/66 + 60/100 = 2 + 2/11 + 3/5
 *   = 153/55 over 8928 windows: 1 - 153/491040 = 490887/491040 = 54543/54560 (gcd 9)
 *   = 99.96884.. -> "99.9688", met. */
static void test_presets_same_input(void)
{
    fixture *f = fx_new(1);
    fx_run(f, 0, MIN("2024-03-15T10:00:00Z"), 6, 0, 0, 4, 4);
    fx_run(f, 0, MIN("2024-03-15T12:00:00Z"), 3, 2, 2, 20, 2);
    fx_add(f, 0, MIN("2024-03-15T14:00:00Z"), 0, 0, 100, 60);
    const struct {
        const char *preset;
        int64_t unavailable;
        const char *num, *den, *pct;
    } cases[] = {
        { "acr-ee", 9, "4959", "4960", "99.9798" },
        { "gcp", 6, "7439", "7440", "99.9866" },
        { "scaleway", 10, "4463", "4464", "99.9776" },
        { "aws-s3", -1, "54543", "54560", "99.9688" },
    };
    for (size_t c = 0; c < RSLA_ARRAY_LEN(cases); c++) {
        policy p = preset(cases[c].preset);
        sla_report *r = compute(&p, NULL, NULL, NULL, f);
        CHECK_EQ_INT(r->n_rows, 1);
        const sla_row *row = &r->rows[0];
        CHECK_EQ_INT(row->service_minutes, 44640);
        if (cases[c].unavailable >= 0)
            CHECK_EQ_INT(row->unavailable_minutes, cases[c].unavailable);
        CHECK_EQ_STR(row->availability_num, cases[c].num);
        CHECK_EQ_STR(row->availability_den, cases[c].den);
        CHECK_EQ_STR(row->availability_percent, cases[c].pct);
        CHECK(row->met);
        CHECK_EQ_INT(row->credit_percent.units, 0);
        CHECK_EQ_INT(row->push.valid, 6);
        CHECK_EQ_INT(row->pull.valid, 24 + 60 + 100);
        sla_report_free(r);
        policy_release(&p);
    }
    free(f);
}

/* MARK: - Section 6: error-rate mode is exact */

static unsigned __int128 gcd128(unsigned __int128 a, unsigned __int128 b)
{
    while (b) {
        unsigned __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void u128_dec(unsigned __int128 v, char *out)
{
    char tmp[64];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static void test_error_rate_exact(void)
{
    /* One window with 1 failed of 3: 1 - (1/3)/8928 = 26783/26784 = 99.99626.. */
    fixture *f = fx_new(1);
    fx_add(f, 0, MIN("2024-03-05T10:00:00Z"), 0, 0, 3, 1);
    policy p = preset("aws-s3");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_STR(r->rows[0].availability_num, "26783");
    CHECK_EQ_STR(r->rows[0].availability_den, "26784");
    CHECK_EQ_STR(r->rows[0].availability_percent, "99.9963");
    sla_report_free(r);
    free(f);

    /* 24 windows whose valid counts are the primes below 90, one failure each: the exact
     * denominator is 8928 * product of primes (~2^127), far beyond 64 bits. Independent check
     * with 128-bit integers: sum = sum(1/p), availability = 1 - sum / 8928. */
    static const uint32_t primes[] = { 2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37,
                                       41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89 };
    f = fx_new(1);
    unsigned __int128 prod = 1, num = 0;
    for (size_t i = 0; i < RSLA_ARRAY_LEN(primes); i++)
        prod *= primes[i];
    for (size_t i = 0; i < RSLA_ARRAY_LEN(primes); i++) {
        fx_add(f, 0, MIN("2024-03-05T10:00:00Z") + 5 * (int64_t)i, 0, 0, primes[i], 1);
        num += prod / primes[i];
    }
    /* 1 - num/(prod*8928) = (prod*8928 - num) / (prod*8928); prod * 8928 < 2^128 */
    const unsigned __int128 den = prod * 8928;
    unsigned __int128 n = den - num;
    const unsigned __int128 g = gcd128(n, den);
    char want_n[64], want_d[64];
    u128_dec(n / g, want_n);
    u128_dec(den / g, want_d);
    r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_STR(r->rows[0].availability_num, want_n);
    CHECK_EQ_STR(r->rows[0].availability_den, want_d);
    /* sum(1/p, p < 90) = 1.7925.. so 1 - 1.7925/8928 = 0.99979922.. -> 99.9799 */
    CHECK_EQ_STR(r->rows[0].availability_percent, "99.9799");
    sla_report_free(r);
    policy_release(&p);

    /* classes "either" in error-rate mode takes the worse class of each window:
     * push 1/2, pull 1/10 -> 1/2; 1 - (1/2)/8928 = 17855/17856. */
    policy e = from_json("{\"base\":\"aws-s3\",\"classes\":\"either\"}");
    fixture *f2 = fx_new(1);
    fx_add(f2, 0, MIN("2024-03-05T10:00:00Z"), 2, 1, 10, 1);
    r = compute(&e, NULL, NULL, NULL, f2);
    CHECK_EQ_STR(r->rows[0].availability_num, "17855");
    CHECK_EQ_STR(r->rows[0].availability_den, "17856");
    sla_report_free(r);
    policy_release(&e);
    free(f2);
    free(f);
}

/* Percent printing rounds half to even at the 4th decimal. S = 32000 (March in +08:00 minus
 * 12640 minutes of exclusion), percent = 100 - U/320:
 *   U = 1: 99.996875  -> 99.9969 (above the half: up)
 *   U = 2: 99.99375   -> exactly half, 7 is odd  -> 99.9938
 *   U = 6: 99.98125   -> exactly half, 2 is even -> 99.9812
 *   U = 3: 99.990625  -> below the half: 99.9906 */
static void test_percent_rounding(void)
{
    exclusions *ex = excl("instance,start,end\n"
                          "*,2024-03-20T00:00:00+08:00,2024-03-28T18:40:00+08:00\n");
    /* 8 days 18 h 40 min = 11520 + 1080 + 40 = 12640 */
    const struct {
        int bad;
        const char *pct;
    } cases[] = { { 1, "99.9969" }, { 2, "99.9938" }, { 6, "99.9812" }, { 3, "99.9906" } };
    for (size_t c = 0; c < RSLA_ARRAY_LEN(cases); c++) {
        fixture *f = fx_new(1);
        fx_run(f, 0, MIN("2024-03-05T00:00:00Z"), cases[c].bad, 1, 1, 0, 0);
        policy p = preset("acr-ee");
        sla_report *r = compute(&p, NULL, ex, NULL, f);
        CHECK_EQ_INT(r->rows[0].service_minutes, 32000);
        CHECK_EQ_STR(r->rows[0].availability_percent, cases[c].pct);
        sla_report_free(r);
        policy_release(&p);
        free(f);
    }
    exclusions_free(ex);
}

/* MARK: - Section 8: incidents and coverage */

static void test_incident_details(void)
{
    fixture *f = fx_new(1);
    const int64_t t0 = MIN("2024-03-05T10:00:00Z");
    fx_add(f, 0, t0, 0, 0, 5, 5);
    fx_add(f, 0, t0 + 1, 2, 2, 3, 3);
    agg_failure fl[] = {
        { t0, 503, CLASSIFY_PULL, CLASSIFY_EP_BLOB, "GET", "lib/nginx", 3 },
        { t0, 503, CLASSIFY_PULL, CLASSIFY_EP_MANIFEST, "GET", "lib/redis", 2 },
        { t0 + 1, 500, CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD, "PATCH", "team/app", 2 },
        { t0 + 1, 503, CLASSIFY_PULL, CLASSIFY_EP_BLOB, "GET", "lib/redis", 3 },
    };
    memcpy(f->failures, fl, sizeof fl);
    f->inst[0].failures = f->failures;
    f->inst[0].n_failures = RSLA_ARRAY_LEN(fl);
    agg_failed_request fr[] = {
        { t0 * RSLA_NS_PER_MIN + 1, "req-1" },
        { t0 * RSLA_NS_PER_MIN + 2, "req-2" },
        { (t0 + 1) * RSLA_NS_PER_MIN, "req-3" },
        { (t0 + 5) * RSLA_NS_PER_MIN, "req-after" },
    };
    memcpy(f->freq, fr, sizeof fr);
    f->inst[0].failed_requests = f->freq;
    f->inst[0].n_failed_requests = RSLA_ARRAY_LEN(fr);
    policy p = preset("acr-ee");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_incidents, 1);
    const sla_incident *inc = &r->incidents[0];
    CHECK_EQ_STR(inc->instance, "a");
    CHECK_EQ_INT(inc->start_min, t0);
    CHECK_EQ_INT(inc->end_min, t0 + 2);
    CHECK_EQ_INT(inc->minutes, 2);
    CHECK_EQ_INT(inc->pull.failed, 8);
    CHECK_EQ_INT(inc->push.failed, 2);
    /* statuses: 503 x8, 500 x2 */
    CHECK_EQ_INT(inc->n_statuses, 2);
    CHECK_EQ_INT(inc->statuses[0].status, 503);
    CHECK_EQ_INT(inc->statuses[0].count, 8);
    CHECK_EQ_INT(inc->statuses[1].status, 500);
    /* repositories: lib/redis 5, lib/nginx 3, team/app 2 */
    CHECK_EQ_INT(inc->n_repositories, 3);
    CHECK_EQ_STR(inc->repositories[0].name, "lib/redis");
    CHECK_EQ_INT(inc->repositories[0].count, 5);
    CHECK_EQ_STR(inc->repositories[1].name, "lib/nginx");
    CHECK_EQ_STR(inc->repositories[2].name, "team/app");
    /* endpoints: GET blobs 6, GET manifests 2 and PATCH upload 2 tie -> by method: GET first */
    CHECK_EQ_INT(inc->n_endpoints, 3);
    CHECK_EQ_STR(inc->endpoints[0].method, "GET");
    CHECK_EQ_INT(inc->endpoints[0].count, 6);
    CHECK_EQ_STR(inc->endpoints[1].method, "GET");
    CHECK_EQ_STR(inc->endpoints[2].method, "PATCH");
    CHECK_EQ_INT(inc->n_request_ids, 3);
    CHECK_EQ_STR(inc->request_ids[0].request_id, "req-1");
    CHECK_EQ_STR(inc->request_ids[2].request_id, "req-3");
    sla_report_free(r);
    policy_release(&p);
    free(f);
}

static void test_coverage(void)
{
    /* UTC zone (gcp), March 2024: lines at 00:00-00:09, then nothing until 00:20, then
     * 00:20-00:21, and the last minute of the month. Gaps: [00:10, 00:20) = 10 windows, and
     * [00:22, 23:59 on 31 March). Not partial: first and last minutes covered. */
    fixture *f = fx_new(1);
    const int64_t ms = MIN("2024-03-01T00:00:00Z"), me = MIN("2024-04-01T00:00:00Z");
    for (int i = 0; i < 10; i++)
        fx_cov(f, ms + i);
    fx_cov(f, ms + 20);
    fx_cov(f, ms + 21);
    fx_cov(f, me - 1);
    fx_add(f, 0, ms + 1, 0, 0, 1, 0);
    policy p = preset("gcp");
    sla_report *r = compute(&p, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_gaps, 2);
    CHECK_EQ_INT(r->gaps[0].start_min, ms + 10);
    CHECK_EQ_INT(r->gaps[0].end_min, ms + 20);
    CHECK_EQ_INT(r->gaps[0].windows, 10);
    CHECK_EQ_INT(r->gaps[1].start_min, ms + 22);
    CHECK_EQ_INT(r->gaps[1].end_min, me - 1);
    CHECK_EQ_INT(r->gaps[1].windows, 44640 - 23);
    CHECK_EQ_INT(r->n_months, 1);
    CHECK_EQ_INT(r->months[0].observed_minutes, 13);
    CHECK_EQ_INT(r->months[0].gaps, 2);
    CHECK_EQ_INT(r->months[0].gap_minutes, 10 + 44640 - 23);
    CHECK(!r->months[0].partial);
    CHECK(!r->rows[0].partial);
    CHECK_EQ_INT(r->months[0].first_ns, ms * RSLA_NS_PER_MIN);
    sla_report_free(r);
    /* With 5-minute windows (scaleway): observed windows 00:00, 00:05, 00:20, 23:55; gaps
     * [00:10, 00:20) = 2 windows and [00:25, 23:55 of the 31st). */
    policy s = preset("scaleway");
    r = compute(&s, NULL, NULL, NULL, f);
    CHECK_EQ_INT(r->n_gaps, 2);
    CHECK_EQ_INT(r->gaps[0].windows, 2);
    CHECK_EQ_INT(r->gaps[1].start_min, ms + 25);
    CHECK_EQ_INT(r->gaps[1].end_min, me - 5);
    sla_report_free(r);
    policy_release(&s);
    free(f);

    /* Partial: tolerance 60 minutes. Lines from 00:59 -> lead of 59: not partial; from 01:00 ->
     * partial. A tail of 60 minutes without lines -> partial. */
    const struct {
        int64_t first, last; /* minutes */
        bool partial;
    } cases[] = {
        { ms + 59, me - 1, false },
        { ms + 60, me - 1, true },
        { ms, me - 60, false }, /* last minute me-60: tail (me - (me-59)) = 59 */
        { ms, me - 61, true },
        { ms + 600, ms + 660, true }, /* a few hours of logs */
    };
    for (size_t c = 0; c < RSLA_ARRAY_LEN(cases); c++) {
        f = fx_new(1);
        fx_cov(f, cases[c].first);
        fx_cov(f, cases[c].last);
        fx_add(f, 0, cases[c].first, 0, 0, 1, 0);
        r = compute(&p, NULL, NULL, NULL, f);
        CHECK_EQ_INT(r->months[0].partial, cases[c].partial);
        CHECK_EQ_INT(r->rows[0].partial, cases[c].partial);
        sla_report_free(r);
        free(f);
    }
    policy_release(&p);
}

/* Rows only for (instance, month) with requests; instances sorted as agg gives them; an
 * instance of the inventory without requests has no row. Unmatched hosts are reported. */
static void test_rows_and_unmatched(void)
{
    fixture *f = fx_new(2);
    fx_add(f, 0, MIN("2024-03-05T10:00:00Z"), 0, 0, 1, 0);
    fx_add(f, 1, MIN("2024-04-05T10:00:00Z"), 0, 0, 1, 0);
    agg_unmatched_host um[] = { { "stray.example", 7 } };
    f->res.unmatched = um;
    f->res.n_unmatched = 1;
    f->res.unmatched_requests = 7;
    inventory *inv = inv_of("instance,hosts\na,a.example\nb,b.example\nc,c.example\n");
    policy p = preset("gcp");
    sla_report *r = compute(&p, inv, NULL, NULL, f);
    CHECK_EQ_INT(r->n_rows, 2);
    CHECK_EQ_STR(r->rows[0].instance, "a");
    CHECK_EQ_STR(r->rows[0].month, "2024-03");
    CHECK_EQ_STR(r->rows[1].instance, "b");
    CHECK_EQ_STR(r->rows[1].month, "2024-04");
    CHECK_EQ_INT(r->n_unmatched, 1);
    CHECK_EQ_STR(r->unmatched[0].host, "stray.example");
    CHECK_EQ_INT(r->unmatched_requests, 7);
    CHECK(r->has_inventory);
    sla_report_free(r);
    policy_release(&p);
    inventory_free(inv);
    free(f);
}

/* Sections 4 and 1 end to end through the aggregator: 429 is not counted, 404 and 401 are
 * good, 500 and 0 are failed. */
static void test_statuses_through_agg(void)
{
    policy p = preset("acr-ee");
    agg_status_table st;
    policy_status_table(&p, &st);
    CHECK_EQ_INT(st.verdict[429], AGG_EXCLUDED);
    CHECK_EQ_INT(st.verdict[404], AGG_GOOD);
    CHECK_EQ_INT(st.verdict[401], AGG_GOOD);
    CHECK_EQ_INT(st.verdict[200], AGG_GOOD);
    CHECK_EQ_INT(st.verdict[500], AGG_FAILED);
    CHECK_EQ_INT(st.verdict[599], AGG_FAILED);
    CHECK_EQ_INT(st.verdict[0], AGG_FAILED);
    CHECK_EQ_INT(st.verdict[600], AGG_GOOD);

    agg_table *t = agg_table_create(&st);
    /* Minute 10:00: only 429 and 500 pulls -> valid = 1 (the 500), failed 1: bad.
     * Minute 10:01: 404 and 500 -> 1 of 2 failed: not bad under acr-ee.
     * Minute 10:02: 401 only: good. */
    const struct {
        const char *time;
        int status;
        const char *id;
    } lines[] = {
        { "2024-03-05T10:00:01Z", 429, "r1" }, { "2024-03-05T10:00:02Z", 500, "r2" },
        { "2024-03-05T10:01:01Z", 404, "r3" }, { "2024-03-05T10:01:02Z", 500, "r4" },
        { "2024-03-05T10:02:01Z", 401, "r5" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(lines); i++) {
        rsla_outcome o = { 0 };
        o.time_ns = NS(lines[i].time);
        o.host = rsla_slice_of("Reg.Example:443");
        o.method = rsla_slice_of("GET");
        o.path = rsla_slice_of("/v2/lib/nginx/manifests/latest");
        o.status = lines[i].status;
        o.duration_ns = -1;
        o.request_id = rsla_slice_of(lines[i].id);
        agg_table_add(t, &o);
    }
    agg_result *res = agg_table_finish(t, NULL, NULL);
    char err[128];
    sla_report *r = sla_compute(&p, NULL, NULL, NULL, res, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        CHECK_EQ_INT(r->n_rows, 1);
        CHECK_EQ_STR(r->rows[0].instance, "reg.example");
        CHECK_EQ_INT(r->rows[0].pull.valid, 4);
        CHECK_EQ_INT(r->rows[0].pull.failed, 2);
        CHECK_EQ_INT(r->rows[0].unavailable_minutes, 1);
        sla_report_free(r);
    }
    agg_result_free(res);
    agg_table_free(t);
    policy_release(&p);
}

/* MARK: - Big integers */

static void test_big(void)
{
    sla_big a = SLA_BIG_INIT, b = SLA_BIG_INIT, c = SLA_BIG_INIT, q = SLA_BIG_INIT,
            r = SLA_BIG_INIT;
    /* (2^64 - 1)^2 = 340282366920938463426481119284349108225 */
    sla_big_set_u64(&a, UINT64_MAX);
    sla_big_mul(&c, &a, &a);
    char *s = sla_big_to_dec(&c);
    CHECK_EQ_STR(s, "340282366920938463426481119284349108225");
    free(s);
    /* c / a = a, remainder 0 */
    sla_big_divmod(&c, &a, &q, &r);
    CHECK(sla_big_cmp(&q, &a) == 0);
    CHECK(sla_big_is_zero(&r));
    /* gcd(2^64-1, 2^32-1 * 6) : 2^64-1 = (2^32-1)(2^32+1), 6(2^32-1): gcd = 3*(2^32-1)?
     * 2^32+1 = 4294967297 = 641 * 6700417 is odd and not divisible by 3, 2^32-1 = 3*5*17*257*
     * 65537, so gcd(2^64-1, 6(2^32-1)) = (2^32-1) * gcd(2^32+1, 6) = 2^32-1. */
    sla_big_set_u64(&b, UINT64_C(6) * 4294967295u);
    sla_big_gcd(&c, &a, &b);
    uint64_t v = 0;
    CHECK(sla_big_to_u64(&c, &v));
    CHECK_EQ_INT(v, 4294967295u);
    CHECK_EQ_INT(sla_big_mod_u64(&a, 1000), 615); /* 18446744073709551615 mod 1000 */
    sla_big_set_u64(&a, 0);
    s = sla_big_to_dec(&a);
    CHECK_EQ_STR(s, "0");
    free(s);
    sla_big_set_u64(&a, 1000000000);
    s = sla_big_to_dec(&a);
    CHECK_EQ_STR(s, "1000000000");
    free(s);
    sla_big_free(&a);
    sla_big_free(&b);
    sla_big_free(&c);
    sla_big_free(&q);
    sla_big_free(&r);
}

int main(void)
{
    test_month_lengths();
    test_month_boundary_plus8();
    test_target_exact();
    test_tiers_and_lifetime();
    test_credit_rounding();
    test_window_split_by_exclusion();
    test_grid_short_day();
    test_thresholds();
    test_min_consecutive();
    test_presets_same_input();
    test_error_rate_exact();
    test_percent_rounding();
    test_incident_details();
    test_coverage();
    test_rows_and_unmatched();
    test_statuses_through_agg();
    test_big();
    TEST_MAIN_END();
}
