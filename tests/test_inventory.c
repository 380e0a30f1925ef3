/* analyzer/inventory: RFC 4180 CSV, the inventory (hosts, lifetimes, fees) and exclusions. */
#include <stdlib.h>
#include <unistd.h>

#include "analyzer/agg.h"
#include "analyzer/inventory.h"
#include "common/rsla_base.h"
#include "common/rsla_time.h"
#include "rsla_test.h"

static int64_t MIN(const char *iso)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(iso, strlen(iso), &ns) != RSLA_TIME_OK)
        abort();
    return rsla_minute_of_ns(ns);
}

static void test_csv(void)
{
    csv_record *r;
    char err[128];
    /* BOM, CRLF, quoted comma, doubled quote, a quoted newline, empty fields, blank lines */
    const char *t = "\xEF\xBB\xBF"
                    "a,b,c\r\n"
                    "\"x,1\",\"say \"\"hi\"\"\",\r\n"
                    "\r\n"
                    "\"multi\nline\",,\"\"\n"
                    "last,row,no-newline";
    long n = csv_parse(t, strlen(t), &r, err, sizeof err);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_STR(r[0].fields[0], "a");
        CHECK_EQ_INT(r[0].line, 1);
        CHECK_EQ_INT(r[1].n, 3);
        CHECK_EQ_STR(r[1].fields[0], "x,1");
        CHECK_EQ_STR(r[1].fields[1], "say \"hi\"");
        CHECK_EQ_STR(r[1].fields[2], "");
        CHECK_EQ_INT(r[1].line, 2);
        CHECK_EQ_STR(r[2].fields[0], "multi\nline");
        CHECK_EQ_INT(r[2].line, 4);
        CHECK_EQ_INT(r[2].n, 3);
        CHECK_EQ_INT(r[3].line, 6);
        CHECK_EQ_STR(r[3].fields[2], "no-newline");
    }
    csv_records_free(r, n > 0 ? (size_t)n : 0);

    /* A quoted empty line is a record with one empty field, not a blank line. */
    n = csv_parse("h\n\"\"\n", 5, &r, err, sizeof err);
    CHECK_EQ_INT(n, 2);
    csv_records_free(r, (size_t)n);

    const struct {
        const char *text, *want;
    } bad[] = {
        { "a,b\n\"open,c\n", "2:1: unterminated quoted field" },
        { "a,b\nx\"y,z\n", "2:2: quote inside an unquoted field" },
        { "a,b\n\"x\"y,z\n", "2:4: text after a closing quote" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        CHECK_EQ_INT(csv_parse(bad[i].text, strlen(bad[i].text), &r, err, sizeof err), -1);
        if (!strstr(err, bad[i].want)) {
            fprintf(stderr, "csv case %zu: got \"%s\"\n", i, err);
            CHECK(0);
        }
    }
}

