/* Fuzz target: reading an input through ingest/ing_reader (plain text and zstd).
 *
 * data[0]: mode (low 2 bits) and read size (next 3 bits); data[1..2]: the mutation position;
 * data[3]: the value xored in; the rest: the payload. Modes:
 *   0  raw:       the payload is the file. Never crash; a file that is not zstd reads back as
 *                 itself (a BOM at the start as three spaces), with no error, unless it is
 *                 gzip, xz, bzip2 or lz4, which ing_reader_open refuses.
 *   1  truncated: the payload compressed as 1 to 3 frames (checksums on or off), cut at the
 *                 position. What is read is a prefix of the payload; reading without an error
 *                 means the cut fell on a frame boundary (or before the magic number, and then
 *                 the bytes read are the file itself, as plain text).
 *   2  corrupt:   the compressed file with one byte xored. Never crash; every decoded byte is
 *                 counted; the error offset lies within the file.
 *   3  intact:    the compressed file unchanged reads back as the payload, with no error.
 * Reads use a size from 1 byte to 128 KiB, so frames end anywhere in the caller's buffer. Every
 * file is read twice, with ing_reader_read() and in place (ing_reader_read_inplace(), that size
 * as the target), and both must hand on the same text, error and counts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "ingest/ing_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t read_sizes[8] = { 1, 2, 3, 7, 64, 4096, 65536, 131072 };

typedef struct read_out {
    unsigned char *text;
    size_t len;
    bool error, zstd;
    uint64_t error_offset, bytes_in, bytes_out;
    bool opened;
} read_out;

static void fail(const char *what, int mode, size_t cut)
{
    fprintf(stderr, "fuzz_zstd_ingest: %s (mode %d, position %zu)\n", what, mode, cut);
    abort();
}

static void append(read_out *out, size_t *cap, const char *p, size_t n)
{
    while (out->len + n > *cap)
        out->text = realloc(out->text, *cap *= 2);
    memcpy(out->text + out->len, p, n);
    out->len += n;
}

/* Reads r to its end with ing_reader_read(). */
static void read_copied(ing_reader *r, size_t read_size, read_out *out, size_t *cap)
{
    char *buf = malloc(read_size);
    size_t got;
    while ((got = ing_reader_read(r, buf, read_size)) > 0) {
        if (got > read_size)
            abort();
        append(out, cap, buf, got);
    }
    /* Once it has said the end, a reader stays at the end. */
    if (ing_reader_read(r, buf, read_size) != 0)
        abort();
    free(buf);
}

/* Reads r to its end in place, into two buffers in turn, as the pipeline's chunks: the one
 * written to is filled with garbage first, so that only the other can serve as the window.
 * After copy_after reads (0: never) it goes on with ing_reader_read(), as the pipeline does from
 * a long line on, the last buffer kept as it is. */
static void read_in_place(ing_reader *r, size_t target, unsigned copy_after, read_out *out,
                          size_t *cap)
{
    char *bufs[2] = { NULL, NULL };
    size_t caps[2] = { 0, 0 };
    for (unsigned k = 0;; k++) {
        if (copy_after && k == copy_after) {
            read_copied(r, target, out, cap);
            break;
        }
        const size_t room = ing_reader_inplace_room(r, target);
        const unsigned i = k & 1;
        if (caps[i] < room) {
            free(bufs[i]);
            bufs[i] = malloc(room);
            caps[i] = room;
        }
        memset(bufs[i], 0xA5, room);
        const size_t got = ing_reader_read_inplace(r, bufs[i], room, target);
        if (got > room)
            abort();
        if (got == 0)
            break;
        append(out, cap, bufs[i], got);
    }
    free(bufs[0]);
    free(bufs[1]);
}

/* Reads the file n bytes long with ing_reader_read() in read_size pieces, or in place with that
 * target (in_place), then copied after copy_after reads (0: never). */
static void read_file(const void *file, size_t n, size_t read_size, bool in_place,
                      unsigned copy_after, read_out *out)
{
    memset(out, 0, sizeof *out);
    const int fd = memfd_create("fuzz_zstd_ingest", MFD_CLOEXEC);
    if (fd < 0 || (n && write(fd, file, n) != (ssize_t)n)) {
        perror("fuzz_zstd_ingest: memfd");
        abort();
    }
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ing_reader *r = ing_reader_open(path, err, sizeof err);
    close(fd);
    if (!r)
        return;
    out->opened = true;
    size_t cap = 1024;
    out->text = malloc(cap);
    if (in_place)
        read_in_place(r, read_size, copy_after, out, &cap);
    else
        read_copied(r, read_size, out, &cap);
    out->error = ing_reader_error(r, &out->error_offset) != NULL;
    out->zstd = ing_reader_is_zstd(r);
    out->bytes_in = ing_reader_bytes_in(r);
    out->bytes_out = ing_reader_bytes_out(r);
    ing_reader_close(r);
    if (out->bytes_out != out->len || out->bytes_in > n || (out->error && out->error_offset > n))
        fail("byte counts or error offset out of line", -1, 0);
}

