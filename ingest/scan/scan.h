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

#endif
