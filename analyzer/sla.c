/* The SLA engine; see sla.h for the model (window grid, service period, runs). */
#include "analyzer/sla.h"

#include <pthread.h> /* pthread_create: the instances of a report on two threads */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free, qsort */
#include <string.h> /* strcmp */

#include "analyzer/sla_num.h" /* sla_big */
#include "common/rsla_base.h" /* rsla_xmalloc */
#include "common/rsla_time.h" /* rsla_days_from_civil, rsla_floor_div */

/* Unbounded ends of a lifetime, far from overflow in minute arithmetic. */
#define SLA_NEG_INF (INT64_MIN / 4)
#define SLA_POS_INF (INT64_MAX / 4)

/* MARK: - Growable arrays (Private) */

#define PUSH(arr, n, cap)                                                  \
    do {                                                                   \
        if ((n) == (cap)) {                                                \
            (cap) = (cap) ? (cap) * 2 : 16;                                \
            (arr) = rsla_xrealloc((arr), (cap) * sizeof *(arr));           \
        }                                                                  \
        memset(&(arr)[(n)], 0, sizeof *(arr));                             \
        (n)++;                                                             \
    } while (0)

/* MARK: - Window grid (Private) */

static int64_t ceil_minute(int64_t sec) { return -rsla_floor_div(-sec, 60); }

/* UTC minute at which the local day `days` (days since 1970-01-01, local) begins. */
static int64_t day_start_min(const tz_zone *z, int64_t days)
{
    return ceil_minute(tz_utc_of_local(z, days * 86400));
}

typedef struct grid {
    const tz_zone *z;
    int64_t w;
    bool valid;
    int64_t day, ds, de; /* local day number and its UTC minutes [ds, de) */
    int64_t month_key;   /* y*12 + (m-1) of that day: every minute asks, the day rarely changes */
} grid;

static void grid_day(grid *g, int64_t minute)
{
    if (g->valid && minute >= g->ds && minute < g->de)
        return;
    const int64_t off = tz_offset_at(g->z, minute * 60);
    int64_t day = rsla_floor_div(minute * 60 + off, 86400);
    for (int i = 0; i < 8; i++) {
        g->ds = day_start_min(g->z, day);
        g->de = day_start_min(g->z, day + 1);
        if (minute < g->ds)
            day--;
        else if (minute >= g->de)
            day++;
        else
            break;
    }
    g->day = day;
    int64_t y;
    int m, d;
    rsla_civil_from_days(day, &y, &m, &d);
    g->month_key = y * 12 + (m - 1);
    g->valid = true;
}

static void grid_window(grid *g, int64_t minute, int64_t *ws, int64_t *we)
{
    grid_day(g, minute);
    const int64_t k = (minute - g->ds) / g->w;
    *ws = g->ds + k * g->w;
    *we = RSLA_MIN(*ws + g->w, g->de);
}

/* Month key y*12 + (m-1) of the local day of a minute. */
static int64_t grid_month_key(grid *g, int64_t minute)
{
    grid_day(g, minute);
    return g->month_key;
}

static void month_bounds(const tz_zone *z, int64_t key, int64_t *ms, int64_t *me)
{
    const int64_t y = rsla_floor_div(key, 12);
    const int m = (int)(key - y * 12) + 1;
    *ms = day_start_min(z, rsla_days_from_civil(y, m, 1));
    *me = day_start_min(z, m == 12 ? rsla_days_from_civil(y + 1, 1, 1)
                                   : rsla_days_from_civil(y, m + 1, 1));
}

static void month_name(int64_t key, char out[8])
{
    const int64_t y = rsla_floor_div(key, 12);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04lld-%02d", (long long)(y % 10000), (int)(key - y * 12) + 1);
    memcpy(out, tmp, 7);
    out[7] = '\0';
}

/* Number of grid windows that start in [a, b), where a is a window start. */
static uint64_t count_windows(grid *g, int64_t a, int64_t b)
{
    uint64_t n = 0;
    int64_t t = a;
    while (t < b) {
        grid_day(g, t);
        const int64_t end = RSLA_MIN(b, g->de);
        n += (uint64_t)((end - t + g->w - 1) / g->w);
        t = g->de;
    }
    return n;
}