/* Reads the file three ways: copied, in place, and in place then copied after 1 to 3 reads:
 * the same text, error and counts, whatever the damage. r gets the copied read. */
static void read_both(const void *file, size_t n, size_t read_size, read_out *r)
{
    read_file(file, n, read_size, false, 0, r);
    for (unsigned way = 0; way < 2; way++) {
        read_out p;
        read_file(file, n, read_size, true, way ? 1 + (unsigned)(n % 3) : 0, &p);
        if (p.opened != r->opened || p.len != r->len || (p.len && memcmp(p.text, r->text, p.len)) ||
            p.error != r->error || (p.error && p.error_offset != r->error_offset) ||
            p.bytes_in != r->bytes_in || p.zstd != r->zstd)
            fail(way ? "reading in place, then copied, differs from reading copied"
                     : "reading in place differs from reading copied", -1, 0);
        free(p.text);
    }
}

/* What a reader hands on for text t: t itself, a leading BOM as three spaces (once the reader
 * has the three bytes: a cut inside the BOM hands on what there is). */
static bool same_text(const unsigned char *got, size_t got_len, const uint8_t *t, size_t len,
                      bool prefix_only)
{
    if (prefix_only ? got_len > len : got_len != len)
        return false;
    const bool bom = len >= 3 && got_len >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF;
    for (size_t i = 0; i < got_len; i++) {
        const unsigned char want = (bom && i < 3) ? ' ' : t[i];
        if (got[i] != want)
            return false;
    }
    return true;
}

/* gzip, xz, bzip2 and lz4 files are refused at open (ing_reader: not decoded, and not text). */
static bool foreign(const uint8_t *p, size_t n)
{
    return (n >= 2 && p[0] == 0x1F && p[1] == 0x8B) ||
           (n >= 6 && memcmp(p, "\xFD" "7zXZ\0", 6) == 0) ||
           (n >= 10 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9' &&
            memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0) ||
           (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4D && p[3] == 0x18);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    const int mode = data[0] & 3;
    const size_t read_size = read_sizes[(data[0] >> 2) & 7];
    const bool checksum = data[0] & 0x20;
    const unsigned frames = 1 + (data[0] >> 6) % 3;
    const size_t pos = (size_t)data[1] | (size_t)data[2] << 8;
    const uint8_t flip = data[3] ? data[3] : 0x01;
    const uint8_t *payload = data + 4;
    const size_t len = size - 4;
    read_out r;

    if (mode == 0) {
        read_both(payload, len, read_size, &r);
        if (!r.opened) {
            if (!foreign(payload, len))
                fail("a plain file did not open", mode, 0);
            return 0;
        }
        if (!r.zstd && (r.error || !same_text(r.text, r.len, payload, len, false)))
            fail("a plain file did not read back as itself", mode, 0);
        free(r.text);
        return 0;
    }

    /* Compress the payload as up to three frames, cut at thirds; remember where frames end. */
    const size_t bound = ZSTD_compressBound(len) * frames + 64;
    unsigned char *z = malloc(bound);
    size_t zlen = 0, frame_end[3], n_frames = 0;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
    for (unsigned f = 0; f < frames; f++) {
        const size_t from = len * f / frames, to = len * (f + 1) / frames;
        const size_t n = ZSTD_compress2(cctx, z + zlen, bound - zlen, payload + from, to - from);
        if (ZSTD_isError(n))
            abort();
        zlen += n;
        frame_end[n_frames++] = zlen;
    }
    ZSTD_freeCCtx(cctx);

    if (mode == 3) {
        read_both(z, zlen, read_size, &r);
        if (!r.opened || !r.zstd || r.error || !same_text(r.text, r.len, payload, len, false))
            fail("an intact zstd file did not read back as its content", mode, 0);
        free(r.text);
    } else if (mode == 1) {
        const size_t cut = pos % (zlen + 1);
        read_both(z, cut, read_size, &r);
        if (!r.opened)
            fail("a truncated file did not open", mode, cut);
        if (cut < 4) {
            /* No magic number: plain text of the bytes there are. */
            if (r.zstd || r.error || !same_text(r.text, r.len, z, cut, false))
                fail("a short file did not read as plain text", mode, cut);
        } else {
            if (!same_text(r.text, r.len, payload, len, true))
                fail("bytes read from a truncated frame are not a prefix of the content", mode, cut);
            bool boundary = false;
            for (size_t f = 0; f < n_frames; f++)
                boundary |= frame_end[f] == cut;
            if (!r.error && !boundary)
                fail("a frame cut short was read without an error", mode, cut);
            if (boundary && r.error)
                fail("a file cut at a frame boundary was reported as damaged", mode, cut);
        }
        free(r.text);
    } else {
        const size_t at = pos % zlen;
        z[at] ^= flip;
        read_both(z, zlen, read_size, &r);
        free(r.text);
    }
    free(z);
    return 0;
}
