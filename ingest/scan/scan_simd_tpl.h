/* The SIMD scanner algorithm, written once and included by each kernel file (scan_sse42.c,
 * scan_avx2.c, scan_avx512.c, scan_neon.c) after it has defined its primitives, in the manner of
 * simdjson's src/generic and zlib-ng's *_tpl.h. Every function here is static and suffixed with
 * the kernel's name (SCAN_TPL), so the copies never clash.
 *
 * The kernel file provides, all static inline:
 *     SCAN_ISA                                   suffix token (avx2, ...)
 *     simd_block                                 64 input bytes in registers
 *     simd_load(simd_block *, const char *)      load 64 bytes
 *     simd_eq(const simd_block *, uint8_t)       bit i = byte i equals the value
 *     simd_classify(blk, &op, &ws)               op: , : [ ] { }     ws: space \t \n \r
 *     simd_ctrl(blk), simd_high(blk)             bytes < 0x20, bytes >= 0x80
 *     simd_prefix_xor(uint64_t)                  bit i = XOR of bits 0..i (carry-less multiply)
 *     simd_flatten(out, m, base)                 optional (define SCAN_SIMD_FLATTEN): positions of
 *                                                the set bits of m, plus base, appended to out
 *     simd_utf8 / simd_utf8_init / simd_utf8_check(u, blk, high)
 *                                                UTF-8 validation carried block to block; returns
 *                                                the positions where an error shows
 *
 * Stage 1 (one pass over 64-byte blocks, state carried from block to block):
 *
 *     bytes       {"k":"a\"b",  "n":12}\n
 *     quote       .1.1.1...1.....1.1....      backslash-escaped quotes removed first
 *     in_string   .11..11111.....11.....      prefix XOR of quotes (opening quote in, closing out)
 *     structural  11.1.1....1.....1.11.11     , : [ ] { } outside strings, opening quotes,
 *                                             the first byte of each number/literal, line ends
 *
 * The structural positions go to an index array; stage 2 walks them. A raw newline is always a
 * line end, even inside a string: in NDJSON it cannot be part of a string, so the in-string state
 * restarts after it and the line it ends is marked suspect.
 *
 * Every byte that might make a line invalid (a control byte, a bad escape, a backslash or a byte
 * >= 0x80 outside strings, a UTF-8 error, a newline inside a string) is recorded as a suspect
 * position. Stage 2 validates the grammar of each line over the structural indexes. A line that
 * has a suspect position or fails the grammar is handed to the scalar reference parser
 * (scan_scalar_line), which gives the exact reason and column; only lines found valid take the
 * fast path to scan_emit. So the fast path never has to locate an error, only to never miss one,
 * and every kernel reports exactly what the scalar kernel reports. */

#include <string.h>                     /* memcpy, memset, memcmp */
#include "ingest/scan/scan_internal.h"  /* scan_state, scan_value, scan_emit, scan_scalar_line */

#define SCAN_TPL_CAT2(a, b) a##_##b
#define SCAN_TPL_CAT(a, b) SCAN_TPL_CAT2(a, b)
#define SCAN_TPL(name) SCAN_TPL_CAT(name, SCAN_ISA)
#define SCAN_ALWAYS_INLINE inline __attribute__((always_inline))

/* Blocks of stage 1 between two runs of stage 2: 512 blocks (32 KiB, the L1 data cache of the
 * Zen 4 development machine) keep the bytes close for stage 2 and the index arrays small.
 * PERF NOTE: 8 KiB windows were 6-7 % slower on avx512 and avx2 (bench_scan, regsla-gen
 * month): more switches between the two stages and more carried partial lines; 64 KiB was no
 * faster than 32. */
#ifndef SCAN_WINDOW_BLOCKS
#define SCAN_WINDOW_BLOCKS 512
#endif
/* Index slots written past the count by the unrolled flattening. */
#define SCAN_IDX_SLACK 64

/* MARK: - Stage 1 (Private) */

typedef struct s1_state {
    uint64_t in_string;   /* all ones when the previous block ended inside a string */
    uint64_t escaped;     /* 1 when the first byte of this block is escaped */
    uint64_t scalar;      /* 1 when the previous block ended inside a number/literal run */
    simd_utf8 utf8;
} s1_state;

/* Output lists of one stage-1 run. */
typedef struct s1_out {
    uint32_t *idx, *err, *bsl;
} s1_out;

