#include "ingest/ing_frames.h"

#include <errno.h>    /* errno */
#include <fcntl.h>    /* open */
#include <stdio.h>    /* snprintf */
#include <stdlib.h>   /* free */
#include <string.h>   /* memchr, strerror */
#include <sys/mman.h> /* mmap */
#include <sys/stat.h> /* fstat */
#include <unistd.h>   /* pread, close */
#include <zstd.h>     /* ZSTD_findFrameCompressedSize, ZSTD_decompressStream */

#include "common/rsla_base.h"

/* Decoding step while looking for a newline outside the segment's own text: small, because the
 * bytes decoded beyond the line's end are thrown away. */
#define ING_SEGMENT_PROBE (16u << 10)

/* MARK: - Finding segments (Public) */

static bool has_zstd_magic(const unsigned char *p, size_t n)
{
    return n >= 4 && ((p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD) ||
                      ((p[0] & 0xF0) == 0x50 && p[1] == 0x2A && p[2] == 0x4D && p[3] == 0x18));
}

/* The first offset after a damaged spot where a frame with a walkable structure starts (its
 * magic number, then block headers that add up), or the end of the file. */
static size_t next_frame(const unsigned char *map, size_t size, size_t off)
{
    for (size_t q = off + 1; q + 4 <= size; q++) {
        const unsigned char *hit = memchr(map + q, 0x28, size - q - 3);
        if (!hit)
            break;
        q = (size_t)(hit - map);
        if (has_zstd_magic(hit, size - q) && hit[0] == 0x28 &&
            !ZSTD_isError(ZSTD_findFrameCompressedSize(hit, size - q)))
            return q;
    }
    return size;
}

size_t ing_zstd_segments(const char *path, uint64_t min_bytes, uint64_t **starts)
{
    *starts = NULL;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < 2 * min_bytes) {
        close(fd);
        return 0;
    }
    const size_t size = (size_t)st.st_size;
    const unsigned char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return 0;
    size_t n = 0, cap = 16;
    uint64_t *s = rsla_xmalloc(cap * sizeof *s);
    s[n++] = 0;
    size_t off = 0;
    bool ok = has_zstd_magic(map, size);
    while (ok && off < size) {
        size_t frame = ZSTD_findFrameCompressedSize(map + off, size - off);
        if (ZSTD_isError(frame) || frame == 0) {
            /* Damaged: up to the next place a whole frame starts is one segment of its own,
             * which reports the damage when decoded. */
            frame = next_frame(map, size, off) - off;
            if (s[n - 1] != off) {
                if (n + 1 >= cap)
                    s = rsla_xrealloc(s, (cap *= 2) * sizeof *s);
                s[n++] = off;
            }
            off += frame;
            if (n + 1 >= cap)
                s = rsla_xrealloc(s, (cap *= 2) * sizeof *s);
            s[n++] = off;
            continue;
        }
        off += frame;
        if (off - s[n - 1] >= min_bytes || off == size) {
            if (n + 1 >= cap)
                s = rsla_xrealloc(s, (cap *= 2) * sizeof *s);
            s[n++] = off;
        }
    }
    munmap((void *)map, size);
    if (!ok || n < 3) {
        free(s);
        return 0;
    }
    *starts = s;
    return n - 1;
}

/* MARK: - Reading a segment (Private) */

typedef enum seg_phase { SEG_HEAD, SEG_BODY, SEG_TAIL, SEG_DONE } seg_phase;

struct ing_segment {
    int fd;
    ZSTD_DCtx *dctx;
    unsigned char *in;
    size_t in_cap, in_pos, in_len;
    uint64_t pos, end;    /* next file offset to read; end of the segment's own frames */
    bool beyond;          /* reading past end: only to finish the last line */
    seg_phase phase;
    char *pend;           /* decoded bytes waiting to be handed out */
    size_t pend_pos, pend_len;
    uint64_t bytes_in, bytes_out, skipped;
    char *error;
    uint64_t error_offset;
};

static void seg_fail(ing_segment *s, uint64_t offset, const char *what, const char *detail)
{
    if (s->error)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s: %s", what, detail);
    s->error = rsla_xstrndup(msg, strlen(msg));
    s->error_offset = offset;
}

static bool seg_refill(ing_segment *s)
{
    const uint64_t limit = s->beyond ? UINT64_MAX : s->end;
    if (s->pos >= limit)
        return false;
    const size_t want = (size_t)RSLA_MIN((uint64_t)s->in_cap, limit - s->pos);
    ssize_t n;
    do
        n = pread(s->fd, s->in, want, (off_t)s->pos);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        if (n < 0 && !s->beyond)
            seg_fail(s, s->pos, "read error", strerror(errno));
        return false;
    }
    s->in_pos = 0;
    s->in_len = (size_t)n;
    s->pos += (uint64_t)n;
    if (!s->beyond)
        s->bytes_in += (uint64_t)n;
    return true;
}

/* Decodes up to cap bytes; 0 when the input allowed (own frames, or the whole file beyond) is
 * used up and the decoder has nothing left, or on error. */
