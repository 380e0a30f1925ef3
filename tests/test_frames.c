/* ingest/ing_frames: how a zstd file is cut into parallel segments. Frames of up to
 * ING_WALK_FRAME_BLOCKS blocks are walked to find where the next one starts; a longer frame, known
 * from its content size or found by walking, ends the walk, and the rest of the file is one
 * segment; pzstd's frames are taken at the sizes it writes before them. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "ingest/ing_frames.h"
#include "rsla_test.h"

static char tmpdir[256];

/* The largest text whose frame is still walked: a block holds at most 128 KiB of text. */
#define WALKED_TEXT ((size_t)ING_WALK_FRAME_BLOCKS * (128u << 10))

typedef struct zfile {
    unsigned char *z;
    size_t len, cap;
    uint64_t starts[16]; /* where each frame starts */
    size_t n;
} zfile;

/* Log-like lines, len bytes in all. */
static char *text_of(size_t len, unsigned seed)
{
    char *t = malloc(len + 64); /* a line is at most 48 bytes with its NUL */
    size_t at = 0;
    for (unsigned i = 0; at < len; i++)
        at += (size_t)sprintf(t + at, "{\"n\":%u,\"seed\":%u,\"msg\":\"line\"}\n", i * 7919u, seed);
    return t;
}

/* Appends a frame of len bytes of text; content_size: whether its header gives the size. */
static void add_frame(zfile *f, size_t len, int content_size)
{
    char *t = text_of(len, (unsigned)f->n);
    const size_t need = ZSTD_compressBound(len);
    if (f->len + need > f->cap) {
        f->cap = (f->len + need) * 2;
        f->z = realloc(f->z, f->cap);
    }
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size);
    const size_t n = ZSTD_compress2(c, f->z + f->len, f->cap - f->len, t, len);
    CHECK(!ZSTD_isError(n));
    ZSTD_freeCCtx(c);
    free(t);
    f->starts[f->n++] = f->len;
    f->len += n;
}

/* The segments of f with one frame per segment at least (min_bytes 1); starts[n] is its end. */
static size_t segments_of(const zfile *f, uint64_t **starts)
{
    char path[512];
    snprintf(path, sizeof path, "%s/frames.zst", tmpdir);
    FILE *out = fopen(path, "wb");
    CHECK(out != NULL);
    fwrite(f->z, 1, f->len, out);
    fclose(out);
    return ing_zstd_segments(path, 1, starts);
}

/* Small frames around one of `big` bytes of text: each small frame before it is a segment; the
 * big one is a segment of its own when it is walked, else it and all after it are the last. */
static void check_around(size_t big, int content_size, bool walked)
{
    zfile f = { 0 };
    add_frame(&f, 20000, 1);
    add_frame(&f, 30000, 0);
    add_frame(&f, big, content_size);
    add_frame(&f, 20000, 1);
    add_frame(&f, 10000, 0);
    uint64_t *s;
    const size_t n = segments_of(&f, &s);
    CHECK_EQ_INT(n, walked ? 5 : 3);
    for (size_t i = 0; i < n && i < 3; i++)
        CHECK_EQ_INT(s[i], f.starts[i]);
    if (walked)
        CHECK_EQ_INT(s[4], f.starts[4]);
    CHECK_EQ_INT(s[n], f.len);
    free(s);
    free(f.z);
}

/* A frame of exactly ING_WALK_FRAME_BLOCKS blocks is walked, one more block is not, with and
 * without a content size in its header. */
static void test_walk_bound(void)
{
    check_around(WALKED_TEXT, 1, true);
    check_around(WALKED_TEXT, 0, true);
    check_around(WALKED_TEXT + 1, 1, false);
    check_around(WALKED_TEXT + 1, 0, false);
}

/* Where the first block header of the frame at off is (RFC 8878 frame header). */
static uint64_t first_block(const zfile *f, uint64_t off)
{
    static const unsigned did_len[4] = { 0, 1, 2, 4 }, fcs_len[4] = { 0, 2, 4, 8 };
    const unsigned fhd = f->z[off + 4];
    const bool single = fhd & 0x20;
    const unsigned fcs = (fhd >> 6) == 0 ? (single ? 1u : 0u) : fcs_len[fhd >> 6];
    return off + 5 + (single ? 0 : 1) + did_len[fhd & 3] + fcs;
}

/* Where the header of block k (0 first) of the frame at off is. */
static uint64_t block_at(const zfile *f, uint64_t off, unsigned k)
{
    uint64_t pos = first_block(f, off);
    for (unsigned i = 0; i < k; i++) {
        const uint32_t bh = (uint32_t)f->z[pos] | (uint32_t)f->z[pos + 1] << 8 |
                            (uint32_t)f->z[pos + 2] << 16;
        pos += 3 + (((bh >> 1) & 3) == 1 ? 1 : (bh >> 3));
    }
    return pos;
}

