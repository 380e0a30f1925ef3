/* ingest/ing_source + ing_reader: inputs found and read as decoded text; zstd told by magic
 * bytes; single, multi-frame and concatenated frames; truncated, corrupt and wrong-checksum
 * frames reported with an offset, the bytes decoded before them kept; zstd decoded in place into
 * the caller's buffers with windows of megabytes, the same as decoded through the ring. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "ingest/ing_source.h"
#include "rsla_test.h"

static char tmpdir[256];

static void write_file(const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static size_t compress_frame(const char *text, void *out, size_t cap, int checksum)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
    const size_t n = ZSTD_compress2(c, out, cap, text, strlen(text));
    ZSTD_freeCCtx(c);
    return n;
}

/* Reads a whole input in small pieces; returns the text (caller frees). */
static char *read_all(const char *name, char **error, uint64_t *offset, int *zstd)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    ing_reader *r = ing_reader_open(path, err, sizeof err);
    if (!r) {
        *error = strdup(err);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while ((n = ing_reader_read(r, buf + len, 7)) > 0) {
        len += n;
        if (cap - len < 8)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    const char *e = ing_reader_error(r, offset);
    *error = e ? strdup(e) : NULL;
    *zstd = ing_reader_is_zstd(r);
    ing_reader_close(r);
    return buf;
}

static void test_plain_and_zstd(void)
{
    const char *a = "line one\nline two\n", *b = "third\nfourth";
    unsigned char z[4096];
    write_file("plain.log", a, strlen(a));
    size_t n1 = compress_frame(a, z, sizeof z, 1);
    size_t n2 = compress_frame(b, z + n1, sizeof z - n1, 0);
    write_file("two-frames.bin", z, n1 + n2);
    write_file("empty", "", 0);

    char *err;
    uint64_t off;
    int zstd;
    char *t = read_all("plain.log", &err, &off, &zstd);
    CHECK_EQ_STR(t, a);
    CHECK(err == NULL);
    CHECK_EQ_INT(zstd, 0);
    free(t);
    t = read_all("two-frames.bin", &err, &off, &zstd);
    CHECK_EQ_STR(t, "line one\nline two\nthird\nfourth");
    CHECK(err == NULL);
    CHECK_EQ_INT(zstd, 1);
    free(t);
    t = read_all("empty", &err, &off, &zstd);
    CHECK_EQ_STR(t, "");
    CHECK(err == NULL);
    free(t);

    /* Truncated inside the second frame: the first frame's text is kept. */
    write_file("truncated.zst", z, n1 + n2 - 3);
    t = read_all("truncated.zst", &err, &off, &zstd);
    CHECK(strncmp(t, a, strlen(a)) == 0);
    CHECK(err && strstr(err, "truncated"));
    CHECK_EQ_INT(off, n1 + n2 - 3);
    free(t);
    free(err);

    /* A wrong checksum in the first frame (the last 4 bytes of a checksummed frame). */
    unsigned char bad[4096];
    memcpy(bad, z, n1 + n2);
    bad[n1 - 1] ^= 0xff;
    write_file("checksum.zst", bad, n1 + n2);
    t = read_all("checksum.zst", &err, &off, &zstd);
    CHECK(err && strstr(err, "corrupt zstd data"));
    CHECK(off < n1);
    free(t);
    free(err);

    /* Plain garbage after a good frame. */
    memcpy(bad, z, n1);
    memcpy(bad + n1, "garbage!", 8);
    write_file("trailing.zst", bad, n1 + 8);
    t = read_all("trailing.zst", &err, &off, &zstd);
    CHECK_EQ_STR(t, a);
    CHECK(err && strstr(err, "corrupt zstd data"));
    CHECK_EQ_INT(off, n1);
    free(t);
    free(err);
}

/* Text whose matches reach far back: pseudo-random lines, the whole repeated, so that zstd
 * copies from up to `span` bytes back, across the chunks an in-place read cuts. */
static char *far_text(size_t span, int copies, size_t *len)
{
    char *t = malloc(span * (size_t)copies + 1);
    uint64_t x = 88172645463325252ull;
    size_t n = 0;
    while (n < span) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        n += (size_t)snprintf(t + n, span + 1 - n, "{\"n\":%llu}\n", (unsigned long long)x);
    }
    for (int i = 1; i < copies; i++)
        memcpy(t + span * (size_t)i, t, span);
    *len = span * (size_t)copies;
    t[*len] = '\0';
    return t;
}

/* Compresses text as one frame with a window of 1 << window_log (content size unknown, as a
 * stream writes it). */
