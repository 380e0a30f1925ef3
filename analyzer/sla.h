#ifndef RSLA_SLA_H
#define RSLA_SLA_H
/* The SLA engine: from a finished aggregation to the monthly figures (SLA-SPEC sections 5-8).
 *
 *   agg_result (per instance and UTC minute: valid/failed push and pull, failures, ids)
 *     + policy (windows, threshold, mode, zone, target, tiers)
 *     + inventory (lifetimes, fees; optional) + exclusions (maintenance; optional)
 *     -> sla_report: one row per (instance, month) that has requests, incidents, coverage.
 *
 * The window grid (docs/POLICY.md "Windows"): every local day of the policy zone starts at its
 * local midnight (the first instant after it when midnight is skipped by a DST change) and is
 * cut into windows of window_minutes UTC minutes from there; the last window of a day ends at
 * the next local midnight, so it is shorter when a day is not a multiple of the window (only
 * possible with windows that do not divide the DST shift). Windows never cross a day, so they
 * never cross a month.
 *
 * Requests count only in minutes inside the instance's service period (lifetime minus
 * exclusions); a window counts for its in-service minutes. Runs of consecutive bad windows
 * (min_consecutive, incidents) run across day and month boundaries; a window that is not bad
 * (including one wholly out of service) ends a run.
 *
 * Everything is integers: availability is an exact fraction (big integers, see sla_num.h).
 * The report is deterministic: rows sorted by (instance, month), incidents by (instance,
 * start), gaps by start. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t, uint64_t */

#include "analyzer/agg.h"       /* agg_result */
#include "analyzer/inventory.h" /* inventory, exclusions */
#include "analyzer/policy.h"    /* policy */

/* How many repositories and endpoints an incident lists (most failed first). */
#define SLA_INCIDENT_TOP 5
/* How many failing request ids an incident lists (earliest first). */
#define SLA_INCIDENT_IDS 5

typedef struct sla_class_counts {
    uint64_t valid, failed;
} sla_class_counts;

/* One instance in one month of the policy zone. */
typedef struct sla_row {
    char *instance;
    char month[8];                /* "YYYY-MM" in the policy zone */
    int64_t month_start_min;      /* UTC minute of local midnight of the 1st */
    int64_t month_end_min;        /* UTC minute of local midnight of the next 1st */
    int64_t service_minutes;      /* month ∩ lifetime − exclusions */
    int64_t excluded_minutes;     /* exclusion minutes inside month ∩ lifetime */
    int64_t unavailable_minutes;  /* in-service minutes of counted bad windows (downtime mode;
                                     informational in error-rate mode) */
    uint64_t bad_windows;         /* windows of the month that are bad */
    uint64_t counted_bad_windows; /* of those, in runs of at least min_consecutive */
    char *availability_num;       /* availability as a reduced fraction, decimal digits */
    char *availability_den;
    char availability_percent[32];/* percent, 4 decimals, half-even: "99.9500" */
    bool met;                     /* availability >= target, exactly */
    int tier;                     /* index into policy->tiers, -1 when none applies */
    policy_dec credit_percent;    /* tier percent, capped; 0 when none */
    bool has_fee;
    int64_t fee_minor;            /* monthly fee in minor units */
    int fee_decimals;             /* minor units per major unit: 10^fee_decimals */
    char currency[4];             /* "" when not given */
    int64_t credit_amount_minor;  /* with a fee: fee * credit_percent / 100, half-up */
    bool partial;                 /* the input covers this month only in part */
    sla_class_counts push, pull;  /* requests in in-service minutes of the month */
    uint64_t other;               /* requests that are neither valid push nor valid pull */
    uint64_t out_of_service;      /* valid push/pull requests in minutes out of service */
} sla_row;

typedef struct sla_status_count {
    int32_t status;
    uint64_t count;
} sla_status_count;

typedef struct sla_name_count {
    char *name;      /* repository, or endpoint route name */
    char *method;    /* endpoints only */
    uint64_t count;
} sla_name_count;