bool sla_month_parse(const char *s, int *year, int *month)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return false;
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (y < 1000 || m < 1 || m > 12)
        return false;
    *year = y;
    *month = m;
    return true;
}

/* MARK: - Service period (Private) */

typedef struct ivl {
    int64_t a, b;
} ivl;

typedef struct ivls {
    ivl *v;
    size_t n, cap;
} ivls;

/* Lifetime minus the exclusions that apply to this instance, as sorted disjoint intervals. */
static void service_intervals(const char *instance, const inventory_instance *ii,
                              const exclusions *ex, ivls *out)
{
    const int64_t lo = ii && ii->has_created ? ii->created_min : SLA_NEG_INF;
    const int64_t hi = ii && ii->has_deleted ? ii->deleted_min : SLA_POS_INF;
    out->n = 0;
    int64_t cur = lo;
    for (size_t i = 0; ex && i < ex->n && cur < hi; i++) {
        const exclusion *e = &ex->items[i];
        if (strcmp(e->instance, "*") != 0 && strcmp(e->instance, instance) != 0)
            continue;
        if (e->end_min <= cur || e->start_min >= e->end_min)
            continue;
        if (e->start_min > cur) {
            PUSH(out->v, out->n, out->cap);
            out->v[out->n - 1] = (ivl){ cur, RSLA_MIN(e->start_min, hi) };
        }
        cur = RSLA_MAX(cur, e->end_min);
    }
    if (cur < hi) {
        PUSH(out->v, out->n, out->cap);
        out->v[out->n - 1] = (ivl){ cur, hi };
    }
}

/* Minutes of [a, b) inside the intervals. */
static int64_t overlap(const ivls *s, int64_t a, int64_t b)
{
    size_t lo = 0, hi = s->n; /* first interval with end > a */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].b > a)
            hi = mid;
        else
            lo = mid + 1;
    }
    int64_t sum = 0;
    for (size_t i = lo; i < s->n && s->v[i].a < b; i++)
        sum += RSLA_MIN(b, s->v[i].b) - RSLA_MAX(a, s->v[i].a);
    return sum;
}

/* MARK: - Windows and rows (Private) */

typedef struct wrec {
    int64_t ws, we, m_in;
    int64_t month_key;
    uint64_t v[2], f[2];
    bool bad, counted;
} wrec;

typedef struct macc {
    int64_t key;
    sla_class_counts push, pull;
    uint64_t other, out_of_service;
} macc;

static bool class_bad(const policy *p, uint64_t v, uint64_t f)
{
    const uint64_t min_req = p->min_requests ? p->min_requests : 1;
    if (v == 0 || v < min_req)
        return false;
    const unsigned __int128 lhs = (unsigned __int128)f * p->threshold_den;
    const unsigned __int128 rhs = (unsigned __int128)p->threshold_num * v;
    return p->threshold_strict ? lhs > rhs : lhs >= rhs;
}

static bool window_bad(const policy *p, const wrec *w)
{
    if (p->classes == POLICY_COMBINED)
        return class_bad(p, w->v[0] + w->v[1], w->f[0] + w->f[1]);
    return class_bad(p, w->v[0], w->f[0]) || class_bad(p, w->v[1], w->f[1]);
}

/* Failed share of a window for error-rate mode: combined, or the worse class with `either`.
 * Returns false when the window has no valid request (it counts 0). */
