#ifndef SCAN_SIMD_TABLES_H
#define SCAN_SIMD_TABLES_H
/* Nibble lookup tables shared by the SIMD kernels, as comma-separated byte lists that each kernel
 * loads into its own vector type (16 entries, indexed by a 4-bit nibble).
 *
 * Character classes (scan_simd_tpl.h): class = HI[byte >> 4] & LO[byte & 15].
 * Five bits A..E are chosen so that only the wanted (high, low) nibble pairs share a bit:
 *     op  , (2,C)->A   : (3,A)->B   [ ] { } (5|7, B|D)->C
 *     ws  space (2,0)->D   \t \n \r (0, 9|A|D)->E
 * Every other pair has disjoint bits (checked by hand for the neighbours, e.g. '*' (2,A),
 * '\\' (5,C), '=' (3,D), FF (0,C), NUL (0,0)). */
#define SCAN_CLS_OP 0x07
#define SCAN_CLS_WS 0x18
#define SCAN_CLS_HI 0x10, 0, 0x09, 0x02, 0, 0x04, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0
#define SCAN_CLS_LO 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x12, 0x04, 0x01, 0x14, 0, 0

/* UTF-8 validation by three nibble lookups (Keiser and Lemire, "Validating UTF-8 in less than one
 * instruction per byte", 2021). For each byte and the byte before it, each table gives the set of
 * errors the nibble is compatible with; an error exists where all three agree:
 *     errors = B1H[prev >> 4] & B1L[prev & 15] & B2H[byte >> 4]
 * The 3rd and 4th bytes of long sequences are then checked with prev2/prev3: where they must be
 * continuations, TWO_CONTS is expected and toggled off (must23 ^ errors). */
#define SCAN_U8_TOO_SHORT (1 << 0) /* lead not followed by a continuation */
#define SCAN_U8_TOO_LONG (1 << 1)  /* ASCII followed by a continuation */
#define SCAN_U8_OVERLONG_3 (1 << 2)
#define SCAN_U8_TOO_LARGE (1 << 3) /* above U+10FFFF */
#define SCAN_U8_SURROGATE (1 << 4)
#define SCAN_U8_OVERLONG_2 (1 << 5)
#define SCAN_U8_TOO_LARGE_1000 (1 << 6)
#define SCAN_U8_OVERLONG_4 (1 << 6)
#define SCAN_U8_TWO_CONTS (1 << 7)
#define SCAN_U8_CARRY (SCAN_U8_TOO_SHORT | SCAN_U8_TOO_LONG | SCAN_U8_TWO_CONTS)

#define SCAN_U8_B1H                                                                                \
    SCAN_U8_TOO_LONG, SCAN_U8_TOO_LONG, SCAN_U8_TOO_LONG, SCAN_U8_TOO_LONG, SCAN_U8_TOO_LONG,       \
        SCAN_U8_TOO_LONG, SCAN_U8_TOO_LONG, SCAN_U8_TOO_LONG, SCAN_U8_TWO_CONTS,                    \
        SCAN_U8_TWO_CONTS, SCAN_U8_TWO_CONTS, SCAN_U8_TWO_CONTS,                                    \
        SCAN_U8_TOO_SHORT | SCAN_U8_OVERLONG_2, SCAN_U8_TOO_SHORT,                                  \
        SCAN_U8_TOO_SHORT | SCAN_U8_OVERLONG_3 | SCAN_U8_SURROGATE,                                 \
        SCAN_U8_TOO_SHORT | SCAN_U8_TOO_LARGE | SCAN_U8_TOO_LARGE_1000 | SCAN_U8_OVERLONG_4

#define SCAN_U8_LARGE (SCAN_U8_CARRY | SCAN_U8_TOO_LARGE | SCAN_U8_TOO_LARGE_1000)
#define SCAN_U8_B1L                                                                                \
    SCAN_U8_CARRY | SCAN_U8_OVERLONG_3 | SCAN_U8_OVERLONG_2 | SCAN_U8_OVERLONG_4,                   \
        SCAN_U8_CARRY | SCAN_U8_OVERLONG_2, SCAN_U8_CARRY, SCAN_U8_CARRY,                           \
        SCAN_U8_CARRY | SCAN_U8_TOO_LARGE, SCAN_U8_LARGE, SCAN_U8_LARGE, SCAN_U8_LARGE,             \
        SCAN_U8_LARGE, SCAN_U8_LARGE, SCAN_U8_LARGE, SCAN_U8_LARGE, SCAN_U8_LARGE,                  \
        SCAN_U8_LARGE | SCAN_U8_SURROGATE, SCAN_U8_LARGE, SCAN_U8_LARGE

#define SCAN_U8_CONT (SCAN_U8_TOO_LONG | SCAN_U8_OVERLONG_2 | SCAN_U8_TWO_CONTS)
#define SCAN_U8_B2H                                                                                \
    SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT,                     \
        SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT,                 \
        SCAN_U8_CONT | SCAN_U8_OVERLONG_3 | SCAN_U8_TOO_LARGE_1000 | SCAN_U8_OVERLONG_4,            \
        SCAN_U8_CONT | SCAN_U8_OVERLONG_3 | SCAN_U8_TOO_LARGE,                                      \
        SCAN_U8_CONT | SCAN_U8_SURROGATE | SCAN_U8_TOO_LARGE,                                       \
        SCAN_U8_CONT | SCAN_U8_SURROGATE | SCAN_U8_TOO_LARGE, SCAN_U8_TOO_SHORT,                    \
        SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT, SCAN_U8_TOO_SHORT

#endif