typedef struct sla_request_ref {
    int64_t time_ns;
    char *request_id;
} sla_request_ref;

/* A maximal run of consecutive bad windows of one instance (SLA-SPEC section 8). */
typedef struct sla_incident {
    char *instance;
    int64_t start_min, end_min;  /* UTC minutes, [start, end) */
    int64_t minutes;             /* in-service minutes of its windows */
    uint64_t windows;
    bool counted;                /* run of at least min_consecutive windows: downtime */
    sla_class_counts push, pull;
    sla_status_count *statuses;  /* every failing status, most frequent first */
    size_t n_statuses;
    sla_name_count *repositories; /* top SLA_INCIDENT_TOP by failed count */
    size_t n_repositories;
    sla_name_count *endpoints;   /* top SLA_INCIDENT_TOP (method + route) by failed count */
    size_t n_endpoints;
    sla_request_ref *request_ids; /* first SLA_INCIDENT_IDS failing requests */
    size_t n_request_ids;
} sla_incident;

/* A run of windows with no line at all, between windows with lines (SLA-SPEC section 8). */
typedef struct sla_gap {
    int64_t start_min, end_min;  /* UTC minutes, [start, end) */
    uint64_t windows;
} sla_gap;

/* What the input covers of one month of the policy zone. */
typedef struct sla_coverage_month {
    char month[8];
    int64_t month_start_min, month_end_min;
    int64_t first_ns, last_ns;   /* first and last line time in the month */
    int64_t observed_minutes;    /* minutes with at least one line of any instance */
    uint64_t gaps;               /* gaps overlapping the month */
    int64_t gap_minutes;         /* their minutes inside the month */
    bool partial;                /* docs/POLICY.md "Partial months" */
} sla_coverage_month;

/* An exclusion period of the exclusions file, as reported (SLA-SPEC section 2: the reason is
 * reported). */
typedef struct sla_exclusion {
    char *instance;              /* id, or "*" */
    int64_t start_min, end_min;  /* UTC minutes, [start, end), floored */
    char *reason;
    bool known;                  /* "*", or an instance of the input */
} sla_exclusion;

typedef struct sla_unmatched {
    char *host;
    uint64_t requests;
} sla_unmatched;

typedef struct sla_report {
    const policy *policy;        /* borrowed: must outlive the report */
    char month_filter[8];        /* "" for all months */
    sla_row *rows;               /* sorted by (instance, month) */
    size_t n_rows;
    sla_incident *incidents;     /* sorted by (instance, start) */
    size_t n_incidents;
    sla_gap *gaps;               /* sorted by start */
    size_t n_gaps;
    sla_coverage_month *months;  /* sorted by month */
    size_t n_months;
    sla_exclusion *exclusions;   /* as in the file (sorted by start); with a month filter only
                                    those overlapping the month */
    size_t n_exclusions;
    sla_unmatched *unmatched;    /* sorted by host */
    size_t n_unmatched;
    uint64_t unmatched_requests;
    bool has_inventory;
} sla_report;

/* sla_compute() :
 * Computes the report. inv and excl may be NULL; month is NULL (every month with requests) or
 * "YYYY-MM" (only that month of the policy zone: rows, incidents and gaps overlapping it).
 * The report copies what it keeps from agg/inv/excl (they may be freed afterwards) but borrows
 * the policy. Thread-safe for distinct reports.
 * @return the report (sla_report_free()), or NULL with the reason in err (bad month). */
sla_report *sla_compute(const policy *pol, const inventory *inv, const exclusions *excl,
                        const char *month, const agg_result *agg, char *err, size_t errlen);

/* sla_compute() with the instances shared by up to `threads` threads (two at most today); the
 * report is the same. */
sla_report *sla_compute_threads(const policy *pol, const inventory *inv, const exclusions *excl,
                                const char *month, const agg_result *agg, unsigned threads,
                                char *err, size_t errlen);

void sla_report_free(sla_report *r);

/* Parses "YYYY-MM" (year 1000..9999, month 01..12); false otherwise. */
bool sla_month_parse(const char *s, int *year, int *month);

#endif