static void test_inventory(void)
{
    /* Columns in another order, an unknown column, hosts with ports and case, a VPC host. */
    const char *t = "monthly_fee,Hosts,notes,instance,currency,created,deleted\r\n"
                    "1580.00,\"Reg.Example.com:443; reg-vpc.example.com\",\"a, b\",cri-aaaa,cny,"
                    "2024-03-04T05:20:30+08:00,\r\n"
                    "1000,\"[2001:db8::1]:5000\",,cri-bbbb,JPY,,2024-04-01T00:00:00Z\r\n"
                    ",other.example,,cri-cccc,,,\r\n";
    char err[256] = "";
    inventory *inv = inventory_parse(t, strlen(t), "inv.csv", err, sizeof err);
    CHECK(inv != NULL);
    if (!inv) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_INT(inv->n_instances, 3);
    const inventory_instance *a = inventory_find(inv, "cri-aaaa");
    CHECK(a != NULL);
    CHECK_EQ_INT(a->n_hosts, 2);
    CHECK(a->has_created && !a->has_deleted);
    /* 05:20:30 floors to 05:20 */
    CHECK_EQ_INT(a->created_min, MIN("2024-03-04T05:20:00+08:00"));
    CHECK(a->has_fee);
    CHECK_EQ_INT(a->fee_minor, 158000);
    CHECK_EQ_INT(a->fee_decimals, 2);
    CHECK_EQ_STR(a->currency, "CNY");
    const inventory_instance *b = inventory_find(inv, "cri-bbbb");
    CHECK_EQ_INT(b->fee_minor, 1000); /* JPY has no minor unit */
    CHECK_EQ_INT(b->fee_decimals, 0);
    CHECK(b->has_deleted && !b->has_created);
    const inventory_instance *c = inventory_find(inv, "cri-cccc");
    CHECK(!c->has_fee);
    CHECK_EQ_STR(c->currency, "");
    CHECK(inventory_find(inv, "cri-zzzz") == NULL);

    /* The agg callback: normalised hosts (lower case, no port). */
    CHECK_EQ_STR(inventory_instance_of_host(inv, "reg.example.com"), "cri-aaaa");
    CHECK_EQ_STR(inventory_instance_of_host(inv, "reg-vpc.example.com"), "cri-aaaa");
    CHECK_EQ_STR(inventory_instance_of_host(inv, "other.example"), "cri-cccc");
    CHECK(inventory_instance_of_host(inv, "Reg.Example.com") == NULL); /* callers normalise */
    CHECK(inventory_instance_of_host(inv, "unknown.example") == NULL);
    /* agg_normalise_host keeps [v6] brackets or not: whatever it does, the inventory used the
     * same function, so the normalised form maps. */
    char norm[64];
    const char *v6 = "[2001:DB8::1]:5000";
    const size_t nn = agg_normalise_host(v6, strlen(v6), norm);
    norm[nn] = '\0';
    CHECK_EQ_STR(inventory_instance_of_host(inv, norm), "cri-bbbb");
    inventory_free(inv);

    CHECK_EQ_INT(inventory_currency_decimals("KWD"), 3);
    CHECK_EQ_INT(inventory_currency_decimals("KRW"), 0);
    CHECK_EQ_INT(inventory_currency_decimals("EUR"), 2);
    CHECK_EQ_INT(inventory_currency_decimals(""), 2);
}

