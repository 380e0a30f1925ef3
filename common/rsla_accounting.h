#ifndef RSLA_ACCOUNTING_H
#define RSLA_ACCOUNTING_H
/* The accounting that proves no line was lost: every line of every input ends as an outcome, a
 * skipped line or a rejected line, counted by reason (SLA-SPEC section 1):
 *     lines = outcomes + skipped + rejected      per file and in total.
 * The reason vocabularies live here, below ingest/ and analyzer/, because ingest produces them
 * and the reports print them. */
#include <stdint.h> /* uint64_t */

/* Why a line was skipped: it is not a request outcome, and that is normal. */
typedef enum rsla_skip_reason {
    RSLA_SKIP_BLANK = 0,      /* empty or whitespace-only line */
    RSLA_SKIP_NOT_JSON,       /* does not start with '{': another stream's line (combined access
                                 log, text banner, stack trace) interleaved in a JSON log */
    RSLA_SKIP_OTHER_MESSAGE,  /* a valid JSON line that reports no completed request */
    RSLA_SKIP_OTHER_FORMAT,   /* a line of another format than the file's profile (the other
                                 layer of a mixed file, a banner in a text log) */
    RSLA_SKIP_NOT_REQUEST,    /* an access-log line that records no HTTP request (TLS bytes sent
                                 to the HTTP port, an empty request line) */
    RSLA_SKIP_UNKNOWN_FORMAT, /* a line of a file whose lines match no profile: counted, not read */
    RSLA_SKIP_REASON_COUNT
} rsla_skip_reason;

/* Why a line was rejected: it claims to be a log record but cannot be read as one. */
typedef enum rsla_reject_reason {
    RSLA_REJECT_JSON_SYNTAX = 0, /* starts like JSON but is not valid JSON */
    RSLA_REJECT_INVALID_UTF8,    /* bytes that are not UTF-8 inside the JSON text */
    RSLA_REJECT_TOO_DEEP,        /* nesting deeper than the scanner's limit */
    RSLA_REJECT_NOT_OBJECT,      /* valid JSON whose top level is not an object */
    RSLA_REJECT_MISSING_FIELD,   /* an outcome line without a required field */
    RSLA_REJECT_WRONG_TYPE,      /* a field of the wrong JSON type (status as float, uri as number) */
    RSLA_REJECT_BAD_TIME,        /* a time that is not a valid timestamp */
    RSLA_REJECT_TIME_NO_ZONE,    /* a time without zone, and the profile names none */
    RSLA_REJECT_BAD_STATUS,      /* a status outside 0..999 or not an integer */
    RSLA_REJECT_BAD_DURATION,    /* a duration that is not a duration */
    RSLA_REJECT_NO_ABSOLUTE_TIME,/* a text line whose only time is relative (logrus TTY INFO[0025]) */
    RSLA_REJECT_TEXT_SYNTAX,     /* a text-format line that cannot be read unambiguously */
    RSLA_REJECT_PARTIAL_LINE,    /* a line cut short (no closing quote or bracket) */
    RSLA_REJECT_REASON_COUNT
} rsla_reject_reason;

/* Stable names used in reports and messages (snake_case, part of the JSON schema). */
const char *rsla_skip_reason_name(rsla_skip_reason r);
const char *rsla_reject_reason_name(rsla_reject_reason r);

/* Line counts of one input file or of the whole run; mergeable by addition. */
typedef struct rsla_line_counts {
    uint64_t lines;
    uint64_t outcomes;
    uint64_t skipped;
    uint64_t rejected;
    uint64_t skipped_by_reason[RSLA_SKIP_REASON_COUNT];
    uint64_t rejected_by_reason[RSLA_REJECT_REASON_COUNT];
} rsla_line_counts;

void rsla_line_counts_add(rsla_line_counts *dst, const rsla_line_counts *src);

#endif

#ifndef RSLA_ACCOUNTING_FILES_H
#define RSLA_ACCOUNTING_FILES_H
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */

/* What the run says of one input, for the report's input.files. */
typedef struct rsla_input_file {
    char *path;               /* as given or found; "-" for standard input */
    const char *compression;  /* "zstd" or "none" */
    const char *profile;      /* input profile used, e.g. "distribution" */
    rsla_line_counts counts;
    uint64_t bytes_read;      /* bytes of the file consumed (compressed bytes for zstd) */
    uint64_t bytes_decoded;   /* bytes of log text decoded */
    char *error;              /* NULL, or why the file could not be read to its end */
    uint64_t error_offset;    /* with error: the byte offset in the file where reading stopped */
    bool lost_tail;           /* with error: the rest of the file after error_offset was not read */
} rsla_input_file;

/* The input side of a run: every file, and their sum. */
typedef struct rsla_run_input {
    rsla_input_file *files;   /* in a stable order (sorted by path) */
    size_t n_files;
    rsla_line_counts total;
} rsla_run_input;
#endif
