/* One input read as decoded log text: plain bytes passed through, or zstd decoded block by block
 * with zstd's buffer-less API and one reused ZSTD_DCtx (single frames, multi-frame files and
 * concatenated frames alike).
 *
 * Why buffer-less: ZSTD_decompressStream decodes into a window of its own and copies every byte
 * out of it, about an eighth of the decoding thread's time on a month of logs. Here a block is
 * decoded where its text is wanted: in ing_reader_read_inplace(), straight into the caller's
 * chunk, the previous chunk serving as the window; in ing_reader_read(), into a ring of the
 * reader's own that the text is copied out of (what zstd's streaming API does). Either way a
 * block's text is handed on only once the block decoded cleanly, so damage costs the block it
 * is in, whatever the sizes the caller reads in. */
#include <errno.h>  /* errno */
#include <fcntl.h>  /* open */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strerror */
#include <unistd.h> /* read, close */
#define ZSTD_STATIC_LINKING_ONLY /* the buffer-less API: ZSTD_decompressBegin, ZSTD_decompressContinue */
#include <zstd.h>        /* ZSTD_createDCtx, ZSTD_getFrameHeader, ZSTD_isError */
#include <zstd_errors.h> /* ZSTD_getErrorString */

#include "common/rsla_base.h"
#include "ingest/ing_source.h"

/* Compressed bytes read at a time. */
#define ING_READ_SIZE ((size_t)256 << 10)
/* What decoding one block may write: a whole block, and zstd's wild-copy margin after it. */
#define ING_ZSTD_BLOCK_ROOM ((size_t)ZSTD_BLOCKSIZE_MAX + 64)
/* The largest window decoded, as zstd's streaming API allows by default (1 << 27); a frame that
 * asks for more is refused as corrupt rather than allocating gigabytes. */
#define ING_ZSTD_WINDOW_MAX ((uint64_t)1 << ZSTD_WINDOWLOG_LIMIT_DEFAULT)