static bool window_rate(const policy *p, const wrec *w, uint64_t *f, uint64_t *v)
{
    *f = *v = 0;
    if (p->classes == POLICY_COMBINED) {
        *v = w->v[0] + w->v[1];
        *f = w->f[0] + w->f[1];
        return *v > 0;
    }
    bool any = false;
    for (int c = 0; c < 2; c++) {
        if (w->v[c] == 0)
            continue;
        /* f_c / v_c > f / v  <=>  f_c * v > f * v_c */
        if (!any || (unsigned __int128)w->f[c] * *v > (unsigned __int128)*f * w->v[c]) {
            *f = w->f[c];
            *v = w->v[c];
        }
        any = true;
    }
    return any;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        const uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* P/Q += t/d exactly, keeping Q the lcm of the denominators seen. */
static void frac_add(sla_big *P, sla_big *Q, uint64_t t, uint64_t d)
{
    const uint64_t g = gcd_u64(sla_big_mod_u64(Q, d), d);
    const uint64_t d_over_g = d / g;
    sla_big_mul_u64(P, d_over_g);
    sla_big q_over_g = SLA_BIG_INIT, gb = SLA_BIG_INIT;
    sla_big_set_u64(&gb, g);
    sla_big_divmod(Q, &gb, &q_over_g, NULL);
    sla_big_mul_u64(&q_over_g, t);
    sla_big_add(P, &q_over_g);
    sla_big_mul_u64(Q, d_over_g);
    sla_big_free(&q_over_g);
    sla_big_free(&gb);
}

/* a*100 vs a decimal percent: N*100*10^s <=> units*D. */
static int cmp_percent(const sla_big *N, const sla_big *D, policy_dec pct)
{
    sla_big l = SLA_BIG_INIT, r = SLA_BIG_INIT;
    sla_big_copy(&l, N);
    sla_big_mul_u64(&l, 100);
    for (int i = 0; i < pct.scale; i++)
        sla_big_mul_u64(&l, 10);
    sla_big_copy(&r, D);
    sla_big_mul_u64(&r, (uint64_t)pct.units);
    const int c = sla_big_cmp(&l, &r);
    sla_big_free(&l);
    sla_big_free(&r);
    return c;
}

/* Availability N/D (reduced in place) into the row: fraction, percent, met, tier, credit. */
static void finish_row(const policy *p, sla_row *row, sla_big *N, sla_big *D)
{
    sla_big g = SLA_BIG_INIT, t = SLA_BIG_INIT;
    sla_big_gcd(&g, N, D);
    if (!sla_big_is_zero(&g)) {
        sla_big_divmod(N, &g, &t, NULL);
        sla_big_copy(N, &t);
        sla_big_divmod(D, &g, &t, NULL);
        sla_big_copy(D, &t);
    }
    row->availability_num = sla_big_to_dec(N);
    row->availability_den = sla_big_to_dec(D);

    /* Percent with 4 decimals = N * 10^6 / D, rounded half to even. */
    sla_big x = SLA_BIG_INIT, q = SLA_BIG_INIT, r = SLA_BIG_INIT;
    sla_big_copy(&x, N);
    sla_big_mul_u64(&x, 1000000);
    sla_big_divmod(&x, D, &q, &r);
    uint64_t qv = 0;
    sla_big_to_u64(&q, &qv);
    sla_big_mul_u64(&r, 2);
    const int c = sla_big_cmp(&r, D);
    if (c > 0 || (c == 0 && (qv & 1)))
        qv++;
    snprintf(row->availability_percent, sizeof row->availability_percent, "%llu.%04llu",
             (unsigned long long)(qv / 10000), (unsigned long long)(qv % 10000));

    row->met = cmp_percent(N, D, p->target) >= 0;
    row->tier = -1;
    row->credit_percent = (policy_dec){ 0, 0 };
    for (size_t i = 0; i < p->n_tiers; i++) {
        const policy_tier *tr = &p->tiers[i];
        if (tr->has_lower && cmp_percent(N, D, tr->lower) < 0)
            continue;
        if (tr->has_upper && cmp_percent(N, D, tr->upper) >= 0)
            continue;
        row->tier = (int)i;
        row->credit_percent = tr->percent;
        break;
    }
    if (p->has_cap && policy_dec_cmp(row->credit_percent, p->cap) > 0)
        row->credit_percent = p->cap;
    if (row->has_fee) {
        /* fee * units / (100 * 10^scale), half-up; fee < 2^63 and units < 2^40. */
        unsigned __int128 den = 100;
        for (int i = 0; i < row->credit_percent.scale; i++)
            den *= 10;
        const unsigned __int128 num =
            (unsigned __int128)(uint64_t)row->fee_minor * (uint64_t)row->credit_percent.units;
        row->credit_amount_minor = (int64_t)((2 * num + den) / (2 * den));
    }
    sla_big_free(&g);
    sla_big_free(&t);
    sla_big_free(&x);
    sla_big_free(&q);
    sla_big_free(&r);
}

/* MARK: - Incidents (Private) */

static int cmp_status_count(const void *a, const void *b)
{
    const sla_status_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->status > y->status) - (x->status < y->status);
}

