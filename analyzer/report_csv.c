/* CSV report: one row per instance and month, a header row, RFC 4180 (CRLF line ends, fields
 * quoted when needed). Columns are documented in docs/REPORT.md. */
#include <inttypes.h> /* PRIu64 */

#include "analyzer/report.h"
#include "analyzer/report_internal.h"

static const char *const csv_columns[] = {
    "instance",          "month",          "service_minutes",   "excluded_minutes",
    "unavailable_minutes", "availability_percent", "availability_numerator",
    "availability_denominator", "met", "credit_percent", "fee", "credit_amount", "currency",
    "partial", "push_valid", "push_failed", "pull_valid", "pull_failed", "other_requests",
    "bad_windows", "counted_bad_windows",
};

int report_write_csv(FILE *f, const sla_report *r)
{
    for (size_t i = 0; i < sizeof csv_columns / sizeof csv_columns[0]; i++) {
        if (i)
            fputc(',', f);
        fputs(csv_columns[i], f);
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < r->n_rows; i++) {
        const sla_row *row = &r->rows[i];
        char pct[40], fee[32] = "", amount[32] = "";
        policy_dec_format(pct, sizeof pct, row->credit_percent);
        if (row->has_fee) {
            report_amount(fee, row->fee_minor, row->fee_decimals);
            report_amount(amount, row->credit_amount_minor, row->fee_decimals);
        }
        report_csv_field(f, row->instance);
        fprintf(f, ",%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,%s,%s,%s,%s,", row->month,
                row->service_minutes, row->excluded_minutes, row->unavailable_minutes,
                row->availability_percent, row->availability_num, row->availability_den,
                row->met ? "true" : "false", pct);
        report_csv_field(f, fee);
        fputc(',', f);
        report_csv_field(f, amount);
        fprintf(f, ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                   ",%" PRIu64 "\r\n",
                row->currency, row->partial ? "true" : "false", row->push.valid, row->push.failed,
                row->pull.valid, row->pull.failed, row->other, row->bad_windows,
                row->counted_bad_windows);
    }
    return ferror(f) ? -1 : 0;
}
