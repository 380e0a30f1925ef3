/* analyzer/policy and analyzer/cfg_json: presets, every policy-file key, and errors that point
 * at the line and column of the offending value. */
#include <stdlib.h>
#include <unistd.h>

#include "analyzer/cfg_json.h"
#include "analyzer/policy.h"
#include "common/rsla_base.h"
#include "rsla_test.h"

static void check_dec(policy_dec d, const char *want)
{
    char buf[40];
    policy_dec_format(buf, sizeof buf, d);
    CHECK_EQ_STR(buf, want);
}

static void test_presets(void)
{
    policy p;
    char err[256];
    /* acr-ee: downtime, 1 min, >= 1/1, min_requests 1, either, +08:00, 99.95, 10/25/100 */
    CHECK(policy_preset("acr-ee", &p, err, sizeof err));
    CHECK_EQ_INT(p.mode, POLICY_DOWNTIME);
    CHECK_EQ_INT(p.window_minutes, 1);
    CHECK_EQ_INT(p.threshold_num, 1);
    CHECK_EQ_INT(p.threshold_den, 1);
    CHECK(!p.threshold_strict);
    CHECK_EQ_INT(p.min_requests, 1);
    CHECK_EQ_INT(p.min_consecutive, 1);
    CHECK_EQ_INT(p.classes, POLICY_EITHER);
    CHECK_EQ_STR(tz_name(p.zone), "+08:00");
    check_dec(p.target, "99.95");
    CHECK_EQ_INT(p.n_tiers, 3);
    check_dec(p.tiers[0].lower, "99");
    check_dec(p.tiers[0].upper, "99.95");
    check_dec(p.tiers[0].percent, "10");
    check_dec(p.tiers[1].percent, "25");
    CHECK(!p.tiers[2].has_lower);
    check_dec(p.tiers[2].upper, "95");
    check_dec(p.tiers[2].percent, "100");
    CHECK(!p.has_cap);
    CHECK(p.failed_status[0] && p.failed_status[500] && p.failed_status[599]);
    CHECK(!p.failed_status[499] && !p.failed_status[600] && !p.failed_status[429]);
    CHECK(p.excluded_status[429] && !p.excluded_status[503]);
    policy_release(&p);

    CHECK(policy_preset("aws-s3", &p, err, sizeof err));
    CHECK_EQ_INT(p.mode, POLICY_ERROR_RATE);
    CHECK_EQ_INT(p.window_minutes, 5);
    CHECK_EQ_INT(p.classes, POLICY_COMBINED);
    CHECK_EQ_STR(tz_name(p.zone), "UTC");
    check_dec(p.target, "99.9");
    check_dec(p.tiers[0].upper, "99.9");
    check_dec(p.tiers[2].percent, "100");
    policy_release(&p);

    CHECK(policy_preset("gcp", &p, err, sizeof err));
    CHECK_EQ_INT(p.threshold_num, 5);
    CHECK_EQ_INT(p.threshold_den, 100);
    CHECK(p.threshold_strict);
    CHECK_EQ_INT(p.min_consecutive, 5);
    CHECK_EQ_INT(p.classes, POLICY_COMBINED);
    check_dec(p.target, "99.95");
    check_dec(p.tiers[2].percent, "50");
    policy_release(&p);

    CHECK(policy_preset("scaleway", &p, err, sizeof err));
    CHECK_EQ_INT(p.window_minutes, 5);
    CHECK_EQ_INT(p.threshold_num, 1);
    CHECK_EQ_INT(p.threshold_den, 2);
    CHECK(p.threshold_strict);
    CHECK_EQ_INT(p.min_requests, 10);
    check_dec(p.target, "99.9");
    policy_release(&p);

    CHECK(!policy_preset("azure", &p, err, sizeof err));
    CHECK(strstr(err, "unknown policy preset \"azure\"") != NULL);
    /* policy_resolve: NULL -> acr-ee; a preset name; otherwise a file. */
    CHECK(policy_resolve(NULL, &p, err, sizeof err));
    CHECK_EQ_STR(p.name, "acr-ee");
    policy_release(&p);
    CHECK(!policy_resolve("/nonexistent/policy.json", &p, err, sizeof err));
    CHECK(strstr(err, "/nonexistent/policy.json: cannot read") != NULL);
}

