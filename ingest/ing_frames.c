#include "ingest/ing_frames.h"

#include <errno.h>    /* errno */
#include <fcntl.h>    /* open */
#include <stdio.h>    /* snprintf */
#include <stdlib.h>   /* free */
#include <string.h>   /* memchr, strerror */
#include <sys/stat.h> /* fstat */
#include <unistd.h>   /* pread, close */

#include "common/rsla_base.h"
#include "ingest/ing_source.h" /* ing_zstd_magic, ing_reader_open_range */

/* Decoding step while looking for a newline outside the segment's own text: small, because the
 * bytes decoded beyond the line's end are thrown away. */
#define ING_SEGMENT_PROBE (16u << 10)

/* MARK: - Finding segments (Public) */

/* Frames are walked with small reads of their headers instead of a mapping of the file: mapped
 * pages would count in the process's memory and cost a pass over the whole file. Frame layout
 * (RFC 8878): magic, header (descriptor, window, dictionary id, content size), blocks of 3-byte
 * headers, an optional 4-byte checksum; a skippable frame is magic, 4-byte size, data. */

static bool read_at(int fd, uint64_t off, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        const ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What walking a frame found: its compressed size, or that it has too many blocks to walk. */
#define FRAME_DAMAGED 0           /* cannot be walked: damaged or cut short */
#define FRAME_LONG UINT64_MAX     /* more blocks than the walk may read (frame_walk) */

/* A block decodes to at most this many bytes (RFC 8878, Block_Maximum_Size). */
#define BLOCK_TEXT_MAX (128u << 10)

/* The content size in a frame header, or UINT64_MAX when it gives none: p is the field, fcs
 * bytes long (little-endian; the 2-byte form is offset by 256, RFC 8878). */
static uint64_t content_size(const unsigned char *p, unsigned fcs)
{
    if (fcs == 0)
        return UINT64_MAX;
    uint64_t v = 0;
    for (unsigned i = fcs; i-- > 0;)
        v = v << 8 | p[i];
    return fcs == 2 ? v + 256 : v;
}

/* Blocks whose headers are checked where an offset does not come from a walk (a pzstd size, a
 * search after damage, a content size that stops the walk): magic bytes inside a frame's data
 * are then seldom followed by a well-formed frame header and blocks; a random block header passes
 * about one time in twenty. */
#define FRAME_PROBE_BLOCKS 2

static uint64_t frame_walk(int fd, uint64_t off, uint64_t size, unsigned max_blocks, bool pairs);

/* Whether a frame plausibly starts at off: a skippable frame within the file, or a zstd frame
 * whose header and first FRAME_PROBE_BLOCKS block headers are well formed. */
static bool frame_plausible(int fd, uint64_t off, uint64_t size)
{
    return frame_walk(fd, off, size, FRAME_PROBE_BLOCKS, false) != FRAME_DAMAGED;
}

/* pzstd writes before each frame a skippable frame of 4 bytes, the compressed size of the frame
 * after it: taken when that frame looks like a zstd frame and the byte after it is the end of the
 * file or where another frame plausibly starts, so that pzstd's frames, 256 blocks and more from
 * level 19 on, need no walk. A wrong size that lands on magic bytes inside the frame's data would
 * otherwise cut the frame in two (both halves then fail to decode). h: the first 16 bytes at off.
 * @return the size of the two frames, or 0 (walk them). */
static uint64_t pzstd_pair(int fd, const unsigned char *h, uint64_t off, uint64_t size)
{
    if (size - off < 16 || le32(h + 12) != 0xFD2FB528u)
        return 0;
    const uint64_t end = off + 12 + le32(h + 8);
    if (end < off + 12 + 9 || end > size || !frame_plausible(fd, off + 12, size))
        return 0; /* 9: magic, descriptor, a one-byte window and a block header at least */
    if (end == size || frame_plausible(fd, end, size))
        return end - off;
    return 0;
}

/* Whether a zstd frame header descriptor (and window descriptor, when there is one) is well
 * formed: the reserved bit clear, a window of at most 2^31 bytes (RFC 8878). */
static bool frame_header_ok(const unsigned char *h, bool single)
{
    return (h[4] & 0x08) == 0 && (single || (h[5] >> 3) <= 31 - 10);
}

/* Compressed size of the frame at off, FRAME_DAMAGED, or FRAME_LONG: more than max_blocks blocks,
 * or a content size in its header of more than ING_WALK_FRAME_BLOCKS blocks can hold (then only
 * FRAME_PROBE_BLOCKS are checked). pairs: a pzstd size before a frame may give its size. */
static uint64_t frame_walk(int fd, uint64_t off, uint64_t size, unsigned max_blocks, bool pairs)
{
    unsigned char h[18];
    if (off + 8 > size || !read_at(fd, off, h, RSLA_MIN((uint64_t)sizeof h, size - off)))
        return FRAME_DAMAGED;
    const uint32_t magic = le32(h);
    if ((magic & 0xFFFFFFF0u) == 0x184D2A50u) {
        const uint64_t n = 8 + (uint64_t)le32(h + 4);
        if (off + n > size)
            return FRAME_DAMAGED;
        const uint64_t pair =
            pairs && magic == 0x184D2A50u && n == 12 ? pzstd_pair(fd, h, off, size) : 0;
        return pair ? pair : n;
    }
    if (magic != 0xFD2FB528u)
        return FRAME_DAMAGED;
    const unsigned fhd = h[4];
    const bool single = fhd & 0x20, checksum = fhd & 0x04;
    static const unsigned did_len[4] = { 0, 1, 2, 4 }, fcs_len[4] = { 0, 2, 4, 8 };
    const unsigned fcs = (fhd >> 6) == 0 ? (single ? 1u : 0u) : fcs_len[fhd >> 6];
    const unsigned head = 5 + (single ? 0 : 1) + did_len[fhd & 3];
    if (off + head + fcs > size || !frame_header_ok(h, single))
        return FRAME_DAMAGED;
    const uint64_t text = content_size(h + head, fcs);
    if (text != UINT64_MAX && text > (uint64_t)ING_WALK_FRAME_BLOCKS * BLOCK_TEXT_MAX)
        max_blocks = RSLA_MIN(max_blocks, FRAME_PROBE_BLOCKS);
    uint64_t pos = off + head + fcs;
    for (unsigned blocks = 0;; blocks++) {
        if (blocks == max_blocks)
            return FRAME_LONG;
        unsigned char b[3];
        if (pos + 3 > size || !read_at(fd, pos, b, 3))
            return FRAME_DAMAGED;
        const uint32_t bh = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
        const unsigned type = (bh >> 1) & 3;
        if (type == 3 || (bh >> 3) > BLOCK_TEXT_MAX) /* reserved, or past Block_Maximum_Size */
            return FRAME_DAMAGED;
        pos += 3 + (type == 1 ? 1 : (bh >> 3));
        if (bh & 1)
            break;
    }
    pos += checksum ? 4 : 0;
    return pos <= size ? pos - off : FRAME_DAMAGED;
}

/* Compressed size of the frame at off, FRAME_DAMAGED, or FRAME_LONG. */
static uint64_t frame_size(int fd, uint64_t off, uint64_t size)
{
    return frame_walk(fd, off, size, ING_WALK_FRAME_BLOCKS, true);
}

/* The first offset after a damaged spot where a frame with a walkable structure starts, or the
 * end of the file. */
static uint64_t next_frame(int fd, uint64_t size, uint64_t off)
{
    unsigned char buf[65536 + 3];
    for (uint64_t q = off + 1; q + 4 <= size;) {
        const size_t n = (size_t)RSLA_MIN((uint64_t)sizeof buf, size - q);
        if (!read_at(fd, q, buf, n))
            break;
        for (size_t i = 0; i + 4 <= n; i++)
            if (buf[i] == 0x28 && ing_zstd_magic(buf + i, n - i) && frame_size(fd, q + i, size))
                return q + i;
        q += n - 3;
    }
    return size;
}

static void push_start(uint64_t **s, size_t *n, size_t *cap, uint64_t off)
{
    if (*n + 1 >= *cap)
        *s = rsla_xrealloc(*s, (*cap *= 2) * sizeof **s);
    (*s)[(*n)++] = off;
}

size_t ing_zstd_segments(const char *path, uint64_t min_bytes, uint64_t **starts)
{
    *starts = NULL;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    unsigned char magic[4];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < 2 * min_bytes ||
        !read_at(fd, 0, magic, 4) || !ing_zstd_magic(magic, 4)) {
        close(fd);
        return 0;
    }
    const uint64_t size = (uint64_t)st.st_size;
    size_t n = 0, cap = 16;
    uint64_t *s = rsla_xmalloc(cap * sizeof *s);
    push_start(&s, &n, &cap, 0);
    for (uint64_t off = 0; off < size;) {
        const uint64_t frame = frame_size(fd, off, size);
        if (frame == FRAME_LONG) { /* the frames not yet grouped and the rest of the file */
            push_start(&s, &n, &cap, size);
            break;
        }
        if (frame == FRAME_DAMAGED) {
            /* Damaged: up to the next place a whole frame starts is a segment of its own,
             * which reports the damage when decoded. */
            if (s[n - 1] != off)
                push_start(&s, &n, &cap, off);
            off = next_frame(fd, size, off);
            push_start(&s, &n, &cap, off);
            continue;
        }
        off += frame;
        if (off - s[n - 1] >= min_bytes || off == size)
            push_start(&s, &n, &cap, off);
    }
    close(fd);
    if (n < 3) {
        free(s);
        return 0;
    }
    *starts = s;
    return n - 1;
}

