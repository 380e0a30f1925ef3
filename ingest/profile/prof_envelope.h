#ifndef PROF_ENVELOPE_H
#define PROF_ENVELOPE_H
/* What log shippers put around a registry's line, and how to take it off again.
 *
 * Two kinds of wrapping (LOG-FORMATS sections 2, 4 and 6):
 *   - line prefixes, text before the real line on the same line:
 *       2017-05-31T13:57:46.859524586Z time="…"            docker logs -t   (gives a time)
 *       2023-01-18T22:23:05.1Z stdout F 10.0.0.1 - - […]  CRI / containerd (gives a time)
 *       registry_1  | time="…"                            docker-compose
 *       Apr  9 09:40:03 registry-internal journal: …      BSD syslog, no year, no zone
 *       2023-01-18T22:23:05.1+01:00 host registry[1]: …   rsyslog RFC 3339 stamp (gives a time)
 *       registry.log:time="…"                             grep over several files
 *       1.5.2019 00:39:58time="…"                         Rancher's glued local stamp
 *       [/var/log/registry/request.log] - …               pastebin style
 *     Prefixes may be stacked (syslog around compose); at most PROF_PREFIX_MAX_DEPTH are removed.
 *   - envelopes, the whole line being a JSON object that carries the real line in a string:
 *       {"log":"<line>\n","stream":"stdout","time":"…"}   Docker json-file (gives a time)
 *       {"message":"<line>","tag":"registry",…}            fluentd style
 *
 * Everything here is a pure function of its arguments: safe from any thread. */
#include <stdbool.h>                     /* bool */
#include <stddef.h>                      /* size_t */
#include <stdint.h>                      /* int64_t */
#include "common/rsla_base.h"            /* rsla_slice */
#include "common/rsla_time_formats.h"    /* rsla_syslog_stamp */

/* MARK: - Prefixes (Public) */

/* Prefix kinds, one bit each, so a detection result can name several (files collected from
 * several places mix them; real-logs/distribution-text.log does). */
enum {
    PROF_PREFIX_DOCKER_TS = 1u << 0,  /* `docker logs -t`: RFC 3339 instant and one space */
    PROF_PREFIX_CRI = 1u << 1,        /* `<RFC 3339> stdout|stderr F|P ` */
    PROF_PREFIX_COMPOSE = 1u << 2,    /* `name  | ` */
    PROF_PREFIX_SYSLOG = 1u << 3,     /* `Mon dd HH:MM:SS [host] tag[pid]: `, or the same after
                                         an RFC 3339 instant (rsyslog's precise format) */
    PROF_PREFIX_GREP = 1u << 4,       /* `file.log:` */
    PROF_PREFIX_RANCHER = 1u << 5,    /* `d.m.yyyy HH:MM:SS` glued to the line */
    PROF_PREFIX_BRACKET_PATH = 1u << 6, /* `[/path/file.log] - ` */
    PROF_PREFIX_ALL = (1u << 7) - 1
};

/* How many prefixes one line may carry; a bound, so a hostile line costs linear time. */
#define PROF_PREFIX_MAX_DEPTH 4

/* What the prefixes of one line said. */
typedef struct prof_prefix_info {
    unsigned kinds;          /* PROF_PREFIX_* bits of the prefixes removed */
    bool has_time;           /* docker -t or CRI gave an absolute instant */
    int64_t time_ns;         /* with has_time: the outermost such instant */
    bool has_syslog_stamp;   /* a syslog stamp (no year, no zone) was seen */
    rsla_syslog_stamp syslog;
    bool cri_partial;        /* the CRI tag was P: this line is a fragment of a longer one */
} prof_prefix_info;

/* Names of prefix bits for reports ("docker-ts", "cri", "compose", "syslog", "grep", "rancher",
 * "bracket-path"); NULL for anything that is not exactly one known bit. */
const char *prof_prefix_name(unsigned kind);

/*! prof_prefix_strip() :
 * Removes, from the start of line[0, len), a UTF-8 byte order mark (always, not reported) and
 * the prefixes whose bits are in mask, repeatedly (up to PROF_PREFIX_MAX_DEPTH), and reports
 * them in *info (always written).
 * A prefix is recognised by its whole shape (the RFC 3339 instant must parse, the syslog stamp
 * must be a valid stamp followed by a `tag:` or `tag[pid]:` token), so a line that merely starts
 * with a digit or a word is left alone.
 * @return the offset of the inner line within line (0 when nothing was removed). */
size_t prof_prefix_strip(const char *line, size_t len, unsigned mask, prof_prefix_info *info);

/* MARK: - JSON envelopes (Public) */

typedef enum prof_envelope {
    PROF_ENVELOPE_NONE = 0,
    PROF_ENVELOPE_DOCKER_JSON, /* {"log": "...", "stream": ..., "time": ...} */
    PROF_ENVELOPE_FLUENTD,     /* {"message": "...", ...} */
} prof_envelope;

/* "none", "docker-json", "fluentd". */
const char *prof_envelope_name(prof_envelope e);

typedef enum prof_unwrap_status {
    PROF_UNWRAP_OK = 0,
    PROF_UNWRAP_ABSENT,  /* a JSON object, but without the envelope's string member */
    PROF_UNWRAP_SYNTAX,  /* not a JSON object at all (or a broken one) */
} prof_unwrap_status;

/* What one envelope held besides the inner line. */
typedef struct prof_unwrap_info {
    bool has_time;       /* docker json-file `time`, RFC 3339 */
    int64_t time_ns;
    size_t error_column; /* with PROF_UNWRAP_SYNTAX: where the object stopped making sense */
} prof_unwrap_info;

/*! prof_envelope_unwrap() :
 * Takes the inner line out of an envelope of kind e: the JSON string member `log` (Docker) or
 * `message` (fluentd), JSON-unescaped into out (at least len bytes), with one trailing "\n" and
 * "\r" removed (Docker keeps the line's newline in `log`).
 * The object is walked leniently (it is somebody else's wrapper): strings, nesting and
 * literals are delimited, not validated, so a redacted bare word does not cost the inner line.
 * @return PROF_UNWRAP_OK with *out_len set, or why not. */
prof_unwrap_status prof_envelope_unwrap(prof_envelope e, const char *line, size_t len, char *out,
                                        size_t *out_len, prof_unwrap_info *info);

/* MARK: - Lenient JSON members (Internal, shared with detection) */

/* One top-level member of a JSON object, as raw text. */
typedef struct prof_json_member {
    rsla_slice key;    /* between the quotes, escapes not resolved */
    char type;         /* 's' string, 'o' object, 'a' array, 'l' any other literal/number */
    rsla_slice value;  /* a string: between its quotes (escaped); otherwise the raw token */
} prof_json_member;

/*! prof_json_members() :
 * Calls fn for each top-level member of the JSON object in s[0, len), in order, until fn
 * returns false. Leading/trailing whitespace allowed. Lenient as described above; containers
 * deeper than 64 levels or an unterminated string make it fail.
 * @return true when the object was walked to its end (or fn stopped it), false on a shape
 *         error with *err_col (may be NULL) set to the byte where it was found. */
bool prof_json_members(const char *s, size_t len,
                       bool (*fn)(void *ctx, const prof_json_member *m), void *ctx,
                       size_t *err_col);

/* s[i] is '"': @return the index of the quote that closes it (a backslash escapes the next
 * byte), or len when the string is unterminated. Shared by the envelope and the text readers. */
size_t prof_quoted_end(const char *s, size_t len, size_t i);

#endif
