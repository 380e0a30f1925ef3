/* Fuzz target: ingest/ing_frames, the cutting of a zstd file into parallel segments and the
 * reading of each segment, on arbitrary bytes (fuzz_chunker only cuts files that libzstd wrote).
 *
 * The input (after one parameter byte) is the file, a memfd opened as /proc/self/fd/N. data[0]
 * picks the segments' minimum size (1, 16, 4096 or 65536 bytes). Properties:
 *   - ing_zstd_segments() gives 0 segments and no offsets, or n >= 2 segments whose offsets
 *     start at 0, rise strictly and end at the file's size;
 *   - each segment opens, reads (to its end, or 64 MiB of text), and says how many of its own
 *     compressed bytes it read (never more than the file), and is closed without a leak;
 *   - no crash, leak or hang under ASan+UBSan, whatever a frame header, a block header or a
 *     pzstd size hint says. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/ing_frames.h"

#define CHECK_OR_ABORT(cond)                                                    \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "fuzz_zstd_segments: %s failed (line %d)\n", #cond, \
                    __LINE__);                                                  \
            abort();                                                            \
        }                                                                       \
    } while (0)

static void read_segment(const char *path, uint64_t start, uint64_t end, bool first,
                         uint64_t size)
{
    char err[256];
    ing_segment *seg = ing_segment_open(path, start, end, first, err, sizeof err);
    if (!seg)
        return;
    static char buf[1 << 16];
    uint64_t text = 0;
    for (size_t n; (n = ing_segment_read(seg, buf, sizeof buf)) > 0;) {
        CHECK_OR_ABORT(n <= sizeof buf);
        /* RLE blocks make 128 KiB of text of 4 bytes: enough of it, the unit must stay quick */
        if ((text += n) > ((uint64_t)64 << 20))
            break;
    }
    uint64_t offset = 0;
    (void)ing_segment_error(seg, &offset);
    CHECK_OR_ABORT(ing_segment_bytes_in(seg) <= size);
    ing_segment_close(seg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint64_t mins[4] = { 1, 16, 4096, 65536 };
    const uint64_t min_bytes = mins[data[0] & 3];
    const int fd = memfd_create("fuzz_zstd_segments", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    const size_t len = size - 1;
    if (len > 0 && write(fd, data + 1, len) != (ssize_t)len) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    uint64_t *starts = NULL;
    const size_t n = ing_zstd_segments(path, min_bytes, &starts);
    if (n == 0) {
        CHECK_OR_ABORT(starts == NULL);
    } else {
        CHECK_OR_ABORT(n >= 2 && starts[0] == 0 && starts[n] == len);
        for (size_t i = 0; i < n; i++)
            CHECK_OR_ABORT(starts[i] < starts[i + 1]);
        for (size_t i = 0; i < n; i++)
            read_segment(path, starts[i], starts[i + 1], i == 0, len);
    }
    free(starts);
    close(fd);
    return 0;
}
