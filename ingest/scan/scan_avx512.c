/* The AVX-512 scanner kernel: a 64-byte block is one 512-bit vector and every byte comparison
 * lands directly in a 64-bit mask register. Built with -mavx512f -mavx512bw -mavx512vl
 * -mavx512vbmi2 (plus BMI, PCLMULQDQ, POPCNT) on this file only; run only when scan_dispatch.c
 * found AVX-512 F/BW/VL/VBMI2 (Ice Lake, Zen 4 and later; like simdjson's icelake kernel) and an
 * OS that saves the ZMM and opmask state. Older AVX-512 CPUs (Skylake-SP) use the AVX2 kernel.
 * The algorithm is scan_simd_tpl.h. */
#include <immintrin.h> /* AVX-512, PCLMULQDQ intrinsics */
#include <stdint.h>    /* uint64_t */
#include "ingest/scan/scan_simd_tables.h"

#define SCAN_ISA avx512

typedef struct simd_block {
    __m512i v;
} simd_block;

static inline void simd_load(simd_block *b, const char *p) { b->v = _mm512_loadu_si512(p); }

static inline uint64_t simd_eq(const simd_block *b, uint8_t c)
{
    return _mm512_cmpeq_epi8_mask(b->v, _mm512_set1_epi8((char)c));
}

static inline __m512i table16(__m128i t) { return _mm512_broadcast_i32x4(t); }

static inline void simd_classify(const simd_block *b, uint64_t *op, uint64_t *ws)
{
    const __m512i hi_t = table16(_mm_setr_epi8(SCAN_CLS_HI));
    const __m512i lo_t = table16(_mm_setr_epi8(SCAN_CLS_LO));
    const __m512i nib = _mm512_set1_epi8(0x0F);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(b->v, 4), nib);
    const __m512i cls = _mm512_and_si512(_mm512_shuffle_epi8(hi_t, hi),
                                         _mm512_shuffle_epi8(lo_t, _mm512_and_si512(b->v, nib)));
    *op = _mm512_test_epi8_mask(cls, _mm512_set1_epi8(SCAN_CLS_OP));
    *ws = _mm512_test_epi8_mask(cls, _mm512_set1_epi8(SCAN_CLS_WS));
}

static inline uint64_t simd_ctrl(const simd_block *b)
{
    return _mm512_cmplt_epu8_mask(b->v, _mm512_set1_epi8(0x20));
}

static inline uint64_t simd_high(const simd_block *b) { return _mm512_movepi8_mask(b->v); }

/* Carry-less multiply by all ones: bit i of the product is the XOR of bits 0..i. */
static inline uint64_t simd_prefix_xor(uint64_t m)
{
    const __m128i x = _mm_set_epi64x(0, (long long)m);
    return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(x, _mm_set1_epi8((char)0xFF), 0));
}

/* Appends base + the position of each set bit of m: one VBMI2 byte compress gathers the
 * positions (0..63) in order, and they are widened to 32 bits 16 at a time. About 6 of 64 bytes
 * are structural in log lines, so the first 16 nearly always suffice and the rest is a
 * well-predicted branch. This halves stage 1 against a bit-clearing loop (PERF NOTE: 5.3 ->
 * 7.9 GB/s for stage 1 alone on a regsla-gen month). Writes up to 16 slots past the count. */
#define SCAN_SIMD_FLATTEN 1
static inline uint32_t *simd_flatten(uint32_t *out, uint64_t m, uint32_t base)
{
    const __m512i iota = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
        40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
        17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i pos = _mm512_maskz_compress_epi8(m, iota);
    const __m512i b = _mm512_set1_epi32((int)base);
    const int n = __builtin_popcountll(m);
    _mm512_storeu_si512(out, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(pos)), b));
    if (n > 16) {
        _mm512_storeu_si512(out + 16, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(pos, 1)), b));
        _mm512_storeu_si512(out + 32, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(pos, 2)), b));
        _mm512_storeu_si512(out + 48, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(pos, 3)), b));
    }
    return out + n;
}

