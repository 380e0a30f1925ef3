#ifndef RSLA_REPORT_H
#define RSLA_REPORT_H
/* The reports: a computed sla_report (and the run's line accounting) written as a terminal
 * table, CSV, or versioned JSON (docs/REPORT.md documents every column and key).
 *
 * Output is deterministic byte for byte: it depends only on the report and the accounting, in
 * their sorted order; no addresses, no run time, no floating point (percentages are printed
 * from exact integers). */
#include <stdbool.h> /* bool */
#include <stdio.h>   /* FILE */

#include "analyzer/sla.h"             /* sla_report */
#include "common/rsla_accounting.h"   /* rsla_run_input */
#include "common/rsla_time.h"         /* RSLA_NS_PER_MIN */

/* Version tag of the JSON schema; bump when a key changes meaning or disappears. */
#define REPORT_JSON_SCHEMA "regsla/report/v1"

typedef enum report_format { REPORT_TABLE = 0, REPORT_CSV, REPORT_JSON } report_format;

/* "table", "csv", "json" -> format; false for anything else. */
bool report_format_parse(const char *name, report_format *out);

/* report_write() :
 * Writes the report in the given format. in may be NULL (the input section is then omitted from
 * the table and null in JSON; CSV never carries it).
 * @return 0, or -1 when the stream reports a write error (ferror). */
int report_write(FILE *out, report_format fmt, const sla_report *r, const rsla_run_input *in);

int report_write_table(FILE *out, const sla_report *r, const rsla_run_input *in);
int report_write_csv(FILE *out, const sla_report *r);
int report_write_json(FILE *out, const sla_report *r, const rsla_run_input *in);

#endif
