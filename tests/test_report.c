/* analyzer/report: JSON (schema, keys, escaping), CSV (RFC 4180 quoting) and the table, on a
 * small hand-built month whose figures are derived below. */
#include <stdlib.h>

#include "analyzer/agg.h"
#include "analyzer/inventory.h"
#include "analyzer/policy.h"
#include "analyzer/report.h"
#include "analyzer/report_internal.h"
#include "analyzer/sla.h"
#include "common/rsla_time.h"
#include "rsla_test.h"

static int64_t MIN(const char *iso)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(iso, strlen(iso), &ns) != RSLA_TIME_OK)
        abort();
    return rsla_minute_of_ns(ns);
}

static char *render(report_format fmt, const sla_report *r, const rsla_run_input *in)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(report_write(f, fmt, r, in), 0);
    fclose(f);
    return buf;
}

/* The month: policy acr-ee (+08:00), March 2024, instance `cri-a,"x"` (a name that needs CSV
 * quoting) with a fee of 1580.00 CNY:
 *   - 2024-03-05T02:00Z and 02:01Z (10:00, 10:01 local): pull 2 valid, 2 failed (503): bad;
 *   - 02:02Z: pull 1 valid, 0 failed.
 * Service 44640 minutes, 2 unavailable: 44638/44640 = 22319/22320 = 99.99552.. -> "99.9955",
 * met, no credit (0.00 CNY). Coverage: the month's first and last minute and 02:00-02:02Z;
 * not partial; gaps [2024-02-29T16:01Z, 2024-03-05T02:00Z) and [02:03Z, 2024-03-31T15:59Z). */
typedef struct world {
    agg_minute minutes[3];
    agg_failure failures[1];
    agg_failed_request freq[2];
    agg_instance inst;
    agg_coverage_minute cov[5];
    agg_unmatched_host um[1];
    agg_result res;
    inventory *inv;
    policy pol;
    sla_report *rep;
    rsla_input_file files[2];
    rsla_run_input in;
} world;

static world *world_new(void)
{
    world *w = calloc(1, sizeof *w);
    const int64_t t = MIN("2024-03-05T02:00:00Z");
    for (int i = 0; i < 3; i++) {
        w->minutes[i].minute = t + i;
        w->minutes[i].valid[CLASSIFY_PULL] = i < 2 ? 2 : 1;
        w->minutes[i].failed[CLASSIFY_PULL] = i < 2 ? 2 : 0;
    }
    w->minutes[2].other = 1;
    w->failures[0] = (agg_failure){ t, 503, CLASSIFY_PULL, CLASSIFY_EP_BLOB, "GET", "lib/x", 4 };
    w->freq[0] = (agg_failed_request){ t * RSLA_NS_PER_MIN + 5, "id-\"1\"\n" };
    w->freq[1] = (agg_failed_request){ (t + 1) * RSLA_NS_PER_MIN, "id-2" };
    w->inst = (agg_instance){ .name = "cri-a,\"x\"",
                              .minutes = w->minutes,
                              .n_minutes = 3,
                              .failures = w->failures,
                              .n_failures = 1,
                              .failed_requests = w->freq,
                              .n_failed_requests = 2 };
    const int64_t cm[5] = { MIN("2024-02-29T16:00:00Z"), t, t + 1, t + 2,
                            MIN("2024-03-31T15:59:00Z") };
    for (int i = 0; i < 5; i++)
        w->cov[i] = (agg_coverage_minute){ cm[i], cm[i] * RSLA_NS_PER_MIN,
                                           cm[i] * RSLA_NS_PER_MIN + 30 * RSLA_NS_PER_SEC };
    w->um[0] = (agg_unmatched_host){ "stray\x01\xff.example", 3 };
    w->res = (agg_result){ .instances = &w->inst,
                           .n_instances = 1,
                           .coverage = w->cov,
                           .n_coverage = 5,
                           .unmatched = w->um,
                           .n_unmatched = 1,
                           .unmatched_requests = 3 };
    const char *csv = "instance,hosts,monthly_fee,currency\n\"cri-a,\"\"x\"\"\",a.example,1580.00,CNY\n";
    char err[256];
    w->inv = inventory_parse(csv, strlen(csv), "inv.csv", err, sizeof err);
    CHECK(w->inv != NULL);
    CHECK(policy_preset("acr-ee", &w->pol, err, sizeof err));
    w->rep = sla_compute(&w->pol, w->inv, NULL, NULL, &w->res, err, sizeof err);
    CHECK(w->rep != NULL);
    /* input accounting: two files */
    w->files[0] = (rsla_input_file){ .path = "logs/a.jsonl.zst", .compression = "zstd",
                                     .profile = "distribution" };
    w->files[0].counts.lines = 10;
    w->files[0].counts.outcomes = 7;
    w->files[0].counts.skipped = 2;
    w->files[0].counts.skipped_by_reason[RSLA_SKIP_OTHER_MESSAGE] = 2;
    w->files[0].counts.rejected = 1;
    w->files[0].counts.rejected_by_reason[RSLA_REJECT_JSON_SYNTAX] = 1;
    w->files[1] = (rsla_input_file){ .path = "logs/b.jsonl", .compression = "none",
                                     .profile = "distribution", .error = "truncated frame",
                                     .error_offset = 4096, .lost_tail = true };
    w->in.files = w->files;
    w->in.n_files = 2;
    rsla_line_counts_add(&w->in.total, &w->files[0].counts);
    rsla_line_counts_add(&w->in.total, &w->files[1].counts);
    return w;
}

