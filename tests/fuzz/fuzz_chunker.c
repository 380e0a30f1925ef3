/* Fuzz target: the chunker and the threads of ingest/ing_pipeline.
 *
 * The input (after two parameter bytes) is the text of one input file, read through
 * ing_pipeline_run: as a plain file with one thread and the default 1 MiB chunks (the
 * reference), once with a tiny chunk size (1 to 64 bytes: every line is cut, carried and grown)
 * and 1 to 3 threads, either as the same plain file or as a zstd file of 1 to 8 frames cut
 * anywhere in the text (mid-line too) with one parallel segment per frame (segment_min_bytes 1).
 * Properties:
 *   - lines = outcomes + skipped + rejected, per file and in total, in both runs;
 *   - both runs count the same lines, outcomes, skips and rejections by reason, decode the same
 *     bytes, and scan the same outcomes (an order-free sum of hashes of every outcome's fields);
 *   - the sampled rejections name the same lines, byte offsets, columns and reasons;
 *   - the reference counts as many lines as the text has (newlines, plus an unterminated tail).
 * Parameter bytes: data[0] picks the chunk size (and where frames are cut); data[1] the threads
 * (% 3), zstd or plain (bit 2), the frame count (bits 3-5), checksums (bit 6), and (bit 7) whether
 * the file's format is detected as regsla detects it (ing_options.settings NULL) or the
 * Distribution JSON profile is forced. Files are memfds, opened by the pipeline as
 * /proc/self/fd/N like any path.
 * Three runs: the reference (1 thread, 1 MiB chunks), the same text with the tiny chunks and one
 * thread, and the run above. The two tiny-chunk runs must agree in everything; the tiny-chunk
 * run must agree with the reference too.
 * A bug it found, fixed in 541ee91: a file's format, and with a forced format whether lines need
 * prefixes stripped, were decided from the first chunk its first unit read, so with chunks
 * smaller than the detection window (64 lines / 64 KiB) the verdicts could differ from the 1 MiB
 * run (a BOM at the start of a later line, a first line that is not a record). A file's decision
 * now reads a first chunk of the default size of its own (corpus file
 * regress-decision-per-segment); 80 s and then 10 minutes of fuzzing found no case since.
 * RSLA_FUZZ_SKIP_KNOWN=1 in the environment still leaves bit 7 off and skips the comparison with
 * the reference. (Another bug it found, a BOM at the start of a zstd file read in parallel
 * segments, is fixed: corpus file regress-bom-parallel-segments.) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "ingest/ing_pipeline.h"
#include "ingest/profile/prof_detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Per-thread consumer state: outcomes seen and a sum of their hashes (order-free). */
typedef struct tally {
    uint64_t outcomes;
    uint64_t hash_sum;
} tally;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t slice_hash(uint64_t h, rsla_slice s)
{
    h = fnv(h, &s.len, sizeof s.len);
    return fnv(h, s.ptr, s.len);
}

static void *begin(void *ctx)
{
    (void)ctx;
    return calloc(1, sizeof(tally));
}

static void on_outcome(void *state, const rsla_outcome *o)
{
    tally *t = state;
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv(h, &o->time_ns, sizeof o->time_ns);
    h = fnv(h, &o->status, sizeof o->status);
    h = fnv(h, &o->duration_ns, sizeof o->duration_ns);
    h = slice_hash(h, o->host);
    h = slice_hash(h, o->method);
    h = slice_hash(h, o->path);
    h = slice_hash(h, o->request_id);
    t->outcomes++;
    t->hash_sum += h;
}

typedef struct run_out {
    ing_result res;
    uint64_t outcomes, hash_sum;
} run_out;

static void check_sums(const rsla_line_counts *c)
{
    uint64_t s = 0, r = 0;
    for (int i = 0; i < RSLA_SKIP_REASON_COUNT; i++)
        s += c->skipped_by_reason[i];
    for (int i = 0; i < RSLA_REJECT_REASON_COUNT; i++)
        r += c->rejected_by_reason[i];
    if (c->lines != c->outcomes + c->skipped + c->rejected || s != c->skipped || r != c->rejected) {
        fprintf(stderr, "fuzz_chunker: accounting does not add up: lines %llu outcomes %llu "
                        "skipped %llu (by reason %llu) rejected %llu (by reason %llu)\n",
                (unsigned long long)c->lines, (unsigned long long)c->outcomes,
                (unsigned long long)c->skipped, (unsigned long long)s,
                (unsigned long long)c->rejected, (unsigned long long)r);
        abort();
    }
}