/* MARK: - UTF-8 */

typedef struct simd_utf8 {
    __m512i prev;          /* the previous block */
    uint64_t incomplete;   /* the previous block ended inside a multi-byte sequence */
} simd_utf8;

static inline void simd_utf8_init(simd_utf8 *u)
{
    u->prev = _mm512_setzero_si512();
    u->incomplete = 0;
}

/* The bytes n positions before each byte of cur: shift the 128-bit lanes by one lane across the
 * two blocks (prev's last lane first), then align each lane with its successor. */
static inline __m512i prev_n(__m512i cur, __m512i prev, int n)
{
    const __m512i lanes = _mm512_permutex2var_epi64(prev, _mm512_setr_epi64(6, 7, 8, 9, 10, 11, 12, 13), cur);
    switch (n) {
    case 1: return _mm512_alignr_epi8(cur, lanes, 15);
    case 2: return _mm512_alignr_epi8(cur, lanes, 14);
    default: return _mm512_alignr_epi8(cur, lanes, 13);
    }
}

static inline uint64_t simd_utf8_check(simd_utf8 *u, const simd_block *b, uint64_t high)
{
    if (high == 0) {
        /* ASCII: an error only if a sequence was left open, and it shows at byte 0. */
        const uint64_t r = u->incomplete;
        u->incomplete = 0;
        u->prev = b->v;
        return r;
    }
    const __m512i cur = b->v, nib = _mm512_set1_epi8(0x0F);
    const __m512i prev1 = prev_n(cur, u->prev, 1);
    /* Byte arrays, not _mm_setr_epi8(): the tables hold values above 127, which a char
     * argument takes only by a conversion that clang warns of. */
    static const uint8_t b1h_t[16] = { SCAN_U8_B1H }, b1l_t[16] = { SCAN_U8_B1L },
                         b2h_t[16] = { SCAN_U8_B2H };
    const __m512i b1h = _mm512_shuffle_epi8(table16(_mm_loadu_si128((const __m128i *)b1h_t)),
                                            _mm512_and_si512(_mm512_srli_epi16(prev1, 4), nib));
    const __m512i b1l = _mm512_shuffle_epi8(table16(_mm_loadu_si128((const __m128i *)b1l_t)),
                                            _mm512_and_si512(prev1, nib));
    const __m512i b2h = _mm512_shuffle_epi8(table16(_mm_loadu_si128((const __m128i *)b2h_t)),
                                            _mm512_and_si512(_mm512_srli_epi16(cur, 4), nib));
    const __m512i sc = _mm512_and_si512(_mm512_and_si512(b1h, b1l), b2h);
    const __m512i third = _mm512_subs_epu8(prev_n(cur, u->prev, 2), _mm512_set1_epi8((char)(0xE0 - 0x80)));
    const __m512i fourth = _mm512_subs_epu8(prev_n(cur, u->prev, 3), _mm512_set1_epi8((char)(0xF0 - 0x80)));
    const __m512i must23 = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8((char)0x80));
    const __m512i err = _mm512_xor_si512(must23, sc);
    /* Incomplete: byte 61 > 0xEF, byte 62 > 0xDF or byte 63 > 0xBF (all others compared with
     * 0xFF, which no byte exceeds). */
    const __m512i max = _mm512_set_epi8((char)0xBF, (char)0xDF, (char)0xEF,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const uint64_t lead = _mm512_cmpgt_epu8_mask(cur, max);
    u->incomplete = lead != 0;
    u->prev = cur;
    return _mm512_test_epi8_mask(err, err);
}

#include "ingest/scan/scan_simd_tpl.h"

const scan_kernel scan_kernel_avx512 = { "avx512", SCAN_CPU_AVX512, SCAN_TPL(chunk),
                                         SCAN_TPL(validate) };