static size_t seg_decode(ing_segment *s, char *out, size_t cap)
{
    ZSTD_outBuffer ob = { out, cap, 0 };
    while (ob.pos < ob.size && !s->error) {
        const bool empty = s->in_pos == s->in_len;
        if (empty && seg_refill(s))
            continue;
        ZSTD_inBuffer ib = { s->in, s->in_len, s->in_pos };
        const uint64_t at = s->pos - (s->in_len - s->in_pos);
        const size_t before = ob.pos;
        const size_t ret = ZSTD_decompressStream(s->dctx, &ob, &ib);
        s->in_pos = ib.pos;
        if (ZSTD_isError(ret)) {
            if (!s->beyond) /* beyond its frames, the segment that owns them reports it */
                seg_fail(s, at, "corrupt zstd data", ZSTD_getErrorName(ret));
            s->error = s->error ? s->error : rsla_xstrndup("", 0);
            break;
        }
        if (empty && ob.pos == before)
            break; /* no input left and nothing more to flush */
    }
    if (!s->beyond)
        s->bytes_out += ob.pos;
    return ob.pos;
}

static void seg_pend(ing_segment *s, const char *p, size_t n)
{
    s->pend = rsla_xrealloc(s->pend, n ? n : 1);
    memcpy(s->pend, p, n);
    s->pend_pos = 0;
    s->pend_len = n;
}

/* Skips the text before the first line this segment owns. */
static void seg_skip_head(ing_segment *s)
{
    char *buf = rsla_xmalloc(ING_SEGMENT_PROBE);
    for (;;) {
        const size_t n = seg_decode(s, buf, ING_SEGMENT_PROBE);
        if (n == 0) {
            s->phase = SEG_DONE; /* no '\n' in its frames: the line belongs to a segment before */
            break;
        }
        const char *nl = memchr(buf, '\n', n);
        if (nl) {
            const size_t head = (size_t)(nl - buf) + 1;
            s->skipped += head;
            seg_pend(s, nl + 1, n - head);
            s->phase = SEG_BODY;
            break;
        }
        s->skipped += n;
    }
    free(buf);
}

/* Decodes past the segment's frames up to the end of the line it started. */
static void seg_read_tail(ing_segment *s)
{
    s->beyond = true;
    char *buf = rsla_xmalloc(ING_SEGMENT_PROBE);
    size_t len = 0;
    for (;;) {
        const size_t n = seg_decode(s, buf + len, ING_SEGMENT_PROBE);
        const char *nl = memchr(buf + len, '\n', n);
        if (nl) {
            len = (size_t)(nl - buf) + 1;
            break;
        }
        len += n;
        if (n == 0)
            break;
        buf = rsla_xrealloc(buf, len + ING_SEGMENT_PROBE);
    }
    seg_pend(s, buf, len);
    free(buf);
    s->phase = SEG_DONE;
}

/* MARK: - Reading a segment (Public) */

ing_segment *ing_segment_open(const char *path, uint64_t start, uint64_t end, bool first,
                              char *err, size_t errlen)
{
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    ing_segment *s = rsla_xcalloc(1, sizeof *s);
    s->fd = fd;
    s->dctx = ZSTD_createDCtx();
    s->in_cap = ZSTD_DStreamInSize();
    s->in = rsla_xmalloc(s->in_cap);
    s->pos = start;
    s->end = end;
    s->phase = first ? SEG_BODY : SEG_HEAD;
    return s;
}

void ing_segment_close(ing_segment *s)
{
    if (!s)
        return;
    close(s->fd);
    ZSTD_freeDCtx(s->dctx);
    free(s->in);
    free(s->pend);
    free(s->error);
    free(s);
}

size_t ing_segment_read(ing_segment *s, char *buf, size_t cap)
{
    if (s->phase == SEG_HEAD)
        seg_skip_head(s);
    size_t n = 0;
    while (n < cap) {
        if (s->pend_pos < s->pend_len) {
            const size_t take = RSLA_MIN(cap - n, s->pend_len - s->pend_pos);
            memcpy(buf + n, s->pend + s->pend_pos, take);
            s->pend_pos += take;
            n += take;
            continue;
        }
        if (s->phase != SEG_BODY || (s->error && s->error[0]))
            break;
        const size_t got = seg_decode(s, buf + n, cap - n);
        n += got;
        if (got == 0 && !s->error)
            seg_read_tail(s); /* the line after its last '\n' is still its own */
        else if (got == 0)
            s->phase = SEG_DONE;
    }
    return n;
}

const char *ing_segment_error(const ing_segment *s, uint64_t *offset)
{
    if (!s->error || !s->error[0])
        return NULL;
    if (offset)
        *offset = s->error_offset;
    return s->error;
}

uint64_t ing_segment_bytes_in(const ing_segment *s) { return s->bytes_in; }
uint64_t ing_segment_bytes_out(const ing_segment *s) { return s->bytes_out; }
uint64_t ing_segment_skipped(const ing_segment *s) { return s->skipped; }
