/* analyzer/sla against an independent slow implementation of SLA-SPEC sections 5 and 6
 * (SLA-SPEC section 10), on random months with known outages.
 *
 * The reference walks every UTC minute of the period one by one. It relies on a property of
 * the zones it is given (whole-hour offsets, windows dividing 60 minutes): local midnight is then
 * always on a UTC window boundary, so a window is simply [m - m mod W, +W) in UTC minutes, and
 * the month of a minute is the civil month of m + offset(m). Service is checked minute by minute
 * against the lifetime and every exclusion; runs are measured over the consecutive windows of
 * the whole period; error-rate sums use 128-bit integers (valid counts are kept small so the
 * lcm stays small: one data minute per window). Nothing of sla.c's grid, interval or big-integer code is reused. */
#include <stdlib.h>

#include "analyzer/agg.h"
#include "analyzer/inventory.h"
#include "analyzer/policy.h"
#include "analyzer/sla.h"
#include "common/rsla_base.h"
#include "common/rsla_time.h"
#include "rsla_test.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static int64_t MIN(const char *iso)
{
    int64_t ns = 0;
    if (rsla_time_parse_rfc3339(iso, strlen(iso), &ns) != RSLA_TIME_OK)
        abort();
    return rsla_minute_of_ns(ns);
}

/* The period the data lives in: 2024-02-26 .. 2024-04-04 UTC, so months Feb, Mar, Apr. */
#define SPAN 56160 /* 39 days */
static int64_t span_start;

typedef struct counts {
    uint32_t v[2], f[2];
} counts;

typedef struct ref_inst {
    counts *c; /* per minute of the span */
    bool has_created, has_deleted;
    int64_t created, deleted;
} ref_inst;

typedef struct ref_excl {
    int inst; /* -1 = all */
    int64_t a, b;
} ref_excl;

static bool ref_in_service(const ref_inst *ri, int idx, const ref_excl *ex, int nex, int64_t m)
{
    if (ri->has_created && m < ri->created)
        return false;
    if (ri->has_deleted && m >= ri->deleted)
        return false;
    for (int k = 0; k < nex; k++)
        if ((ex[k].inst < 0 || ex[k].inst == idx) && m >= ex[k].a && m < ex[k].b)
            return false;
    return true;
}

static bool ref_bad1(const policy *p, uint64_t v, uint64_t f)
{
    if (v == 0 || v < (p->min_requests ? p->min_requests : 1))
        return false;
    return p->threshold_strict ? f * p->threshold_den > p->threshold_num * v
                               : f * p->threshold_den >= p->threshold_num * v;
}

static int64_t month_key_of(const tz_zone *z, int64_t m)
{
    rsla_civil c;
    rsla_civil_from_ns(m * RSLA_NS_PER_MIN, tz_offset_at(z, m * 60) / 60, &c);
    return c.year * 12 + c.month - 1;
}

typedef struct ref_row {
    int64_t key;
    int64_t service, unavailable;
    unsigned __int128 err_num, err_den; /* sum of m_w * f/v as a fraction */
    bool present;
} ref_row;