/* Positions escaped by a backslash (the byte after an odd-length run of backslashes), with the run
 * parity carried between blocks.
 *   Runs that start on an even bit and runs that start on an odd bit are added separately to
 *   their backslash bits: the carry of the addition runs to the first byte after the run, and the
 *   bit parity of where it lands tells whether the run was odd. */
static inline uint64_t SCAN_TPL(s1_escaped)(uint64_t bs, uint64_t *carry)
{
    const uint64_t even = 0x5555555555555555ULL;
    bs &= ~*carry;
    const uint64_t follows = (bs << 1) | *carry;
    const uint64_t odd_starts = bs & ~even & ~follows;
    uint64_t even_seq;
    *carry = __builtin_add_overflow(odd_starts, bs, &even_seq);
    const uint64_t invert = even_seq << 1;
    return (even ^ invert) & follows;
}

/* A newline inside a string ends the line all the same: restart the quote parity after each such
 * newline. Only invalid lines get here. */
static inline uint64_t SCAN_TPL(s1_split_strings)(uint64_t in_str, uint64_t quote, uint64_t nl)
{
    uint64_t bad = nl & in_str;
    while (bad) {
        const int p = __builtin_ctzll(bad);
        const uint64_t above = p == 63 ? 0 : ~0ULL << (p + 1);
        in_str = (in_str & ~above) | simd_prefix_xor(quote & above);
        bad = nl & in_str & above;
    }
    return in_str;
}

static inline bool scan_is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Escaped bytes must be one of " \ / b f n r t u, and `u` needs four hex digits. Escapes are rare
 * in logs, so this runs byte by byte over the escaped positions only. @return suspect bits. */
static inline uint64_t scan_check_escapes(const char *buf, size_t len, size_t base, uint64_t esc)
{
    uint64_t bad = 0;
    for (; esc; esc &= esc - 1) {
        const size_t at = base + (size_t)__builtin_ctzll(esc);
        const unsigned char c = (unsigned char)buf[at];
        bool ok;
        if (c == 'u') {
            ok = at + 4 < len && scan_is_hex((unsigned char)buf[at + 1]) &&
                 scan_is_hex((unsigned char)buf[at + 2]) && scan_is_hex((unsigned char)buf[at + 3]) &&
                 scan_is_hex((unsigned char)buf[at + 4]);
        } else {
            ok = c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
                 c == 'r' || c == 't';
        }
        if (!ok)
            bad |= esc & -esc;
    }
    return bad;
}

/* Appends base + the position of every set bit of m to out. Writes 8 or 16 slots at once and may
 * write garbage up to SCAN_IDX_SLACK slots past the count (the next call overwrites them).
 * ctz of (m | top bit) is defined even when m has run out. */
static inline uint32_t *SCAN_TPL(s1_flatten)(uint32_t *out, uint64_t m, uint32_t base)
{
#ifdef SCAN_SIMD_FLATTEN
    return simd_flatten(out, m, base); /* the kernel has a better way */
#endif
    const uint64_t top = 1ULL << 63;
    const int n = __builtin_popcountll(m);
    for (int i = 0; i < 8; i++) {
        out[i] = base + (uint32_t)__builtin_ctzll(m | top);
        m &= m - 1;
    }
    if (n > 8) {
        for (int i = 8; i < 16; i++) {
            out[i] = base + (uint32_t)__builtin_ctzll(m | top);
            m &= m - 1;
        }
        for (int i = 16; m; i++) {
            out[i] = base + (uint32_t)__builtin_ctzll(m);
            m &= m - 1;
        }
    }
    return out + n;
}

/* One block at buf[base, base + 64). valid: bits of bytes before len; vend: the bit of position
 * len when it falls in this block (the end of the last line), else 0. lines: newline ends a line
 * (scan_chunk) or is whitespace (scan_validate_document). */
