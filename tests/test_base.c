/* common/rsla_base: reading a small file whole (rsla_read_file), at and around its size bound;
 * common/rsla_map: an arena's allocations taken over by another (rsla_arena_adopt), and the map
 * with many keys whose hashes share their high 32 bits. */
#include <errno.h>  /* errno, ENOENT */
#include <stdio.h>  /* FILE, fopen */
#include <stdlib.h> /* free, mkdtemp */
#include <unistd.h> /* rmdir, unlink */

#include "common/rsla_base.h"
#include "common/rsla_map.h"
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

/* n strings "<tag>-<i>" of a (each big enough that some take blocks of their own). */
static char **fill_arena(rsla_arena *a, char tag, int n)
{
    char **p = malloc((size_t)n * sizeof *p);
    for (int i = 0; i < n; i++) {
        char s[64];
        const int len = snprintf(s, sizeof s, "%c-%d", tag, i);
        p[i] = (char *)rsla_arena_strndup(a, s, (size_t)len);
        if (i % 97 == 0) /* past a quarter of a block: a block of its own */
            (void)rsla_arena_alloc(a, 20000);
    }
    return p;
}

static void check_strings(char **p, char tag, int n)
{
    for (int i = 0; i < n; i++) {
        char s[64];
        snprintf(s, sizeof s, "%c-%d", tag, i);
        CHECK_EQ_STR(p[i], s);
    }
}

/* What either arena allocated stays readable through the other after adoption, both keep
 * allocating, and freeing dst frees all (ASan sees a leak or a double free otherwise). */
static void test_arena_adopt(void)
{
    for (int shape = 0; shape < 4; shape++) {
        const int n_dst = shape & 1 ? 3000 : 0, n_src = shape & 2 ? 5000 : 0;
        rsla_arena dst, src;
        rsla_arena_init(&dst);
        rsla_arena_init(&src);
        char **d = fill_arena(&dst, 'd', n_dst), **s = fill_arena(&src, 's', n_src);
        rsla_arena_adopt(&dst, &src);
        CHECK(src.head == NULL);
        char **more = fill_arena(&dst, 'm', 2000), **again = fill_arena(&src, 'a', 10);
        check_strings(d, 'd', n_dst);
        check_strings(s, 's', n_src);
        check_strings(more, 'm', 2000);
        check_strings(again, 'a', 10);
        rsla_arena_free(&dst);
        rsla_arena_free(&src);
        free(d);
        free(s);
        free(more);
        free(again);
    }
}

typedef struct key_probe {
    const uint64_t *keys;
    uint64_t key;
} key_probe;

static bool probe_eq(const void *ctx, uint32_t i)
{
    const key_probe *p = ctx;
    return p->keys[i] == p->key;
}

/* Keys whose hashes differ only in their low 32 bits (which the map does not keep) are told apart
 * by the equality test; every key is found again and absent ones are not. */
static void test_map_hash_bits(void)
{
    enum { N = 5000 };
    uint64_t *keys = malloc(N * sizeof *keys);
    rsla_map m;
    rsla_map_init(&m);
    for (uint32_t i = 0; i < N; i++) {
        keys[i] = i;
        const uint64_t hash = (uint64_t)(i % 7) << 32 | i; /* 7 distinct high halves */
        rsla_map_insert(&m, hash, i);
    }
    for (uint32_t i = 0; i < N + 100; i++) {
        const key_probe p = { keys, i };
        const uint64_t hash = (uint64_t)(i % 7) << 32 | i;
        CHECK_EQ_INT(rsla_map_find(&m, hash, probe_eq, &p), i < N ? i : RSLA_MAP_NONE);
    }
    rsla_map_free(&m);
    free(keys);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    test_sizes();
    test_failures();
    rmdir(dir);
    test_arena_adopt();
    test_map_hash_bits();
    TEST_MAIN_END();
}