static void world_free(world *w)
{
    sla_report_free(w->rep);
    policy_release(&w->pol);
    inventory_free(w->inv);
    free(w);
}

static bool has(const char *hay, const char *needle)
{
    if (strstr(hay, needle))
        return true;
    fprintf(stderr, "missing in output: %s\n", needle);
    return false;
}

static void test_json(void)
{
    world *w = world_new();
    char *j = render(REPORT_JSON, w->rep, &w->in);
    CHECK(strncmp(j, "{\n  \"schema\": \"regsla/report/v1\",\n  \"policy\": {\n", 48) == 0);
    CHECK(has(j, "\"mode\": \"downtime\""));
    CHECK(has(j, "\"zone\": \"+08:00\""));
    CHECK(has(j, "\"target\": \"99.95\""));
    CHECK(has(j, "\"failure_statuses\": [\n      \"0\",\n      \"500-599\"\n    ]"));
    CHECK(has(j, "\"excluded_statuses\": [\n      \"429\"\n    ]"));
    CHECK(has(j, "\"month\": null"));
    CHECK(has(j, "\"instance\": \"cri-a,\\\"x\\\"\""));
    CHECK(has(j, "\"month\": \"2024-03\""));
    CHECK(has(j, "\"month_start\": \"2024-02-29T16:00:00Z\""));
    CHECK(has(j, "\"service_minutes\": 44640"));
    CHECK(has(j, "\"unavailable_minutes\": 2"));
    CHECK(has(j, "\"numerator\": \"22319\""));
    CHECK(has(j, "\"denominator\": \"22320\""));
    CHECK(has(j, "\"availability_percent\": \"99.9955\""));
    CHECK(has(j, "\"met\": true"));
    CHECK(has(j, "\"tier\": null"));
    CHECK(has(j, "\"credit_percent\": \"0\""));
    CHECK(has(j, "\"fee\": \"1580.00\""));
    CHECK(has(j, "\"credit_amount\": \"0.00\""));
    CHECK(has(j, "\"currency\": \"CNY\""));
    CHECK(has(j, "\"partial\": false"));
    CHECK(has(j, "\"pull\": {\n          \"valid\": 5,\n          \"failed\": 4\n"));
    CHECK(has(j, "\"other\": 1"));
    /* incident: 02:00-02:02Z, local 10:00+08:00 */
    CHECK(has(j, "\"start\": \"2024-03-05T02:00:00Z\""));
    CHECK(has(j, "\"end\": \"2024-03-05T02:02:00Z\""));
    CHECK(has(j, "\"start_local\": \"2024-03-05T10:00:00+08:00\""));
    CHECK(has(j, "\"status\": 503"));
    CHECK(has(j, "\"repository\": \"lib/x\""));
    CHECK(has(j, "\"method\": \"GET\""));
    CHECK(has(j, "\"request_id\": \"id-\\\"1\\\"\\n\""));
    CHECK(has(j, "\"time\": \"2024-03-05T02:00:00.000000005Z\""));
    /* coverage */
    CHECK(has(j, "\"first_line\": \"2024-02-29T16:00:00Z\""));
    CHECK(has(j, "\"last_line\": \"2024-03-31T15:59:30Z\""));
    CHECK(has(j, "\"observed_minutes\": 5"));
    CHECK(has(j, "\"month_minutes\": 44640"));
    CHECK(has(j, "\"gaps\": 2"));
    CHECK(has(j, "\"start\": \"2024-02-29T16:01:00Z\""));
    CHECK(has(j, "\"exclusions\": [],\n  \"unmatched\": {"));
    /* unmatched host with a control byte and invalid UTF-8, escaped */
    CHECK(has(j, "\"host\": \"stray\\u0001\\ufffd.example\""));
    /* input */
    CHECK(has(j, "\"input\": {\n    \"lines\": 10,\n    \"outcomes\": 7,\n    \"skipped\": 2,\n"
                 "    \"rejected\": 1,"));
    CHECK(has(j, "\"json_syntax\": 1"));
    CHECK(has(j, "\"other_message\": 2"));
    CHECK(has(j, "\"path\": \"logs/a.jsonl.zst\""));
    CHECK(has(j, "\"error\": \"truncated frame\",\n        \"error_offset\": 4096,\n"
                 "        \"lost_tail\": true"));
    CHECK(has(j, "\"error\": null"));
    /* no floats anywhere: every number is an integer */
    for (const char *p = j; (p = strstr(p, ": ")) != NULL; p += 2) {
        const char *q = p + 2;
        if (*q >= '0' && *q <= '9') {
            while (*q >= '0' && *q <= '9')
                q++;
            CHECK(*q != '.' && *q != 'e');
        }
    }
    CHECK(j[strlen(j) - 1] == '\n');
    /* Deterministic: a second rendering is byte-identical. */
    char *j2 = render(REPORT_JSON, w->rep, &w->in);
    CHECK_EQ_STR(j, j2);
    free(j2);
    /* Without input accounting: "input": null. */
    char *j3 = render(REPORT_JSON, w->rep, NULL);
    CHECK(has(j3, "\"input\": null"));
    free(j3);
    free(j);
    world_free(w);
}