static unsigned __int128 g128(unsigned __int128 a, unsigned __int128 b)
{
    while (b) {
        unsigned __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static unsigned __int128 parse128(const char *s)
{
    unsigned __int128 v = 0;
    for (; *s; s++)
        v = v * 10 + (unsigned)(*s - '0');
    return v;
}

static int stat_rows, stat_unavail, stat_excl, stat_err;

static void run_case(int case_no, const policy *p, int n_inst, ref_inst *ri, const ref_excl *ex,
                     int nex, const sla_report *rep)
{
    const int64_t W = p->window_minutes;
    for (int i = 0; i < n_inst; i++) {
        /* Months with any minute entry of this instance in the span. */
        ref_row rows[4] = { 0 };
        const int64_t k0 = month_key_of(p->zone, span_start) - 1;
        for (int t = 0; t < SPAN; t++) {
            const counts *c = &ri[i].c[t];
            if (c->v[0] + c->v[1] + c->f[0] + c->f[1] == 0 && !(t % 997 == 0))
                continue;
            /* every 997th minute carries an "other" request: present without valid ones */
            const int64_t k = month_key_of(p->zone, span_start + t) - k0;
            rows[k].present = true;
        }
        /* Windows in order over the whole span (plus margins), runs. */
        const int64_t w_first = rsla_floor_div(span_start, W) * W;
        const int64_t n_w = (SPAN + 2 * W) / W;
        bool *bad = calloc((size_t)n_w, 1);
        int64_t *m_in = calloc((size_t)n_w, sizeof *m_in);
        uint64_t(*wv)[2] = calloc((size_t)n_w, sizeof *wv);
        uint64_t(*wf)[2] = calloc((size_t)n_w, sizeof *wf);
        for (int64_t w = 0; w < n_w; w++) {
            for (int64_t m = w_first + w * W; m < w_first + (w + 1) * W; m++) {
                if (!ref_in_service(&ri[i], i, ex, nex, m))
                    continue;
                m_in[w]++;
                const int64_t t = m - span_start;
                if (t < 0 || t >= SPAN)
                    continue;
                for (int c = 0; c < 2; c++) {
                    wv[w][c] += ri[i].c[t].v[c];
                    wf[w][c] += ri[i].c[t].f[c];
                }
            }
            bad[w] = p->classes == POLICY_COMBINED
                         ? ref_bad1(p, wv[w][0] + wv[w][1], wf[w][0] + wf[w][1])
                         : ref_bad1(p, wv[w][0], wf[w][0]) || ref_bad1(p, wv[w][1], wf[w][1]);
        }
        for (int k = 0; k < 4; k++) {
            rows[k].key = k0 + k;
            rows[k].err_den = 1;
        }
        for (int64_t w = 0; w < n_w;) {
            if (!bad[w]) {
                /* error-rate contribution of a good window with failures */
                w++;
                continue;
            }
            int64_t e = w;
            while (e + 1 < n_w && bad[e + 1])
                e++;
            if (e - w + 1 >= p->min_consecutive) {
                for (int64_t x = w; x <= e; x++) {
                    const int64_t k = month_key_of(p->zone, w_first + x * W) - k0;
                    if (k >= 0 && k < 4)
                        rows[k].unavailable += m_in[x];
                }
            }
            w = e + 1;
        }
        for (int64_t w = 0; w < n_w; w++) {
            uint64_t f = 0, v = 0;
            if (p->classes == POLICY_COMBINED) {
                v = wv[w][0] + wv[w][1];
                f = wf[w][0] + wf[w][1];
            } else {
                for (int c = 0; c < 2; c++)
                    if (wv[w][c] && (v == 0 || wf[w][c] * v > f * wv[w][c])) {
                        v = wv[w][c];
                        f = wf[w][c];
                    }
            }
            if (!v || !f || !m_in[w])
                continue;
            const int64_t k = month_key_of(p->zone, w_first + w * W) - k0;
            ref_row *r = &rows[k];
            /* r += m_in * f / v */
            r->err_num = r->err_num * v + (unsigned __int128)m_in[w] * f * r->err_den;
            r->err_den *= v;
            const unsigned __int128 g = g128(r->err_num, r->err_den);
            r->err_num /= g;
            r->err_den /= g;
        }
        /* Service minutes per month, minute by minute over the whole month. */
        for (int k = 0; k < 4; k++) {
            if (!rows[k].present)
                continue;
            const int64_t key = rows[k].key;
            const int64_t y = key / 12;
            const int mo = (int)(key % 12) + 1;
            const int64_t ms = tz_midnight_utc(p->zone, y, mo, 1) / 60;
            const int64_t me = tz_midnight_utc(p->zone, mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) / 60;
            for (int64_t m = ms; m < me; m++)
                if (ref_in_service(&ri[i], i, ex, nex, m))
                    rows[k].service++;
        }
        /* Compare with the report. */
        char name[16];
        snprintf(name, sizeof name, "i%d", i);
        for (int k = 0; k < 4; k++) {
            char month[24];
            snprintf(month, sizeof month, "%04d-%02d", (int)(rows[k].key / 12),
                     (int)(rows[k].key % 12) + 1);
            const sla_row *row = NULL;
            for (size_t x = 0; x < rep->n_rows; x++)
                if (strcmp(rep->rows[x].instance, name) == 0 &&
                    strcmp(rep->rows[x].month, month) == 0)
                    row = &rep->rows[x];
            if (!rows[k].present) {
                CHECK(row == NULL);
                continue;
            }
            CHECK(row != NULL);
            if (!row)
                continue;
            const ref_row *r = &rows[k];
            bool ok = row->service_minutes == r->service &&
                      row->unavailable_minutes == r->unavailable;
            /* availability N/D */
            unsigned __int128 N, D;
            if (r->service == 0) {
                N = D = 1;
            } else if (p->mode == POLICY_DOWNTIME) {
                N = (unsigned __int128)(r->service - r->unavailable);
                D = (unsigned __int128)r->service;
            } else {
                D = r->err_den * (unsigned __int128)r->service;
                N = D - r->err_num;
            }
            const unsigned __int128 g = g128(N, D);
            ok = ok && parse128(row->availability_num) == N / g &&
                 parse128(row->availability_den) == D / g;
            /* met: N/D * 100 >= target */
            unsigned __int128 tp = 1;
            for (int s = 0; s < p->target.scale; s++)
                tp *= 10;
            const bool met = N * 100 * tp >= (unsigned __int128)p->target.units * D;
            ok = ok && row->met == met;
            if (!ok) {
                fprintf(stderr,
                        "case %d %s %s: service %lld/%lld unavailable %lld/%lld avail %s/%s "
                        "met %d/%d\n",
                        case_no, name, month, (long long)row->service_minutes,
                        (long long)r->service, (long long)row->unavailable_minutes,
                        (long long)r->unavailable, row->availability_num, row->availability_den,
                        row->met, met);
            }
            CHECK(ok);
            stat_rows++;
            stat_unavail += r->unavailable > 0;
            stat_excl += row->excluded_minutes > 0;
            stat_err += p->mode == POLICY_ERROR_RATE && r->err_num > 0;
        }
        free(bad);
        free(m_in);
        free(wv);
        free(wf);
    }
}

int main(void)
{
    span_start = MIN("2024-02-26T00:00:00Z");
    const char *policies[] = {
        "{\"base\":\"acr-ee\"}",
        "{\"base\":\"gcp\"}",
        "{\"base\":\"scaleway\"}",
        "{\"base\":\"aws-s3\"}",
        "{\"base\":\"gcp\",\"zone\":\"America/New_York\"}",
        "{\"base\":\"scaleway\",\"zone\":\"America/New_York\",\"window_minutes\":15}",
        "{\"base\":\"aws-s3\",\"zone\":\"America/New_York\",\"classes\":\"either\"}",
        "{\"base\":\"acr-ee\",\"zone\":\"Europe/Berlin\",\"window_minutes\":10,"
        "\"threshold\":\"1/3\",\"min_consecutive\":3,\"classes\":\"combined\"}",
        "{\"base\":\"acr-ee\",\"zone\":\"-05:00\",\"window_minutes\":2,\"threshold\":\"1/2\","
        "\"min_requests\":3,\"target\":\"99.99\"}",
    };
    const int cases = 48;
    for (int cs = 0; cs < cases; cs++) {
        policy p;
        char err[256];
        const char *pj = policies[cs % RSLA_ARRAY_LEN(policies)];
        if (!policy_parse(pj, strlen(pj), "ref.json", &p, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        enum { NI = 3 };
        ref_inst ri[NI] = { 0 };
        agg_instance ai[NI] = { 0 };
        agg_minute *am[NI];
        char names[NI][16];
        /* instances: random bursts of failures over the span; lifetimes for some */
        for (int i = 0; i < NI; i++) {
            ri[i].c = calloc(SPAN, sizeof *ri[i].c);
            static const uint32_t vals[] = { 1, 2, 3, 4, 5, 6, 8, 10, 12 };
            const int bursts = 5 + (int)rnd(30);
            for (int b = 0; b < bursts; b++) {
                const int start = (int)rnd(SPAN - 60);
                const int len = 1 + (int)rnd(40);
                const uint32_t fail_mode = rnd(4);
                for (int t = start; t < start + len; t++) {
                    /* error-rate: one data minute per window keeps every window's valid count
                     * at most 24, so the reference's exact sums fit 128 bits */
                    if (p.mode == POLICY_ERROR_RATE && t % p.window_minutes != 0)
                        continue;
                    for (int c = 0; c < 2; c++) {
                        if (rnd(3) == 0)
                            continue;
                        const uint32_t v = vals[rnd(RSLA_ARRAY_LEN(vals))];
                        uint32_t f = fail_mode == 0 ? v : fail_mode == 1 ? rnd(v + 1) : 0;
                        if (fail_mode == 3 && rnd(2))
                            f = v / 2;
                        ri[i].c[t].v[c] = v;
                        ri[i].c[t].f[c] = f;
                    }
                }
            }
            if (rnd(3) == 0) {
                ri[i].has_created = true;
                ri[i].created = span_start + rnd(SPAN);
            }
            if (rnd(3) == 0) {
                ri[i].has_deleted = true;
                ri[i].deleted = (ri[i].has_created ? ri[i].created + 1 : span_start) +
                                rnd(SPAN / 2);
            }
            am[i] = calloc(SPAN, sizeof *am[i]);
            size_t n = 0;
            for (int t = 0; t < SPAN; t++) {
                const counts *c = &ri[i].c[t];
                if (c->v[0] + c->v[1] + c->f[0] + c->f[1] == 0 && !(t % 997 == 0))
                    continue;
                am[i][n].minute = span_start + t;
                for (int k = 0; k < 2; k++) {
                    am[i][n].valid[k] = c->v[k];
                    am[i][n].failed[k] = c->f[k];
                }
                am[i][n].other = t % 997 == 0 ? 1 : 0;
                n++;
            }
            snprintf(names[i], sizeof names[i], "i%d", i);
            ai[i].name = names[i];
            ai[i].minutes = am[i];
            ai[i].n_minutes = n;
        }
        /* exclusions: a few, some for all */
        ref_excl ex[6];
        int nex = (int)rnd(6);
        char csv[2048] = "instance,start,end,reason\n";
        for (int k = 0; k < nex; k++) {
            ex[k].inst = rnd(3) == 0 ? -1 : (int)rnd(NI);
            ex[k].a = span_start + rnd(SPAN);
            ex[k].b = ex[k].a + 1 + rnd(300);
            char a[48], b[48];
            rsla_time_format(a, ex[k].a * RSLA_NS_PER_MIN, 0, true);
            rsla_time_format(b, ex[k].b * RSLA_NS_PER_MIN, 0, true);
            char line[160];
            snprintf(line, sizeof line, "%s,%s,%s,r%d\n", ex[k].inst < 0 ? "*" : names[ex[k].inst],
                     a, b, k);
            strcat(csv, line);
        }
        exclusions *exs = exclusions_parse(csv, strlen(csv), "ex.csv", err, sizeof err);
        CHECK(exs != NULL);
        char icsv[2048] = "instance,hosts,created,deleted\n";
        for (int i = 0; i < NI; i++) {
            char a[48] = "", b[48] = "", line[200];
            if (ri[i].has_created)
                rsla_time_format(a, ri[i].created * RSLA_NS_PER_MIN, 0, true);
            if (ri[i].has_deleted)
                rsla_time_format(b, ri[i].deleted * RSLA_NS_PER_MIN, 0, true);
            snprintf(line, sizeof line, "%s,h%d,%s,%s\n", names[i], i, a, b);
            strcat(icsv, line);
        }
        inventory *inv = inventory_parse(icsv, strlen(icsv), "inv.csv", err, sizeof err);
        CHECK(inv != NULL);
        agg_result res = { .instances = ai, .n_instances = NI };
        /* Every other round of policies shares the instances between two threads: the same
         * reference. */
        const unsigned threads = (unsigned)((cs / (int)RSLA_ARRAY_LEN(policies)) % 2) + 1;
        sla_report *rep = sla_compute_threads(&p, inv, exs, NULL, &res, threads, err, sizeof err);
        CHECK(rep != NULL);
        if (rep && exs && inv)
            run_case(cs, &p, NI, ri, ex, nex, rep);
        sla_report_free(rep);
        inventory_free(inv);
        exclusions_free(exs);
        for (int i = 0; i < NI; i++) {
            free(ri[i].c);
            free(am[i]);
        }
        policy_release(&p);
    }
    /* The cases must exercise what they claim to. */
    printf("rows %d, with downtime %d, with exclusions %d, error-rate with failures %d\n",
           stat_rows, stat_unavail, stat_excl, stat_err);
    CHECK(stat_unavail > stat_rows / 4);
    CHECK(stat_excl > 10);
    CHECK(stat_err > 10);
    TEST_MAIN_END();
}