static void test_file_every_key(void)
{
    const char *json =
        "{\n"
        "  \"base\": \"gcp\",\n"
        "  \"name\": \"custom\",\n"
        "  \"mode\": \"error-rate\",\n"
        "  \"window_minutes\": 15,\n"
        "  \"threshold\": \"3/40\",\n"
        "  \"threshold_strict\": false,\n"
        "  \"min_requests\": 3,\n"
        "  \"min_consecutive\": 2,\n"
        "  \"classes\": \"either\",\n"
        "  \"zone\": \"America/New_York\",\n"
        "  \"target\": 99.99,\n"
        "  \"tiers\": [\n"
        "    {\"lower\": 99.5, \"upper\": \"99.99\", \"percent\": 5},\n"
        "    {\"lower\": null, \"upper\": 99.5, \"percent\": 12.5}\n"
        "  ],\n"
        "  \"cap\": 12.5,\n"
        "  \"failure_statuses\": [\"500-504\", 0, \"599\"],\n"
        "  \"excluded_statuses\": [429, \"503\"],\n"
        "  \"partial_tolerance_minutes\": 30\n"
        "}\n";
    policy p;
    char err[256] = "";
    /* 503 in both sets is an error (reported, not resolved silently)... */
    CHECK(!policy_parse(json, strlen(json), "p.json", &p, err, sizeof err));
    CHECK(strstr(err, "p.json:19:24: status 503 is in both") != NULL);
    /* ...so take it out of the exclusions. */
    char *fixed = strdup(json);
    char *at = strstr(fixed, ", \"503\"]");
    memmove(at, at + 7, strlen(at + 7) + 1);
    CHECK(policy_parse(fixed, strlen(fixed), "p.json", &p, err, sizeof err));
    CHECK_EQ_STR(p.name, "custom");
    CHECK_EQ_STR(p.base, "gcp");
    CHECK_EQ_INT(p.mode, POLICY_ERROR_RATE);
    CHECK_EQ_INT(p.window_minutes, 15);
    CHECK_EQ_INT(p.threshold_num, 3);
    CHECK_EQ_INT(p.threshold_den, 40);
    CHECK(!p.threshold_strict);
    CHECK_EQ_INT(p.min_requests, 3);
    CHECK_EQ_INT(p.min_consecutive, 2);
    CHECK_EQ_INT(p.classes, POLICY_EITHER);
    CHECK_EQ_STR(tz_name(p.zone), "America/New_York");
    check_dec(p.target, "99.99");
    CHECK_EQ_INT(p.target.units, 9999);
    CHECK_EQ_INT(p.target.scale, 2);
    CHECK_EQ_INT(p.n_tiers, 2);
    check_dec(p.tiers[1].percent, "12.5");
    CHECK(!p.tiers[1].has_lower);
    CHECK(p.has_cap);
    check_dec(p.cap, "12.5");
    CHECK(p.failed_status[500] && p.failed_status[504] && !p.failed_status[505]);
    CHECK(p.failed_status[0] && p.failed_status[599]);
    CHECK(p.excluded_status[429] && !p.excluded_status[503]);
    CHECK_EQ_INT(p.partial_tolerance_minutes, 30);
    agg_status_table st;
    policy_status_table(&p, &st);
    CHECK_EQ_INT(st.verdict[503], AGG_FAILED);
    CHECK_EQ_INT(st.verdict[505], AGG_GOOD);
    CHECK_EQ_INT(st.verdict[429], AGG_EXCLUDED);
    policy_release(&p);
    free(fixed);

    /* Without base: acr-ee; the name defaults to the source. Decimal thresholds are exact. */
    const char *j2 = "{\"threshold\": 0.05, \"threshold_strict\": true}";
    CHECK(policy_parse(j2, strlen(j2), "two.json", &p, err, sizeof err));
    CHECK_EQ_STR(p.name, "two.json");
    CHECK_EQ_STR(p.base, "");
    CHECK_EQ_INT(p.threshold_num, 5);
    CHECK_EQ_INT(p.threshold_den, 100);
    CHECK_EQ_STR(tz_name(p.zone), "+08:00");
    policy_release(&p);

    /* policy_load_file on a real file */
    char path[] = "/tmp/rsla_policy_XXXXXX";
    const int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        const char *j3 = "\xEF\xBB\xBF{\"base\": \"scaleway\", \"cap\": null}\r\n";
        CHECK(write(fd, j3, strlen(j3)) == (ssize_t)strlen(j3));
        close(fd);
        CHECK(policy_resolve(path, &p, err, sizeof err));
        CHECK_EQ_INT(p.window_minutes, 5);
        CHECK(!p.has_cap);
        policy_release(&p);
        unlink(path);
    }
}