/* detect: formats detected as regsla does (settings NULL); else the Distribution JSON forced. */
static void run(const ing_input_list *inputs, unsigned threads, size_t chunk_size, bool detect,
                run_out *out)
{
    static const ing_input_settings forced = { true, PROF_FORMAT_DISTRIBUTION, NULL };
    const ing_options opt = {
        .threads = threads,
        .chunk_size = chunk_size,
        .kernel = scan_kernel_best(),
        .settings = detect ? NULL : &forced,
        .segment_min_bytes = 1, /* zstd: one parallel segment per frame */
    };
    const ing_consumer consumer = { NULL, begin, on_outcome };
    ing_pipeline_run(inputs, &opt, &consumer, &out->res);
    out->outcomes = out->hash_sum = 0;
    for (size_t i = 0; i < out->res.n_threads; i++) {
        tally *t = out->res.thread_states[i];
        if (t) {
            out->outcomes += t->outcomes;
            out->hash_sum += t->hash_sum;
        }
        free(t);
        out->res.thread_states[i] = NULL;
    }
    check_sums(&out->res.input.total);
    for (size_t i = 0; i < out->res.input.n_files; i++)
        check_sums(&out->res.input.files[i].counts);
    if (out->outcomes != out->res.input.total.outcomes) {
        fprintf(stderr, "fuzz_chunker: %llu outcomes counted, %llu handed to the consumer\n",
                (unsigned long long)out->res.input.total.outcomes,
                (unsigned long long)out->outcomes);
        abort();
    }
}

static const char *counts_text(const rsla_line_counts *c)
{
    static char buf[2][512];
    static int k;
    char *b = buf[k++ & 1];
    int n = snprintf(b, 512, "lines %llu outcomes %llu skipped", (unsigned long long)c->lines,
                     (unsigned long long)c->outcomes);
    for (int i = 0; i < RSLA_SKIP_REASON_COUNT && n < 400; i++)
        n += snprintf(b + n, 512 - (size_t)n, " %llu", (unsigned long long)c->skipped_by_reason[i]);
    n += snprintf(b + n, 512 - (size_t)n, " rejected");
    for (int i = 0; i < RSLA_REJECT_REASON_COUNT && n < 480; i++)
        n += snprintf(b + n, 512 - (size_t)n, " %llu", (unsigned long long)c->rejected_by_reason[i]);
    return b;
}

static void differ(const char *against, const char *what, unsigned threads, size_t chunk_size)
{
    fprintf(stderr, "fuzz_chunker: %s differs with %u threads and %zu-byte chunks from the run "
            "with %s\n", what, threads, chunk_size, against);
    abort();
}

