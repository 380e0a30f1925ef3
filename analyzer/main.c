/* regsla: the command. The only place that parses argv, prints and exits: it wires ingest
 * (inputs -> outcomes) to the analyzer (outcomes -> figures) and writes the report. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/agg.h"
#include "analyzer/inventory.h"
#include "analyzer/minute_counts.h"
#include "analyzer/policy.h"
#include "analyzer/report.h"
#include "analyzer/sla.h"
#include "ingest/ing_pipeline.h"
#include "ingest/ing_source.h"
#include "ingest/scan/scan.h"

/* Exit codes, documented in the README and in --help. */
enum {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,  /* the report could not be written */
    EXIT_USAGE = 2,     /* bad option, or a policy, inventory or exclusions file that is wrong */
    EXIT_INPUT = 3,     /* an input could not be read to its end (report written, loss counted) */
    EXIT_STRICT = 4,    /* --strict and at least one line was rejected (no report written) */
};

/* `--profile [PATTERN=]NAME` and `--host [PATTERN=]NAME`: NAME for the inputs whose path matches
 * PATTERN (fnmatch), or for every input when there is no PATTERN. */
typedef struct input_rule {
    const char *pattern; /* NULL: every input */
    const char *value;
} input_rule;

#define MAX_INPUT_RULES 64

typedef struct options {
    const char *policy;
    const char *month;
    report_format format; /* --format, or the default for where the report goes */
    const char *output;
    const char *inventory;
    const char *exclusions;
    const char *kernel;
    bool strict;
    bool quiet;
    bool minute_counts;
    input_rule profiles[MAX_INPUT_RULES];
    size_t n_profiles;
    scan_profile *profile_files[MAX_INPUT_RULES]; /* by profile rule: a profile file's profile */
    input_rule hosts[MAX_INPUT_RULES];
    size_t n_hosts;
    int64_t syslog_year;
    bool syslog_zone_known;
    int32_t syslog_offset_min;
    unsigned threads;
    char **inputs;
    size_t n_inputs;
} options;

static const char usage_text[] =
    "usage: regsla report [options] INPUT...\n"
    "       regsla --version | --help\n"
    "\n"
    "Reads registry access logs (Distribution JSON or text, combined access logs, GitLab,\n"
    "nginx JSON, zot; plain or zstd) and reports, per instance and month, unavailable\n"
    "minutes, availability, whether the SLA was met and the credit owed (see SLA-SPEC).\n"
    "INPUT is a file, a folder (read recursively) or - for stdin; zstd and plain text are\n"
    "told apart by their magic bytes, the log format is detected per file.\n"
    "\n"
    "options:\n"
    "  --policy PRESET|FILE  SLA policy: acr-ee (default), aws-s3, gcp, scaleway, or a JSON file\n"
    "  --month YYYY-MM       report only this month (in the policy's time zone)\n"
    "  --format FMT          table (default on a terminal), csv, or json (default otherwise)\n"
    "  -o, --output FILE     write the report to FILE atomically (temporary file, then rename)\n"
    "  --inventory FILE      instance inventory CSV: host names, lifetimes, monthly fees\n"
    "  --exclusions FILE     announced maintenance CSV: periods not counted as service time\n"
    "  --profile [PATTERN=]NAME|FILE\n"
    "                        read the inputs (those whose path matches the shell PATTERN) as NAME:\n"
    "                        auto (default: detected per file from its first lines), distribution,\n"
    "                        distribution-text, combined, gitlab, nginx-json, zot; or with the\n"
    "                        profile file FILE (JSON keys to outcome fields, docs/FORMATS.md)\n"
    "  --host [PATTERN=]NAME instance host for lines that name none (combined access logs)\n"
    "  --syslog-year YYYY    year of syslog time stamps (default: from the file's other times)\n"
    "  --syslog-zone ZONE    offset of syslog time stamps (+08:00, Z); without it they are not used\n"
    "  --strict              any rejected line is a failure: exit 4, no report\n"
    "  --threads N           pipeline width (default: the online CPUs)\n"
    "  --kernel NAME         force a scanner kernel (avx512, avx2, sse42, neon, scalar);\n"
    "                        env RSLA_FORCE_KERNEL does the same\n"
    "  -q, --quiet           no progress line on stderr\n"
    "  --minute-counts       instead of the report, print host, UTC minute (since the epoch),\n"
    "                        outcome lines and 5xx lines per normalised host and minute, before\n"
    "                        deduplication: the raw counts other tools can be checked against\n"
    "  -h, --help            this text\n"
    "\n"
    "exit codes: 0 ok; 1 the report could not be written; 2 usage or configuration error;\n"
    "3 an input could not be read to its end (report written, loss in input.files);\n"
    "4 --strict and lines were rejected (no report).\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "regsla: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'regsla --help'.\n");
    va_end(ap);
    return EXIT_USAGE;
}