static int cmp_name_key(const void *a, const void *b)
{
    const sla_name_count *x = a, *y = b;
    const int c = strcmp(x->method ? x->method : "", y->method ? y->method : "");
    return c ? c : strcmp(x->name, y->name);
}

static int cmp_name_count(const void *a, const void *b)
{
    const sla_name_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return cmp_name_key(a, b);
}

/* Merges equal keys (sorted first), keeps the top `top` by count; names are borrowed until
 * then and copied at the end. */
static size_t top_names(sla_name_count *v, size_t n, size_t top)
{
    if (n == 0)
        return 0;
    rsla_sort(v, n, sizeof *v, cmp_name_key);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && cmp_name_key(&v[m - 1], &v[i]) == 0)
            v[m - 1].count += v[i].count;
        else
            v[m++] = v[i];
    }
    rsla_sort(v, m, sizeof *v, cmp_name_count);
    if (m > top)
        m = top;
    for (size_t i = 0; i < m; i++) {
        v[i].name = rsla_xstrndup(v[i].name, strlen(v[i].name));
        if (v[i].method)
            v[i].method = rsla_xstrndup(v[i].method, strlen(v[i].method));
    }
    return m;
}

static bool minute_in_service(const ivls *svc, int64_t m) { return overlap(svc, m, m + 1) > 0; }

