/* The AVX2 scanner kernel: a 64-byte block is two 256-bit vectors. Built with -mavx2 -mbmi
 * -mbmi2 -mpclmul -mpopcnt on this file only (scan.cmake); run only when scan_dispatch.c found
 * AVX2 and an OS that saves YMM state. The algorithm is scan_simd_tpl.h. */
#include <immintrin.h> /* AVX2, PCLMULQDQ intrinsics */
#include <stdint.h>    /* uint64_t */
#include "ingest/scan/scan_simd_tables.h"

#define SCAN_ISA avx2

typedef struct simd_block {
    __m256i v[2];
} simd_block;

static inline void simd_load(simd_block *b, const char *p)
{
    b->v[0] = _mm256_loadu_si256((const __m256i *)p);
    b->v[1] = _mm256_loadu_si256((const __m256i *)(p + 32));
}

static inline uint64_t mask2(__m256i lo, __m256i hi)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(lo) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32;
}

static inline uint64_t simd_eq(const simd_block *b, uint8_t c)
{
    const __m256i x = _mm256_set1_epi8((char)c);
    return mask2(_mm256_cmpeq_epi8(b->v[0], x), _mm256_cmpeq_epi8(b->v[1], x));
}

static inline __m256i lookup_class(__m256i v)
{
    const __m256i hi_t = _mm256_setr_epi8(SCAN_CLS_HI, SCAN_CLS_HI);
    const __m256i lo_t = _mm256_setr_epi8(SCAN_CLS_LO, SCAN_CLS_LO);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
    return _mm256_and_si256(_mm256_shuffle_epi8(hi_t, hi),
                            _mm256_shuffle_epi8(lo_t, _mm256_and_si256(v, nib)));
}

/* Bits of bytes whose class shares a bit with cls_bits. */
static inline uint64_t class_mask(__m256i c0, __m256i c1, char cls_bits)
{
    const __m256i m = _mm256_set1_epi8(cls_bits), z = _mm256_setzero_si256();
    return ~mask2(_mm256_cmpeq_epi8(_mm256_and_si256(c0, m), z),
                  _mm256_cmpeq_epi8(_mm256_and_si256(c1, m), z));
}

static inline void simd_classify(const simd_block *b, uint64_t *op, uint64_t *ws)
{
    const __m256i c0 = lookup_class(b->v[0]), c1 = lookup_class(b->v[1]);
    *op = class_mask(c0, c1, SCAN_CLS_OP);
    *ws = class_mask(c0, c1, SCAN_CLS_WS);
}

static inline uint64_t simd_ctrl(const simd_block *b)
{
    const __m256i x = _mm256_set1_epi8(0x1F);
    return mask2(_mm256_cmpeq_epi8(_mm256_max_epu8(b->v[0], x), x),
                 _mm256_cmpeq_epi8(_mm256_max_epu8(b->v[1], x), x));
}

static inline uint64_t simd_high(const simd_block *b) { return mask2(b->v[0], b->v[1]); }

/* Carry-less multiply by all ones: bit i of the product is the XOR of bits 0..i. */
static inline uint64_t simd_prefix_xor(uint64_t m)
{
    const __m128i x = _mm_set_epi64x(0, (long long)m);
    return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(x, _mm_set1_epi8((char)0xFF), 0));
}

/* MARK: - UTF-8 */

typedef struct simd_utf8 {
    __m256i prev;          /* the previous 32 input bytes */
    uint64_t incomplete;   /* the previous block ended inside a multi-byte sequence */
} simd_utf8;

static inline void simd_utf8_init(simd_utf8 *u)
{
    u->prev = _mm256_setzero_si256();
    u->incomplete = 0;
}

/* The bytes 1, 2 or 3 positions before each byte of cur (prev: the vector before cur). */
#define PREV_N(cur, prev, n) \
    _mm256_alignr_epi8((cur), _mm256_permute2x128_si256((prev), (cur), 0x21), 16 - (n))

static inline __m256i utf8_errors(__m256i cur, __m256i prev)
{
    /* Byte arrays, not _mm256_setr_epi8(): the tables hold values above 127, which a char
     * argument takes only by a conversion that clang warns of. */
    static const uint8_t b1h_t[16] = { SCAN_U8_B1H }, b1l_t[16] = { SCAN_U8_B1L },
                         b2h_t[16] = { SCAN_U8_B2H };
    const __m256i b1h = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b1h_t));
    const __m256i b1l = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b1l_t));
    const __m256i b2h = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b2h_t));
    const __m256i nib = _mm256_set1_epi8(0x0F);
    const __m256i prev1 = PREV_N(cur, prev, 1);
    const __m256i sc = _mm256_and_si256(
        _mm256_and_si256(_mm256_shuffle_epi8(b1h, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nib)),
                         _mm256_shuffle_epi8(b1l, _mm256_and_si256(prev1, nib))),
        _mm256_shuffle_epi8(b2h, _mm256_and_si256(_mm256_srli_epi16(cur, 4), nib)));
    const __m256i third = _mm256_subs_epu8(PREV_N(cur, prev, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    const __m256i fourth = _mm256_subs_epu8(PREV_N(cur, prev, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    const __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must23, sc);
}

/* Whether the last bytes of v start a sequence that needs bytes of the next block. */
static inline uint64_t utf8_incomplete(__m256i v)
{
    const __m256i max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         (char)0xEF, (char)0xDF, (char)0xBF);
    const __m256i over = _mm256_subs_epu8(v, max);
    return !_mm256_testz_si256(over, over);
}

static inline uint64_t simd_utf8_check(simd_utf8 *u, const simd_block *b, uint64_t high)
{
    if (high == 0) {
        /* ASCII: an error only if a sequence was left open, and it shows at byte 0. */
        const uint64_t r = u->incomplete;
        u->incomplete = 0;
        u->prev = b->v[1];
        return r;
    }
    const __m256i e0 = utf8_errors(b->v[0], u->prev), e1 = utf8_errors(b->v[1], b->v[0]);
    const __m256i z = _mm256_setzero_si256();
    u->incomplete = utf8_incomplete(b->v[1]);
    u->prev = b->v[1];
    return ~mask2(_mm256_cmpeq_epi8(e0, z), _mm256_cmpeq_epi8(e1, z));
}

#include "ingest/scan/scan_simd_tpl.h"

const scan_kernel scan_kernel_avx2 = { "avx2", SCAN_CPU_AVX2, SCAN_TPL(chunk), SCAN_TPL(validate) };
