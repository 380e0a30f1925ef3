#include "common/rsla_base.h"

#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* malloc, abort */
#ifdef __GLIBC__
#include <malloc.h> /* mallopt, malloc_trim */
#endif

static void rsla_out_of_memory(size_t n)
{
    fprintf(stderr, "regsla: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *rsla_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        rsla_out_of_memory(n);
    return p;
}

void *rsla_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        rsla_out_of_memory(count * n);
    return p;
}

void *rsla_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        rsla_out_of_memory(n);
    return q;
}

char *rsla_xstrndup(const char *s, size_t n)
{
    char *p = rsla_xmalloc(n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void rsla_memory_setup(void)
{
#ifdef __GLIBC__
    (void)mallopt(M_MMAP_THRESHOLD, RSLA_MMAP_BYTES);
#endif
}

void rsla_memory_release(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}

static inline uint64_t rsla_read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* A multiply-xorshift hash over 8-byte words: fast on the short keys we hash (host names,
 * request ids, repository names) and good enough spread for open addressing. */
uint64_t rsla_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
    while (len >= 8) {
        h = (h ^ rsla_hash_u64(rsla_read64(p))) * 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < len; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    h = (h ^ rsla_hash_u64(tail ^ 0x5851f42d4c957f2dULL)) * 0x9e3779b97f4a7c15ULL;
    return rsla_hash_u64(h);
}

char *rsla_read_file(const char *path, size_t max, size_t *len, rsla_read_status *status)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *status = RSLA_READ_OPEN;
        return NULL;
    }
    /* Up to max + 1 bytes: the one past max tells a file too big from one of max bytes. */
    size_t cap = max < (1u << 16) ? max + 1 : (1u << 16), n = 0;
    char *buf = rsla_xmalloc(cap + 1);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap == max + 1)
            break;
        cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
        buf = rsla_xrealloc(buf, cap + 1);
    }
    const bool io = ferror(f) != 0;
    fclose(f);
    *status = io ? RSLA_READ_IO : n > max ? RSLA_READ_TOO_BIG : RSLA_READ_OK;
    if (*status != RSLA_READ_OK) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