static SCAN_ALWAYS_INLINE void SCAN_TPL(s1_block)(s1_state *st, s1_out *o, const simd_block *blk,
                                      const char *buf, size_t len, size_t base, uint64_t valid,
                                      uint64_t vend, bool lines)
{
    const uint64_t bs = simd_eq(blk, '\\') & valid;
    uint64_t quote = simd_eq(blk, '"') & valid;
    const uint64_t nl = lines ? simd_eq(blk, '\n') & valid : 0;
    uint64_t op, ws;
    simd_classify(blk, &op, &ws);
    uint64_t escaped = 0;
    if (bs | st->escaped)
        escaped = SCAN_TPL(s1_escaped)(bs, &st->escaped);
    quote &= ~escaped;
    uint64_t in_str = simd_prefix_xor(quote) ^ st->in_string;
    if (nl & in_str)
        in_str = SCAN_TPL(s1_split_strings)(in_str, quote, nl);
    /* A newline at bit 63 ends any string too: the next block starts outside. */
    st->in_string = (uint64_t)((int64_t)(in_str & ~nl) >> 63);

    /* Suspects: control bytes in strings and outside them (except whitespace), backslashes
     * and bytes >= 0x80 outside strings, bad escapes, UTF-8 errors. */
    const uint64_t high = simd_high(blk) & valid;
    uint64_t err = simd_ctrl(blk) & (in_str | ~ws);
    err |= (bs | high) & ~in_str;
    if (escaped & valid)
        err |= scan_check_escapes(buf, len, base, escaped & in_str & valid);
    err &= valid;
    err |= simd_utf8_check(&st->utf8, blk, high) & (valid | vend);

    /* Structurals: operators outside strings, opening quotes, first bytes of scalar runs. */
    const uint64_t scalar = ~(op | ws | quote) & ~in_str & valid;
    const uint64_t starts = scalar & ~((scalar << 1) | st->scalar);
    st->scalar = scalar >> 63;
    const uint64_t structural = (((op & ~in_str) | (quote & in_str) | starts | nl) & valid) | vend;

    o->idx = SCAN_TPL(s1_flatten)(o->idx, structural, (uint32_t)base);
    if (err)
        o->err = SCAN_TPL(s1_flatten)(o->err, err, (uint32_t)base);
    const uint64_t bs_starts = bs & in_str & ~escaped;
    if (bs_starts)
        o->bsl = SCAN_TPL(s1_flatten)(o->bsl, bs_starts, (uint32_t)base);
}

/* Stage 1 over blocks [b0, b1) of buf; block len/64 (the one holding position len) is copied into
 * a zeroed buffer first, so nothing past len is ever looked at.
 * PERF NOTE: the state and output cursors live in locals for the loop (written back at the end)
 * and s1_block is inlined with the all-valid masks of a full block, so the common path carries
 * no tail logic. */
static SCAN_ALWAYS_INLINE void SCAN_TPL(s1_run)(s1_state *stp, s1_out *op, const char *buf,
                                                size_t len, size_t b0, size_t b1, bool lines)
{
    const size_t last = len / 64;
    s1_state st = *stp;
    s1_out o = *op;
    const size_t full_end = b1 < last ? b1 : last;
    for (size_t b = b0; b < full_end; b++) {
        simd_block blk;
        simd_load(&blk, buf + b * 64);
        SCAN_TPL(s1_block)(&st, &o, &blk, buf, len, b * 64, ~0ULL, 0, lines);
    }
    if (b1 > last && b0 <= last) {
        const size_t base = last * 64;
        char tail[64];
        memset(tail, 0, sizeof tail);
        memcpy(tail, buf + base, len - base);
        simd_block blk;
        simd_load(&blk, tail);
        const uint64_t valid = len == base ? 0 : ~0ULL >> (64 - (len - base));
        SCAN_TPL(s1_block)(&st, &o, &blk, buf, len, base, valid, 1ULL << (len - base), lines);
    }
    *stp = st;
    *op = o;
}

/* MARK: - Stage 2 (Private) */

typedef struct s2_ctx {
    const char *buf;
    size_t len;
    const uint32_t *idx; /* structural positions */
    bool lines;          /* '\n' is a line end (scan_chunk), not whitespace */
} s2_ctx;

static inline bool s2_is_ws(const s2_ctx *c, char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || (ch == '\n' && !c->lines);
}

/* The token after a number or literal ending at p must be the next structural: only whitespace may
 * come between (a byte glued to the token, as in `12x` or `truex`, is not a structural). */
static inline bool s2_atom_end(const s2_ctx *c, size_t p, uint32_t next)
{
    while (p < next && s2_is_ws(c, c->buf[p]))
        p++;
    return p == next;
}

static inline size_t s2_digits(const char *b, size_t p)
{
    while ((unsigned char)(b[p] - '0') < 10)
        p++;
    return p;
}