static void test_inventory_errors(void)
{
    const struct {
        const char *text, *want;
    } bad[] = {
        { "", "inv.csv:1: empty file" },
        { "instance,created\na,\n", "inv.csv:1: the header must name the columns" },
        { "instance,hosts,hosts\n", "inv.csv:1: column \"hosts\" appears twice" },
        { "instance,hosts\na,h1\nb\n", "inv.csv:3: 1 fields, but the header has 2" },
        { "instance,hosts\n,h1\n", "inv.csv:2: empty instance id" },
        { "instance,hosts\na,h1\nb,h2\na,h3\n", "inv.csv:4: instance a already listed on line 2" },
        { "instance,hosts\na,h1\nb,\"x;H1:80\"\n",
          "inv.csv:3: host h1 of instance b is already a host of instance a (line 2)" },
        { "instance,hosts,created\na,h,2024-03-01\n", "inv.csv:2: created \"2024-03-01\" is not" },
        { "instance,hosts,created\na,h,2024-03-01T00:00:00\n", "add Z or an offset" },
        { "instance,hosts,created,deleted\na,h,2024-03-01T00:00:30Z,2024-03-01T00:00:50Z\n",
          "inv.csv:2: instance a: deleted must be at least one minute after created" },
        { "instance,hosts,monthly_fee\na,h,12.345\n", "more than 2 decimals" },
        { "instance,hosts,monthly_fee,currency\na,h,10.5,JPY\n", "more than 0 decimals" },
        { "instance,hosts,monthly_fee\na,h,-5\n", "not a non-negative decimal amount" },
        { "instance,hosts,monthly_fee\na,h,1e3\n", "not a non-negative decimal amount" },
        { "instance,hosts,monthly_fee\na,h,\"1,000\"\n", "not a non-negative decimal amount" },
        { "instance,hosts,currency\na,h,EURO\n", "not a three-letter ISO 4217 code" },
        { "instance,hosts\n\"a,h\n", "inv.csv:2:1: unterminated quoted field" },
        { "instance,hosts\na,\"x.example y.example\"\n",
          "inv.csv:2: instance a: \"x.example y.example\" is not a host name" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(bad); i++) {
        char err[256] = "";
        inventory *inv = inventory_parse(bad[i].text, strlen(bad[i].text), "inv.csv", err,
                                         sizeof err);
        CHECK(inv == NULL);
        inventory_free(inv);
        if (!strstr(err, bad[i].want)) {
            fprintf(stderr, "inventory case %zu: got \"%s\", want \"%s\"\n", i, err, bad[i].want);
            CHECK(0);
        }
    }
    char err[256];
    CHECK(inventory_load("/nonexistent/inv.csv", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/inv.csv: cannot read") != NULL);
}

static void test_exclusions(void)
{
    const char *t = "reason,end,start,instance\n"
                    "\"db upgrade, \"\"phase 2\"\"\",2024-03-05T12:00:00Z,2024-03-05T10:00:59Z,a\n"
                    "all hands,2024-03-01T01:00:00+08:00,2024-03-01T00:00:00+08:00,*\n"
                    "empty after flooring,2024-03-02T00:00:40Z,2024-03-02T00:00:10Z,b\n";
    char err[256] = "";
    exclusions *ex = exclusions_parse(t, strlen(t), "ex.csv", err, sizeof err);
    CHECK(ex != NULL);
    if (!ex) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_INT(ex->n, 3);
    /* sorted by start */
    CHECK_EQ_STR(ex->items[0].instance, "*");
    CHECK_EQ_INT(ex->items[0].start_min, MIN("2024-02-29T16:00:00Z"));
    CHECK_EQ_INT(ex->items[0].end_min, MIN("2024-02-29T17:00:00Z"));
    CHECK_EQ_STR(ex->items[1].instance, "b");
    CHECK_EQ_INT(ex->items[1].start_min, ex->items[1].end_min);
    CHECK_EQ_STR(ex->items[2].reason, "db upgrade, \"phase 2\"");
    CHECK_EQ_INT(ex->items[2].start_min, MIN("2024-03-05T10:00:00Z")); /* floored */
    CHECK_EQ_INT(ex->items[2].line, 2);
    exclusions_free(ex);

    const struct {
        const char *text, *want;
    } bad[] = {
        { "instance,start\n", "ex.csv:1: the header must name the columns" },
        { "instance,start,end\na,2024-03-05T12:00:00Z,2024-03-05T10:00:00Z\n",
          "ex.csv:2: end is before start" },
        { "instance,start,end\na,,2024-03-05T10:00:00Z\n", "needs both start and end" },
        { "instance,start,end\n,2024-03-05T10:00:00Z,2024-03-05T11:00:00Z\n", "empty instance" },
        { "instance,start,end\na,yesterday,2024-03-05T11:00:00Z\n", "start \"yesterday\"" },
    };
    for (size_t i = 0; i < RSLA_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        CHECK(exclusions_parse(bad[i].text, strlen(bad[i].text), "ex.csv", err, sizeof err) ==
              NULL);
        if (!strstr(err, bad[i].want)) {
            fprintf(stderr, "exclusions case %zu: got \"%s\"\n", i, err);
            CHECK(0);
        }
    }
    /* From a file. */
    char path[] = "/tmp/rsla_excl_XXXXXX";
    const int fd = mkstemp(path);
    const char *f = "instance,start,end\r\n*,2024-03-05T10:00:00Z,2024-03-05T11:00:00Z\r\n";
    CHECK(write(fd, f, strlen(f)) == (ssize_t)strlen(f));
    close(fd);
    ex = exclusions_load(path, err, sizeof err);
    CHECK(ex && ex->n == 1);
    exclusions_free(ex);
    unlink(path);
}

int main(void)
{
    test_csv();
    test_inventory();
    test_inventory_errors();
    test_exclusions();
    TEST_MAIN_END();
}
