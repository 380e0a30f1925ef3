#ifndef RSLA_SCAN_H
#define RSLA_SCAN_H
/* The JSON field scanner: turns a chunk of whole NDJSON lines into request outcomes.
 *
 * Every line is fully validated (RFC 8259 grammar, UTF-8, nesting depth) before any of its fields
 * is used: a line is an outcome, skipped, or rejected with a reason and the byte where the
 * problem was found, never half-read. Kernels differ only in speed; each gives exactly the scalar
 * kernel's verdicts.
 *
 * Chunk layout (made by ingest/ing_chunk.c):
 *
 *     buf                                        buf+len
 *     | line\n | line\n | ... | line\n | [last line] | >= SCAN_PADDING zero bytes |
 *
 * Each line ends with '\n' except possibly the last one of the chunk, which then ends at len
 * (the final line of an input without a trailing newline). A line's own '\r' before '\n' is JSON
 * whitespace. The padding lets kernels load whole 64-byte blocks past the end. */
#include <stdbool.h>                  /* bool */
#include <stddef.h>                   /* size_t */
#include "analyzer/outcome.h"         /* rsla_outcome */
#include "common/rsla_accounting.h"   /* rsla_skip_reason, rsla_reject_reason */

#define SCAN_PADDING 64

/* Where one line's verdict goes. Callbacks run on the scanning thread, in line order. */
typedef struct scan_sink {
    void *ctx;
    /* An outcome; its slices are valid only during the call. */
    void (*on_outcome)(void *ctx, const rsla_outcome *o);
    void (*on_skip)(void *ctx, rsla_skip_reason reason);
    /* line_start: offset of the line in the chunk; line_index: 0-based line number in the chunk;
     * column: byte offset within the line where the problem was detected; field: the field
     * concerned (a key name) or NULL. */
    void (*on_reject)(void *ctx, size_t line_start, size_t line_index, rsla_reject_reason reason,
                      size_t column, const char *field);
} scan_sink;

/* MARK: - Kernels (Public) */

/* One implementation of the scanner. Kernels are static objects: never freed, safe to share
 * between threads. What each needs at run time:
 *     avx512  AVX-512 F/BW/VL/VBMI2 (Ice Lake, Zen 4 and later), OS-saved ZMM and opmask state
 *     avx2    AVX2, BMI1/2, PCLMULQDQ, OS-saved YMM state
 *     sse42   SSE4.2, SSSE3, PCLMULQDQ, POPCNT
 *     neon    AArch64
 *     scalar  anything */
typedef struct scan_kernel scan_kernel;

/*! scan_kernel_best() :
 * The kernel to use: the first of avx512 > avx2 > sse42 > neon > scalar that this build has and
 * this CPU (and OS, for the wider register state) runs, detected once. When the environment
 * variable RSLA_FORCE_KERNEL is set, that kernel instead.
 * @return the kernel, or NULL when RSLA_FORCE_KERNEL names a kernel that is unknown or not runnable
 *         here (call scan_kernel_by_name() with the same name to get the message). */
const scan_kernel *scan_kernel_best(void);

/*! scan_kernel_by_name() :
 * Looks a kernel up by its name ("scalar", "sse42", "avx2", "avx512", "neon").
 * @return the kernel, or NULL with a one-line reason in err (errlen bytes, may be 0) when the name
 *         is unknown, not built into this binary, or not supported by this CPU. Never falls back. */
const scan_kernel *scan_kernel_by_name(const char *name, char *err, size_t errlen);

/* The kernel's name, as accepted by scan_kernel_by_name(). */
const char *scan_kernel_name(const scan_kernel *k);

/*! scan_kernel_list() :
 * Writes up to max kernels this CPU runs into out, best first, scalar last.
 * @return how many there are (may exceed max). */
size_t scan_kernel_list(const scan_kernel **out, size_t max);

/* MARK: - Profiles (Public) */

/* What to read from a JSON line: which top-level keys give which outcome fields, which lines are
 * outcomes at all, and the syntax of time, status and duration. Static; see scan_profile.c. */
typedef struct scan_profile scan_profile;

/*! scan_profile_distribution() :
 * CNCF Distribution's logrus JSON app log (LOG-FORMATS section 1): outcome lines are those whose
 * `msg` is "response completed" or "response completed with error"; fields `time` (RFC 3339),
 * `http.request.host`, `http.request.method`, `http.request.uri` (query cut at the first '?'),
 * `http.response.status` (integer 0..999 or a 1-3 digit string), all required; optional
 * `http.response.duration` (Go duration string) and `http.request.id`. */
