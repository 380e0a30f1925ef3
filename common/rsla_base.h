#ifndef RSLA_BASE_H
#define RSLA_BASE_H
/* The few things every layer shares: byte slices, checked allocation and a string hash.
 * Depends on nothing but libc, so ingest/ and analyzer/ can both use it without depending on
 * each other. */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* uint64_t */
#include <stdlib.h>  /* qsort */
#include <string.h>  /* memcmp, strlen */

/* A borrowed run of bytes; not NUL-terminated. */
typedef struct rsla_slice {
    const char *ptr;
    size_t len;
} rsla_slice;

#define RSLA_SLICE_LIT(s) ((rsla_slice){ (s), sizeof(s) - 1 })

static inline rsla_slice rsla_slice_of(const char *s) { return (rsla_slice){ s, strlen(s) }; }

static inline bool rsla_slice_eq(rsla_slice a, rsla_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool rsla_slice_eq_cstr(rsla_slice a, const char *s)
{
    return rsla_slice_eq(a, rsla_slice_of(s));
}

/* Allocation that never returns NULL: running out of memory ends the run with a message, as
 * zmalloc does in redis. Every caller can then treat allocation as infallible. */
void *rsla_xmalloc(size_t n);
void *rsla_xcalloc(size_t count, size_t n);
void *rsla_xrealloc(void *p, size_t n);
char *rsla_xstrndup(const char *s, size_t n);

/* With glibc, buffers of RSLA_MMAP_BYTES and more are mapped on their own and given back when
 * freed. glibc's own threshold rises to the size of the largest mapped buffer freed (a 2.5 MiB
 * chunk), and then the tables' growing vectors and maps, reallocated by whichever thread
 * fills them, were left behind as holes in the other thread's heap: 1-2 MiB of peak memory that
 * came and went from run to run. Elsewhere this does nothing. Call before any thread starts. */
#define RSLA_MMAP_BYTES (256 * 1024)
void rsla_memory_setup(void);
/* Hands memory freed by threads that have ended back to the system, where the C library keeps
 * it for reuse (glibc); before a phase that allocates anew on another thread. */
void rsla_memory_release(void);

/* Why rsla_read_file() gave no bytes. */
typedef enum rsla_read_status {
    RSLA_READ_OK = 0,
    RSLA_READ_OPEN,    /* the file cannot be opened: errno says why */
    RSLA_READ_IO,      /* a read failed */
    RSLA_READ_TOO_BIG, /* more than max bytes */
} rsla_read_status;

/* The whole of a small file (a policy, an inventory, a profile, a TZif zone): its bytes and a
 * NUL after them (free()), *len of them, when it holds at most max bytes; else NULL and why in
 * *status, for the caller's message. The buffer grows as the file is read. */
char *rsla_read_file(const char *path, size_t max, size_t *len, rsla_read_status *status);

/* 64-bit hash of a byte string (not cryptographic; for hash tables). */
uint64_t rsla_hash_bytes(const void *data, size_t len, uint64_t seed);

/* Mixes one 64-bit value into a well-spread hash. */
static inline uint64_t rsla_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* qsort that accepts an empty array given as NULL (qsort's pointer must not be NULL, even for
 * zero elements, and UBSan says so). */
static inline void rsla_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

#define RSLA_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RSLA_MAX(a, b) ((a) > (b) ? (a) : (b))
#define RSLA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