/* Error messages: "SOURCE:LINE:COL: reason", the column of the offending value. */
static void test_file_errors(void)
{
    const struct {
        const char *json;
        const char *want; /* substring of the message */
    } cases[] = {
        /* JSON syntax */
        { "{\n  \"mode\": \"downtime\",\n}", "p.json:3:1: trailing comma" },
        /*  ^ line 3, col 1 */
        { "{\"a\" 1}", "p.json:1:6: expected ':'" },
        { "{\"mode\": \"down\ntime\"}", "p.json:1:15: control character" },
        { "{\"x\": 01}", "p.json:1:7: number with a leading zero" },
        { "{\"x\": \"\\q\"}", "p.json:1:8: invalid escape" },
        { "{\"x\": \"\\ud800\"}", "p.json:1:8: high surrogate" },
        { "{\"x\": tru}", "p.json:1:7: unexpected character 't'" },
        { "{} {}", "p.json:1:4: unexpected data after" },
        { "", "p.json:1:1: unexpected end of input" },
        { "{\"a\":1,\"a\":2}", "p.json:1:8: duplicate key \"a\"" },
        { "{\"x\": \"\xff\"}", "p.json:1:8: invalid UTF-8" },
        /* semantics, pointing at the value */
        { "[]", "p.json:1:1: a policy file is a JSON object" },
        { "{\n  \"windows\": 5\n}", "p.json:2:14: unknown key \"windows\"" },
        /*       ^ col 14: the value 5 */
        { "{\n  \"window_minutes\": 7\n}", "p.json:2:21: \"window_minutes\" must divide a day" },
        { "{\"window_minutes\": 0}", "must divide a day" },
        { "{\"window_minutes\": \"5\"}", "p.json:1:20: \"window_minutes\" must be an integer" },
        { "{\"window_minutes\": 5.0}", "must be a non-negative integer" },
        { "{\"mode\": \"uptime\"}", "p.json:1:10: \"mode\" must be \"downtime\" or \"error-rate\"" },
        { "{\"classes\": \"both\"}", "\"classes\" must be \"either\" or \"combined\"" },
        { "{\"threshold\": \"3/0\"}", "denominator must not be 0" },
        { "{\"threshold\": \"3/2\"}", "must be at most 1" },
        { "{\"threshold\": 1e-2}", "not a plain decimal" },
        { "{\"threshold\": \"a/b\"}", "not a fraction of two integers" },
        { "{\"threshold_strict\": 1}", "\"threshold_strict\" must be a boolean, not number" },
        { "{\"min_consecutive\": 0}", "\"min_consecutive\" must be at least 1" },
        { "{\"min_requests\": -1}", "must be a non-negative integer" },
        { "{\"target\": 100.5}", "\"target\" is a percentage and must be at most 100" },
        { "{\"target\": -1}", "not a plain non-negative decimal" },
        { "{\"target\": 99.0000000001}", "at most 9 decimals" },
        { "{\"target\": true}", "\"target\" must be a decimal number" },
        { "{\"zone\": \"Mars/Olympus\"}", "p.json:1:10: unknown time zone \"Mars/Olympus\"" },
        { "{\"zone\": \"+25:00\"}", "unknown time zone" },
        { "{\"base\": \"azure\"}", "p.json:1:10: \"base\" must name a preset" },
        { "{\"tiers\": {}}", "\"tiers\" must be an array, not object" },
        { "{\"tiers\": [{\"lower\": 1, \"upper\": 2}]}", "p.json:1:12: a tier needs \"percent\"" },
        { "{\"tiers\": [{\"lower\": 2, \"upper\": 1, \"percent\": 5}]}", "below its \"upper\"" },
        { "{\"tiers\": [{\"upper\": 99, \"percent\": 5}, {\"lower\": 98, \"percent\": 1}]}",
          "tier 2 overlaps tier 1" },
        { "{\"tiers\": [{\"lower\": 1, \"percent\": 5, \"pct\": 1}]}", "unknown key \"pct\" in a tier" },
        { "{\"cap\": 101}", "\"cap\" is a percentage" },
        { "{\"failure_statuses\": [\"600-500\"]}", "must lie within 0-999, low to high" },
        { "{\"failure_statuses\": [1000]}", "must be at most 999" },
        { "{\"failure_statuses\": \"5xx\"}", "must be an array" },
        { "{\"excluded_statuses\": [true]}", "entries must be integers" },
        { "{\"partial_tolerance_minutes\": 50000}", "must be at most 44640" },
        { "{\"name\": \"\"}", "\"name\" must be 1 to" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(cases); i++) {
        policy p;
        char err[300] = "";
        const bool ok = policy_parse(cases[i].json, strlen(cases[i].json), "p.json", &p, err,
                                     sizeof err);
        CHECK(!ok);
        if (!strstr(err, cases[i].want)) {
            fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, err, cases[i].want);
            CHECK(0);
        }
        CHECK(p.zone == NULL); /* released on error */
    }
}