/* A JSON number at p (the chunk's zero padding stops every digit run). @return its end, or 0. */
static inline size_t s2_number(const char *b, size_t p)
{
    if (b[p] == '-')
        p++;
    if (b[p] == '0')
        p++;
    else if ((unsigned char)(b[p] - '1') < 9)
        p = s2_digits(b, p + 1);
    else
        return 0;
    if (b[p] == '.') {
        if ((unsigned char)(b[p + 1] - '0') >= 10)
            return 0;
        p = s2_digits(b, p + 1);
    }
    if ((b[p] | 0x20) == 'e') {
        p++;
        if (b[p] == '+' || b[p] == '-')
            p++;
        if ((unsigned char)(b[p] - '0') >= 10)
            return 0;
        p = s2_digits(b, p);
    }
    return p;
}

/* A number or literal starting at structural k. @return its type, or SCAN_V_ABSENT if invalid;
 * *end is where the token stops. */
static inline uint8_t s2_atom(const s2_ctx *c, size_t k, size_t *end)
{
    const char *b = c->buf;
    const size_t p = c->idx[k];
    size_t e = 0;
    uint8_t t = SCAN_V_NUMBER;
    switch (b[p]) {
    case 't': t = SCAN_V_TRUE; e = memcmp(b + p, "true", 4) == 0 ? p + 4 : 0; break;
    case 'f': t = SCAN_V_FALSE; e = memcmp(b + p, "false", 5) == 0 ? p + 5 : 0; break;
    case 'n': t = SCAN_V_NULL; e = memcmp(b + p, "null", 4) == 0 ? p + 4 : 0; break;
    default: e = s2_number(b, p); break;
    }
    if (e == 0 || e > c->len || !s2_atom_end(c, e, c->idx[k + 1]))
        return SCAN_V_ABSENT;
    *end = e;
    return t;
}

/* The closing quote of the string whose opening quote is structural k: the last non-whitespace
 * byte before structural k + 1 (a string's body holds no structurals). @return its position, or 0
 * when there is none (an unterminated string reaches the line end). */
static inline size_t s2_string_end(const s2_ctx *c, size_t k)
{
    const size_t open = c->idx[k];
    size_t e = c->idx[k + 1];
    if (c->buf[e - 1] == '"' && e - 1 > open) /* the usual `"...",` and `"...":` */
        return e - 1;
    while (e > open + 1 && s2_is_ws(c, c->buf[e - 1]))
        e--;
    return e > open + 1 && c->buf[e - 1] == '"' ? e - 1 : 0;
}

/* Any value at structural *kp, nested at most SCAN_MAX_DEPTH - depth0 more levels. On success *kp
 * is the structural after the value. Containers keep their kind on a small stack. */
static bool SCAN_TPL(s2_value)(const s2_ctx *c, size_t *kp, int depth0, uint8_t *type)
{
    char stack[SCAN_MAX_DEPTH];
    int depth = depth0;
    size_t k = *kp;
    const char *b = c->buf;
    const uint32_t *idx = c->idx;
    bool first = true;
    for (;;) {
        /* A value starts at structural k. */
        const char ch = b[idx[k]];
        uint8_t t;
        if (ch == '{' || ch == '[') {
            if (depth == SCAN_MAX_DEPTH)
                return false;
            t = ch == '{' ? SCAN_V_OBJECT : SCAN_V_ARRAY;
            const char close = ch == '{' ? '}' : ']';
            k++;
            if (b[idx[k]] != close) {
                stack[depth++] = ch;
                if (first)
                    *type = t;
                first = false;
                if (ch == '{') {
                    if (b[idx[k]] != '"' || b[idx[k + 1]] != ':')
                        return false;
                    k += 2;
                }
                continue;
            }
            k++;
        } else if (ch == '"') {
            t = SCAN_V_STRING;
            if (s2_string_end(c, k) == 0)
                return false;
            k++;
        } else {
            size_t end;
            if ((t = s2_atom(c, k, &end)) == SCAN_V_ABSENT)
                return false;
            k++;
        }
        if (first)
            *type = t;
        first = false;
        /* A value is complete: close containers until one has another member. */
        for (;;) {
            if (depth == depth0) {
                *kp = k;
                return true;
            }
            const char sep = b[idx[k]];
            const bool obj = stack[depth - 1] == '{';
            if (sep == ',') {
                k++;
                if (obj) {
                    if (b[idx[k]] != '"' || b[idx[k + 1]] != ':')
                        return false;
                    k += 2;
                }
                break;
            }
            if (sep != (obj ? '}' : ']'))
                return false;
            depth--;
            k++;
        }
    }
}