static unsigned online_cpus(void)
{
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static int parse_threads(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 1024)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int add_rule(input_rule *rules, size_t *n, const char *arg)
{
    if (*n == MAX_INPUT_RULES)
        return -1;
    const char *eq = strrchr(arg, '=');
    if (eq) {
        char *pattern = rsla_xstrndup(arg, (size_t)(eq - arg)); /* freed by free_options() */
        rules[(*n)++] = (input_rule){ pattern, eq + 1 };
    } else {
        rules[(*n)++] = (input_rule){ NULL, arg };
    }
    return 0;
}

static int parse_year(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || *end || v < 1970 || v > 2200)
        return -1;
    *out = v;
    return 0;
}

/* Z, UTC, or ±hh:mm / ±hhmm. */
static int parse_offset(const char *s, int32_t *minutes)
{
    if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
        *minutes = 0;
        return 0;
    }
    int hh, mm;
    char sign, tail;
    if ((sscanf(s, "%c%2d:%2d%c", &sign, &hh, &mm, &tail) != 3 &&
         sscanf(s, "%c%2d%2d%c", &sign, &hh, &mm, &tail) != 3) ||
        (sign != '+' && sign != '-') || hh > 23 || mm > 59)
        return -1;
    *minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        { "policy", required_argument, NULL, 'P' },   { "month", required_argument, NULL, 'm' },
        { "format", required_argument, NULL, 'f' },   { "output", required_argument, NULL, 'o' },
        { "inventory", required_argument, NULL, 'I' }, { "exclusions", required_argument, NULL, 'X' },
        { "strict", no_argument, NULL, 's' },         { "threads", required_argument, NULL, 't' },
        { "kernel", required_argument, NULL, 'k' },   { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },           { "minute-counts", no_argument, NULL, 'M' },   { "profile", required_argument, NULL, 'p' },
        { "host", required_argument, NULL, 'H' },     { "syslog-year", required_argument, NULL, 'Y' },
        { "syslog-zone", required_argument, NULL, 'Z' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->policy = "acr-ee";
    o->threads = online_cpus();
    bool format_given = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'P': o->policy = optarg; break;
        case 'm': o->month = optarg; break;
        case 'f':
            if (!report_format_parse(optarg, &o->format))
                return usage_error("--format wants table, csv or json, not '%s'", optarg);
            format_given = true;
            break;
        case 'o': o->output = optarg; break;
        case 'I': o->inventory = optarg; break;
        case 'X': o->exclusions = optarg; break;
        case 's': o->strict = true; break;
        case 'k': o->kernel = optarg; break;
        case 'q': o->quiet = true; break;
        case 'M': o->minute_counts = true; break;
        case 'p':
            if (add_rule(o->profiles, &o->n_profiles, optarg) != 0)
                return usage_error("too many --profile rules (at most %d)", MAX_INPUT_RULES);
            break;
        case 'H':
            if (add_rule(o->hosts, &o->n_hosts, optarg) != 0)
                return usage_error("too many --host rules (at most %d)", MAX_INPUT_RULES);
            break;
        case 'Y':
            if (parse_year(optarg, &o->syslog_year) != 0)
                return usage_error("--syslog-year wants a year from 1970 to 2200, not '%s'", optarg);
            break;
        case 'Z':
            if (parse_offset(optarg, &o->syslog_offset_min) != 0)
                return usage_error("--syslog-zone wants an offset like +08:00 or Z, not '%s'", optarg);
            o->syslog_zone_known = true;
            break;
        case 'h': fputs(usage_text, stdout); exit(EXIT_OK);
        case 't':
            if (parse_threads(optarg, &o->threads) != 0)
                return usage_error("--threads wants a number from 1 to 1024, not '%s'", optarg);
            break;
        default:
            return usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!format_given) /* a terminal gets the table, files and pipes the JSON */
        o->format = (o->output || !isatty(1)) ? REPORT_JSON : REPORT_TABLE;
    o->inputs = argv + optind;
    o->n_inputs = (size_t)(argc - optind);
    if (o->n_inputs == 0)
        return usage_error("%s", "no INPUT given (a file, a folder, or - for standard input)");
    return EXIT_OK;
}

