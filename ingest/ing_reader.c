/* One input read as decoded log text: plain bytes passed through, or zstd decoded as a stream
 * with one reused ZSTD_DCtx (single frames, multi-frame files and concatenated frames alike:
 * ZSTD_decompressStream simply goes on into the next frame). */
#include <errno.h>  /* errno */
#include <fcntl.h>  /* open */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strerror */
#include <unistd.h> /* read, close */
#include <zstd.h>   /* ZSTD_createDCtx, ZSTD_decompressStream, ZSTD_isError */

#include "common/rsla_base.h"
#include "ingest/ing_source.h"

struct ing_reader {
    int fd;
    bool zstd;
    ZSTD_DCtx *dctx;
    unsigned char *in;        /* file bytes read but not yet handed on */
    size_t in_cap, in_pos, in_len;
    bool eof;
    size_t last_ret;          /* ZSTD_decompressStream's last hint: 0 = a frame just ended */
    uint64_t bytes_in, bytes_out;
    char *error;
    uint64_t error_offset;
    /* The first decoded bytes, held back until we know whether they are a UTF-8 byte order mark
     * (EF BB BF). A BOM at the start of the input is handed on as three spaces: JSON whitespace,
     * so the first line parses, and byte offsets and columns stay those of the file. */
    unsigned char head[3];
    size_t head_len, head_pos;
    bool head_done;
};

bool ing_zstd_magic(const void *start, size_t n)
{
    const unsigned char *p = start;
    if (n < 4)
        return false;
    const uint32_t m = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24;
    /* A zstd frame, or a skippable frame (0x184D2A50..5F), as pzstd and seekable files start. */
    return m == 0xFD2FB528u || (m & 0xFFFFFFF0u) == 0x184D2A50u;
}

/* Compression formats regsla does not decode: read as text they would be a few lines of binary
 * garbage, counted as skipped, and every record inside lost without a word. */
static const char *foreign_compression(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1F && p[1] == 0x8B)
        return "gzip";
    if (n >= 6 && memcmp(p, "\xFD" "7zXZ\0", 6) == 0)
        return "xz";
    if (n >= 10 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9' &&
        memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0)
        return "bzip2";
    if (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4D && p[3] == 0x18)
        return "lz4";
    return NULL;
}

static void set_error(ing_reader *r, uint64_t offset, const char *what, const char *detail)
{
    if (r->error)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    r->error = rsla_xstrndup(msg, strlen(msg));
    r->error_offset = offset;
}

/* Refills the input buffer; false at the end of the file or on a read error. */
static bool refill(ing_reader *r)
{
    if (r->eof || r->error)
        return false;
    ssize_t n;
    do
        n = read(r->fd, r->in, r->in_cap);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        set_error(r, r->bytes_in + r->in_len, "read error", strerror(errno));
        return false;
    }
    if (n == 0) {
        r->eof = true;
        return false;
    }
    r->in_pos = 0;
    r->in_len = (size_t)n;
    return true;
}

/* err says what went wrong, not with which file: the caller names the file (regsla prints
 * "regsla: PATH: ERROR", and input.files[].error sits beside its path). */
ing_reader *ing_reader_open(const char *path, char *err, size_t errlen)
{
    const bool is_stdin = strcmp(path, "-") == 0;
    const int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    ing_reader *r = rsla_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->in_cap = ZSTD_DStreamInSize() > 65536 ? ZSTD_DStreamInSize() : 65536;
    r->in = rsla_xmalloc(r->in_cap);
    r->last_ret = 1;
    /* Sniff from the first read; a short first read of a pipe still has the 4 magic bytes
     * unless the whole input is shorter, which then is plain text. */
    if (refill(r)) {
        while (r->in_len < 4) {
            const ssize_t n = read(r->fd, r->in + r->in_len, r->in_cap - r->in_len);
            if (n <= 0)
                break;
            r->in_len += (size_t)n;
        }
    }
    if (r->error) {
        snprintf(err, errlen, "%s", r->error);
        ing_reader_close(r);
        return NULL;
    }
    const char *foreign = foreign_compression(r->in, r->in_len);
    if (foreign) {
        snprintf(err, errlen, "%s-compressed input is not supported (decompress it, or "
                 "recompress it with zstd); nothing read", foreign);
        ing_reader_close(r);
        return NULL;
    }
    r->zstd = ing_zstd_magic(r->in, r->in_len);
    if (r->zstd)
        r->dctx = ZSTD_createDCtx();
    return r;
}

void ing_reader_close(ing_reader *r)
{
    if (!r)
        return;
    if (r->fd > 0)
        close(r->fd);
    ZSTD_freeDCtx(r->dctx);
    free(r->in);
    free(r->error);
    free(r);
}

