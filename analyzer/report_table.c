/* The terminal report: aligned columns, then incidents, coverage, unmatched hosts and the input
 * accounting. Meant for people; scripts read csv or json. */
#include <inttypes.h> /* PRIu64 */
#include <stdlib.h>   /* free */
#include <string.h>   /* strlen */

#include "analyzer/report.h"
#include "analyzer/report_internal.h"
#include "common/rsla_base.h" /* rsla_xcalloc */

enum { COLS = 10, CELL = 64 };

/* Incidents listed in full in the table; the rest are counted (json and csv have them all). A
 * policy that marks single minutes bad (gcp with sporadic errors) can produce thousands. */
#define TABLE_MAX_INCIDENTS 50

static const char *const heads[COLS] = { "INSTANCE",     "MONTH", "SERVICE_MIN", "UNAVAIL_MIN",
                                         "AVAILABILITY", "MET",   "CREDIT",      "AMOUNT",
                                         "PARTIAL",      "FAILED/VALID" };
/* Right-aligned columns (numbers). */
static const bool right[COLS] = { false, false, true, true, true, false, true, true, false, true };

/* Text from logs and files may hold control bytes; a terminal must not interpret them. */
static const char *safe(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    buf[i] = '\0';
    return buf;
}

#define SAFE(s) safe((s), (char[256]){ 0 }, 256)

static void pad(FILE *f, size_t n)
{
    while (n-- > 0)
        fputc(' ', f);
}

static void print_cell(FILE *f, const char *s, size_t width, bool align_right, bool last)
{
    const size_t n = strlen(s);
    if (align_right)
        pad(f, width - n);
    fputs(s, f);
    if (!align_right && !last)
        pad(f, width - n);
}

static void write_rows(FILE *f, const sla_report *r)
{
    char(*cells)[COLS][CELL] = rsla_xcalloc(r->n_rows ? r->n_rows : 1, sizeof *cells);
    size_t width[COLS];
    for (int c = 0; c < COLS; c++)
        width[c] = strlen(heads[c]);
    for (size_t i = 0; i < r->n_rows; i++) {
        const sla_row *row = &r->rows[i];
        char pct[40];
        policy_dec_format(pct, sizeof pct, row->credit_percent);
        snprintf(cells[i][0], CELL, "%.*s", CELL - 1, SAFE(row->instance));
        snprintf(cells[i][1], CELL, "%s", row->month);
        snprintf(cells[i][2], CELL, "%" PRId64, row->service_minutes);
        snprintf(cells[i][3], CELL, "%" PRId64, row->unavailable_minutes);
        snprintf(cells[i][4], CELL, "%s %%", row->availability_percent);
        snprintf(cells[i][5], CELL, "%s", row->met ? "yes" : "NO");
        snprintf(cells[i][6], CELL, "%s %%", pct);
        if (row->has_fee) {
            char amount[32];
            report_amount(amount, row->credit_amount_minor, row->fee_decimals);
            snprintf(cells[i][7], CELL, "%s%s%s", amount, row->currency[0] ? " " : "",
                     row->currency);
        } else {
            snprintf(cells[i][7], CELL, "-");
        }
        snprintf(cells[i][8], CELL, "%s", row->partial ? "PARTIAL" : "no");
        snprintf(cells[i][9], CELL, "%" PRIu64 "/%" PRIu64, row->push.failed + row->pull.failed,
                 row->push.valid + row->pull.valid);
        for (int c = 0; c < COLS; c++)
            if (strlen(cells[i][c]) > width[c])
                width[c] = strlen(cells[i][c]);
    }
    for (int c = 0; c < COLS; c++) {
        if (c)
            fputs("  ", f);
        print_cell(f, heads[c], width[c], right[c], c == COLS - 1);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->n_rows; i++) {
        for (int c = 0; c < COLS; c++) {
            if (c)
                fputs("  ", f);
            print_cell(f, cells[i][c], width[c], right[c], c == COLS - 1);
        }
        fputc('\n', f);
    }
    if (r->n_rows == 0)
        fputs("(no instance has requests in the period)\n", f);
    free(cells);
}