/* MARK: - Reading a segment (Private) */

typedef enum seg_phase { SEG_HEAD, SEG_BODY, SEG_TAIL, SEG_DONE } seg_phase;

/* A segment decodes with ing_reader's decoder, bounded to its range: damage costs what it costs
 * a whole file (the blocks from the damaged one on; a wrong checksum keeps its frame's text). */
struct ing_segment {
    ing_reader *r;
    uint64_t start, end;  /* the segment's own frames */
    bool beyond;          /* reading past end: only to finish the last line */
    bool first;           /* the file's first segment */
    bool head_done;       /* the first segment's first three bytes were checked for a BOM */
    seg_phase phase;
    char *pend;           /* decoded bytes waiting to be handed out */
    size_t pend_pos, pend_len;
    uint64_t bytes_in, bytes_out, skipped;
    char *error;
    uint64_t error_offset;
};

/* Decodes up to cap bytes; 0 when the input allowed (own frames, or the whole file beyond) is
 * used up, or on error. An error beyond the segment's frames is the next segment's to report. */
static size_t seg_decode(ing_segment *s, char *out, size_t cap)
{
    const size_t n = ing_reader_read(s->r, out, cap);
    if (!s->beyond) {
        s->bytes_out += n;
        s->bytes_in = ing_reader_bytes_in(s->r) - s->start;
    }
    uint64_t offset = 0;
    const char *err = ing_reader_error(s->r, &offset);
    if (n == 0 && err && !s->beyond && !s->error) {
        s->error = rsla_xstrndup(err, strlen(err));
        s->error_offset = offset;
    }
    return n;
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
    ing_reader_unbound(s->r);
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

static size_t seg_read_owned(ing_segment *s, char *buf, size_t cap);

ing_segment *ing_segment_open(const char *path, uint64_t start, uint64_t end, bool first,
                              char *err, size_t errlen)
{
    ing_reader *r = ing_reader_open_range(path, start, end, err, errlen);
    if (!r)
        return NULL;
    ing_segment *s = rsla_xcalloc(1, sizeof *s);
    s->r = r;
    s->start = start;
    s->end = end;
    s->first = first;
    s->phase = first ? SEG_BODY : SEG_HEAD;
    return s;
}

void ing_segment_close(ing_segment *s)
{
    if (!s)
        return;
    ing_reader_close(s->r);
    free(s->pend);
    free(s->error);
    free(s);
}

/* As ing_reader does: a UTF-8 BOM at the start of the file is handed on as three spaces (JSON
 * whitespace), keeping offsets and columns those of the file. The first three bytes are read
 * on their own and put back before what is pending, so that the BOM is seen whatever the size
 * of the caller's reads (a 2-byte read used to hand half of it on). */
static void seg_read_head(ing_segment *s)
{
    s->head_done = true;
    char head[3];
    size_t h = 0, got;
    while (h < sizeof head && (got = seg_read_owned(s, head + h, sizeof head - h)) > 0)
        h += got;
    (void)ing_bom_to_spaces(head, h);
    const size_t rest = s->pend_len - s->pend_pos;
    char *p = rsla_xmalloc(h + rest + 1);
    memcpy(p, head, h);
    if (rest)
        memcpy(p + h, s->pend + s->pend_pos, rest);
    free(s->pend);
    s->pend = p;
    s->pend_pos = 0;
    s->pend_len = h + rest;
}

size_t ing_segment_read(ing_segment *s, char *buf, size_t cap)
{
    if (s->phase == SEG_HEAD)
        seg_skip_head(s);
    if (s->first && !s->head_done)
        seg_read_head(s);
    return seg_read_owned(s, buf, cap);
}

static size_t seg_read_owned(ing_segment *s, char *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap) {
        if (s->pend_pos < s->pend_len) {
            const size_t take = RSLA_MIN(cap - n, s->pend_len - s->pend_pos);
            memcpy(buf + n, s->pend + s->pend_pos, take);
            s->pend_pos += take;
            n += take;
            continue;
        }
        if (s->phase != SEG_BODY || s->error)
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
    if (!s->error)
        return NULL;
    if (offset)
        *offset = s->error_offset;
    return s->error;
}

uint64_t ing_segment_bytes_in(const ing_segment *s) { return s->bytes_in; }
uint64_t ing_segment_bytes_out(const ing_segment *s) { return s->bytes_out; }
uint64_t ing_segment_skipped(const ing_segment *s) { return s->skipped; }
