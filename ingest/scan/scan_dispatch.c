/* Kernel table, CPU feature detection, and the public entry points that route to a kernel.
 *
 * Kernels are listed by priority (avx512 > avx2 > sse42 > neon > scalar). A kernel is in the table
 * only when CMake could compile its file (RSLA_SCAN_HAVE_<ISA>), and is runnable only when CPUID
 * says the CPU has its instructions and XGETBV says the OS saves the registers it uses. Detection
 * runs once; the result is cached in an atomic so that worker threads may ask concurrently. */
#include "ingest/scan/scan_internal.h"

#include <stdatomic.h>          /* atomic_uint */
#include <stdio.h>              /* snprintf */
#include <stdlib.h>             /* getenv, free */
#include <string.h>             /* strcmp */
#include "common/rsla_base.h"   /* rsla_xcalloc, rsla_xrealloc */

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h> /* __get_cpuid_count */
#endif

/* MARK: - Kernel table (Private) */

static const scan_kernel *const kernels[] = {
#ifdef RSLA_SCAN_HAVE_AVX512
    &scan_kernel_avx512,
#endif
#ifdef RSLA_SCAN_HAVE_AVX2
    &scan_kernel_avx2,
#endif
#ifdef RSLA_SCAN_HAVE_SSE42
    &scan_kernel_sse42,
#endif
#ifdef RSLA_SCAN_HAVE_NEON
    &scan_kernel_neon,
#endif
    &scan_kernel_scalar,
};

/* Every kernel name this project knows, built or not, so that "not built" and "unknown" differ. */
static const char *const known_names[] = { "avx512", "avx2", "sse42", "neon", "scalar" };

/* MARK: - CPU detection (Private) */

#if defined(__x86_64__) || defined(__i386__)
/* XCR0: which register states the OS saves on a context switch. */
static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (uint64_t)edx << 32 | eax;
}

static uint32_t detect_x86(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d))
        return 0;
    const bool sse42 = (c >> 20 & 1) && (c >> 9 & 1) && (c >> 1 & 1) && (c >> 23 & 1);
    const bool osxsave = (c >> 27 & 1) && (c >> 28 & 1); /* OSXSAVE and AVX */
    uint32_t f = sse42 ? SCAN_CPU_SSE42 : 0;
    if (!sse42 || !osxsave || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return f;
    const uint64_t xcr0 = read_xcr0();
    const bool ymm_saved = (xcr0 & 0x6) == 0x6;          /* SSE and AVX state */
    const bool zmm_saved = (xcr0 & 0xE6) == 0xE6;        /* + opmask, ZMM_Hi256, Hi16_ZMM */
    const bool avx2 = (b >> 5 & 1) && (b >> 3 & 1) && (b >> 8 & 1); /* AVX2, BMI1, BMI2 */
    const bool avx512 = (b >> 16 & 1) && (b >> 30 & 1) && (b >> 31 & 1) /* F, BW, VL */
                        && (c >> 6 & 1);                                   /* VBMI2 */
    if (avx2 && ymm_saved)
        f |= SCAN_CPU_AVX2;
    if (avx2 && avx512 && zmm_saved)
        f |= SCAN_CPU_AVX512;
    return f;
}
#endif

static uint32_t detect_cpu(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return detect_x86();
#elif defined(__aarch64__)
    return SCAN_CPU_NEON; /* Advanced SIMD is mandatory in AArch64 */
#else
    return 0;
#endif
}

/* Detected features + 1 (0: not yet detected). Racing first calls compute the same value. */
static atomic_uint cpu_cache;

static uint32_t cpu_features(void)
{
    unsigned v = atomic_load_explicit(&cpu_cache, memory_order_relaxed);
    if (v == 0) {
        v = detect_cpu() + 1;
        atomic_store_explicit(&cpu_cache, v, memory_order_relaxed);
    }
    return v - 1;
}

static bool runnable(const scan_kernel *k)
{
    return (k->required & cpu_features()) == k->required;
}

/* MARK: - Kernels (Public) */