/* Checks that run b agrees with run a on everything the report and the messages show. */
static void compare(const run_out *ra, const run_out *rb, size_t len, uint64_t lines,
                    const char *against, unsigned threads, size_t chunk_size, bool as_zstd,
                    unsigned frames)
{
    const run_out ref = *ra, got = *rb; /* shallow copies, read only */
    const rsla_input_file *a = &ref.res.input.files[0], *b = &got.res.input.files[0];
    if (memcmp(&a->counts, &b->counts, sizeof a->counts) != 0) {
        fprintf(stderr, "reference: %s\nthis run:  %s (%s, %u frames)\n", counts_text(&a->counts),
                counts_text(&b->counts), as_zstd ? "zstd" : "plain", frames);
        differ(against, "line accounting", threads, chunk_size);
    }
    if (a->bytes_decoded != len || b->bytes_decoded != len || (a->error != NULL) != (b->error != NULL))
        differ(against, "bytes decoded or file error", threads, chunk_size);
    if (ref.outcomes != got.outcomes || ref.hash_sum != got.hash_sum)
        differ(against, "outcomes", threads, chunk_size);
    if (ref.res.n_rejections != got.res.n_rejections)
        differ(against, "number of sampled rejections", threads, chunk_size);
    for (size_t i = 0; i < ref.res.n_rejections; i++) {
        const ing_rejection *x = &ref.res.rejections[i], *y = &got.res.rejections[i];
        if (x->line != y->line || x->offset != y->offset || x->column != y->column ||
            x->reason != y->reason || x->file != y->file ||
            (x->field ? !y->field || strcmp(x->field, y->field) : y->field != NULL)) {
            fprintf(stderr, "rejection %zu: line %llu/%llu offset %llu/%llu column %llu/%llu\n", i,
                    (unsigned long long)x->line, (unsigned long long)y->line,
                    (unsigned long long)x->offset, (unsigned long long)y->offset,
                    (unsigned long long)x->column, (unsigned long long)y->column);
            differ(against, "a sampled rejection", threads, chunk_size);
        }
        if (x->line < 1 || x->line > lines || x->offset >= len)
            differ(against, "a rejection outside the text", threads, chunk_size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const size_t chunk_size = 1 + data[0] % 64;
    const unsigned threads = 1 + data[1] % 3;
    const uint8_t *text = data + 2;
    const size_t len = size - 2;
    /* Text only: a zstd or skippable frame magic at the start makes it zstd input, and gzip, xz,
     * bzip2 and lz4 magics are refused (fuzz_zstd_ingest covers both). */
    if (len >= 4) {
        const uint32_t m = (uint32_t)text[0] | (uint32_t)text[1] << 8 | (uint32_t)text[2] << 16 |
                           (uint32_t)text[3] << 24;
        if (m == 0xFD2FB528u || (m & 0xFFFFFFF0u) == 0x184D2A50u || m == 0x184D2204u)
            return 0;
    }
    if ((len >= 2 && text[0] == 0x1F && text[1] == 0x8B) ||
        (len >= 6 && memcmp(text, "\xFD" "7zXZ\0", 6) == 0) ||
        (len >= 10 && memcmp(text, "BZh", 3) == 0 && text[3] >= '1' && text[3] <= '9' &&
         memcmp(text + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0))
        return 0;

    /* RSLA_FUZZ_SKIP_KNOWN=1: set the detection comparison aside (the bug above, now fixed). */
    static int skip_known = -1;
    if (skip_known < 0)
        skip_known = getenv("RSLA_FUZZ_SKIP_KNOWN") && *getenv("RSLA_FUZZ_SKIP_KNOWN") == '1';
    const bool detect = (data[1] & 0x80) && !skip_known;
    const bool as_zstd = data[1] & 4;
    const unsigned frames = 1 + (data[1] >> 3) % 8;
    const bool checksum = data[1] & 0x40;

    const int fd = memfd_create("fuzz_chunker", MFD_CLOEXEC);
    if (fd < 0 || (len && write(fd, text, len) != (ssize_t)len)) {
        perror("fuzz_chunker: memfd");
        abort();
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ing_input item = { path, len };
    const ing_input_list inputs = { &item, 1, NULL, 0 };

    /* The same text as a zstd file of `frames` frames, cut at uneven places. */
    int zfd = -1;
    char zpath[64] = "";
    ing_input zitem = { zpath, 0 };
    const ing_input_list zinputs = { &zitem, 1, NULL, 0 };
    if (as_zstd) {
        const size_t bound = ZSTD_compressBound(len) * frames + 64;
        unsigned char *z = malloc(bound);
        size_t zlen = 0, from = 0;
        ZSTD_CCtx *cctx = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum);
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
        for (unsigned f = 0; f < frames; f++) {
            const size_t to =
                f + 1 == frames ? len : from + (len - from) * (1 + (data[0] >> f) % 3) / 4;
            const size_t n = ZSTD_compress2(cctx, z + zlen, bound - zlen, text + from, to - from);
            if (ZSTD_isError(n))
                abort();
            zlen += n;
            from = to;
        }
        ZSTD_freeCCtx(cctx);
        zfd = memfd_create("fuzz_chunker_zst", MFD_CLOEXEC);
        if (zfd < 0 || write(zfd, z, zlen) != (ssize_t)zlen) {
            perror("fuzz_chunker: memfd");
            abort();
        }
        free(z);
        snprintf(zpath, sizeof zpath, "/proc/self/fd/%d", zfd);
        zitem.size = zlen;
    }

    run_out ref, mid, got;
    run(&inputs, 1, 0, detect, &ref);
    run(&inputs, 1, chunk_size, detect, &mid);
    run(as_zstd ? &zinputs : &inputs, threads, chunk_size, detect, &got);

    /* The text's own line count: every '\n' ends a line, and a non-empty tail is one more. A BOM
     * at the start is read as whitespace and changes no line. */
    uint64_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (len && text[len - 1] != '\n')
        lines++;
    if (ref.res.input.total.lines != lines) {
        fprintf(stderr, "fuzz_chunker: %llu lines counted, the text has %llu\n",
                (unsigned long long)ref.res.input.total.lines, (unsigned long long)lines);
        abort();
    }

    /* The tiny-chunk runs agree with each other always; with the 1 MiB reference unless the
     * known bug is set aside (see the top of this file). */
    compare(&mid, &got, len, lines, "1 thread, same chunks", threads, chunk_size, as_zstd, frames);
    if (!skip_known)
        compare(&ref, &mid, len, lines, "1 MiB chunks", 1, chunk_size, false, 1);
    ing_result_free(&mid.res);
    ing_result_free(&ref.res);
    ing_result_free(&got.res);
    close(fd);
    if (zfd >= 0)
        close(zfd);
    return 0;
}
