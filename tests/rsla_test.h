#ifndef RSLA_TEST_H
#define RSLA_TEST_H
/* A small test harness in the spirit of redis' testhelp.h: CHECK records a failure with its
 * file and line and goes on, so one run shows every broken expectation; TEST_MAIN prints the
 * closing "N passed, N failed" line and sets the exit status. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h> /* mkdtemp, system */
#include <string.h>

static int rsla_test_passed, rsla_test_failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            rsla_test_passed++;                                                     \
        } else {                                                                    \
            rsla_test_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                    \
    do {                                                                                      \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                 \
        if (va_ == vb_) {                                                                     \
            rsla_test_passed++;                                                               \
        } else {                                                                              \
            rsla_test_failed++;                                                               \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, \
                    #b, va_, vb_);                                                            \
        }                                                                                     \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                   \
    do {                                                                                     \
        const char *sa_ = (a), *sb_ = (b);                                                   \
        if (sa_ && sb_ && strcmp(sa_, sb_) == 0) {                                           \
            rsla_test_passed++;                                                              \
        } else {                                                                             \
            rsla_test_failed++;                                                              \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
                    #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                     \
        }                                                                                    \
    } while (0)

/* Calls one(text, len) on every near miss of t[0, n) (n < 64): each byte replaced by each of the
 * 256 values, each byte deleted, and every prefix. For differential tests of fast paths. */
static inline void rsla_test_mutations(const char *t, size_t n, void (*one)(const char *, size_t))
{
    char m[64];
    for (size_t i = 0; i < n && n < sizeof m; i++) {
        for (int c = 0; c < 256; c++) {
            memcpy(m, t, n);
            m[i] = (char)c;
            one(m, n);
        }
        memcpy(m, t, i);
        memcpy(m + i, t + i + 1, n - i - 1);
        one(m, n - 1);
    }
    for (size_t cut = 0; cut <= n; cut++)
        one(t, cut);
}

#define TEST_MAIN_END()                                                                  \
    do {                                                                                 \
        printf("%d passed, %d failed\n", rsla_test_passed, rsla_test_failed);            \
        return rsla_test_failed ? 1 : 0;                                                 \
    } while (0)

/* A fresh folder /tmp/rsla-test-<name>-XXXXXX for a test's files, in dir (len bytes).
 * @return false when it cannot be made. */
static inline bool rsla_test_tmpdir(char *dir, size_t len, const char *name)
{
    snprintf(dir, len, "/tmp/rsla-test-%s-XXXXXX", name);
    return mkdtemp(dir) != NULL;
}

/* Removes a folder of rsla_test_tmpdir() and all in it; says so when it cannot. */
static inline void rsla_test_tmpdir_remove(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