/* Whether a backslash of the bsl list falls in [from, to); *cur advances monotonically. The list
 * ends with a UINT32_MAX sentinel (no count to check), and the usual answer, no backslash before
 * `to`, costs one comparison: this runs for every key the profile does not ask for. */
static inline bool s2_has_backslash(const uint32_t *bsl, size_t *cur, size_t from, size_t to)
{
    if (bsl[*cur] >= to)
        return false;
    while (bsl[*cur] < from)
        (*cur)++;
    return bsl[*cur] < to;
}

/* Line context for the fast path. */
typedef struct s2_line {
    size_t start;       /* first byte of the line */
    size_t bsl_cur;
    const uint32_t *bsl; /* sentinel-terminated */
} s2_line;

/* Records a top-level value the profile asked for: type t, first byte at structural position p,
 * token end `end` (for a string: its closing quote). */
static inline void s2_record(const s2_ctx *c, s2_line *ln, scan_value *v, size_t p, size_t end,
                             uint8_t t)
{
    v->type = t;
    v->column = p - ln->start;
    v->ptr = c->buf + p;
    v->len = 0;
    v->escaped = false;
    if (t == SCAN_V_STRING) {
        v->ptr = c->buf + p + 1;
        v->len = end - p - 1;
        v->escaped = s2_has_backslash(ln->bsl, &ln->bsl_cur, p + 1, end);
    } else if (t != SCAN_V_OBJECT && t != SCAN_V_ARRAY) {
        v->len = end - p;
    }
}

/* The top-level object of a line, '{' at structural *kp: validates it and records the members the
 * profile asks for. On success *kp is the structural after the closing '}'.
 * PERF NOTE: strings and atoms, nearly every member of a log line, are handled here without a
 * call; only nested containers go through s2_value. A key is matched raw first: a raw match
 * cannot hold a backslash, so the backslash list is consulted only for keys that do not match. */
static bool SCAN_TPL(s2_object)(const scan_state *s, const s2_ctx *c, s2_line *ln, size_t *kp,
                                scan_value *vals)
{
    const char *b = c->buf;
    const uint32_t *idx = c->idx;
    size_t k = *kp + 1;
    if (b[idx[k]] == '}') {
        *kp = k + 1;
        return true;
    }
    for (;;) {
        if (b[idx[k]] != '"' || b[idx[k + 1]] != ':')
            return false;
        const size_t kq = idx[k];
        const size_t ke = s2_string_end(c, k);
        if (ke == 0)
            return false;
        int f = scan_match_key_fast(s, b + kq + 1, ke - kq - 1, false);
        if (f < 0 && s2_has_backslash(ln->bsl, &ln->bsl_cur, kq + 1, ke))
            f = scan_match_key(s, b + kq + 1, ke - kq - 1, true);
        k += 2;
        const size_t vp = idx[k];
        const char ch = b[vp];
        uint8_t t;
        size_t vend;
        if (ch == '"') {
            /* Only a recorded string needs its end: an unterminated one leaves the line end as
             * the next structural, which the separator check below refuses. */
            vend = vp;
            if (f >= 0 && (vend = s2_string_end(c, k)) == 0)
                return false;
            t = SCAN_V_STRING;
            k++;
        } else if (ch == '{' || ch == '[') {
            vend = vp;
            if (!SCAN_TPL(s2_value)(c, &k, 1, &t))
                return false;
        } else {
            if ((t = s2_atom(c, k, &vend)) == SCAN_V_ABSENT)
                return false;
            k++;
        }
        if (f >= 0)
            s2_record(c, ln, &vals[f], vp, vend, t);
        const char sep = b[idx[k]];
        k++;
        if (sep == '}')
            break;
        if (sep != ',')
            return false;
    }
    *kp = k;
    return true;
}

static inline bool s2_is_line_end(const s2_ctx *c, uint32_t pos)
{
    return pos == c->len || c->buf[pos] == '\n';
}

/* MARK: - Chunks (Private) */

/* Scanning position shared by the windows of one chunk. */
typedef struct chunk_pos {
    size_t k;            /* next structural to read (in s->idx) */
    size_t n;            /* structurals stored */
    size_t n_err, err_cur, n_bsl, bsl_cur;
    size_t line_start;
    size_t line_index;
} chunk_pos;

