/* common/rsla_base: reading a small file whole (rsla_read_file), at and around its size bound. */
#include <errno.h>  /* errno, ENOENT */
#include <stdio.h>  /* FILE, fopen */
#include <stdlib.h> /* free, mkdtemp */
#include <unistd.h> /* rmdir, unlink */

#include "common/rsla_base.h"
#include "rsla_test.h"

static char dir[] = "/tmp/rsla-test-base-XXXXXX";

/* A file of n bytes (a repeating pattern) in dir; its path in path. */
static void write_file(char *path, size_t cap, const char *name, size_t n)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (size_t i = 0; f && i < n; i++)
        fputc('a' + (int)(i % 26), f);
    if (f)
        fclose(f);
}

static void test_sizes(void)
{
    static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 200000 };
    char path[256];
    for (size_t k = 0; k < RSLA_ARRAY_LEN(sizes); k++) {
        write_file(path, sizeof path, "f", sizes[k]);
        size_t len = 99;
        rsla_read_status st;
        /* max = the size: read whole, NUL after; max one less: too big */
        char *b = rsla_read_file(path, sizes[k], &len, &st);
        CHECK(b != NULL && st == RSLA_READ_OK);
        CHECK_EQ_INT(len, sizes[k]);
        CHECK(b && b[len] == '\0' && (len == 0 || b[len - 1] == 'a' + (int)((len - 1) % 26)));
        free(b);
        if (sizes[k] > 0) {
            b = rsla_read_file(path, sizes[k] - 1, &len, &st);
            CHECK(b == NULL && st == RSLA_READ_TOO_BIG && len == 0);
        }
        b = rsla_read_file(path, 1u << 20, &len, &st);
        CHECK(b != NULL && len == sizes[k]);
        free(b);
        unlink(path);
    }
}

static void test_failures(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/missing", dir);
    size_t len;
    rsla_read_status st;
    errno = 0;
    CHECK(rsla_read_file(path, 100, &len, &st) == NULL);
    CHECK(st == RSLA_READ_OPEN && errno == ENOENT);
    CHECK(rsla_read_file(dir, 100, &len, &st) == NULL); /* a folder opens, then fails to read */
    CHECK(st == RSLA_READ_IO);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    test_sizes();
    test_failures();
    rmdir(dir);
    TEST_MAIN_END();
}