static size_t compress_window(const char *text, size_t len, unsigned char *out, size_t cap,
                              int window_log)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
    ZSTD_outBuffer o = { out, cap, 0 };
    ZSTD_inBuffer in = { text, len, 0 };
    while (ZSTD_compressStream2(c, &o, &in, ZSTD_e_end) != 0)
        ;
    ZSTD_freeCCtx(c);
    return o.pos;
}

/* Reads a whole input in place, into two buffers in turn, each filled with garbage before it is
 * written to (so only the other one can serve as the window); also checks each call's size. */
static char *read_all_inplace(const char *name, size_t target, char **error, uint64_t *offset,
                              size_t *len)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    ing_reader *r = ing_reader_open(path, err, sizeof err);
    CHECK(r != NULL);
    char *bufs[2] = { NULL, NULL };
    size_t caps[2] = { 0, 0 }, cap = 1 << 16, n;
    char *text = malloc(cap);
    *len = 0;
    for (unsigned k = 0;; k++) {
        const size_t room = ing_reader_inplace_room(r, target);
        const unsigned i = k & 1;
        if (caps[i] < room)
            bufs[i] = realloc(bufs[i], caps[i] = room);
        memset(bufs[i], 0x5A, room);
        if ((n = ing_reader_read_inplace(r, bufs[i], room, target)) == 0)
            break;
        CHECK(n <= room);
        while (*len + n + 1 > cap)
            text = realloc(text, cap *= 2);
        memcpy(text + *len, bufs[i], n);
        *len += n;
    }
    text[*len] = '\0';
    const char *e = ing_reader_error(r, offset);
    *error = e ? strdup(e) : NULL;
    CHECK_EQ_INT(ing_reader_bytes_out(r), *len);
    ing_reader_close(r);
    free(bufs[0]);
    free(bufs[1]);
    return text;
}

static void test_in_place(void)
{
    size_t len, got;
    char *text = far_text(700 << 10, 4, &len); /* matches 700 KiB back, 2.8 MB in all */
    const size_t cap = ZSTD_compressBound(len) * 2 + 4096;
    unsigned char *z = malloc(cap);
    char *err;
    uint64_t off;
    /* Windows of 1 MiB (in place, chunks of a window) and 16 MiB (too large: through the ring,
     * copied), then both frames in one file, led by a BOM. */
    const int logs[] = { 20, 24 };
    for (int w = 0; w < 2; w++) {
        const size_t n = compress_window(text, len, z, cap, logs[w]);
        write_file("far.zst", z, n);
        const size_t targets[] = { 1, 100000, 3 << 20 };
        for (int t = 0; t < 3; t++) {
            char *back = read_all_inplace("far.zst", targets[t], &err, &off, &got);
            CHECK(err == NULL);
            CHECK(got == len && memcmp(back, text, len) == 0);
            free(back);
            free(err);
        }
    }
    memcpy(text, "\xEF\xBB\xBF", 3);
    size_t n1 = compress_window(text, len, z, cap, 20);
    size_t n2 = compress_window(text + 5, len - 5, z + n1, cap - n1, 24);
    const size_t n3 = compress_window(text, len, z + n1 + n2, cap - n1 - n2, 21);
    write_file("far3.zst", z, n1 + n2 + n3);
    int zstd;
    char *ring = read_all("far3.zst", &err, &off, &zstd);
    CHECK(err == NULL && zstd);
    CHECK(strncmp(ring, "   ", 3) == 0 && strlen(ring) == 3 * len - 5);
    char *back = read_all_inplace("far3.zst", 1, &err, &off, &got);
    CHECK(err == NULL);
    CHECK(got == 3 * len - 5 && memcmp(back, ring, got) == 0);
    free(back);
    /* A wrong checksum in the second frame, and the file cut inside the third: the same text
     * and the same errors both ways. */
    z[n1 + n2 - 1] ^= 0x55;
    write_file("far3bad.zst", z, n1 + n2 + n3 / 2);
    for (int cut = 0; cut < 2; cut++) {
        const char *name = cut ? "far3cut.zst" : "far3bad.zst";
        if (cut) {
            z[n1 + n2 - 1] ^= 0x55;
            write_file(name, z, n1 + n2 + n3 / 2);
        }
        char *rerr;
        uint64_t roff;
        char *r = read_all(name, &rerr, &roff, &zstd);
        back = read_all_inplace(name, 1, &err, &off, &got);
        CHECK(rerr && err && strcmp(rerr, err) == 0 && roff == off);
        CHECK(strstr(err, cut ? "truncated" : "checksum") != NULL);
        CHECK(got == strlen(r) && memcmp(back, r, got) == 0);
        /* Both first frames whole (the checksum is checked after the frame's text decoded);
         * after a wrong checksum nothing more, a cut frame up to its last whole block. */
        CHECK(cut ? got > 2 * len - 5 && got < 3 * len - 5 : got == 2 * len - 5);
        free(back);
        free(r);
        free(err);
        free(rerr);
    }
    free(ring);
    free(z);
    free(text);
}