/* Fast path for the line whose first structural is at cp->k. @return true when the line was valid
 * and emitted, with cp->k at its line end; false leaves cp->k anywhere inside the line. */
static bool SCAN_TPL(line_fast)(scan_state *s, const s2_ctx *c, chunk_pos *cp,
                                const scan_sink *sink)
{
    s2_line ln = { cp->line_start, cp->bsl_cur, s->bsl };
    scan_value vals[SCAN_FIELD_COUNT];
    scan_clear_values(s, vals);
    const bool ok = SCAN_TPL(s2_object)(s, c, &ln, &cp->k, vals);
    cp->bsl_cur = ln.bsl_cur; /* entries before this line's strings stay behind for good */
    if (!ok)
        return false;
    const uint32_t end = c->idx[cp->k];
    if (!s2_is_line_end(c, end))
        return false;
    while (cp->err_cur < cp->n_err && s->err[cp->err_cur] < cp->line_start)
        cp->err_cur++;
    if (cp->err_cur < cp->n_err && s->err[cp->err_cur] <= end)
        return false;
    scan_emit(s, vals, cp->line_start, cp->line_index, sink);
    return true;
}

/* Whether a line starts plainly: only blanks before its first structural, and that one no
 * control byte. Otherwise the scalar parser judges the line (NUL runs, DEL). */
static inline bool SCAN_TPL(clean_start)(const char *b, size_t line_start, size_t first)
{
    for (size_t q = line_start; q < first; q++)
        if (b[q] != ' ' && b[q] != '\t' && b[q] != '\r')
            return false;
    const unsigned char c = (unsigned char)b[first];
    return c >= 0x20 && c != 0x7f;
}

/* Judges every complete line among the stored structurals (those up to and including entry
 * `through`, a line end). */
static void SCAN_TPL(judge_lines)(scan_state *s, const s2_ctx *c, chunk_pos *cp, size_t through,
                                  const scan_sink *sink)
{
    const char *b = c->buf;
    while (cp->k <= through) {
        const uint32_t first = c->idx[cp->k];
        if (first == c->len && cp->line_start == c->len)
            break; /* after a final '\n': no line */
        bool done = true;
        if (s2_is_line_end(c, first))
            sink->on_skip(sink->ctx, RSLA_SKIP_BLANK);
        else if (!SCAN_TPL(clean_start)(b, cp->line_start, first))
            done = false; /* control bytes at the start: the scalar parser names the damage */
        else if (b[first] != '{')
            sink->on_skip(sink->ctx, RSLA_SKIP_NOT_JSON);
        else
            done = SCAN_TPL(line_fast)(s, c, cp, sink);
        while (!s2_is_line_end(c, c->idx[cp->k]))
            cp->k++;
        const uint32_t end = c->idx[cp->k];
        if (!done)
            scan_scalar_line(s, b, cp->line_start, end, cp->line_index, sink);
        cp->line_index++;
        cp->line_start = (size_t)end + 1;
        cp->k++;
    }
}

/* Moves the structurals of the unfinished line (and the suspects and backslashes at or after its
 * start) to the front of their arrays. */
static void SCAN_TPL(compact)(scan_state *s, chunk_pos *cp)
{
    memmove(s->idx, s->idx + cp->k, (cp->n - cp->k) * sizeof *s->idx);
    cp->n -= cp->k;
    cp->k = 0;
    size_t e = 0, j = 0;
    while (e < cp->n_err && s->err[e] < cp->line_start)
        e++;
    memmove(s->err, s->err + e, (cp->n_err - e) * sizeof *s->err);
    cp->n_err -= e;
    cp->err_cur = 0;
    while (j < cp->n_bsl && s->bsl[j] < cp->line_start)
        j++;
    memmove(s->bsl, s->bsl + j, (cp->n_bsl - j) * sizeof *s->bsl);
    cp->n_bsl -= j;
    cp->bsl_cur = 0;
}

static void SCAN_TPL(reserve)(scan_state *s, const chunk_pos *cp, size_t blocks)
{
    const size_t more = blocks * 64 + SCAN_IDX_SLACK + 1;
    scan_reserve((void **)&s->idx, &s->idx_cap, cp->n + more, sizeof *s->idx);
    scan_reserve((void **)&s->err, &s->err_cap, cp->n_err + more, sizeof *s->err);
    scan_reserve((void **)&s->bsl, &s->bsl_cap, cp->n_bsl + more, sizeof *s->bsl);
}

