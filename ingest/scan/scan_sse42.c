/* The SSE4.2 scanner kernel: a 64-byte block is four 128-bit vectors. Built with -msse4.2
 * -mpclmul -mpopcnt on this file only; run only when scan_dispatch.c found SSE4.2, SSSE3,
 * PCLMULQDQ and POPCNT. The algorithm is scan_simd_tpl.h. */
#include <nmmintrin.h> /* SSE4.2 (and SSSE3 pshufb, palignr) */
#include <wmmintrin.h> /* PCLMULQDQ */
#include <stdint.h>    /* uint64_t */
#include "ingest/scan/scan_simd_tables.h"

#define SCAN_ISA sse42

typedef struct simd_block {
    __m128i v[4];
} simd_block;

static inline void simd_load(simd_block *b, const char *p)
{
    for (int i = 0; i < 4; i++)
        b->v[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
}

static inline uint64_t mask4(__m128i a, __m128i b, __m128i c, __m128i d)
{
    return (uint64_t)(uint16_t)_mm_movemask_epi8(a) | (uint64_t)(uint16_t)_mm_movemask_epi8(b) << 16 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(c) << 32 | (uint64_t)(uint16_t)_mm_movemask_epi8(d) << 48;
}

static inline uint64_t simd_eq(const simd_block *b, uint8_t c)
{
    const __m128i x = _mm_set1_epi8((char)c);
    return mask4(_mm_cmpeq_epi8(b->v[0], x), _mm_cmpeq_epi8(b->v[1], x),
                 _mm_cmpeq_epi8(b->v[2], x), _mm_cmpeq_epi8(b->v[3], x));
}

static inline __m128i lookup_class(__m128i v)
{
    const __m128i hi_t = _mm_setr_epi8(SCAN_CLS_HI), lo_t = _mm_setr_epi8(SCAN_CLS_LO);
    const __m128i nib = _mm_set1_epi8(0x0F);
    return _mm_and_si128(_mm_shuffle_epi8(hi_t, _mm_and_si128(_mm_srli_epi16(v, 4), nib)),
                         _mm_shuffle_epi8(lo_t, _mm_and_si128(v, nib)));
}

static inline __m128i has_class(__m128i cls, char bits)
{
    return _mm_cmpeq_epi8(_mm_and_si128(cls, _mm_set1_epi8(bits)), _mm_setzero_si128());
}

static inline void simd_classify(const simd_block *b, uint64_t *op, uint64_t *ws)
{
    __m128i c[4];
    for (int i = 0; i < 4; i++)
        c[i] = lookup_class(b->v[i]);
    *op = ~mask4(has_class(c[0], SCAN_CLS_OP), has_class(c[1], SCAN_CLS_OP),
                 has_class(c[2], SCAN_CLS_OP), has_class(c[3], SCAN_CLS_OP));
    *ws = ~mask4(has_class(c[0], SCAN_CLS_WS), has_class(c[1], SCAN_CLS_WS),
                 has_class(c[2], SCAN_CLS_WS), has_class(c[3], SCAN_CLS_WS));
}

static inline __m128i le_1f(__m128i v)
{
    const __m128i x = _mm_set1_epi8(0x1F);
    return _mm_cmpeq_epi8(_mm_max_epu8(v, x), x);
}

static inline uint64_t simd_ctrl(const simd_block *b)
{
    return mask4(le_1f(b->v[0]), le_1f(b->v[1]), le_1f(b->v[2]), le_1f(b->v[3]));
}

static inline uint64_t simd_high(const simd_block *b)
{
    return mask4(b->v[0], b->v[1], b->v[2], b->v[3]);
}

/* Carry-less multiply by all ones: bit i of the product is the XOR of bits 0..i. */
static inline uint64_t simd_prefix_xor(uint64_t m)
{
    const __m128i x = _mm_set_epi64x(0, (long long)m);
    return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(x, _mm_set1_epi8((char)0xFF), 0));
}

/* MARK: - UTF-8 */

typedef struct simd_utf8 {
    __m128i prev;          /* the previous 16 input bytes */
    uint64_t incomplete;   /* the previous block ended inside a multi-byte sequence */
} simd_utf8;

static inline void simd_utf8_init(simd_utf8 *u)
{
    u->prev = _mm_setzero_si128();
    u->incomplete = 0;
}

static inline __m128i utf8_errors(__m128i cur, __m128i prev)
{
    /* Byte arrays, not _mm_setr_epi8(): the tables hold values above 127, which a char
     * argument takes only by a conversion that clang warns of. */
    static const uint8_t b1h_t[16] = { SCAN_U8_B1H }, b1l_t[16] = { SCAN_U8_B1L },
                         b2h_t[16] = { SCAN_U8_B2H };
    const __m128i b1h = _mm_loadu_si128((const __m128i *)b1h_t);
    const __m128i b1l = _mm_loadu_si128((const __m128i *)b1l_t);
    const __m128i b2h = _mm_loadu_si128((const __m128i *)b2h_t);
    const __m128i nib = _mm_set1_epi8(0x0F);
    const __m128i prev1 = _mm_alignr_epi8(cur, prev, 15);
    const __m128i sc = _mm_and_si128(
        _mm_and_si128(_mm_shuffle_epi8(b1h, _mm_and_si128(_mm_srli_epi16(prev1, 4), nib)),
                      _mm_shuffle_epi8(b1l, _mm_and_si128(prev1, nib))),
        _mm_shuffle_epi8(b2h, _mm_and_si128(_mm_srli_epi16(cur, 4), nib)));
    const __m128i third = _mm_subs_epu8(_mm_alignr_epi8(cur, prev, 14), _mm_set1_epi8((char)(0xE0 - 0x80)));
    const __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(cur, prev, 13), _mm_set1_epi8((char)(0xF0 - 0x80)));
    const __m128i must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
    return _mm_xor_si128(must23, sc);
}

static inline uint64_t simd_utf8_check(simd_utf8 *u, const simd_block *b, uint64_t high)
{
    if (high == 0) {
        /* ASCII: an error only if a sequence was left open, and it shows at byte 0. */
        const uint64_t r = u->incomplete;
        u->incomplete = 0;
        u->prev = b->v[3];
        return r;
    }
    const __m128i z = _mm_setzero_si128();
    const __m128i e0 = utf8_errors(b->v[0], u->prev), e1 = utf8_errors(b->v[1], b->v[0]);
    const __m128i e2 = utf8_errors(b->v[2], b->v[1]), e3 = utf8_errors(b->v[3], b->v[2]);
    const __m128i max = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      (char)0xEF, (char)0xDF, (char)0xBF);
    const __m128i over = _mm_subs_epu8(b->v[3], max);
    u->incomplete = !_mm_testz_si128(over, over);
    u->prev = b->v[3];
    return ~mask4(_mm_cmpeq_epi8(e0, z), _mm_cmpeq_epi8(e1, z), _mm_cmpeq_epi8(e2, z),
                  _mm_cmpeq_epi8(e3, z));
}

#include "ingest/scan/scan_simd_tpl.h"

const scan_kernel scan_kernel_sse42 = { "sse42", SCAN_CPU_SSE42, SCAN_TPL(chunk), SCAN_TPL(validate) };