const scan_profile *scan_profile_distribution(void);

/* The profile's name ("distribution"). */
const char *scan_profile_name(const scan_profile *p);

/*! scan_profile_by_name() :
 * The built-in JSON profiles (docs/FORMATS.md): "distribution"; "gitlab" (LabKit access log,
 * `msg` = "access", `duration_ms`); "zot" (`message` = "HTTP API", `statusCode`, `path`,
 * `latency`; no host field: the input's default host, else "-"); "nginx-json" (every object is an
 * access line; alternative keys for time, host and target; `request` split into method and
 * target; status as a string; `request_time` seconds).
 * @return the static row, or NULL for another name. */
const scan_profile *scan_profile_by_name(const char *name);

/*! scan_profile_load() :
 * Reads a profile file (JSON, docs/FORMATS.md section 4) that maps a JSON log's keys to the
 * outcome fields.
 * @return a profile to use like a built-in one and free with scan_profile_free(), or NULL with
 *         `PATH:LINE:COL: reason` (or `PATH: reason` when the file cannot be read) in err
 *         (errlen bytes, may be 0). */
scan_profile *scan_profile_load(const char *path, char *err, size_t errlen);

/*! scan_profile_parse() :
 * scan_profile_load() on the text buf[0, len) (any bytes; no padding needed); name is used in
 * messages in place of the path. */
scan_profile *scan_profile_parse(const char *buf, size_t len, const char *name, char *err,
                                 size_t errlen);

/* Frees a profile from scan_profile_load() or scan_profile_parse(); NULL is accepted. Never
 * pass a built-in row. States made with it must be freed first. */
void scan_profile_free(scan_profile *p);

/* MARK: - Scanning (Public) */

/* Per-thread scratch (index buffers, unescape space). One per worker thread; not thread-safe. */
typedef struct scan_state scan_state;

/*! scan_state_create() :
 * Scratch for scanning with kernel k under profile p. Both must be non-NULL.
 * @return the state (allocation failure ends the run, see rsla_xmalloc). Free with
 *         scan_state_free(). */
scan_state *scan_state_create(const scan_kernel *k, const scan_profile *p);

/* Frees a state; NULL is accepted. */
void scan_state_free(scan_state *s);

/*! scan_state_set_default_host() :
 * The host given to outcomes of lines that carry none, for profiles that allow it (zot, a
 * profile file's `host.default`): the input's `--host`. host is borrowed (NULL: the profile's own
 * default, "-" for zot) and may be changed between scan_chunk() calls, so one state per thread
 * can serve inputs with different hosts: set it before scanning each input's chunk. */
void scan_state_set_default_host(scan_state *s, const char *host);

/*! scan_chunk() :
 * Scans every line of buf[0, len) (layout above, SCAN_PADDING readable bytes after len) and makes
 * exactly one sink call per line, in order: on_outcome, on_skip or on_reject.
 *   - blank or whitespace-only line: skip BLANK;
 *   - first non-whitespace byte not '{': skip NOT_JSON;
 *   - '{' but not one valid JSON object followed only by whitespace: reject JSON_SYNTAX,
 *     INVALID_UTF8 (inside a string) or TOO_DEEP (more than 128 nested containers), with the
 *     column of the first offending byte;
 *   - a valid object: the profile decides (outcome, skip OTHER_MESSAGE, or a field reject).
 * A raw newline cannot occur inside an NDJSON string: it ends the line, and each part is judged
 * on its own (the first as an unterminated string, at the column of the newline).
 * @return the number of lines seen (= sink calls made). */
size_t scan_chunk(scan_state *s, const char *buf, size_t len, const scan_sink *sink);

/*! scan_validate_document() :
 * Conformance entry: validates buf[0, len) as one RFC 8259 JSON text (any top-level value;
 * newlines are whitespace), with kernel k. buf needs SCAN_PADDING readable bytes after len.
 * @return 0 when valid, else the rsla_reject_reason + 1 with *offset (may be NULL) set to the
 *         byte offset of the first offending byte (len when the text ends too early). */
int scan_validate_document(const scan_kernel *k, const char *buf, size_t len, size_t *offset);

#endif