/* A frame whose content size is over the bound is walked no further than its first two blocks,
 * which are checked so that magic bytes met elsewhere are not taken for a frame: its third block
 * header made invalid changes nothing, its first does (a damaged frame, a segment of its own up
 * to the next frame). */
static void test_long_frame_not_read(void)
{
    zfile f = { 0 };
    add_frame(&f, 20000, 1);
    add_frame(&f, WALKED_TEXT + 1, 1);
    add_frame(&f, 20000, 1);
    CHECK_EQ_INT(f.z[f.starts[1] + 4] >> 6, 2); /* a 4-byte content size */
    f.z[block_at(&f, f.starts[1], 2)] |= 0x06;  /* block type 3: reserved, a damaged frame */
    uint64_t *s;
    CHECK_EQ_INT(segments_of(&f, &s), 2);
    CHECK_EQ_INT(s[1], f.starts[1]);
    CHECK_EQ_INT(s[2], f.len);
    free(s);
    f.z[block_at(&f, f.starts[1], 0)] |= 0x06;
    CHECK_EQ_INT(segments_of(&f, &s), 3);
    CHECK_EQ_INT(s[1], f.starts[1]);
    CHECK_EQ_INT(s[2], f.starts[2]);
    free(s);
    /* The same damage in a frame that is walked: a segment up to the next frame. */
    zfile g = { 0 };
    add_frame(&g, 20000, 1);
    add_frame(&g, 40000, 1);
    add_frame(&g, 20000, 1);
    CHECK_EQ_INT(g.z[g.starts[1] + 4] >> 6, 1); /* a 2-byte content size this time */
    g.z[first_block(&g, g.starts[1])] |= 0x06;
    CHECK_EQ_INT(segments_of(&g, &s), 3);
    CHECK_EQ_INT(s[1], g.starts[1]);
    CHECK_EQ_INT(s[2], g.starts[2]);
    free(s);
    free(f.z);
    free(g.z);
}

/* A file that is one long frame is read as one stream; small frames after a long first one do
 * not make segments. */
static void test_one_long_frame(void)
{
    zfile f = { 0 };
    add_frame(&f, WALKED_TEXT + 100000, 0);
    uint64_t *s = NULL;
    CHECK_EQ_INT(segments_of(&f, &s), 0);
    CHECK(s == NULL);
    add_frame(&f, 20000, 1);
    add_frame(&f, 20000, 1);
    CHECK_EQ_INT(segments_of(&f, &s), 0);
    free(f.z);
}

/* Appends what pzstd writes for a frame: a skippable frame holding the compressed size of the
 * frame after it (hint_error added to it), then the frame. */
static void add_pzstd_frame(zfile *f, size_t len, int hint_error)
{
    const size_t at = f->len;
    if (f->len + 12 > f->cap) {
        f->cap = (f->len + 12) * 2;
        f->z = realloc(f->z, f->cap);
    }
    f->len += 12;
    add_frame(f, len, 0);
    const uint32_t v[3] = { 0x184D2A50u, 4, (uint32_t)(f->len - at - 12 + (size_t)hint_error) };
    for (int w = 0; w < 3; w++)
        for (int b = 0; b < 4; b++)
            f->z[at + 4 * (size_t)w + (size_t)b] = (unsigned char)(v[w] >> (8 * b));
    f->starts[f->n - 1] = at; /* the pair starts at the skippable frame */
}

/* pzstd's frames are taken at the size its skippable frames give, without a walk, however many
 * blocks they have (level 19 makes 253-259); a size that does not end at another frame or the end
 * of the file is not taken. */
static void test_pzstd_sizes(void)
{
    zfile f = { 0 };
    for (int i = 0; i < 3; i++)
        add_pzstd_frame(&f, WALKED_TEXT + 1000 * (size_t)i + 1, 0);
    uint64_t *s;
    CHECK_EQ_INT(segments_of(&f, &s), 3);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(s[i], f.starts[i]);
    CHECK_EQ_INT(s[3], f.len);
    free(s);
    free(f.z);
    for (int error = -1; error <= 1; error += 2) {
        zfile g = { 0 };
        add_pzstd_frame(&g, WALKED_TEXT + 1, error);
        add_pzstd_frame(&g, 20000, 0);
        /* The skippable frame alone (one frame per segment here), then the walked frame: long,
         * so it and the rest are one stream. */
        CHECK_EQ_INT(segments_of(&g, &s), 2);
        CHECK_EQ_INT(s[1], 12);
        CHECK_EQ_INT(s[2], g.len);
        free(s);
        free(g.z);
    }
}

/* Appends len bytes to f. */
static void add_bytes(zfile *f, const void *p, size_t len)
{
    if (f->len + len > f->cap) {
        f->cap = (f->len + len) * 2;
        f->z = realloc(f->z, f->cap);
    }
    memcpy(f->z + f->len, p, len);
    f->len += len;
}

