/* Fuzz target: the scanner, differentially. The input is scanned as a chunk of NDJSON lines and
 * validated as one document by every kernel this CPU runs; any difference from the scalar kernel
 * (sink records, document verdict or offset) aborts. The first byte, when it is 0xFF, cuts the
 * input into two chunks at a line end chosen by the second byte, to vary block alignment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/scan/scan.h"
#include "ingest/scan/scan_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const scan_kernel *kernels[8];
static size_t n_kernels;
static scan_state *states[8];

static void record_chunk(size_t k, const char *buf, size_t len, scan_record *r)
{
    const scan_sink sink = scan_record_sink(r);
    const size_t lines = scan_chunk(states[k], buf, len, &sink);
    if (lines != r->outcomes + r->skips + r->rejects)
        abort();
}

static void diff(const char *buf, size_t len)
{
    scan_record ref = { 0 }, got = { 0 };
    scan_record_str(&ref, "");
    record_chunk(n_kernels - 1, buf, len, &ref);
    size_t ref_off = 0;
    const int ref_doc = scan_validate_document(kernels[n_kernels - 1], buf, len, &ref_off);
    for (size_t k = 0; k + 1 < n_kernels; k++) {
        scan_record_clear(&got);
        scan_record_str(&got, "");
        record_chunk(k, buf, len, &got);
        if (strcmp(ref.text, got.text) != 0) {
            fprintf(stderr, "%s differs from scalar:\n%s---\n%s", scan_kernel_name(kernels[k]),
                    ref.text, got.text);
            abort();
        }
        size_t off = 0;
        const int doc = scan_validate_document(kernels[k], buf, len, &off);
        if (doc != ref_doc || (doc && off != ref_off)) {
            fprintf(stderr, "%s document %d@%zu, scalar %d@%zu\n", scan_kernel_name(kernels[k]),
                    doc, off, ref_doc, ref_off);
            abort();
        }
    }
    scan_record_clear(&ref);
    scan_record_clear(&got);
}

/* A padded copy, as the chunk contract wants. */
static void diff_copy(const uint8_t *data, size_t len)
{
    char *buf = calloc(1, len + SCAN_PADDING);
    if (!buf)
        return;
    memcpy(buf, data, len);
    diff(buf, len);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (n_kernels == 0) {
        n_kernels = scan_kernel_list(kernels, 8);
        for (size_t k = 0; k < n_kernels; k++)
            states[k] = scan_state_create(kernels[k], scan_profile_distribution());
    }
    if (size >= 2 && data[0] == 0xFF) {
        size_t cut = 2 + (size_t)data[1] * (size - 2) / 256;
        while (cut > 2 && data[cut - 1] != '\n')
            cut--;
        diff_copy(data + 2, cut - 2);
        diff_copy(data + cut, size - cut);
        return 0;
    }
    diff_copy(data, size);
    return 0;
}