/* The last stored line end at or after entry `from`, or SIZE_MAX. */
static size_t SCAN_TPL(last_line_end)(const s2_ctx *c, size_t from, size_t n)
{
    for (size_t j = n; j-- > from;)
        if (s2_is_line_end(c, c->idx[j]))
            return j;
    return SIZE_MAX;
}

/* MARK: - Entry points (Private) */

/* Chunks are about 1 MiB; one grows past this only to hold a line that long. Such a line would
 * keep its whole structural index (4 bytes per structural, up to several times the line), so it
 * goes to the scalar kernel, which gives the same verdicts in constant memory. */
#ifndef SCAN_SIMD_MAX_CHUNK
#define SCAN_SIMD_MAX_CHUNK ((size_t)64 << 20)
#endif

static size_t SCAN_TPL(chunk)(scan_state *s, const char *buf, size_t len, const scan_sink *sink)
{
    if (len > SCAN_SIMD_MAX_CHUNK) /* also keeps positions within 32 bits */
        return scan_kernel_scalar.chunk(s, buf, len, sink);
    s1_state st;
    memset(&st, 0, sizeof st);
    simd_utf8_init(&st.utf8);
    chunk_pos cp = { 0, 0, 0, 0, 0, 0, 0, 0 };
    const size_t blocks = len / 64 + 1;
    for (size_t b0 = 0; b0 < blocks; b0 += SCAN_WINDOW_BLOCKS) {
        const size_t b1 = b0 + SCAN_WINDOW_BLOCKS < blocks ? b0 + SCAN_WINDOW_BLOCKS : blocks;
        SCAN_TPL(reserve)(s, &cp, b1 - b0);
        s1_out o = { s->idx + cp.n, s->err + cp.n_err, s->bsl + cp.n_bsl };
        SCAN_TPL(s1_run)(&st, &o, buf, len, b0, b1, true);
        const size_t old_n = cp.n;
        cp.n = (size_t)(o.idx - s->idx);
        cp.n_err = (size_t)(o.err - s->err);
        cp.n_bsl = (size_t)(o.bsl - s->bsl);
        s->bsl[cp.n_bsl] = UINT32_MAX; /* the sentinel s2_has_backslash stops at */
        const s2_ctx c = { buf, len, s->idx, true };
        const size_t through = SCAN_TPL(last_line_end)(&c, old_n, cp.n);
        if (through != SIZE_MAX) {
            SCAN_TPL(judge_lines)(s, &c, &cp, through, sink);
            SCAN_TPL(compact)(s, &cp);
        }
    }
    return cp.line_index;
}

/* One document: stage 1 window by window (only the structurals are kept: a suspect anywhere
 * sends the document to the scalar validator at once, and backslashes do not matter here), then
 * stage 2 over the whole index. Memory: 4 bytes per structural. */
static int SCAN_TPL(validate)(scan_state *s, const char *buf, size_t len, size_t *offset)
{
    if (len >= UINT32_MAX - 64)
        return scan_scalar_validate(buf, len, offset);
    s1_state st;
    memset(&st, 0, sizeof st);
    simd_utf8_init(&st.utf8);
    const size_t blocks = len / 64 + 1;
    chunk_pos cp = { 0, 0, 0, 0, 0, 0, 0, 0 };
    for (size_t b0 = 0; b0 < blocks; b0 += SCAN_WINDOW_BLOCKS) {
        const size_t b1 = b0 + SCAN_WINDOW_BLOCKS < blocks ? b0 + SCAN_WINDOW_BLOCKS : blocks;
        SCAN_TPL(reserve)(s, &cp, b1 - b0);
        s1_out o = { s->idx + cp.n, s->err, s->bsl };
        SCAN_TPL(s1_run)(&st, &o, buf, len, b0, b1, false);
        if (o.err != s->err)
            return scan_scalar_validate(buf, len, offset);
        cp.n = (size_t)(o.idx - s->idx);
    }
    const s2_ctx c = { buf, len, s->idx, false };
    size_t k = 0;
    uint8_t type;
    /* A document ending inside a string has no line end to stop it: check the carried state. */
    const bool ok = st.in_string == 0 && s->idx[0] != len && SCAN_TPL(s2_value)(&c, &k, 0, &type) &&
                    s->idx[k] == len;
    return ok ? 0 : scan_scalar_validate(buf, len, offset);
}