static void test_json_dom(void)
{
    char err[128];
    const char *t = "{\"s\": \"a\\u00e9\\ud83d\\ude00\\n\\\"\", \"n\": -0.50e+3, \"a\": [true, false,"
                    " null, []], \"o\": {}}";
    cfg_json *v = cfg_json_parse(t, strlen(t), err, sizeof err);
    CHECK(v != NULL);
    if (!v)
        return;
    CHECK_EQ_INT(v->type, CFG_JSON_OBJECT);
    CHECK_EQ_INT(v->n, 4);
    const cfg_json *s = cfg_json_get(v, "s");
    CHECK_EQ_STR(s->text, "a\xC3\xA9\xF0\x9F\x98\x80\n\"");
    const cfg_json *n = cfg_json_get(v, "n");
    CHECK_EQ_INT(n->type, CFG_JSON_NUMBER);
    CHECK_EQ_STR(n->text, "-0.50e+3"); /* kept as written */
    const cfg_json *a = cfg_json_get(v, "a");
    CHECK_EQ_INT(a->n, 4);
    CHECK(a->items[0].boolean && !a->items[1].boolean);
    CHECK_EQ_INT(a->items[2].type, CFG_JSON_NULL);
    CHECK_EQ_INT(a->items[3].type, CFG_JSON_ARRAY);
    CHECK_EQ_INT(a->line, 1);
    CHECK_EQ_INT(a->col, 54);
    CHECK(cfg_json_get(v, "missing") == NULL);
    CHECK(cfg_json_get(a, "s") == NULL);
    cfg_json_free(v);
    /* depth limit */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    CHECK(cfg_json_parse(deep, 200, err, sizeof err) == NULL);
    CHECK(strstr(err, "nesting deeper than 64") != NULL);
    /* NUL inside a string through \u0000 is allowed in values, refused in keys */
    v = cfg_json_parse("\"a\\u0000b\"", 10, err, sizeof err);
    CHECK(v && v->len == 3);
    cfg_json_free(v);
    CHECK(cfg_json_parse("{\"a\\u0000\": 1}", 14, err, sizeof err) == NULL);
    CHECK_EQ_STR(cfg_json_type_name(CFG_JSON_OBJECT), "object");
}

static void test_decimals(void)
{
    policy_dec d;
    CHECK(policy_dec_parse("99.95", 5, &d));
    CHECK_EQ_INT(d.units, 9995);
    CHECK_EQ_INT(d.scale, 2);
    CHECK(!policy_dec_parse("99.", 3, &d));
    CHECK(!policy_dec_parse(".5", 2, &d));
    CHECK(!policy_dec_parse("-1", 2, &d));
    CHECK(!policy_dec_parse("1e2", 3, &d));
    CHECK(!policy_dec_parse("", 0, &d));
    /* 18 digits fit units; 19 would not (12 integer digits and 9 decimals are 21). */
    CHECK(policy_dec_parse("999999999999.999999", 19, &d));
    CHECK_EQ_INT(d.units, 999999999999999999);
    CHECK_EQ_INT(d.scale, 6);
    CHECK(!policy_dec_parse("999999999999.9999999", 20, &d));
    CHECK(!policy_dec_parse("409999099999.99000200", 21, &d));
    CHECK(policy_dec_parse("999999999.999999999", 19, &d));
    CHECK_EQ_INT(d.units, 999999999999999999);
    CHECK(!policy_dec_parse("9999999999999", 13, &d));
    policy_dec a = { 9995, 2 }, b = { 999500, 4 }, c = { 9996, 2 };
    CHECK_EQ_INT(policy_dec_cmp(a, b), 0);
    CHECK_EQ_INT(policy_dec_cmp(a, c), -1);
    CHECK_EQ_INT(policy_dec_cmp(c, b), 1);
    check_dec(b, "99.95");
    check_dec((policy_dec){ 100, 0 }, "100");
    check_dec((policy_dec){ 5, 1 }, "0.5");
    check_dec((policy_dec){ 0, 3 }, "0");
}

int main(void)
{
    test_presets();
    test_file_every_key();
    test_file_errors();
    test_json_dom();
    test_decimals();
    TEST_MAIN_END();
}