/* Appends a frame of raw (stored) blocks holding text as it is, with a 4-byte content size. */
static void add_raw_frame(zfile *f, const char *text, size_t len)
{
    f->starts[f->n++] = f->len;
    const unsigned char head[9] = { 0x28, 0xB5, 0x2F, 0xFD, 0xA0, (unsigned char)len,
                                    (unsigned char)(len >> 8), (unsigned char)(len >> 16),
                                    (unsigned char)(len >> 24) };
    add_bytes(f, head, sizeof head);
    for (size_t at = 0; at < len;) {
        const size_t n = len - at < (64u << 10) ? len - at : (64u << 10);
        const uint32_t bh = (uint32_t)(n << 3) | (at + n == len ? 1u : 0u);
        const unsigned char b[3] = { (unsigned char)bh, (unsigned char)(bh >> 8),
                                     (unsigned char)(bh >> 16) };
        add_bytes(f, b, 3);
        add_bytes(f, text + at, n);
        at += n;
    }
}

/* Appends a pzstd size frame saying `size`. */
static void add_size_hint(zfile *f, uint32_t size)
{
    const uint32_t v[3] = { 0x184D2A50u, 4, size };
    unsigned char b[12];
    for (int w = 0; w < 3; w++)
        for (int k = 0; k < 4; k++)
            b[4 * w + k] = (unsigned char)(v[w] >> (8 * k));
    add_bytes(f, b, sizeof b);
}

/* A wrong pzstd size that lands on zstd magic bytes inside the text of the frame it names is not
 * taken: the frame is walked, and not cut in two there. */
static void test_pzstd_size_on_magic_in_text(void)
{
    char *text = text_of(200000, 7);
    memcpy(text + 100000, "\"x\":\"\x28\xb5\x2f\xfd\"}\n", 11); /* magic inside a line */
    zfile f = { 0 };
    add_size_hint(&f, 0); /* its size is filled in below */
    add_raw_frame(&f, text, 200000);
    const uint64_t magic_at = f.starts[0] + 9 + 3 + 64u * 1024 + 3 + (100000 - 65536) + 5;
    CHECK(memcmp(f.z + magic_at, "\x28\xb5\x2f\xfd", 4) == 0);
    const uint32_t wrong = (uint32_t)(magic_at - 12);
    memcpy(f.z + 8, &wrong, 4); /* little-endian, as the hosts these tests run on */
    const size_t second = f.len;
    add_size_hint(&f, 0);
    add_raw_frame(&f, text, 1000);
    const uint32_t right = (uint32_t)(f.len - second - 12);
    memcpy(f.z + second + 8, &right, 4);
    uint64_t *s;
    CHECK_EQ_INT(segments_of(&f, &s), 3);
    CHECK_EQ_INT(s[1], 12);     /* the size frame alone, then the frame, walked */
    CHECK_EQ_INT(s[2], second); /* a right size is taken */
    CHECK_EQ_INT(s[3], f.len);
    free(s);
    free(f.z);
    free(text);
}

/* After damage, the search for the next frame does not stop at stray magic bytes whose header
 * claims a long content size but whose blocks are not well formed: the frames after the damage
 * are found, not given up with the rest of the file. */
static void test_resync_past_stray_magic(void)
{
    zfile f = { 0 };
    add_frame(&f, 30000, 1);
    add_frame(&f, 30000, 1);
    const size_t junk_at = f.len;
    static const char junk[] = "this is not zstd, but text written over the file ";
    for (int i = 0; i < 20; i++)
        add_bytes(&f, junk, sizeof junk - 1);
    const unsigned char stray[9] = { 0x28, 0xB5, 0x2F, 0xFD, 0xA0, 0xFF, 0xFF, 0xFF, 0x7F };
    add_bytes(&f, stray, sizeof stray); /* a header claiming 2 GiB of text */
    for (int i = 0; i < 20; i++)
        add_bytes(&f, junk, sizeof junk - 1);
    add_frame(&f, 30000, 1);
    add_frame(&f, 30000, 1);
    uint64_t *s;
    CHECK_EQ_INT(segments_of(&f, &s), 5);
    CHECK_EQ_INT(s[2], junk_at);
    CHECK_EQ_INT(s[3], f.starts[2]);
    CHECK_EQ_INT(s[4], f.starts[3]);
    CHECK_EQ_INT(s[5], f.len);
    free(s);
    free(f.z);
}

int main(void)
{
    if (!rsla_test_tmpdir(tmpdir, sizeof tmpdir, "frames"))
        return 1;
    test_walk_bound();
    test_long_frame_not_read();
    test_one_long_frame();
    test_pzstd_sizes();
    test_pzstd_size_on_magic_in_text();
    test_resync_past_stray_magic();
    rsla_test_tmpdir_remove(tmpdir);
    TEST_MAIN_END();
}
