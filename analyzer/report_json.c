/* JSON report, schema regsla/report/v1 (docs/REPORT.md). Indented two spaces, keys in a fixed
 * order, integers as JSON integers, exact decimals and big fractions as strings. */
#include <inttypes.h> /* PRIu64 */
#include <string.h>   /* strlen */

#include "analyzer/report.h"
#include "analyzer/report_internal.h"

/* MARK: - A tiny pretty writer (Private) */

#define JW_MAX_DEPTH 16

typedef struct jw {
    FILE *f;
    int depth;
    bool first[JW_MAX_DEPTH];
} jw;

static void jw_indent(jw *w)
{
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

/* Separator and key before a value (key NULL inside arrays). */
static void jw_pre(jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->f);
        w->first[w->depth] = false;
        jw_indent(w);
    }
    if (key) {
        report_json_string(w->f, key);
        fputs(": ", w->f);
    }
}

static void jw_open(jw *w, const char *key, char c)
{
    jw_pre(w, key);
    fputc(c, w->f);
    w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(jw *w, char c)
{
    const bool empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        jw_indent(w);
    fputc(c, w->f);
}

#define jw_obj(w, key) jw_open((w), (key), '{')
#define jw_arr(w, key) jw_open((w), (key), '[')
#define jw_end_obj(w) jw_close((w), '}')
#define jw_end_arr(w) jw_close((w), ']')

static void jw_str(jw *w, const char *key, const char *v)
{
    jw_pre(w, key);
    if (v)
        report_json_string(w->f, v);
    else
        fputs("null", w->f);
}

static void jw_u64(jw *w, const char *key, uint64_t v)
{
    jw_pre(w, key);
    fprintf(w->f, "%" PRIu64, v);
}

static void jw_i64(jw *w, const char *key, int64_t v)
{
    jw_pre(w, key);
    fprintf(w->f, "%" PRId64, v);
}

static void jw_bool(jw *w, const char *key, bool v)
{
    jw_pre(w, key);
    fputs(v ? "true" : "false", w->f);
}

static void jw_null(jw *w, const char *key)
{
    jw_pre(w, key);
    fputs("null", w->f);
}

static void jw_dec(jw *w, const char *key, policy_dec d)
{
    char buf[40];
    policy_dec_format(buf, sizeof buf, d);
    jw_str(w, key, buf);
}

static void jw_time(jw *w, const char *key, int64_t ns)
{
    char buf[48];
    report_time_utc(buf, ns);
    jw_str(w, key, buf);
}

static void jw_time_zone(jw *w, const char *key, const tz_zone *z, int64_t ns)
{
    char buf[48];
    report_time_zone(buf, z, ns);
    jw_str(w, key, buf);
}

/* The span [start_min, end_min) of an incident, gap or exclusion: UTC and policy-zone times. */
static void jw_span(jw *w, const tz_zone *z, int64_t start_min, int64_t end_min)
{
    jw_time(w, "start", start_min * RSLA_NS_PER_MIN);
    jw_time(w, "end", end_min * RSLA_NS_PER_MIN);
    jw_time_zone(w, "start_local", z, start_min * RSLA_NS_PER_MIN);
    jw_time_zone(w, "end_local", z, end_min * RSLA_NS_PER_MIN);
}

/* MARK: - Sections (Private) */

static void emit_range(void *ctx, int lo, int hi)
{
    jw *w = ctx;
    char buf[16];
    if (lo == hi)
        snprintf(buf, sizeof buf, "%d", lo);
    else
        snprintf(buf, sizeof buf, "%d-%d", lo, hi);
    jw_str(w, NULL, buf);
}

static void write_policy(jw *w, const policy *p)
{
    jw_obj(w, "policy");
    jw_str(w, "name", p->name);
    jw_str(w, "base", p->base[0] ? p->base : NULL);
    jw_str(w, "mode", policy_mode_name(p->mode));
    jw_i64(w, "window_minutes", p->window_minutes);
    jw_obj(w, "threshold");
    jw_u64(w, "numerator", p->threshold_num);
    jw_u64(w, "denominator", p->threshold_den);
    jw_bool(w, "strict", p->threshold_strict);
    jw_end_obj(w);
    jw_u64(w, "min_requests", p->min_requests);
    jw_u64(w, "min_consecutive", p->min_consecutive);
    jw_str(w, "classes", policy_classes_name(p->classes));
    jw_str(w, "zone", tz_name(p->zone));
    jw_dec(w, "target", p->target);
    jw_arr(w, "tiers");
    for (size_t i = 0; i < p->n_tiers; i++) {
        const policy_tier *t = &p->tiers[i];
        jw_obj(w, NULL);
        if (t->has_lower)
            jw_dec(w, "lower", t->lower);
        else
            jw_null(w, "lower");
        if (t->has_upper)
            jw_dec(w, "upper", t->upper);
        else
            jw_null(w, "upper");
        jw_dec(w, "percent", t->percent);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    if (p->has_cap)
        jw_dec(w, "cap", p->cap);
    else
        jw_null(w, "cap");
    jw_arr(w, "failure_statuses");
    report_status_ranges(p->failed_status, emit_range, w);
    jw_end_arr(w);
    jw_arr(w, "excluded_statuses");
    report_status_ranges(p->excluded_status, emit_range, w);
    jw_end_arr(w);
    jw_i64(w, "partial_tolerance_minutes", p->partial_tolerance_minutes);
    jw_end_obj(w);
}

static void write_counts(jw *w, const char *key, sla_class_counts c)
{
    jw_obj(w, key);
    jw_u64(w, "valid", c.valid);
    jw_u64(w, "failed", c.failed);
    jw_end_obj(w);
}

static void write_rows(jw *w, const sla_report *r)
{
    jw_arr(w, "instances");
    for (size_t i = 0; i < r->n_rows; i++) {
        const sla_row *row = &r->rows[i];
        jw_obj(w, NULL);
        jw_str(w, "instance", row->instance);
        jw_str(w, "month", row->month);
        jw_time(w, "month_start", row->month_start_min * RSLA_NS_PER_MIN);
        jw_time(w, "month_end", row->month_end_min * RSLA_NS_PER_MIN);
        jw_i64(w, "service_minutes", row->service_minutes);
        jw_i64(w, "excluded_minutes", row->excluded_minutes);
        jw_i64(w, "unavailable_minutes", row->unavailable_minutes);
        jw_u64(w, "bad_windows", row->bad_windows);
        jw_u64(w, "counted_bad_windows", row->counted_bad_windows);
        jw_obj(w, "availability");
        jw_str(w, "numerator", row->availability_num);
        jw_str(w, "denominator", row->availability_den);
        jw_end_obj(w);
        jw_str(w, "availability_percent", row->availability_percent);
        jw_bool(w, "met", row->met);
        if (row->tier >= 0)
            jw_i64(w, "tier", row->tier);
        else
            jw_null(w, "tier");
        jw_dec(w, "credit_percent", row->credit_percent);
        char amount[32];
        if (row->has_fee) {
            report_amount(amount, row->fee_minor, row->fee_decimals);
            jw_str(w, "fee", amount);
            report_amount(amount, row->credit_amount_minor, row->fee_decimals);
            jw_str(w, "credit_amount", amount);
            jw_i64(w, "credit_amount_minor", row->credit_amount_minor);
        } else {
            jw_null(w, "fee");
            jw_null(w, "credit_amount");
            jw_null(w, "credit_amount_minor");
        }
        jw_str(w, "currency", row->currency[0] ? row->currency : NULL);
        jw_bool(w, "partial", row->partial);
        jw_obj(w, "requests");
        write_counts(w, "push", row->push);
        write_counts(w, "pull", row->pull);
        jw_u64(w, "other", row->other);
        jw_u64(w, "out_of_service", row->out_of_service);
        jw_end_obj(w);
        jw_end_obj(w);
    }
    jw_end_arr(w);
}

static void write_incidents(jw *w, const sla_report *r)
{
    const tz_zone *z = r->policy->zone;
    jw_arr(w, "incidents");
    for (size_t i = 0; i < r->n_incidents; i++) {
        const sla_incident *inc = &r->incidents[i];
        jw_obj(w, NULL);
        jw_str(w, "instance", inc->instance);
        jw_span(w, z, inc->start_min, inc->end_min);
        jw_i64(w, "minutes", inc->minutes);
        jw_u64(w, "windows", inc->windows);
        jw_bool(w, "counted", inc->counted);
        jw_obj(w, "requests");
        write_counts(w, "push", inc->push);
        write_counts(w, "pull", inc->pull);
        jw_end_obj(w);
        jw_arr(w, "statuses");
        for (size_t k = 0; k < inc->n_statuses; k++) {
            jw_obj(w, NULL);
            jw_i64(w, "status", inc->statuses[k].status);
            jw_u64(w, "count", inc->statuses[k].count);
            jw_end_obj(w);
        }
        jw_end_arr(w);
        jw_arr(w, "repositories");
        for (size_t k = 0; k < inc->n_repositories; k++) {
            jw_obj(w, NULL);
            jw_str(w, "repository", inc->repositories[k].name);
            jw_u64(w, "failed", inc->repositories[k].count);
            jw_end_obj(w);
        }
        jw_end_arr(w);
        jw_arr(w, "endpoints");
        for (size_t k = 0; k < inc->n_endpoints; k++) {
            jw_obj(w, NULL);
            jw_str(w, "method", inc->endpoints[k].method);
            jw_str(w, "endpoint", inc->endpoints[k].name);
            jw_u64(w, "failed", inc->endpoints[k].count);
            jw_end_obj(w);
        }
        jw_end_arr(w);
        jw_arr(w, "request_ids");
        for (size_t k = 0; k < inc->n_request_ids; k++) {
            jw_obj(w, NULL);
            jw_time(w, "time", inc->request_ids[k].time_ns);
            jw_str(w, "request_id", inc->request_ids[k].request_id);
            jw_end_obj(w);
        }
        jw_end_arr(w);
        jw_end_obj(w);
    }
    jw_end_arr(w);
}

static void write_coverage(jw *w, const sla_report *r)
{
    const tz_zone *z = r->policy->zone;
    jw_obj(w, "coverage");
    jw_arr(w, "months");
    for (size_t i = 0; i < r->n_months; i++) {
        const sla_coverage_month *m = &r->months[i];
        jw_obj(w, NULL);
        jw_str(w, "month", m->month);
        jw_time(w, "first_line", m->first_ns);
        jw_time(w, "last_line", m->last_ns);
        jw_i64(w, "observed_minutes", m->observed_minutes);
        jw_i64(w, "month_minutes", m->month_end_min - m->month_start_min);
        jw_u64(w, "gaps", m->gaps);
        jw_i64(w, "gap_minutes", m->gap_minutes);
        jw_bool(w, "partial", m->partial);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_arr(w, "gaps");
    for (size_t i = 0; i < r->n_gaps; i++) {
        const sla_gap *g = &r->gaps[i];
        jw_obj(w, NULL);
        jw_span(w, z, g->start_min, g->end_min);
        jw_i64(w, "minutes", g->end_min - g->start_min);
        jw_u64(w, "windows", g->windows);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

static void write_exclusions(jw *w, const sla_report *r)
{
    const tz_zone *z = r->policy->zone;
    jw_arr(w, "exclusions");
    for (size_t i = 0; i < r->n_exclusions; i++) {
        const sla_exclusion *e = &r->exclusions[i];
        jw_obj(w, NULL);
        jw_str(w, "instance", e->instance);
        jw_span(w, z, e->start_min, e->end_min);
        jw_i64(w, "minutes", e->end_min - e->start_min);
        jw_str(w, "reason", e->reason);
        jw_bool(w, "known_instance", e->known);
        jw_end_obj(w);
    }
    jw_end_arr(w);
}

static void write_unmatched(jw *w, const sla_report *r)
{
    if (!r->has_inventory) {
        jw_null(w, "unmatched");
        return;
    }
    jw_obj(w, "unmatched");
    jw_u64(w, "requests", r->unmatched_requests);
    jw_arr(w, "hosts");
    for (size_t i = 0; i < r->n_unmatched; i++) {
        jw_obj(w, NULL);
        jw_str(w, "host", r->unmatched[i].host);
        jw_u64(w, "requests", r->unmatched[i].requests);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

static void write_line_counts(jw *w, const rsla_line_counts *c)
{
    jw_u64(w, "lines", c->lines);
    jw_u64(w, "outcomes", c->outcomes);
    jw_u64(w, "skipped", c->skipped);
    jw_u64(w, "rejected", c->rejected);
    jw_obj(w, "skipped_by_reason");
    for (int i = 0; i < RSLA_SKIP_REASON_COUNT; i++)
        jw_u64(w, rsla_skip_reason_name((rsla_skip_reason)i), c->skipped_by_reason[i]);
    jw_end_obj(w);
    jw_obj(w, "rejected_by_reason");
    for (int i = 0; i < RSLA_REJECT_REASON_COUNT; i++)
        jw_u64(w, rsla_reject_reason_name((rsla_reject_reason)i), c->rejected_by_reason[i]);
    jw_end_obj(w);
}

static void write_input(jw *w, const rsla_run_input *in)
{
    if (!in) {
        jw_null(w, "input");
        return;
    }
    jw_obj(w, "input");
    write_line_counts(w, &in->total);
    jw_arr(w, "files");
    for (size_t i = 0; i < in->n_files; i++) {
        const rsla_input_file *f = &in->files[i];
        jw_obj(w, NULL);
        jw_str(w, "path", f->path ? f->path : "");
        jw_str(w, "compression", f->compression);
        jw_str(w, "profile", f->profile);
        write_line_counts(w, &f->counts);
        jw_u64(w, "bytes_read", f->bytes_read);
        jw_u64(w, "bytes_decoded", f->bytes_decoded);
        jw_str(w, "error", f->error);
        if (f->error) {
            jw_u64(w, "error_offset", f->error_offset);
            jw_bool(w, "lost_tail", f->lost_tail);
        } else {
            jw_null(w, "error_offset");
            jw_bool(w, "lost_tail", false);
        }
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

int report_write_json(FILE *out, const sla_report *r, const rsla_run_input *in)
{
    jw w = { .f = out };
    jw_obj(&w, NULL);
    jw_str(&w, "schema", REPORT_JSON_SCHEMA);
    write_policy(&w, r->policy);
    jw_str(&w, "month", r->month_filter[0] ? r->month_filter : NULL);
    write_rows(&w, r);
    write_incidents(&w, r);
    write_coverage(&w, r);
    write_exclusions(&w, r);
    write_unmatched(&w, r);
    write_input(&w, in);
    jw_end_obj(&w);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
