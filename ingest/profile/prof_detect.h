#ifndef PROF_DETECT_H
#define PROF_DETECT_H
/* Which input profile a file is written in, decided from its first lines.
 *
 * The rule (docs/FORMATS.md): read up to PROF_DETECT_MAX_LINES whole lines from the first
 * PROF_DETECT_MAX_BYTES of the decoded file; for each line, remove the shipper's prefixes, open a
 * JSON envelope when there is one, and ask which format the line belongs to:
 *   - JSON lines by their keys: `msg` + `http.request.uri` (distribution); `msg` = "access" with
 *     `uri`, `status`, `duration_ms`, or any `correlation_id` (gitlab); `statusCode` + `path` or
 *     `message` = "HTTP API" (zot); `status` + `request`|`uri` + `time_local`|`access_time`|`msec`
 *     (nginx-json). A JSON line without such keys (banners, storage traces) votes for nothing.
 *   - text lines by the readers of prof_text.h: any logrus line (even a banner or a TTY line)
 *     votes distribution-text, any combined line combined.
 * The format with the most votes wins; a tie goes to the earlier in prof_format order (app logs
 * before access logs: they carry the host and the duration). No vote at all is PROF_FORMAT_NONE,
 * with a reason. The envelope is the most frequent one among the winner's lines, the prefixes
 * the union of those seen on any line (a prefix is removed only where it is present).
 *
 * Layer rule: a file that holds two layers of the same requests (Distribution's app log, text or
 * JSON, beside its combined access log, as in registry-mixed-zarf.log) is read at the app-log
 * layer whenever app-log lines are among those read, even when combined lines outnumber them
 * there; the combined lines are then skipped as another format. `--profile combined` forces the
 * access-log layer. Pure functions; safe from any thread. */
#include <stdbool.h>                        /* bool */
#include <stddef.h>                         /* size_t */
#include <stdint.h>                         /* int64_t */
#include "ingest/profile/prof_envelope.h"   /* prof_envelope, PROF_PREFIX_* */

/* Lines and bytes detection reads: enough to see past a startup banner (Distribution writes
 * five to eight lines before the first request) while staying a negligible cost per file. */
#define PROF_DETECT_MAX_LINES 64
#define PROF_DETECT_MAX_BYTES (64 * 1024)

/* The input profiles, in tie-break order. */
typedef enum prof_format {
    PROF_FORMAT_NONE = 0,
    PROF_FORMAT_DISTRIBUTION,      /* logrus JSON (ingest/scan) */
    PROF_FORMAT_GITLAB,            /* LabKit JSON access log (ingest/scan, later) */
    PROF_FORMAT_ZOT,               /* zerolog JSON (ingest/scan, later) */
    PROF_FORMAT_NGINX_JSON,        /* nginx escape=json (ingest/scan, later) */
    PROF_FORMAT_DISTRIBUTION_TEXT, /* logrus text (prof_text.h) */
    PROF_FORMAT_COMBINED,          /* Apache/nginx combined (prof_text.h) */
    PROF_FORMAT_COUNT
} prof_format;

/* "none", "distribution", "gitlab", "zot", "nginx-json", "distribution-text", "combined". */
const char *prof_format_name(prof_format f);

/*! prof_format_from_name() :
 * The format called name (as prof_format_name() writes it; "none" is not accepted).
 * @return true and *f set, or false for an unknown name. */
bool prof_format_from_name(const char *name, prof_format *f);

/* Whether lines of f are JSON, read by the JSON scanner (ingest/scan) rather than prof_text. */
bool prof_format_is_json(prof_format f);

/* What detection (or the user) chose for one file. */
typedef struct prof_choice {
    prof_format format;
    prof_envelope envelope;   /* envelope around the winner's lines, or NONE */
    unsigned prefixes;        /* PROF_PREFIX_* bits seen on the winner's lines */
    bool has_ref_time;        /* an absolute instant was seen in the lines read: the reference */
    int64_t ref_time_ns;      /* for the syslog year rule (rsla_time_syslog_year_near) */
    size_t lines_read;        /* lines examined */
    size_t votes[PROF_FORMAT_COUNT]; /* lines recognised per format */
    const char *reason;       /* with PROF_FORMAT_NONE: why, for the report; else NULL */
} prof_choice;

/* The format one line belongs to, and what is around it. */
typedef struct prof_line_class {
    prof_format format;       /* NONE when the line is of no known format (or votes for none) */
    prof_envelope envelope;
    unsigned prefixes;
    bool has_time;            /* an absolute instant found on the line (prefix, envelope, own) */
    int64_t time_ns;
} prof_line_class;

/*! prof_detect_line() :
 * Classifies one line (no newline) as detection does. scratch needs 2 * len bytes.
 * Exposed for tests and for callers that want to explain a choice. */
void prof_detect_line(const char *line, size_t len, char *scratch, prof_line_class *out);

/*! prof_detect() :
 * Chooses the profile of a file from buf[0, len), its first decoded bytes (any length; only the
 * first PROF_DETECT_MAX_BYTES and PROF_DETECT_MAX_LINES lines are read, and a last line without
 * a newline is read only when the whole buffer is shorter than PROF_DETECT_MAX_BYTES, since it
 * may be cut, or when it is the first line: a line longer than the limit is judged by its
 * beginning rather than leaving the file undetected). *out is always written. Allocates scratch
 * for the call only. */
void prof_detect(const char *buf, size_t len, prof_choice *out);

/*! prof_choice_forced() :
 * The choice for a format the user named (`--profile NAME`), reading buf/len as prof_detect()
 * does (may be empty): the envelope and prefixes are those seen on the lines of that format;
 * when there is none, no envelope and every prefix kind. *out is always written. */
void prof_choice_forced(prof_format f, const char *buf, size_t len, prof_choice *out);

/*! prof_choose() :
 * The `--profile` argument applied to one file: "auto" (or NULL) detects with prof_detect(), a
 * format name forces it with prof_choice_forced(). A profile file is not handled here.
 * @return false when the name is neither "auto" nor a format name (*out untouched). */
bool prof_choose(const char *profile, const char *buf, size_t len, prof_choice *out);

/*! prof_choice_describe() :
 * What was chosen, for the report's input.files: the format name, then the envelope and the
 * prefixes when there are any, e.g. `distribution-text+docker-json` or
 * `combined+cri+syslog`; `none` for no format. Writes at most cap bytes including the NUL.
 * @return the length the whole text needs (as snprintf). */
size_t prof_choice_describe(const prof_choice *c, char *out, size_t cap);

#endif
