#ifndef RSLA_ING_PIPELINE_H
#define RSLA_ING_PIPELINE_H
/* The pthreads pipeline: inputs -> decoded, line-aligned chunks -> scanner -> outcomes.
 *
 *     files ──(a thread holding a file's reader decodes one chunk)──> bounded chunk queue
 *                                                                        │
 *     per-thread consumer state <──(outcomes)── scan_chunk() <───────────┘
 *
 * Every thread does both jobs: it decodes the next chunk of a free input when the queue runs
 * low, and scans a queued chunk otherwise, so one thread runs the whole job, two overlap
 * decompression with scanning, and N read N files at once. A file's reader is held by one thread
 * at a time; the queue and the buffer pool are bounded, which is the back-pressure: with no free
 * buffer, a thread scans instead of reading. Memory is therefore about
 * (2 x threads + 2) x chunk size, whatever the input size.
 *
 * Chunks are cut at the last '\n'; the partial line after it is carried into the file's next
 * chunk, and a line longer than a chunk grows that chunk's buffer until the line ends. */
#include <stdbool.h>                /* bool */
#include <stddef.h>                 /* size_t */
#include <stdint.h>                 /* uint64_t */
#include "analyzer/outcome.h"       /* rsla_outcome */
#include "common/rsla_accounting.h" /* rsla_run_input, rsla_reject_reason */
#include "ingest/ing_source.h"      /* ing_input_list */
#include "ingest/profile/prof_scan.h" /* prof_format, prof_options */
#include "ingest/scan/scan.h"       /* scan_kernel, scan_profile */

/* Where outcomes go: each pipeline thread gets its own state from thread_begin and hands every
 * outcome it scans to on_outcome with that state, so consumers need no locking. */
typedef struct ing_consumer {
    void *ctx;
    void *(*thread_begin)(void *ctx);
    void (*on_outcome)(void *thread_state, const rsla_outcome *o);
} ing_consumer;

/* What the user said of one input. */
typedef struct ing_input_settings {
    bool forced;            /* format is the user's choice; else detected from the first lines */
    prof_format format;
    const char *default_host; /* instance host for lines that name none (combined); NULL: none */
    const scan_profile *custom; /* a profile file's profile (format is then a JSON format) */
} ing_input_settings;

typedef struct ing_options {
    unsigned threads;            /* >= 1 */
    size_t chunk_size;           /* bytes of text per chunk; 0: the default */
    bool progress;               /* a progress line on stderr */
    const scan_kernel *kernel;
    const ing_input_settings *settings; /* one per input, or NULL: every input detected */
    prof_options prof;                  /* syslog year and zone; default_host is per input */
    size_t max_rejection_samples; /* per file; 0: the default */
    uint64_t segment_min_bytes;   /* zstd bytes per parallel segment; 0: the default */
} ing_options;

/* One rejected line, as a message names it. */
typedef struct ing_rejection {
    size_t file;             /* index into the run's files */
    uint64_t line;           /* 1-based line number in the decoded file */
    uint64_t offset;         /* byte offset of the line in the decoded file */
    rsla_reject_reason reason;
    uint64_t column;         /* byte within the line */
    const char *field;       /* static string or NULL */
} ing_rejection;

typedef struct ing_result {
    rsla_run_input input;        /* per file accounting, in the inputs' order, and the total */
    ing_rejection *rejections;   /* the first few rejected lines of each file, in file order */
    size_t n_rejections;
    void **thread_states;        /* what thread_begin returned, one per thread */
    size_t n_threads;
    bool any_file_error;         /* a file could not be opened or read to its end */
} ing_result;

/* Runs the pipeline over inputs. Returns when every input is read and scanned. */
void ing_pipeline_run(const ing_input_list *inputs, const ing_options *opt,
                      const ing_consumer *consumer, ing_result *out);
void ing_result_free(ing_result *r);

#endif
