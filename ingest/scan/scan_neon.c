/* The NEON scanner kernel (AArch64 Advanced SIMD): a 64-byte block is four 128-bit vectors, and
 * compare results become a 64-bit mask by weighting each byte with its bit and adding pairs.
 * AArch64 always has NEON, so no flag and no run-time check is needed beyond the architecture.
 * The prefix XOR is a shift cascade: vmull_p64 would need the crypto extension, for six
 * scalar operations per block. The algorithm is scan_simd_tpl.h. */
#include <arm_neon.h> /* NEON intrinsics */
#include <stdint.h>   /* uint64_t */
#include "ingest/scan/scan_simd_tables.h"

#define SCAN_ISA neon

typedef struct simd_block {
    uint8x16_t v[4];
} simd_block;

static inline void simd_load(simd_block *b, const char *p)
{
    for (int i = 0; i < 4; i++)
        b->v[i] = vld1q_u8((const uint8_t *)p + 16 * i);
}

/* 64 compare results (0x00/0xFF bytes) to a mask: keep one weight bit per byte, then three rounds
 * of pairwise addition pack each 8 bytes into one. */
static inline uint64_t mask4(uint8x16_t a, uint8x16_t b, uint8x16_t c, uint8x16_t d)
{
    static const uint8_t weights[16] = { 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128 };
    const uint8x16_t w = vld1q_u8(weights);
    uint8x16_t s0 = vpaddq_u8(vandq_u8(a, w), vandq_u8(b, w));
    const uint8x16_t s1 = vpaddq_u8(vandq_u8(c, w), vandq_u8(d, w));
    s0 = vpaddq_u8(s0, s1);
    s0 = vpaddq_u8(s0, s0);
    return vgetq_lane_u64(vreinterpretq_u64_u8(s0), 0);
}

static inline uint64_t simd_eq(const simd_block *b, uint8_t c)
{
    const uint8x16_t x = vdupq_n_u8(c);
    return mask4(vceqq_u8(b->v[0], x), vceqq_u8(b->v[1], x), vceqq_u8(b->v[2], x),
                 vceqq_u8(b->v[3], x));
}

static inline uint8x16_t table(const uint8_t t[16]) { return vld1q_u8(t); }

static inline void simd_classify(const simd_block *b, uint64_t *op, uint64_t *ws)
{
    static const uint8_t hi_t[16] = { SCAN_CLS_HI }, lo_t[16] = { SCAN_CLS_LO };
    const uint8x16_t ht = table(hi_t), lt = table(lo_t), nib = vdupq_n_u8(0x0F);
    uint8x16_t o[4], w[4];
    for (int i = 0; i < 4; i++) {
        const uint8x16_t cls = vandq_u8(vqtbl1q_u8(ht, vshrq_n_u8(b->v[i], 4)),
                                        vqtbl1q_u8(lt, vandq_u8(b->v[i], nib)));
        o[i] = vtstq_u8(cls, vdupq_n_u8(SCAN_CLS_OP));
        w[i] = vtstq_u8(cls, vdupq_n_u8(SCAN_CLS_WS));
    }
    *op = mask4(o[0], o[1], o[2], o[3]);
    *ws = mask4(w[0], w[1], w[2], w[3]);
}

static inline uint64_t simd_ctrl(const simd_block *b)
{
    const uint8x16_t x = vdupq_n_u8(0x20);
    return mask4(vcltq_u8(b->v[0], x), vcltq_u8(b->v[1], x), vcltq_u8(b->v[2], x),
                 vcltq_u8(b->v[3], x));
}

static inline uint64_t simd_high(const simd_block *b)
{
    const uint8x16_t x = vdupq_n_u8(0x80);
    return mask4(vcgeq_u8(b->v[0], x), vcgeq_u8(b->v[1], x), vcgeq_u8(b->v[2], x),
                 vcgeq_u8(b->v[3], x));
}

/* Bit i = XOR of bits 0..i, by doubling shifts. */
static inline uint64_t simd_prefix_xor(uint64_t m)
{
    m ^= m << 1;
    m ^= m << 2;
    m ^= m << 4;
    m ^= m << 8;
    m ^= m << 16;
    m ^= m << 32;
    return m;
}

/* MARK: - UTF-8 */

typedef struct simd_utf8 {
    uint8x16_t prev;       /* the previous 16 input bytes */
    uint64_t incomplete;   /* the previous block ended inside a multi-byte sequence */
} simd_utf8;

static inline void simd_utf8_init(simd_utf8 *u)
{
    u->prev = vdupq_n_u8(0);
    u->incomplete = 0;
}

static inline uint8x16_t utf8_errors(uint8x16_t cur, uint8x16_t prev)
{
    static const uint8_t b1h_t[16] = { SCAN_U8_B1H }, b1l_t[16] = { SCAN_U8_B1L },
                         b2h_t[16] = { SCAN_U8_B2H };
    const uint8x16_t prev1 = vextq_u8(prev, cur, 15);
    const uint8x16_t sc = vandq_u8(vandq_u8(vqtbl1q_u8(table(b1h_t), vshrq_n_u8(prev1, 4)),
                                            vqtbl1q_u8(table(b1l_t), vandq_u8(prev1, vdupq_n_u8(0x0F)))),
                                   vqtbl1q_u8(table(b2h_t), vshrq_n_u8(cur, 4)));
    const uint8x16_t third = vqsubq_u8(vextq_u8(prev, cur, 14), vdupq_n_u8(0xE0 - 0x80));
    const uint8x16_t fourth = vqsubq_u8(vextq_u8(prev, cur, 13), vdupq_n_u8(0xF0 - 0x80));
    const uint8x16_t must23 = vandq_u8(vorrq_u8(third, fourth), vdupq_n_u8(0x80));
    return veorq_u8(must23, sc);
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
    const uint8x16_t e0 = utf8_errors(b->v[0], u->prev), e1 = utf8_errors(b->v[1], b->v[0]);
    const uint8x16_t e2 = utf8_errors(b->v[2], b->v[1]), e3 = utf8_errors(b->v[3], b->v[2]);
    static const uint8_t max_t[16] = { 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
                                       255, 0xEF, 0xDF, 0xBF };
    u->incomplete = vmaxvq_u8(vqsubq_u8(b->v[3], table(max_t))) != 0;
    u->prev = b->v[3];
    return mask4(vtstq_u8(e0, e0), vtstq_u8(e1, e1), vtstq_u8(e2, e2), vtstq_u8(e3, e3));
}

#include "ingest/scan/scan_simd_tpl.h"

const scan_kernel scan_kernel_neon = { "neon", SCAN_CPU_NEON, SCAN_TPL(chunk), SCAN_TPL(validate) };
