/* ingest/ing_source + ing_reader: inputs found and read as decoded text; zstd told by magic
 * bytes; single, multi-frame and concatenated frames; truncated, corrupt and wrong-checksum
 * frames reported with an offset, the bytes decoded before them kept. */
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
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rsla-test-reader-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    test_plain_and_zstd();
    test_find();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