/* Plain text goes straight from read() into the caller's chunk once the sniffed bytes are used
 * up: a copy through r->in costs as much as the scan of a fast kernel. */
static size_t read_direct(ing_reader *r, char *buf, size_t cap)
{
    if (r->eof || r->error)
        return 0;
    ssize_t got;
    do
        got = read(r->fd, buf, cap);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        set_error(r, r->bytes_in, "read error", strerror(errno));
        return 0;
    }
    if (got == 0)
        r->eof = true;
    r->bytes_in += (uint64_t)got;
    return (size_t)got;
}

static size_t read_plain(ing_reader *r, char *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap) {
        if (r->in_pos == r->in_len) {
            const size_t got = read_direct(r, buf + n, cap - n);
            if (got == 0)
                break;
            n += got;
            continue;
        }
        const size_t take = RSLA_MIN(cap - n, r->in_len - r->in_pos);
        memcpy(buf + n, r->in + r->in_pos, take);
        r->in_pos += take;
        r->bytes_in += take;
        n += take;
    }
    return n;
}

/* Decodes into buf at most one window (ZSTD_DStreamOutSize(), 128 KiB) per ZSTD_decompressStream
 * call. That call does not advance out.pos when it fails, so text it decoded before a corrupt
 * block or a bad checksum is dropped: with the whole of cap per call, up to a chunk (1 MiB) of
 * good text before the damage was lost, and a frame smaller than cap went the single-pass way,
 * all or nothing. One window per call bounds the loss to what that window holds. At the end of
 * the file the decoder is still called while a frame is open, to flush what it holds. */
static size_t read_zstd(ing_reader *r, char *buf, size_t cap)
{
    const size_t window = ZSTD_DStreamOutSize();
    size_t done = 0;
    while (done < cap && !r->error) {
        if (r->in_pos == r->in_len && !refill(r) && (r->error || r->last_ret == 0))
            break;
        ZSTD_inBuffer in = { r->in, r->in_len, r->in_pos };
        ZSTD_outBuffer out = { buf + done, RSLA_MIN(cap - done, window), 0 };
        const uint64_t before = r->bytes_in;
        const size_t ret = ZSTD_decompressStream(r->dctx, &out, &in);
        const size_t used = in.pos - r->in_pos;
        r->bytes_in += used;
        r->in_pos = in.pos;
        if (ZSTD_isError(ret)) {
            set_error(r, before, "corrupt zstd data", ZSTD_getErrorName(ret));
            break;
        }
        r->last_ret = ret;
        done += out.pos;
        if (r->eof && used == 0 && out.pos == 0)
            break; /* no input left and nothing more to flush */
    }
    if (r->eof && r->in_pos == r->in_len && r->last_ret != 0 && done == 0)
        set_error(r, r->bytes_in, "truncated zstd frame", "the input ends inside a frame");
    return done;
}

static size_t read_decoded(ing_reader *r, char *buf, size_t cap)
{
    if (r->error || cap == 0)
        return 0;
    return r->zstd ? read_zstd(r, buf, cap) : read_plain(r, buf, cap);
}

/* Fills head with the first three decoded bytes (fewer when the input is shorter or fails). */
static void read_head(ing_reader *r)
{
    r->head_done = true;
    while (r->head_len < sizeof r->head) {
        const size_t n = read_decoded(r, (char *)r->head + r->head_len, sizeof r->head - r->head_len);
        if (n == 0)
            break;
        r->head_len += n;
    }
    if (r->head_len == 3 && r->head[0] == 0xEF && r->head[1] == 0xBB && r->head[2] == 0xBF)
        memset(r->head, ' ', sizeof r->head);
}

size_t ing_reader_read(ing_reader *r, char *buf, size_t cap)
{
    if (!r->head_done)
        read_head(r);
    size_t n = 0;
    if (r->head_pos < r->head_len) {
        n = RSLA_MIN(cap, r->head_len - r->head_pos);
        memcpy(buf, r->head + r->head_pos, n);
        r->head_pos += n;
    }
    /* Bytes decoded before an error are still handed on; after them, 0 says the input ended. */
    if (n < cap && r->head_pos == r->head_len)
        n += read_decoded(r, buf + n, cap - n);
    r->bytes_out += n;
    return n;
}

const char *ing_reader_error(const ing_reader *r, uint64_t *offset)
{
    if (r->error && offset)
        *offset = r->error_offset;
    return r->error;
}

bool ing_reader_is_zstd(const ing_reader *r) { return r->zstd; }
uint64_t ing_reader_bytes_in(const ing_reader *r) { return r->bytes_in; }
uint64_t ing_reader_bytes_out(const ing_reader *r) { return r->bytes_out; }