struct ing_reader {
    int fd;
    bool zstd;
    ZSTD_DCtx *dctx;
    unsigned char *in;        /* file bytes read but not yet handed on */
    size_t in_cap, in_pos, in_len;
    bool eof;
    uint64_t limit;           /* file offset reading stops at (a range), or UINT64_MAX */
    /* zstd: the frame being decoded, and where its history (the last window of text) lies */
    bool in_frame, zstd_done;
    size_t window;
    enum { HIST_NONE, HIST_RING, HIST_RING_WRAPPED, HIST_CALLER } history;
    bool frame_ring;          /* the frame goes through the ring: it holds part of a BOM */
    char *ring;               /* ing_reader_read(): blocks decoded here, then copied out */
    size_t ring_cap, ring_pos;
    size_t pend_pos, pend_len; /* ring text decoded but not handed on yet */
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

bool ing_bom_to_spaces(void *p, size_t n)
{
    if (n < 3 || memcmp(p, "\xEF\xBB\xBF", 3) != 0)
        return false;
    memset(p, ' ', 3);
    return true;
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

static ing_reader *reader_new(int fd)
{
    ing_reader *r = rsla_xcalloc(1, sizeof *r);
    r->fd = fd;
    r->limit = UINT64_MAX;
    r->in_cap = ING_READ_SIZE;
    r->in = rsla_xmalloc(r->in_cap);
    return r;
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
    ing_reader *r = reader_new(fd);
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

ing_reader *ing_reader_open_range(const char *path, uint64_t start, uint64_t end, char *err,
                                  size_t errlen)
{
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || lseek(fd, (off_t)start, SEEK_SET) < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    ing_reader *r = reader_new(fd);
    r->zstd = true; /* a range starts where a frame was found, or damage after one */
    r->dctx = ZSTD_createDCtx();
    r->bytes_in = start;
    r->limit = end;
    r->head_done = true; /* a BOM is the file's first bytes: its first segment's business */
    return r;
}

void ing_reader_unbound(ing_reader *r)
{
    r->limit = UINT64_MAX;
    r->eof = false;
    r->zstd_done = r->error != NULL;
}

void ing_reader_close(ing_reader *r)
{
    if (!r)
        return;
    if (r->fd > 0)
        close(r->fd);
    ZSTD_freeDCtx(r->dctx);
    free(r->ring);
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

/* MARK: - zstd, block by block (Private) */

/* Makes n contiguous input bytes available at r->in + r->in_pos, reading more as needed.
 * @return false when the input ends (or fails) with fewer. */
static bool input_need(ing_reader *r, size_t n)
{
    if (r->in_len - r->in_pos >= n)
        return true;
    if (r->in_pos) {
        memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
        r->in_len -= r->in_pos;
        r->in_pos = 0;
    }
    if (n > r->in_cap) {
        r->in_cap = n;
        r->in = rsla_xrealloc(r->in, r->in_cap);
    }
    while (r->in_len < n && !r->eof && !r->error) {
        /* r->in_pos is 0: the file is read up to bytes_in + in_len */
        const uint64_t left = r->limit - (r->bytes_in + r->in_len);
        const size_t room = (size_t)RSLA_MIN((uint64_t)(r->in_cap - r->in_len), left);
        ssize_t got = 0;
        if (room)
            do
                got = read(r->fd, r->in + r->in_len, room);
            while (got < 0 && errno == EINTR);
        if (got < 0)
            set_error(r, r->bytes_in + r->in_len, "read error", strerror(errno));
        else if (got == 0)
            r->eof = true;
        else
            r->in_len += (size_t)got;
    }
    return r->in_len >= n;
}

static void input_consume(ing_reader *r, size_t n)
{
    r->in_pos += n;
    r->bytes_in += n;
}

/* The input ends inside a frame: what is left is read, and the frame is lost from there. */
static void fail_truncated(ing_reader *r)
{
    if (r->error)
        return; /* a read error said it first */
    input_consume(r, r->in_len - r->in_pos);
    set_error(r, r->bytes_in, "truncated zstd frame", "the input ends inside a frame");
}

static void fail_zstd(ing_reader *r, size_t code)
{
    set_error(r, r->bytes_in, "corrupt zstd data", ZSTD_getErrorName(code));
}

/* Skips a skippable frame (pzstd and the seekable format write them) whose magic is next. */
static bool skip_frame(ing_reader *r)
{
    if (!input_need(r, 8)) {
        fail_truncated(r);
        return false;
    }
    const unsigned char *p = r->in + r->in_pos + 4;
    uint64_t left = 8 + ((uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
                         (uint64_t)p[3] << 24);
    while (left > 0) {
        if (r->in_pos == r->in_len && !input_need(r, 1)) {
            fail_truncated(r);
            return false;
        }
        const size_t take = (size_t)RSLA_MIN(left, (uint64_t)(r->in_len - r->in_pos));
        input_consume(r, take);
        left -= take;
    }
    return true;
}

/* Starts the next frame, skipping skippable ones. @return false at the end of the input (clean
 * when no bytes are left) or on error. */
static bool frame_begin(ing_reader *r)
{
    for (;;) {
        if (!input_need(r, 1))
            return false; /* the input ends between frames: a clean end */
        if (!input_need(r, ZSTD_FRAMEHEADERSIZE_PREFIX(ZSTD_f_zstd1))) {
            fail_truncated(r);
            return false;
        }
        const unsigned char *p = r->in + r->in_pos;
        const uint32_t magic = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                               (uint32_t)p[3] << 24;
        if ((magic & 0xFFFFFFF0u) != 0x184D2A50u)
            break;
        if (!skip_frame(r))
            return false;
    }
    const size_t head = ZSTD_frameHeaderSize(r->in + r->in_pos, r->in_len - r->in_pos);
    if (ZSTD_isError(head)) {
        fail_zstd(r, head);
        return false;
    }
    if (!input_need(r, head)) {
        fail_truncated(r);
        return false;
    }
    ZSTD_frameHeader fh;
    const size_t ret = ZSTD_getFrameHeader(&fh, r->in + r->in_pos, head);
    if (ZSTD_isError(ret)) {
        fail_zstd(r, ret);
        return false;
    }
    if (fh.windowSize > ING_ZSTD_WINDOW_MAX) {
        set_error(r, r->bytes_in, "corrupt zstd data",
                  ZSTD_getErrorString(ZSTD_error_frameParameter_windowTooLarge));
        return false;
    }
    ZSTD_decompressBegin(r->dctx);
    r->in_frame = true;
    r->frame_ring = false;
    r->window = (size_t)fh.windowSize;
    r->history = HIST_NONE;
    r->ring_pos = 0;
    return true;
}

/* Feeds zstd its next piece of input; a block is decoded to dst, which has at least
 * ING_ZSTD_BLOCK_ROOM bytes of room (NULL: stop before the next block). @return the bytes
 * decoded; *more is false at the end of the input or on error. */
static size_t zstd_step(ing_reader *r, char *dst, bool *more)
{
    *more = true;
    if (!r->in_frame && !frame_begin(r)) {
        *more = false;
        return 0;
    }
    const size_t n = ZSTD_nextSrcSizeToDecompress(r->dctx);
    if (n == 0) {
        r->in_frame = false; /* the frame ended (its checksum, if any, matched) */
        return 0;
    }
    const ZSTD_nextInputType_e type = ZSTD_nextInputType(r->dctx);
    const bool block = type == ZSTDnit_block || type == ZSTDnit_lastBlock;
    if (block && !dst)
        return 0;
    if (!input_need(r, n)) {
        fail_truncated(r);
        *more = false;
        return 0;
    }
    /* A header or checksum is given no room, so that zstd does not take it for the start of a
     * new stretch of output (which would drop the history behind the block that follows). */
    const size_t got = ZSTD_decompressContinue(r->dctx, block ? dst : NULL,
                                               block ? ING_ZSTD_BLOCK_ROOM : 0,
                                               r->in + r->in_pos, n);
    if (ZSTD_isError(got)) {
        fail_zstd(r, got);
        *more = false;
        return 0;
    }
    input_consume(r, n);
    return got;
}

/* Decodes the next block into the ring; the caller has handed on all the ring held. @return
 * false at the end of the input or on error. */
static bool ring_step(ing_reader *r)
{
    if (!r->in_frame && !frame_begin(r))
        return false;
    if (r->history == HIST_NONE || r->history == HIST_CALLER) {
        /* A new stretch of text starts at the ring's start only once the one before holds a
         * window and a block more, so a block never overwrites history it may copy from. After
         * reads in place, the caller's last buffer is the history until the ring holds a
         * window (ing_reader_read() after ing_reader_read_inplace()). */
        const size_t need = r->window + 2 * ING_ZSTD_BLOCK_ROOM;
        if (r->ring_cap < need) {
            free(r->ring);
            r->ring = rsla_xmalloc(need);
            r->ring_cap = need;
        }
        r->ring_pos = 0;
    }
    if (r->ring_cap - r->ring_pos < ING_ZSTD_BLOCK_ROOM) {
        r->ring_pos = 0;
        r->history = HIST_RING_WRAPPED;
    }
    bool more;
    const size_t got = zstd_step(r, r->ring + r->ring_pos, &more);
    if (got && (r->history == HIST_NONE || r->history == HIST_CALLER))
        r->history = HIST_RING;
    r->pend_pos = r->ring_pos;
    r->pend_len = got;
    r->ring_pos += got;
    return more;
}

static size_t take_pending(ing_reader *r, char *buf, size_t cap)
{
    const size_t n = RSLA_MIN(cap, r->pend_len);
    if (n == 0)
        return 0; /* the ring may not exist yet */
    memcpy(buf, r->ring + r->pend_pos, n);
    r->pend_pos += n;
    r->pend_len -= n;
    return n;
}

static size_t read_zstd(ing_reader *r, char *buf, size_t cap)
{
    size_t done = 0;
    for (;;) {
        done += take_pending(r, buf + done, cap - done);
        if (done == cap || r->zstd_done)
            break;
        if (!ring_step(r))
            r->zstd_done = true;
    }
    return done;
}

static size_t read_decoded(ing_reader *r, char *buf, size_t cap)
{
    if (cap == 0 || (!r->zstd && r->error))
        return 0; /* zstd text decoded before an error is still handed on */
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
    (void)ing_bom_to_spaces(r->head, r->head_len);
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

/* MARK: - In place */

/* Whether the frame being decoded goes on through the ring, copied: its history is there and
 * the ring wrapped since it began, or its window is too large for chunks to hold. */
static bool ring_only(const ing_reader *r)
{
    return r->history == HIST_RING_WRAPPED || r->frame_ring ||
           (r->history != HIST_CALLER && r->window > ING_INPLACE_WINDOW_MAX);
}

/* The window the next in-place call must decode to keep the history rule. */
static size_t inplace_window(const ing_reader *r)
{
    return r->in_frame && !ring_only(r) ? r->window : 0;
}

/* What the next in-place call decodes at least (unless the input ends): the target, and the
 * window, for the history rule. The first call decodes 3 bytes more than the window: it turns a
 * BOM into spaces in its own text, which is the next call's history, and the BOM must be out of
 * that call's reach (zstd may copy from exactly a window back). */
static size_t inplace_goal(const ing_reader *r, size_t target)
{
    return RSLA_MAX(target, inplace_window(r) + (r->head_done ? 0 : 3));
}

size_t ing_reader_inplace_room(ing_reader *r, size_t target)
{
    if (!r->zstd)
        return target;
    /* The next frame's header gives its window; no block is decoded here, so no ring is made
     * for a frame decoded in place. */
    if (!r->in_frame && !r->zstd_done && r->pend_len == 0 && !frame_begin(r))
        r->zstd_done = true;
    return r->pend_len + inplace_goal(r, target) + ING_ZSTD_BLOCK_ROOM;
}

/* Decodes blocks into buf until goal bytes are there, the input ends or buf has no room for a
 * block. bom: the call whose first 3 bytes a BOM may be turned into spaces in. @return the bytes
 * decoded. */
static size_t decode_inplace(ing_reader *r, char *buf, size_t cap, size_t goal, bool bom)
{
    size_t done = 0;
    while (!r->zstd_done && done < goal && cap - done >= ING_ZSTD_BLOCK_ROOM) {
        if (!r->in_frame) {
            if (!frame_begin(r)) {
                r->zstd_done = true;
                break;
            }
            /* A frame that starts inside those 3 bytes (tiny frames before it) would find the
             * spaces in its history unless this call decodes a window past them: through the
             * ring otherwise, where its history stays as decoded. */
            r->frame_ring = bom && done < 3 && r->window + 3 > goal;
        }
        if (ring_only(r)) {
            if (!ring_step(r))
                r->zstd_done = true;
            done += take_pending(r, buf + done, cap - done);
            continue;
        }
        bool more;
        const size_t got = zstd_step(r, buf + done, &more);
        if (got)
            r->history = HIST_CALLER;
        if (!more)
            r->zstd_done = true;
        done += got;
    }
    return done;
}

/* The history rule: zstd copies from the window before each block, and remembers only the
 * stretch of text it decoded last besides the current one. Each call decodes at least a window
 * in place (unless the input ends), so the previous call's text always holds the window the
 * next one needs. */
size_t ing_reader_read_inplace(ing_reader *r, char *buf, size_t cap, size_t target)
{
    if (!r->zstd)
        return ing_reader_read(r, buf, cap);
    /* A BOM is looked for in the first call's text (at least 3 bytes, unless the input is
     * shorter: inplace_goal()), where ing_reader_read() holds the first bytes back. */
    const bool first = !r->head_done;
    (void)ing_reader_inplace_room(r, target); /* the frame's window is known from here */
    const size_t goal = inplace_goal(r, target);
    r->head_done = true;
    size_t done = take_pending(r, buf, cap);
    if (cap - done >= ING_ZSTD_BLOCK_ROOM) /* the ring's text is handed on first, in order */
        done += decode_inplace(r, buf + done, cap - done, goal, first);
    if (first)
        (void)ing_bom_to_spaces(buf, done);
    r->bytes_out += done;
    return done;
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