static void incident_details(sla_incident *inc, const agg_instance *ai, const ivls *svc)
{
    /* Failures: first with minute >= start. */
    size_t lo = 0, hi = ai->n_failures;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (ai->failures[mid].minute < inc->start_min)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t ns = 0, cs = 0, nr = 0, cr = 0, ne = 0, ce = 0;
    sla_status_count *st = NULL;
    sla_name_count *repos = NULL, *eps = NULL;
    for (size_t i = lo; i < ai->n_failures && ai->failures[i].minute < inc->end_min; i++) {
        const agg_failure *f = &ai->failures[i];
        if (!minute_in_service(svc, f->minute))
            continue;
        size_t k = 0;
        while (k < ns && st[k].status != f->status)
            k++;
        if (k == ns) {
            PUSH(st, ns, cs);
            st[k].status = f->status;
        }
        st[k].count += f->count;
        if (f->repository && f->repository[0]) {
            PUSH(repos, nr, cr);
            repos[nr - 1] = (sla_name_count){ (char *)f->repository, NULL, f->count };
        }
        PUSH(eps, ne, ce);
        eps[ne - 1] = (sla_name_count){ (char *)classify_endpoint_name((classify_endpoint)f->endpoint),
                                        (char *)(f->method ? f->method : ""), f->count };
    }
    if (ns)
        rsla_sort(st, ns, sizeof *st, cmp_status_count);
    inc->statuses = st;
    inc->n_statuses = ns;
    inc->n_repositories = top_names(repos, nr, SLA_INCIDENT_TOP);
    inc->repositories = repos;
    inc->n_endpoints = top_names(eps, ne, SLA_INCIDENT_TOP);
    inc->endpoints = eps;

    const int64_t start_ns = inc->start_min * RSLA_NS_PER_MIN;
    lo = 0;
    hi = ai->n_failed_requests;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (ai->failed_requests[mid].time_ns < start_ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t nid = 0, cid = 0;
    sla_request_ref *ids = NULL;
    for (size_t i = lo; i < ai->n_failed_requests && nid < SLA_INCIDENT_IDS; i++) {
        const agg_failed_request *fr = &ai->failed_requests[i];
        const int64_t m = rsla_minute_of_ns(fr->time_ns);
        if (m >= inc->end_min)
            break;
        if (!minute_in_service(svc, m) || !fr->request_id || !fr->request_id[0])
            continue;
        PUSH(ids, nid, cid);
        ids[nid - 1].time_ns = fr->time_ns;
        ids[nid - 1].request_id = rsla_xstrndup(fr->request_id, strlen(fr->request_id));
    }
    inc->request_ids = ids;
    inc->n_request_ids = nid;
}

/* MARK: - Report assembly */

typedef struct builder {
    sla_report *r;
    size_t cap_rows, cap_inc, cap_gaps, cap_months;
    const policy *p;
    bool filter;
    int64_t fkey, fms, fme; /* filter month and its bounds */
} builder;

static const sla_coverage_month *find_cov(const sla_report *r, const char *month)
{
    for (size_t i = 0; i < r->n_months; i++)
        if (strcmp(r->months[i].month, month) == 0)
            return &r->months[i];
    return NULL;
}

static void do_coverage(builder *b, const agg_result *agg)
{
    sla_report *r = b->r;
    grid g = { .z = b->p->zone, .w = b->p->window_minutes };
    /* All months with lines, and gaps between observed windows. */
    sla_coverage_month *months = NULL;
    size_t nm = 0, cm = 0;
    sla_gap *gaps = NULL;
    size_t ng = 0, cg = 0;
    int64_t prev_we = 0;
    bool have_prev = false;
    int64_t cur_key = 0;
    for (size_t i = 0; i < agg->n_coverage; i++) {
        const agg_coverage_minute *c = &agg->coverage[i];
        const int64_t key = grid_month_key(&g, c->minute);
        if (nm == 0 || key != cur_key) {
            PUSH(months, nm, cm);
            sla_coverage_month *mo = &months[nm - 1];
            month_name(key, mo->month);
            month_bounds(b->p->zone, key, &mo->month_start_min, &mo->month_end_min);
            mo->first_ns = c->first_ns;
            mo->last_ns = c->last_ns;
            cur_key = key;
        }
        sla_coverage_month *mo = &months[nm - 1];
        mo->first_ns = RSLA_MIN(mo->first_ns, c->first_ns);
        mo->last_ns = RSLA_MAX(mo->last_ns, c->last_ns);
        mo->observed_minutes++;
        int64_t ws, we;
        grid_window(&g, c->minute, &ws, &we);
        if (have_prev && ws > prev_we) {
            PUSH(gaps, ng, cg);
            gaps[ng - 1] = (sla_gap){ prev_we, ws, count_windows(&g, prev_we, ws) };
        }
        prev_we = RSLA_MAX(prev_we, we);
        if (!have_prev)
            prev_we = we;
        have_prev = true;
    }
    const int64_t tol = RSLA_MAX((int64_t)b->p->partial_tolerance_minutes, g.w);
    for (size_t i = 0; i < nm; i++) {
        sla_coverage_month *mo = &months[i];
        const int64_t first_min = rsla_minute_of_ns(mo->first_ns);
        const int64_t last_min = rsla_minute_of_ns(mo->last_ns);
        mo->partial = first_min - mo->month_start_min >= tol ||
                      mo->month_end_min - (last_min + 1) >= tol;
        for (size_t k = 0; k < ng; k++) {
            const int64_t a = RSLA_MAX(gaps[k].start_min, mo->month_start_min);
            const int64_t e = RSLA_MIN(gaps[k].end_min, mo->month_end_min);
            if (a < e) {
                mo->gaps++;
                mo->gap_minutes += e - a;
            }
        }
    }
    /* Month filter. */
    for (size_t i = 0; i < nm; i++) {
        if (b->filter && strcmp(months[i].month, r->month_filter) != 0)
            continue;
        PUSH(r->months, r->n_months, b->cap_months);
        r->months[r->n_months - 1] = months[i];
    }
    for (size_t k = 0; k < ng; k++) {
        if (b->filter && (gaps[k].end_min <= b->fms || gaps[k].start_min >= b->fme))
            continue;
        PUSH(r->gaps, r->n_gaps, b->cap_gaps);
        r->gaps[r->n_gaps - 1] = gaps[k];
    }
    free(gaps);
    free(months);
}

static void do_instance(builder *b, const agg_instance *ai, const inventory *inv,
                        const exclusions *ex)
{
    const policy *p = b->p;
    sla_report *r = b->r;
    const inventory_instance *ii = inv ? inventory_find(inv, ai->name) : NULL;
    ivls svc = { 0 };
    service_intervals(ai->name, ii, ex, &svc);
    grid g = { .z = p->zone, .w = p->window_minutes };

    wrec *w = NULL;
    size_t nw = 0, cw = 0;
    macc *months = NULL;
    size_t nm = 0, cm = 0;
    agg_minute batch[AGG_MINUTES_BATCH];
    for (size_t pos = 0, n_batch; (n_batch = agg_minutes_next(ai, &pos, batch)) > 0;) {
        for (size_t i = 0; i < n_batch; i++) {
            const agg_minute *am = &batch[i];
            const int64_t key = grid_month_key(&g, am->minute);
            if (nm == 0 || months[nm - 1].key != key) {
                PUSH(months, nm, cm);
                months[nm - 1].key = key;
            }
            macc *mo = &months[nm - 1];
            mo->other += am->other;
            int64_t ws, we;
            grid_window(&g, am->minute, &ws, &we);
            const bool in = minute_in_service(&svc, am->minute);
            if (!in) {
                mo->out_of_service += (uint64_t)am->valid[0] + am->valid[1];
                continue;
            }
            mo->push.valid += am->valid[CLASSIFY_PUSH];
            mo->push.failed += am->failed[CLASSIFY_PUSH];
            mo->pull.valid += am->valid[CLASSIFY_PULL];
            mo->pull.failed += am->failed[CLASSIFY_PULL];
            if (nw == 0 || w[nw - 1].ws != ws) {
                PUSH(w, nw, cw);
                w[nw - 1].ws = ws;
                w[nw - 1].we = we;
                w[nw - 1].m_in = overlap(&svc, ws, we);
                w[nw - 1].month_key = key;
            }
            for (int c = 0; c < 2; c++) {
                w[nw - 1].v[c] += am->valid[c];
                w[nw - 1].f[c] += am->failed[c];
            }
        }
    }
    for (size_t i = 0; i < nw; i++)
        w[i].bad = window_bad(p, &w[i]);

    /* Runs of adjacent bad windows: incidents, and min_consecutive. */
    for (size_t i = 0; i < nw;) {
        if (!w[i].bad) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < nw && w[j + 1].bad && w[j + 1].ws == w[j].we)
            j++;
        const bool counted = j - i + 1 >= p->min_consecutive;
        sla_incident inc = { 0 };
        inc.start_min = w[i].ws;
        inc.end_min = w[j].we;
        inc.windows = j - i + 1;
        inc.counted = counted;
        for (size_t k = i; k <= j; k++) {
            w[k].counted = counted;
            inc.minutes += w[k].m_in;
            inc.push.valid += w[k].v[0];
            inc.push.failed += w[k].f[0];
            inc.pull.valid += w[k].v[1];
            inc.pull.failed += w[k].f[1];
        }
        if (!b->filter || (inc.end_min > b->fms && inc.start_min < b->fme)) {
            inc.instance = rsla_xstrndup(ai->name, strlen(ai->name));
            incident_details(&inc, ai, &svc);
            PUSH(r->incidents, r->n_incidents, b->cap_inc);
            r->incidents[r->n_incidents - 1] = inc;
        }
        i = j + 1;
    }

    /* One row per month with requests. */
    size_t wi = 0;
    for (size_t mi = 0; mi < nm; mi++) {
        const macc *mo = &months[mi];
        sla_row row = { 0 };
        month_name(mo->key, row.month);
        month_bounds(p->zone, mo->key, &row.month_start_min, &row.month_end_min);
        sla_big P = SLA_BIG_INIT, Q = SLA_BIG_INIT;
        sla_big_set_u64(&Q, 1);
        while (wi < nw && w[wi].month_key < mo->key)
            wi++;
        for (; wi < nw && w[wi].month_key == mo->key; wi++) {
            const wrec *x = &w[wi];
            if (x->bad)
                row.bad_windows++;
            if (x->bad && x->counted) {
                row.counted_bad_windows++;
                row.unavailable_minutes += x->m_in;
            }
            uint64_t f = 0, v = 0;
            if (p->mode == POLICY_ERROR_RATE && x->m_in > 0 && window_rate(p, x, &f, &v) && f)
                frac_add(&P, &Q, (uint64_t)x->m_in * f, v);
        }
        if (b->filter && mo->key != b->fkey) {
            sla_big_free(&P);
            sla_big_free(&Q);
            continue;
        }
        row.instance = rsla_xstrndup(ai->name, strlen(ai->name));
        const int64_t life_lo = ii && ii->has_created ? ii->created_min : SLA_NEG_INF;
        const int64_t life_hi = ii && ii->has_deleted ? ii->deleted_min : SLA_POS_INF;
        const int64_t a = RSLA_MAX(row.month_start_min, life_lo);
        const int64_t e = RSLA_MIN(row.month_end_min, life_hi);
        row.service_minutes = overlap(&svc, row.month_start_min, row.month_end_min);
        row.excluded_minutes = (a < e ? e - a : 0) - row.service_minutes;
        row.push = mo->push;
        row.pull = mo->pull;
        row.other = mo->other;
        row.out_of_service = mo->out_of_service;
        if (ii) {
            row.has_fee = ii->has_fee;
            row.fee_minor = ii->fee_minor;
            row.fee_decimals = ii->fee_decimals;
            memcpy(row.currency, ii->currency, sizeof row.currency);
        } else {
            row.fee_decimals = 2;
        }
        /* Availability as N/D. */
        sla_big N = SLA_BIG_INIT, D = SLA_BIG_INIT;
        const uint64_t S = (uint64_t)row.service_minutes;
        if (S == 0) {
            /* Nothing was promised this month: availability 1, no credit. */
            sla_big_set_u64(&N, 1);
            sla_big_set_u64(&D, 1);
        } else if (p->mode == POLICY_DOWNTIME) {
            sla_big_set_u64(&N, S - (uint64_t)row.unavailable_minutes);
            sla_big_set_u64(&D, S);
        } else {
            /* 1 - (P/Q)/S = (S*Q - P) / (S*Q) */
            sla_big_copy(&D, &Q);
            sla_big_mul_u64(&D, S);
            sla_big_copy(&N, &D);
            sla_big_sub(&N, &P);
        }
        finish_row(p, &row, &N, &D);
        const sla_coverage_month *cov = find_cov(r, row.month);
        row.partial = cov ? cov->partial : true;
        sla_big_free(&N);
        sla_big_free(&D);
        sla_big_free(&P);
        sla_big_free(&Q);
        PUSH(r->rows, r->n_rows, b->cap_rows);
        r->rows[r->n_rows - 1] = row;
    }
    free(w);
    free(months);
    free(svc.v);
}