/* Reads a range reader to its end, then (unbound) on to the file's end. */
static char *read_range(uint64_t start, uint64_t end, bool unbound, char **error, uint64_t *offset,
                        uint64_t *bytes_in)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/range.zst", tmpdir);
    ing_reader *r = ing_reader_open_range(path, start, end, err, sizeof err);
    CHECK(r != NULL);
    char *buf = calloc(1, 4096);
    size_t len = 0, n;
    for (int pass = 0; pass < 1 + unbound; pass++) {
        while ((n = ing_reader_read(r, buf + len, 2)) > 0)
            len += n;
        if (pass == 0)
            *bytes_in = ing_reader_bytes_in(r); /* where its own frames end */
        if (pass == 0 && unbound)
            ing_reader_unbound(r);
    }
    const char *e = ing_reader_error(r, offset);
    *error = e ? strdup(e) : NULL;
    ing_reader_close(r);
    return buf;
}

/* A range of a file's frames, as a parallel segment reads them: its own frames' text, a BOM not
 * at the file's start left as it is, file offsets in errors, and then the frames after it. */
static void test_range(void)
{
    unsigned char z[4096];
    const size_t n1 = compress_frame("a\n", z, sizeof z, 1);
    const size_t n2 = compress_frame("\xEF\xBB\xBF" "bb\nccc", z + n1, sizeof z - n1, 1);
    const size_t n3 = compress_frame("dd\n", z + n1 + n2, sizeof z - n1 - n2, 1);
    write_file("range.zst", z, n1 + n2 + n3);
    char *err;
    uint64_t off = 0, in;
    char *t = read_range(n1, n1 + n2, false, &err, &off, &in);
    CHECK_EQ_STR(t, "\xEF\xBB\xBF" "bb\nccc");
    CHECK(err == NULL && in == n1 + n2);
    free(t);
    t = read_range(n1, n1 + n2, true, &err, &off, &in);
    CHECK_EQ_STR(t, "\xEF\xBB\xBF" "bb\ncccdd\n");
    CHECK(err == NULL && in == n1 + n2);
    free(t);
    /* Its end inside a frame: the frame is cut there. */
    t = read_range(n1, n1 + n2 - 2, false, &err, &off, &in);
    CHECK(err && strstr(err, "truncated") && off == n1 + n2 - 2);
    free(t);
    free(err);
    /* A wrong checksum: the frame's text, the error at the checksum's file offset. */
    z[n1 + n2 - 1] ^= 0x55;
    write_file("range.zst", z, n1 + n2 + n3);
    t = read_range(n1, n1 + n2, false, &err, &off, &in);
    CHECK_EQ_STR(t, "\xEF\xBB\xBF" "bb\nccc");
    CHECK(err && strstr(err, "checksum") && off == n1 + n2 - 4);
    free(t);
    free(err);
}

static void test_find(void)
{
    char sub[512], loop[600], arg[512];
    snprintf(sub, sizeof sub, "%s/dir/sub", tmpdir);
    snprintf(arg, sizeof arg, "%s/dir", tmpdir);
    mkdir(arg, 0755);
    mkdir(sub, 0755);
    write_file("dir/sub/b.log", "x\n", 2);
    write_file("dir/a.log", "y\n", 2);
    snprintf(loop, sizeof loop, "%s/loop", sub);
    CHECK_EQ_INT(symlink("..", loop), 0);
    char missing[512];
    snprintf(missing, sizeof missing, "%s/missing.log", tmpdir);
    char *args[] = { arg, missing, arg };
    ing_input_list l;
    ing_inputs_find(args, 3, &l);
    CHECK_EQ_INT(l.n, 2);
    CHECK(l.n == 2 && strstr(l.items[0].path, "dir/a.log") && strstr(l.items[1].path, "dir/sub/b.log"));
    CHECK_EQ_INT(l.n_errors, 3); /* the missing file; the loop met once per folder argument */
    int missing_named = 0, loop_named = 0;
    for (size_t i = 0; i < l.n_errors; i++) {
        missing_named += strstr(l.errors[i], "missing.log") != NULL;
        loop_named += strstr(l.errors[i], "symlink loop") != NULL;
    }
    CHECK_EQ_INT(missing_named, 1);
    CHECK_EQ_INT(loop_named, 2);
    ing_inputs_free(&l);
}

int main(void)
{
    if (!rsla_test_tmpdir(tmpdir, sizeof tmpdir, "reader"))
        return 1;
    test_plain_and_zstd();
    test_in_place();
    test_range();
    test_find();
    rsla_test_tmpdir_remove(tmpdir);
    TEST_MAIN_END();
}