const scan_kernel *scan_kernel_by_name(const char *name, char *err, size_t errlen)
{
    for (size_t i = 0; i < RSLA_ARRAY_LEN(kernels); i++) {
        if (strcmp(kernels[i]->name, name) != 0)
            continue;
        if (runnable(kernels[i]))
            return kernels[i];
        if (errlen)
            snprintf(err, errlen, "scanner kernel '%s' is not supported by this CPU", name);
        return NULL;
    }
    bool known = false;
    for (size_t i = 0; i < RSLA_ARRAY_LEN(known_names); i++)
        known = known || strcmp(known_names[i], name) == 0;
    if (errlen)
        snprintf(err, errlen,
                 known ? "scanner kernel '%s' is not built into this binary"
                       : "unknown scanner kernel '%s' (known: avx512, avx2, sse42, neon, scalar)",
                 name);
    return NULL;
}

const scan_kernel *scan_kernel_best(void)
{
    const char *forced = getenv("RSLA_FORCE_KERNEL");
    if (forced && *forced)
        return scan_kernel_by_name(forced, NULL, 0);
    for (size_t i = 0; i < RSLA_ARRAY_LEN(kernels); i++)
        if (runnable(kernels[i]))
            return kernels[i];
    return &scan_kernel_scalar;
}

const char *scan_kernel_name(const scan_kernel *k) { return k->name; }

size_t scan_kernel_list(const scan_kernel **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < RSLA_ARRAY_LEN(kernels); i++) {
        if (!runnable(kernels[i]))
            continue;
        if (n < max)
            out[n] = kernels[i];
        n++;
    }
    return n;
}

/* MARK: - State (Public) */

void scan_reserve(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap && *buf)
        return;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    *buf = rsla_xrealloc(*buf, n * elem);
    *cap = n;
}

/* Key lookup by length, and each key as words (scan_key_matches), so that matching a key costs
 * one table read and usually three 8-byte compares. */
static void build_key_table(scan_state *s)
{
    memset(s->key_by_len, -1, sizeof s->key_by_len);
    for (int f = SCAN_FIELD_COUNT - 1; f >= 0; f--) {
        s->key_next[f] = -1;
        const char *k = s->profile->keys[f];
        const size_t len = k ? strlen(k) : 0;
        s->key_len[f] = (uint8_t)len;
        memset(s->key_word[f], 0, sizeof s->key_word[f]);
        s->key_mask[f] = 0;
        if (!k)
            continue;
        if (len >= 8) {
            memcpy(&s->key_word[f][0], k, 8);
            memcpy(&s->key_word[f][1], k + (len < 16 ? len - 8 : 8), 8);
            memcpy(&s->key_word[f][2], k + len - 8, 8);
        } else {
            const uint64_t ones = ~UINT64_C(0);
            memcpy(&s->key_word[f][0], k, len);
            memcpy(&s->key_mask[f], &ones, len);
        }
        if (len >= sizeof s->key_by_len)
            continue;
        s->key_next[f] = s->key_by_len[len];
        s->key_by_len[len] = (int8_t)f;
    }
}

scan_state *scan_state_create(const scan_kernel *k, const scan_profile *p)
{
    scan_state *s = rsla_xcalloc(1, sizeof *s);
    s->kernel = k;
    s->profile = p;
    build_key_table(s);
    for (size_t i = 0; p->filter_values && i < SCAN_MAX_FILTER_VALUES && p->filter_values[i]; i++)
        s->filter_len[i] = strlen(p->filter_values[i]);
    return s;
}

void scan_state_free(scan_state *s)
{
    if (!s)
        return;
    free(s->scratch);
    free(s->idx);
    free(s->err);
    free(s->bsl);
    free(s);
}

/* MARK: - Scanning (Public) */

size_t scan_chunk(scan_state *s, const char *buf, size_t len, const scan_sink *sink)
{
    return s->kernel->chunk(s, buf, len, sink);
}

int scan_validate_document(const scan_kernel *k, const char *buf, size_t len, size_t *offset)
{
    scan_state *s = scan_state_create(k, scan_profile_distribution());
    const int r = k->validate(s, buf, len, offset);
    scan_state_free(s);
    return r;
}