/* The rows and incidents of instances [from, to) into b's report. */
typedef struct instance_job {
    builder b;
    const agg_result *agg;
    const inventory *inv;
    const exclusions *excl;
    size_t from, to;
} instance_job;

static void *do_instances(void *arg)
{
    instance_job *j = arg;
    for (size_t i = j->from; i < j->to; i++)
        do_instance(&j->b, &j->agg->instances[i], j->inv, j->excl);
    return NULL;
}

/* The first instance after about half of agg's minutes, the work of an instance. */
static size_t half_by_minutes(const agg_result *agg)
{
    uint64_t total = 0, run = 0;
    for (size_t i = 0; i < agg->n_instances; i++)
        total += agg->instances[i].n_minutes;
    size_t i = 0;
    while (i < agg->n_instances && run < total / 2)
        run += agg->instances[i++].n_minutes;
    return i;
}

/* Appends n items of `size` bytes from src to *dst (holding *n_dst). */
static void append(void *dst_ptr, size_t *n_dst, const void *src, size_t n, size_t size)
{
    void **dst = dst_ptr;
    if (n == 0)
        return;
    *dst = rsla_xrealloc(*dst, (*n_dst + n) * size);
    memcpy((char *)*dst + *n_dst * size, src, n * size);
    *n_dst += n;
}