/* MARK: - Configuration */

typedef struct config {
    policy pol;
    inventory *inv;
    exclusions *excl;
    const scan_kernel *kernel;
} config;

static int load_config(const options *o, config *cfg)
{
    char err[1024];
    memset(cfg, 0, sizeof *cfg);
    if (!policy_resolve(o->policy, &cfg->pol, err, sizeof err)) {
        fprintf(stderr, "regsla: --policy: %s\n", err);
        return EXIT_USAGE;
    }
    if (o->inventory && !(cfg->inv = inventory_load(o->inventory, err, sizeof err))) {
        fprintf(stderr, "regsla: --inventory: %s\n", err);
        return EXIT_USAGE;
    }
    if (o->exclusions && !(cfg->excl = exclusions_load(o->exclusions, err, sizeof err))) {
        fprintf(stderr, "regsla: --exclusions: %s\n", err);
        return EXIT_USAGE;
    }
    int year, month;
    if (o->month && !sla_month_parse(o->month, &year, &month))
        return usage_error("--month wants YYYY-MM, not '%s'", o->month);
    if (o->kernel) {
        cfg->kernel = scan_kernel_by_name(o->kernel, err, sizeof err);
    } else {
        cfg->kernel = scan_kernel_best();
        if (!cfg->kernel)
            scan_kernel_by_name(getenv("RSLA_FORCE_KERNEL"), err, sizeof err);
    }
    if (!cfg->kernel) {
        fprintf(stderr, "regsla: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* A --profile value that is not a profile name is a profile file (docs/FORMATS.md). */
static int load_profile_files(options *o)
{
    for (size_t i = 0; i < o->n_profiles; i++) {
        const char *v = o->profiles[i].value;
        prof_format f;
        if (strcmp(v, "auto") == 0 || prof_format_from_name(v, &f))
            continue;
        char err[1024];
        o->profile_files[i] = scan_profile_load(v, err, sizeof err);
        if (!o->profile_files[i]) {
            fprintf(stderr, "regsla: --profile: '%s' is no profile name (auto, distribution, "
                    "distribution-text, combined, gitlab, nginx-json, zot) and no profile file: "
                    "%s\n", v, err);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

static void free_options(options *o)
{
    for (size_t i = 0; i < o->n_profiles; i++) {
        scan_profile_free(o->profile_files[i]);
        free((char *)o->profiles[i].pattern);
    }
    for (size_t i = 0; i < o->n_hosts; i++)
        free((char *)o->hosts[i].pattern);
}

static void free_config(config *cfg)
{
    policy_release(&cfg->pol);
    inventory_free(cfg->inv);
    exclusions_free(cfg->excl);
}

/* MARK: - Ingest */

typedef struct table_ctx {
    agg_status_table statuses;
    agg_sink *sink;
} table_ctx;

static void *begin_table(void *ctx)
{
    const table_ctx *c = ctx;
    agg_table *t = agg_table_create(&c->statuses);
    agg_table_set_sink(t, c->sink);
    return t;
}

static void add_outcome(void *table, const rsla_outcome *o)
{
    agg_table_add(table, o);
}

static void *begin_counts(void *ctx)
{
    (void)ctx;
    return minute_counts_create();
}

static void add_count(void *table, const rsla_outcome *o)
{
    minute_counts_add(table, o);
}

/* The first rule whose pattern matches path; else the last rule without a pattern; else -1. */
static ptrdiff_t rule_index(const input_rule *rules, size_t n, const char *path)
{
    ptrdiff_t all = -1;
    for (size_t i = 0; i < n; i++) {
        if (rules[i].pattern && fnmatch(rules[i].pattern, path, 0) == 0)
            return (ptrdiff_t)i;
        if (!rules[i].pattern)
            all = (ptrdiff_t)i;
    }
    return all;
}

static const char *rule_for(const input_rule *rules, size_t n, const char *path)
{
    const ptrdiff_t r = rule_index(rules, n, path);
    return r >= 0 ? rules[r].value : NULL;
}

static ing_input_settings *input_settings(const options *o, const ing_input_list *inputs)
{
    ing_input_settings *set = rsla_xcalloc(inputs->n + 1, sizeof *set);
    for (size_t i = 0; i < inputs->n; i++) {
        const char *path = inputs->items[i].path;
        const ptrdiff_t r = rule_index(o->profiles, o->n_profiles, path);
        const char *profile = r >= 0 ? o->profiles[r].value : NULL;
        if (r >= 0 && o->profile_files[r]) {
            set[i].forced = true;
            set[i].format = PROF_FORMAT_DISTRIBUTION; /* a JSON format: read by the JSON scanner */
            set[i].custom = o->profile_files[r];
        } else {
            set[i].forced = profile && strcmp(profile, "auto") != 0 &&
                            prof_format_from_name(profile, &set[i].format);
        }
        set[i].default_host = rule_for(o->hosts, o->n_hosts, path);
    }
    return set;
}

static void run_pipeline(const options *o, const config *cfg, const ing_input_list *inputs,
                         const ing_consumer *consumer, ing_result *res)
{
    ing_input_settings *settings = input_settings(o, inputs);
    const ing_options opt = {
        .threads = o->threads,
        .progress = !o->quiet && isatty(2),
        .kernel = cfg->kernel,
        .settings = settings,
        .prof = { .syslog_year = o->syslog_year, .syslog_zone_known = o->syslog_zone_known,
                  .syslog_offset_min = o->syslog_offset_min },
    };
    ing_pipeline_run(inputs, &opt, consumer, res);
    free(settings);
}

/* Reads every input into one table per thread (res->thread_states), whose counter blocks move
 * to a shared sink as they fill (agg_sink_create). @return the tables to finish together, the
 * threads' and the sink's (*n of them), each to free after the result. */
static agg_table **ingest(const options *o, const config *cfg, const ing_input_list *inputs,
                          ing_result *res, size_t *n)
{
    table_ctx ctx;
    policy_status_table(&cfg->pol, &ctx.statuses);
    ctx.sink = agg_sink_create(&ctx.statuses, o->threads);
    const ing_consumer consumer = { &ctx, begin_table, add_outcome };
    run_pipeline(o, cfg, inputs, &consumer, res);
    agg_table **tables = rsla_xmalloc((res->n_threads + 1) * sizeof *tables);
    for (size_t i = 0; i < res->n_threads; i++)
        tables[i] = res->thread_states[i];
    tables[res->n_threads] = agg_sink_release(ctx.sink);
    *n = res->n_threads + 1;
    return tables;
}

static minute_counts *ingest_counts(const options *o, const config *cfg,
                                    const ing_input_list *inputs, ing_result *res)
{
    const ing_consumer consumer = { NULL, begin_counts, add_count };
    run_pipeline(o, cfg, inputs, &consumer, res);
    minute_counts *all = res->thread_states[0];
    for (size_t i = 1; i < res->n_threads; i++) {
        minute_counts_merge(all, res->thread_states[i]);
        minute_counts_free(res->thread_states[i]);
        res->thread_states[i] = NULL;
    }
    return all;
}

/* Every problem with the input, on stderr: files that could not be read to their end and the
 * first rejected lines of each file, with file, line, byte offset and reason. */
static void report_input_problems(const ing_input_list *inputs, const ing_result *res)
{
    for (size_t i = 0; i < inputs->n_errors; i++)
        fprintf(stderr, "regsla: %s\n", inputs->errors[i]);
    for (size_t i = 0; i < res->input.n_files; i++) {
        const rsla_input_file *f = &res->input.files[i];
        if (f->error && !f->lost_tail)
            fprintf(stderr, "regsla: %s: %s\n", f->path, f->error);
        else if (f->error)
            fprintf(stderr,
                    "regsla: %s: %s at byte %llu of the file; the %llu lines read are counted, "
                    "the text that could not be decoded is lost\n",
                    f->path, f->error, (unsigned long long)f->error_offset,
                    (unsigned long long)f->counts.lines);
    }
    size_t shown = 0;
    for (size_t i = 0; i < res->n_rejections; i++) {
        const ing_rejection *r = &res->rejections[i];
        fprintf(stderr, "regsla: %s:%llu: rejected (byte %llu, column %llu): %s%s%s\n",
                res->input.files[r->file].path, (unsigned long long)r->line,
                (unsigned long long)r->offset, (unsigned long long)r->column + 1,
                rsla_reject_reason_name(r->reason), r->field ? " in " : "",
                r->field ? r->field : "");
        shown++;
        const bool last_of_file = i + 1 == res->n_rejections || res->rejections[i + 1].file != r->file;
        const uint64_t all = res->input.files[r->file].counts.rejected;
        if (last_of_file && all > shown)
            fprintf(stderr, "regsla: %s: %llu more rejected lines (counted in the report)\n",
                    res->input.files[r->file].path, (unsigned long long)(all - shown));
        if (last_of_file)
            shown = 0;
    }
}

/* MARK: - Output */

/* What goes to the output: the SLA report in a format, or the raw per-minute counts. */
typedef struct output {
    report_format fmt;
    const sla_report *rep;
    const rsla_run_input *input;
    const minute_counts *counts;
} output;

static int output_write(FILE *f, const output *out)
{
    if (out->counts) {
        minute_counts_write(out->counts, f);
        return ferror(f) ? -1 : 0;
    }
    return report_write(f, out->fmt, out->rep, out->input);
}

/* Writes to a temporary file beside the target, then renames it over the target, so a reader
 * of FILE sees the old report or the new one, never half of one. */
static int write_atomically(const char *path, const output *out)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
        fprintf(stderr, "regsla: %s: path too long\n", path);
        return EXIT_INTERNAL;
    }
    const int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "regsla: %s: cannot create a temporary file: %s\n", path, strerror(errno));
        return EXIT_INTERNAL;
    }
    const bool ok = output_write(f, out) == 0 && fflush(f) == 0 && fsync(fd) == 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        fprintf(stderr, "regsla: %s: cannot write the report: %s\n", path, strerror(errno));
        unlink(tmp);
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

/* A device or pipe given as -o (/dev/null, /dev/stdout, a FIFO) is written in place: renaming a
 * file over it would replace the device. */
static bool is_special_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

static int write_stream(const char *path, FILE *f, const output *out)
{
    if (output_write(f, out) != 0 || fflush(f) != 0) {
        fprintf(stderr, "regsla: cannot write the report to %s\n", path);
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

static int write_output(const options *o, output *out)
{
    out->fmt = o->format;
    if (!o->output || strcmp(o->output, "-") == 0)
        return write_stream("standard output", stdout, out);
    if (!is_special_file(o->output))
        return write_atomically(o->output, out);
    FILE *f = fopen(o->output, "w");
    if (!f) {
        fprintf(stderr, "regsla: %s: cannot open: %s\n", o->output, strerror(errno));
        return EXIT_INTERNAL;
    }
    const int rc = write_stream(o->output, f, out);
    return fclose(f) != 0 && rc == EXIT_OK ? EXIT_INTERNAL : rc;
}

/* MARK: - Commands */

/* The SLA report from the tables of ingest(): finish them together (order-free), compute,
 * write. The tables are freed by the caller, after the result that borrows their strings and
 * counter blocks. */
static int report_from_tables(const options *o, const config *cfg, ing_result *res,
                              agg_table **tables, size_t n)
{
    agg_result *agg = agg_tables_finish(tables, n, (unsigned)res->n_threads,
                                        cfg->inv ? inventory_instance_of_host : NULL, cfg->inv);
    if (!agg) { /* the spill of pending error requests failed (a full or missing $TMPDIR) */
        fprintf(stderr, "regsla: %s; no report written\n", agg_table_error(tables[0]));
        return EXIT_INTERNAL;
    }
    char err[512];
    sla_report *rep = sla_compute_threads(&cfg->pol, cfg->inv, cfg->excl, o->month, agg,
                                          (unsigned)res->n_threads, err, sizeof err);
    int rc;
    if (!rep) {
        fprintf(stderr, "regsla: %s\n", err);
        rc = EXIT_USAGE;
    } else {
        output out = { .rep = rep, .input = &res->input };
        rc = write_output(o, &out);
    }
    sla_report_free(rep);
    agg_result_free(agg);
    return rc;
}

static int run_report(const options *o)
{
    config cfg;
    int rc = load_config(o, &cfg);
    if (rc != EXIT_OK) {
        free_config(&cfg);
        return rc;
    }
    ing_input_list inputs;
    ing_inputs_find(o->inputs, o->n_inputs, &inputs);
    ing_result res;
    minute_counts *counts = NULL;
    agg_table **tables = NULL;
    size_t n_tables = 0;
    if (o->minute_counts)
        counts = ingest_counts(o, &cfg, &inputs, &res);
    else
        tables = ingest(o, &cfg, &inputs, &res, &n_tables);
    report_input_problems(&inputs, &res);
    if (o->strict && res.input.total.rejected > 0) {
        fprintf(stderr, "regsla: --strict: %llu lines rejected; no report written\n",
                (unsigned long long)res.input.total.rejected);
        rc = EXIT_STRICT;
    } else if (counts) {
        output out = { .counts = counts };
        rc = write_output(o, &out);
    } else {
        rc = report_from_tables(o, &cfg, &res, tables, n_tables);
    }
    if (rc == EXIT_OK && (inputs.n_errors > 0 || res.any_file_error))
        rc = EXIT_INPUT;
    for (size_t i = 0; i < n_tables; i++)
        agg_table_free(tables[i]);
    free(tables);
    minute_counts_free(counts);
    ing_result_free(&res);
    ing_inputs_free(&inputs);
    free_config(&cfg);
    return rc;
}

static int print_version(void)
{
    const scan_kernel *k = scan_kernel_best();
    printf("regsla %s\nscanner kernel: %s\n", RSLA_VERSION, k ? scan_kernel_name(k) : "(none: RSLA_FORCE_KERNEL names no usable kernel)");
    return k ? EXIT_OK : EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "no command given");
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
        return print_version();
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "report") != 0)
        return usage_error("unknown command '%s' (try 'regsla report')", argv[1]);
    rsla_memory_setup();
    options o;
    int rc = parse_args(argc - 1, argv + 1, &o);
    if (rc == EXIT_OK)
        rc = load_profile_files(&o);
    if (rc == EXIT_OK)
        rc = run_report(&o);
    free_options(&o);
    return rc;
}