static void write_incidents(FILE *f, const sla_report *r)
{
    const tz_zone *z = r->policy->zone;
    size_t counted = 0;
    for (size_t i = 0; i < r->n_incidents; i++)
        counted += r->incidents[i].counted;
    fprintf(f, "\nIncidents: %zu (%zu counted as downtime)\n", r->n_incidents, counted);
    for (size_t i = 0; i < r->n_incidents && i < TABLE_MAX_INCIDENTS; i++) {
        const sla_incident *inc = &r->incidents[i];
        char a[48], b[48], al[48];
        report_time_utc(a, inc->start_min * RSLA_NS_PER_MIN);
        report_time_utc(b, inc->end_min * RSLA_NS_PER_MIN);
        report_time_zone(al, z, inc->start_min * RSLA_NS_PER_MIN);
        fprintf(f, "  %s  %s .. %s  (local %s)  %" PRId64 " min, %" PRIu64 " windows, %s\n",
                SAFE(inc->instance), a, b, al, inc->minutes, inc->windows,
                inc->counted ? "downtime" : "below min_consecutive, not downtime");
        fprintf(f, "    failed/valid: push %" PRIu64 "/%" PRIu64 ", pull %" PRIu64 "/%" PRIu64 "\n",
                inc->push.failed, inc->push.valid, inc->pull.failed, inc->pull.valid);
        if (inc->n_statuses) {
            fputs("    statuses:", f);
            for (size_t k = 0; k < inc->n_statuses; k++)
                fprintf(f, " %d x%" PRIu64, (int)inc->statuses[k].status, inc->statuses[k].count);
            fputc('\n', f);
        }
        if (inc->n_repositories) {
            fputs("    repositories:", f);
            for (size_t k = 0; k < inc->n_repositories; k++)
                fprintf(f, " %s x%" PRIu64, SAFE(inc->repositories[k].name),
                        inc->repositories[k].count);
            fputc('\n', f);
        }
        if (inc->n_endpoints) {
            fputs("    endpoints:", f);
            for (size_t k = 0; k < inc->n_endpoints; k++)
                fprintf(f, " %s %s x%" PRIu64, SAFE(inc->endpoints[k].method), inc->endpoints[k].name,
                        inc->endpoints[k].count);
            fputc('\n', f);
        }
        if (inc->n_request_ids) {
            fputs("    first failing requests:", f);
            for (size_t k = 0; k < inc->n_request_ids; k++)
                fprintf(f, " %s", SAFE(inc->request_ids[k].request_id));
            fputc('\n', f);
        }
    }
    if (r->n_incidents > TABLE_MAX_INCIDENTS)
        fprintf(f, "  ... %zu more incidents (all are in the json report)\n",
                r->n_incidents - TABLE_MAX_INCIDENTS);
}

static void write_coverage(FILE *f, const sla_report *r)
{
    fputs("\nCoverage:\n", f);
    for (size_t i = 0; i < r->n_months; i++) {
        const sla_coverage_month *m = &r->months[i];
        char a[48], b[48];
        report_time_utc(a, m->first_ns);
        report_time_utc(b, m->last_ns);
        fprintf(f, "  %s  lines %s .. %s, observed %" PRId64 " of %" PRId64 " min, %" PRIu64
                   " gaps (%" PRId64 " min)%s\n",
                m->month, a, b, m->observed_minutes, m->month_end_min - m->month_start_min,
                m->gaps, m->gap_minutes, m->partial ? ", PARTIAL: input covers the month only in part" : "");
    }
    for (size_t i = 0; i < r->n_gaps; i++) {
        const sla_gap *g = &r->gaps[i];
        char a[48], b[48];
        report_time_utc(a, g->start_min * RSLA_NS_PER_MIN);
        report_time_utc(b, g->end_min * RSLA_NS_PER_MIN);
        fprintf(f, "  gap %s .. %s  %" PRId64 " min, no line at all\n", a, b,
                g->end_min - g->start_min);
    }
}