/* Rows and incidents of every instance, in instance order: with two threads, the second half of
 * the instances (by minutes) goes into a report of its own, appended after the first. It was
 * ~35 ms of the serial tail of a 50-instance month. */
static void do_all_instances(builder *b, const agg_result *agg, const inventory *inv,
                             const exclusions *excl, unsigned threads)
{
    const size_t split = threads > 1 ? half_by_minutes(agg) : agg->n_instances;
    instance_job first = { *b, agg, inv, excl, 0, split };
    sla_report second_r = { .policy = b->r->policy, .months = b->r->months,
                            .n_months = b->r->n_months }; /* months: read only, borrowed */
    instance_job second = { *b, agg, inv, excl, split, agg->n_instances };
    second.b.r = &second_r;
    second.b.cap_rows = second.b.cap_inc = 0;
    pthread_t tid;
    const bool helped = split < agg->n_instances && split > 0 &&
                        pthread_create(&tid, NULL, do_instances, &second) == 0;
    do_instances(&first);
    if (helped)
        pthread_join(tid, NULL);
    else
        do_instances(&second);
    *b = first.b;
    append(&b->r->rows, &b->r->n_rows, second_r.rows, second_r.n_rows, sizeof *second_r.rows);
    append(&b->r->incidents, &b->r->n_incidents, second_r.incidents, second_r.n_incidents,
           sizeof *second_r.incidents);
    b->cap_rows = b->r->n_rows;
    b->cap_inc = b->r->n_incidents;
    free(second_r.rows); /* their contents now belong to b's report */
    free(second_r.incidents);
}