static void test_csv(void)
{
    world *w = world_new();
    char *c = render(REPORT_CSV, w->rep, NULL);
    const char *want =
        "instance,month,service_minutes,excluded_minutes,unavailable_minutes,"
        "availability_percent,availability_numerator,availability_denominator,met,"
        "credit_percent,fee,credit_amount,currency,partial,push_valid,push_failed,pull_valid,"
        "pull_failed,other_requests,bad_windows,counted_bad_windows\r\n"
        "\"cri-a,\"\"x\"\"\",2024-03,44640,0,2,99.9955,22319,22320,true,0,1580.00,0.00,CNY,false,"
        "0,0,5,4,1,2,2\r\n";
    CHECK_EQ_STR(c, want);
    free(c);
    world_free(w);

    /* Field quoting rules on their own. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *fields[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", " lead",
                             "trail ", "", "ü" };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i)
            fputc('|', f);
        report_csv_field(f, fields[i]);
    }
    fclose(f);
    CHECK_EQ_STR(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"|\" lead\"|"
                      "\"trail \"||ü");
    free(buf);
}

static void test_table(void)
{
    world *w = world_new();
    char *t = render(REPORT_TABLE, w->rep, &w->in);
    CHECK(has(t, "regsla report: policy acr-ee (downtime, 1-minute windows, zone +08:00, "
                 "target 99.95 %)\n"));
    CHECK(has(t, "INSTANCE   MONTH    SERVICE_MIN  UNAVAIL_MIN  AVAILABILITY  MET  CREDIT    "
                 "AMOUNT  PARTIAL  FAILED/VALID\n"));
    CHECK(has(t, "cri-a,\"x\"  2024-03        44640            2     99.9955 %  yes     0 %  "
                 "0.00 CNY  no                4/5\n"));
    CHECK(has(t, "Incidents: 1 (1 counted as downtime)\n"));
    CHECK(has(t, "statuses: 503 x4"));
    CHECK(has(t, "Unmatched hosts: 1 (3 requests)"));
    /* control bytes never reach the terminal */
    CHECK(has(t, "first failing requests: id-\"1\"? id-2\n"));
    CHECK(has(t, "  stray?\xff.example  3 requests\n"));
    CHECK(has(t, "Input: 10 lines = 7 outcomes + 2 skipped + 1 rejected"));
    CHECK(has(t, "logs/b.jsonl (none, distribution): 0 lines, 0 outcomes, 0 skipped, 0 rejected; "
                 "ERROR at byte 4096: truncated frame (rest of file not read)"));
    free(t);
    world_free(w);
}

static void test_format_names(void)
{
    report_format f;
    CHECK(report_format_parse("table", &f) && f == REPORT_TABLE);
    CHECK(report_format_parse("csv", &f) && f == REPORT_CSV);
    CHECK(report_format_parse("json", &f) && f == REPORT_JSON);
    CHECK(!report_format_parse("html", &f));
    CHECK(!report_format_parse(NULL, &f));
}

int main(int argc, char **argv)
{
    if (argc > 1) { /* dump for review */
        world *w = world_new();
        report_write(stdout, REPORT_JSON, w->rep, &w->in);
        report_write(stdout, REPORT_TABLE, w->rep, &w->in);
        world_free(w);
        return 0;
    }
    test_json();
    test_csv();
    test_table();
    test_format_names();
    TEST_MAIN_END();
}
