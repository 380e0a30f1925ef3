#ifndef RSLA_POLICY_H
#define RSLA_POLICY_H
/* The SLA policy: every parameter of SLA-SPEC sections 4 to 9, the four built-in presets of
 * section 9, and JSON policy files (docs/POLICY.md).
 *
 * A policy is a plain value: fill one with policy_preset() or policy_load_file(), read its
 * fields, release it with policy_release() (it owns its time zone). Numbers that decide money
 * (target, tiers, cap, threshold) are exact decimals or integer fractions, never floats. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* int64_t, uint64_t */

#include "analyzer/agg.h" /* agg_status_table */
#include "analyzer/tz.h"  /* tz_zone */

/* An exact non-negative decimal: units / 10^scale (99.95 is {9995, 2}). */
typedef struct policy_dec {
    int64_t units;
    int scale; /* 0..POLICY_DEC_MAX_SCALE */
} policy_dec;

/* Most fraction digits accepted in a decimal of a policy. */
#define POLICY_DEC_MAX_SCALE 9
/* Most integer digits (a threshold "N/D" has integers up to 10^12 - 1). */
#define POLICY_DEC_MAX_INT_DIGITS 12
/* Most digits in all, integer and fraction: units must fit an int64_t (10^18 - 1 < 2^63). */
#define POLICY_DEC_MAX_DIGITS 18
/* Most credit tiers in one policy. */
#define POLICY_MAX_TIERS 16
/* Default for partial_tolerance_minutes (docs/POLICY.md, "Partial months"). */
#define POLICY_DEFAULT_PARTIAL_TOLERANCE 60

typedef enum policy_mode { POLICY_DOWNTIME = 0, POLICY_ERROR_RATE } policy_mode;
typedef enum policy_classes { POLICY_EITHER = 0, POLICY_COMBINED } policy_classes;

/* One credit tier: availability (percent) in [lower, upper) gives `percent` of the fee.
 * A missing lower bound is -infinity, a missing upper bound +infinity. */
typedef struct policy_tier {
    bool has_lower, has_upper;
    policy_dec lower, upper; /* percent of availability, e.g. 99.95 */
    policy_dec percent;      /* credit, percent of the monthly fee */
} policy_tier;

typedef struct policy {
    char name[128];               /* preset name, or the policy file's "name" or path */
    char base[32];                /* preset the file started from ("" if none) */
    policy_mode mode;
    int window_minutes;           /* a divisor of 1440 */
    uint64_t threshold_num;       /* a window is bad when failed/valid >= num/den */
    uint64_t threshold_den;       /*   (or > when threshold_strict) */
    bool threshold_strict;
    uint64_t min_requests;        /* valid requests a window needs before it can be bad */
    uint32_t min_consecutive;     /* bad windows count only in runs at least this long */
    policy_classes classes;
    tz_zone *zone;                /* owned */
    policy_dec target;            /* percent, e.g. 99.95 */
    policy_tier tiers[POLICY_MAX_TIERS];
    size_t n_tiers;
    bool has_cap;
    policy_dec cap;               /* percent of the fee at most credited */
    bool failed_status[1000];     /* statuses counted as failed (default 500..599 and 0) */
    bool excluded_status[1000];   /* statuses not counted (default 429) */
    int partial_tolerance_minutes; /* see docs/POLICY.md: when a month is `partial` */
} policy;

/* policy_preset() :
 * Fills *out with a built-in preset: "acr-ee" (the default), "aws-s3", "gcp", "scaleway".
 * @return true, or false with the reason in err (unknown name, or a zone that cannot load). */
bool policy_preset(const char *name, policy *out, char *err, size_t errlen);

/* policy_parse() :
 * Reads a JSON policy (docs/POLICY.md). source names the text in messages ("policy.json").
 * @return true, or false with "SOURCE:LINE:COL: reason" in err; *out is then released. */
bool policy_parse(const char *text, size_t len, const char *source, policy *out, char *err,
                  size_t errlen);

/* Reads and parses a policy file; errors as policy_parse(), or "PATH: cannot read: ...". */
bool policy_load_file(const char *path, policy *out, char *err, size_t errlen);

/* policy_resolve() :
 * What `--policy X` means: a preset when X names one, otherwise a policy file path; NULL or
 * "" gives the default preset acr-ee. */
bool policy_resolve(const char *preset_or_path, policy *out, char *err, size_t errlen);

/* Releases what the policy owns (its zone); the struct may be refilled afterwards. */
void policy_release(policy *p);

/* Fills the verdict of every status 0..999 for agg_table_create(). */
void policy_status_table(const policy *p, agg_status_table *out);

const char *policy_mode_name(policy_mode m);       /* "downtime", "error-rate" */
const char *policy_classes_name(policy_classes c); /* "either", "combined" */

/* Writes a decimal without trailing zeros ("99.95", "10", "0.5") into out (>= 32 bytes).
 * @return the length. */
size_t policy_dec_format(char *out, size_t outlen, policy_dec d);

/* Parses a non-negative decimal "123", "99.95" (no sign, no exponent) exactly.
 * @return false when not of that shape, or beyond POLICY_DEC_MAX_SCALE decimals,
 *         POLICY_DEC_MAX_INT_DIGITS integer digits or POLICY_DEC_MAX_DIGITS digits in all. */
bool policy_dec_parse(const char *s, size_t len, policy_dec *out);

/* -1, 0, 1 as a <, ==, > b, exactly. */
int policy_dec_cmp(policy_dec a, policy_dec b);

#endif