sla_report *sla_compute(const policy *pol, const inventory *inv, const exclusions *excl,
                        const char *month, const agg_result *agg, char *err, size_t errlen)
{
    return sla_compute_threads(pol, inv, excl, month, agg, 1, err, errlen);
}

sla_report *sla_compute_threads(const policy *pol, const inventory *inv, const exclusions *excl,
                                const char *month, const agg_result *agg, unsigned threads,
                                char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    builder b = { .p = pol };
    int fy = 0, fm = 0;
    if (month) {
        if (!sla_month_parse(month, &fy, &fm)) {
            if (err && errlen)
                snprintf(err, errlen, "month \"%s\" is not of the form YYYY-MM", month);
            return NULL;
        }
        b.filter = true;
        b.fkey = (int64_t)fy * 12 + (fm - 1);
        month_bounds(pol->zone, b.fkey, &b.fms, &b.fme);
    }
    sla_report *r = rsla_xcalloc(1, sizeof *r);
    b.r = r;
    r->policy = pol;
    r->has_inventory = inv != NULL;
    if (month)
        snprintf(r->month_filter, sizeof r->month_filter, "%s", month);

    /* Coverage first: rows read its partial flags. With a filter, r->months holds only the
     * filter month, which is the only month rows are made for. */
    do_coverage(&b, agg);
    do_all_instances(&b, agg, inv, excl, threads);

    if (excl && excl->n)
        r->exclusions = rsla_xcalloc(excl->n, sizeof *r->exclusions);
    for (size_t i = 0; excl && i < excl->n; i++) {
        const exclusion *e = &excl->items[i];
        if (b.filter && (e->end_min <= b.fms || e->start_min >= b.fme))
            continue;
        bool known = strcmp(e->instance, "*") == 0;
        for (size_t k = 0; !known && k < agg->n_instances; k++)
            known = strcmp(agg->instances[k].name, e->instance) == 0;
        r->exclusions[r->n_exclusions++] = (sla_exclusion){
            rsla_xstrndup(e->instance, strlen(e->instance)), e->start_min, e->end_min,
            rsla_xstrndup(e->reason, strlen(e->reason)), known
        };
    }
    if (agg->n_unmatched) {
        r->unmatched = rsla_xcalloc(agg->n_unmatched, sizeof *r->unmatched);
        r->n_unmatched = agg->n_unmatched;
        for (size_t i = 0; i < agg->n_unmatched; i++) {
            r->unmatched[i].host =
                rsla_xstrndup(agg->unmatched[i].host, strlen(agg->unmatched[i].host));
            r->unmatched[i].requests = agg->unmatched[i].requests;
        }
    }
    r->unmatched_requests = agg->unmatched_requests;
    return r;
}

static void free_names(sla_name_count *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].method);
    }
    free(v);
}

void sla_report_free(sla_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_rows; i++) {
        free(r->rows[i].instance);
        free(r->rows[i].availability_num);
        free(r->rows[i].availability_den);
    }
    free(r->rows);
    for (size_t i = 0; i < r->n_incidents; i++) {
        sla_incident *inc = &r->incidents[i];
        free(inc->instance);
        free(inc->statuses);
        free_names(inc->repositories, inc->n_repositories);
        free_names(inc->endpoints, inc->n_endpoints);
        for (size_t k = 0; k < inc->n_request_ids; k++)
            free(inc->request_ids[k].request_id);
        free(inc->request_ids);
    }
    free(r->incidents);
    free(r->gaps);
    free(r->months);
    for (size_t i = 0; i < r->n_exclusions; i++) {
        free(r->exclusions[i].instance);
        free(r->exclusions[i].reason);
    }
    free(r->exclusions);
    for (size_t i = 0; i < r->n_unmatched; i++)
        free(r->unmatched[i].host);
    free(r->unmatched);
    free(r);
}