static void write_exclusions(FILE *f, const sla_report *r)
{
    if (r->n_exclusions == 0)
        return;
    fprintf(f, "\nExclusions: %zu\n", r->n_exclusions);
    for (size_t i = 0; i < r->n_exclusions; i++) {
        const sla_exclusion *e = &r->exclusions[i];
        char a[48], b[48];
        report_time_utc(a, e->start_min * RSLA_NS_PER_MIN);
        report_time_utc(b, e->end_min * RSLA_NS_PER_MIN);
        fprintf(f, "  %s  %s .. %s  %" PRId64 " min  %s%s\n", SAFE(e->instance), a, b,
                e->end_min - e->start_min, SAFE(e->reason),
                e->known ? "" : "  (no such instance in the input)");
    }
}

static void write_input(FILE *f, const sla_report *r, const rsla_run_input *in)
{
    if (r->has_inventory) {
        fprintf(f, "\nUnmatched hosts: %zu (%" PRIu64 " requests)\n", r->n_unmatched,
                r->unmatched_requests);
        for (size_t i = 0; i < r->n_unmatched; i++)
            fprintf(f, "  %s  %" PRIu64 " requests\n", SAFE(r->unmatched[i].host),
                    r->unmatched[i].requests);
    }
    if (!in)
        return;
    const rsla_line_counts *t = &in->total;
    fprintf(f, "\nInput: %" PRIu64 " lines = %" PRIu64 " outcomes + %" PRIu64 " skipped + %" PRIu64
               " rejected\n",
            t->lines, t->outcomes, t->skipped, t->rejected);
    for (int i = 0; i < RSLA_SKIP_REASON_COUNT; i++)
        if (t->skipped_by_reason[i])
            fprintf(f, "  skipped %s: %" PRIu64 "\n", rsla_skip_reason_name((rsla_skip_reason)i),
                    t->skipped_by_reason[i]);
    for (int i = 0; i < RSLA_REJECT_REASON_COUNT; i++)
        if (t->rejected_by_reason[i])
            fprintf(f, "  rejected %s: %" PRIu64 "\n",
                    rsla_reject_reason_name((rsla_reject_reason)i), t->rejected_by_reason[i]);
    for (size_t i = 0; i < in->n_files; i++) {
        const rsla_input_file *x = &in->files[i];
        fprintf(f, "  %s (%s, %s): %" PRIu64 " lines, %" PRIu64 " outcomes, %" PRIu64
                   " skipped, %" PRIu64 " rejected",
                SAFE(x->path ? x->path : ""), x->compression ? x->compression : "?",
                x->profile ? x->profile : "?", x->counts.lines, x->counts.outcomes,
                x->counts.skipped, x->counts.rejected);
        if (x->error)
            fprintf(f, "; ERROR at byte %" PRIu64 ": %s%s", x->error_offset, SAFE(x->error),
                    x->lost_tail ? " (rest of file not read)" : "");
        fputc('\n', f);
    }
}

int report_write_table(FILE *f, const sla_report *r, const rsla_run_input *in)
{
    const policy *p = r->policy;
    char target[40];
    policy_dec_format(target, sizeof target, p->target);
    fprintf(f, "regsla report: policy %s (%s, %d-minute windows, zone %s, target %s %%)%s%s\n\n",
            p->name, policy_mode_name(p->mode), p->window_minutes, tz_name(p->zone), target,
            r->month_filter[0] ? ", month " : "", r->month_filter);
    write_rows(f, r);
    write_incidents(f, r);
    write_coverage(f, r);
    write_exclusions(f, r);
    write_input(f, r, in);
    return ferror(f) ? -1 : 0;
}
