#ifndef SCAN_INTERNAL_H
#define SCAN_INTERNAL_H
/* What the scanner's files share and nothing outside ingest/scan/ may use: the kernel table entry,
 * the profile row, the per-thread state, the values found on one line, and the two pieces every
 * kernel reuses:
 *   - the scalar reference parser (scan_scalar.c), which is the scalar kernel and also the judge
 *     that SIMD kernels hand a line to whenever their fast path sees anything wrong with it, so
 *     rejection reasons and columns come from one place;
 *   - the profile step (scan_profile.c), which turns the top-level values of a valid line into
 *     exactly one sink call. */
#include <stdbool.h>              /* bool */
#include <stddef.h>               /* size_t */
#include <stdint.h>               /* uint32_t, uint8_t */
#include <string.h>               /* memcpy, memset */
#include "common/rsla_time.h"     /* rsla_time_cache */
#include "ingest/scan/scan.h"     /* scan_sink, scan_kernel, scan_profile, scan_state */

/* Most values of the FILTER field a profile may list. */
#define SCAN_MAX_FILTER_VALUES 8

/* Deepest nesting accepted: a 129th open container is RSLA_REJECT_TOO_DEEP. */
#define SCAN_MAX_DEPTH 128

/* MARK: - Profiles */

/* Outcome fields a profile can name. FILTER is the key whose value says whether a line is an
 * outcome (Distribution's `msg`). */
typedef enum scan_field {
    SCAN_FIELD_FILTER = 0,
    SCAN_FIELD_TIME,
    SCAN_FIELD_HOST,
    SCAN_FIELD_METHOD,
    SCAN_FIELD_URI,
    SCAN_FIELD_STATUS,
    SCAN_FIELD_DURATION,
    SCAN_FIELD_REQUEST_ID,
    SCAN_FIELD_REQUEST_LINE,            /* `GET /v2/ HTTP/1.1`: gives method and target (nginx) */
    SCAN_FIELD_OUTCOME_COUNT,           /* the fields proper; the slots after them hold ... */
    SCAN_FIELD_ALT0 = SCAN_FIELD_OUTCOME_COUNT, /* ... alternative keys (struct scan_profile) */
    SCAN_FIELD_COUNT = 16               /* key slots: what kernels record per line */
} scan_field;

/* Alternative-key slots a profile may use (nginx-json uses 6). */
#define SCAN_ALT_SLOTS (SCAN_FIELD_COUNT - SCAN_FIELD_ALT0)

#define SCAN_FIELD_BIT(f) (1u << (f))

/* Time syntaxes a profile may name (issue 6 adds nginx $time_local and $msec). */
typedef enum scan_time_syntax {
    SCAN_TIME_RFC3339 = 0, /* string, rsla_time_parse_rfc3339 */
    SCAN_TIME_CLF,         /* string `13/May/2020:15:25:30 +0000`, rsla_time_parse_clf */
    SCAN_TIME_EPOCH_S,     /* number or string `1503988479.444`, rsla_time_parse_epoch_seconds */
    SCAN_TIME_EPOCH_MS,    /* number or string of epoch milliseconds, ing_value_decimal_ns */
} scan_time_syntax;

/* Status syntaxes accepted, as bits. */
#define SCAN_STATUS_INT 1u    /* JSON integer */
#define SCAN_STATUS_STRING 2u /* string of 1-3 digits */

/* Duration syntaxes (issue 6 adds integer milliseconds and float seconds). */
typedef enum scan_duration_syntax {
    SCAN_DURATION_NONE = 0, /* the profile has no duration field */
    SCAN_DURATION_GO,       /* Go time.Duration string, ing_value_go_duration */
    SCAN_DURATION_MS,       /* number or string of milliseconds (GitLab duration_ms) */
    SCAN_DURATION_S,        /* number or string of decimal seconds (nginx $request_time); the
                               string `-` is no duration */
} scan_duration_syntax;

/* One input profile: a row of data, no code. */
struct scan_profile {
    const char *name;
    const char *keys[SCAN_FIELD_COUNT]; /* top-level key per field; NULL: not in this format */
    uint32_t required;                  /* SCAN_FIELD_BIT of fields an outcome line must have */
    const char *const *filter_values;   /* NULL-terminated values of FILTER that make an outcome
                                           (at most SCAN_MAX_FILTER_VALUES);
                                           NULL: every valid object line is an outcome */
    scan_time_syntax time;
    unsigned status;                    /* SCAN_STATUS_* bits */
    scan_duration_syntax duration;
    bool strip_query;                   /* cut the URI at its first '?' */
    /* Alternative keys, for formats whose users name fields differently (nginx): slot
     * SCAN_FIELD_ALT0 + i of keys[] stands for field alt_field[i] (i < n_alt), tried after the
     * field's own key and the earlier alternatives: the first present wins. alt_syntax[i] is its
     * scan_time_syntax (TIME) or scan_duration_syntax (DURATION). A profile with n_alt == 0
     * (distribution) never looks at them. */
    uint8_t n_alt;
    uint8_t alt_field[SCAN_ALT_SLOTS];
    uint8_t alt_syntax[SCAN_ALT_SLOTS];
    /* Host of a line that has none: the input's default (scan_state_set_default_host, from
     * --host), else this. NULL: the host is as `required` says. */
    const char *default_host;
};

/* MARK: - Values of one line */

/* JSON type of a top-level value. */
typedef enum scan_vtype {
    SCAN_V_ABSENT = 0,
    SCAN_V_STRING,
    SCAN_V_NUMBER,
    SCAN_V_TRUE,
    SCAN_V_FALSE,
    SCAN_V_NULL,
    SCAN_V_OBJECT,
    SCAN_V_ARRAY,
} scan_vtype;

/* A top-level value the profile asked for, as found in the line (raw, still escaped). For a
 * string, ptr/len is the body between the quotes; for a number or literal, the token; for a
 * container, len is 0. */
typedef struct scan_value {
    const char *ptr;
    size_t len;
    size_t column;  /* offset of the value's first byte in its line */
    uint8_t type;   /* scan_vtype */
    bool escaped;   /* a string body holding at least one backslash */
} scan_value;

/* MARK: - Kernels and state */

/* Scans a whole chunk (the contract of scan_chunk). */
typedef size_t (*scan_chunk_fn)(scan_state *s, const char *buf, size_t len, const scan_sink *sink);
/* Validates one document (the contract of scan_validate_document). */
typedef int (*scan_validate_fn)(scan_state *s, const char *buf, size_t len, size_t *offset);

struct scan_kernel {
    const char *name;
    uint32_t required;        /* SCAN_CPU_* bits the CPU must have */
    scan_chunk_fn chunk;
    scan_validate_fn validate;
};

/* CPU features, as bits (scan_dispatch.c detects them). */
#define SCAN_CPU_SSE42 (1u << 0)     /* SSE4.2 + SSSE3 + PCLMULQDQ + POPCNT */
#define SCAN_CPU_AVX2 (1u << 1)      /* AVX2 + BMI1/2, OS saves YMM */
#define SCAN_CPU_AVX512 (1u << 2)    /* AVX-512 F/BW/VL/VBMI2, OS saves ZMM and opmasks */
#define SCAN_CPU_NEON (1u << 3)      /* AArch64 Advanced SIMD */

struct scan_state {
    const scan_kernel *kernel;
    const scan_profile *profile;
    /* Key lookup derived from the profile: first field whose key has a given length (-1: none),
     * and the next field with the same length. */
    int8_t key_by_len[64];
    int8_t key_next[SCAN_FIELD_COUNT];
    uint8_t key_len[SCAN_FIELD_COUNT];
    /* Each key as three 8-byte words, at offsets 0, min(8, len - 8) and len - 8, which cover a
     * key of 8 to 24 bytes whole; a shorter key is word 0, zero-filled, and key_mask has 0xFF in
     * its bytes. Keys are compared from here with three loads, without the pointer chase to the
     * profile's strings (scan_key_matches). */
    uint64_t key_word[SCAN_FIELD_COUNT][3];
    uint64_t key_mask[SCAN_FIELD_COUNT];
    /* Lengths of the profile's filter values (strlen once, not per line). */
    size_t filter_len[SCAN_MAX_FILTER_VALUES];
    /* The input's host for lines without one (scan_state_set_default_host); borrowed. */
    const char *default_host;
    /* The minute of the last RFC 3339 time read (rsla_time_parse_rfc3339_cached). */
    rsla_time_cache time_cache;
    /* Unescaped field values of the current line. */
    char *scratch;
    size_t scratch_cap;
    /* SIMD kernels: structural indexes, suspect positions and backslash positions of a window. */
    uint32_t *idx;
    size_t idx_cap;
    uint32_t *err;
    size_t err_cap;
    uint32_t *bsl;
    size_t bsl_cap;
};

/* MARK: - Shared steps */

/* The field named by a top-level key, or -1. An escaped key is unescaped before comparison. */
int scan_match_key(const scan_state *s, const char *key, size_t len, bool escaped);

static inline uint64_t scan_load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* a[0, n) == b[0, n) for short keys: 8 bytes at a time, the tail by an overlapping load. */
static inline bool scan_key_eq(const char *a, const char *b, size_t n)
{
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }
    for (size_t i = 0; i + 8 <= n; i += 8)
        if (scan_load8(a + i) != scan_load8(b + i))
            return false;
    return scan_load8(a + n - 8) == scan_load8(b + n - 8);
}

/* Whether key[0, len) is field f's key, len being that key's length. Reads 8 bytes from key even
 * when len < 8: only for keys inside a chunk, which the zero padding follows. Keys longer than 24
 * bytes (profile files may have them) also compare their middle with the profile's string. */
static inline bool scan_key_matches(const scan_state *s, int f, const char *key, size_t len)
{
    const uint64_t *w = s->key_word[f];
    if (len < 8)
        return (scan_load8(key) & s->key_mask[f]) == w[0];
    /* one word at a time: a combined test of all three costs registers in the stage-2 loop
     * (spills, +1.6 % instructions on the month) */
    if (scan_load8(key) != w[0] || scan_load8(key + len - 8) != w[2])
        return false;
    if (len > 16 && scan_load8(key + 8) != w[1])
        return false;
    return len <= 24 || scan_key_eq(s->profile->keys[f], key, len);
}

/* scan_match_key for the hot path, inlined into the kernels (keys inside a chunk only, see
 * scan_key_matches): most keys of a line are not asked for and are turned away by their length
 * alone. */
static inline int scan_match_key_fast(const scan_state *s, const char *key, size_t len,
                                      bool escaped)
{
    if (escaped)
        return scan_match_key(s, key, len, true);
    if (len >= sizeof s->key_by_len)
        return -1;
    for (int f = s->key_by_len[len]; f >= 0; f = s->key_next[f])
        if (scan_key_matches(s, f, key, len))
            return f;
    return -1;
}

/* Clears a line's values before it is scanned (kernels: in place of memset over all slots). The
 * eight slots every profile has are cleared by one constant-size store sequence, as before
 * request-line and alternative slots existed; those are cleared only for profiles that use
 * them. The profile step reads no slot past the ones a profile uses (scan_profile.c). A memset
 * of all SCAN_FIELD_COUNT slots costs Distribution about 6 % on avx512 (bench_scan: the 512-byte
 * clear becomes `rep stos`). */
static inline void scan_clear_values(const scan_state *s, scan_value *vals)
{
    memset(vals, 0, SCAN_FIELD_REQUEST_LINE * sizeof *vals);
    if (s->profile->n_alt || s->profile->keys[SCAN_FIELD_REQUEST_LINE])
        memset(vals + SCAN_FIELD_REQUEST_LINE, 0,
               (SCAN_FIELD_COUNT - SCAN_FIELD_REQUEST_LINE) * sizeof *vals);
}

/* The profile step: makes the one sink call for a valid object line whose asked-for values are
 * vals[SCAN_FIELD_COUNT] (type SCAN_V_ABSENT where the key did not occur). */
void scan_emit(scan_state *s, const scan_value *vals, size_t line_start, size_t line_index,
               const scan_sink *sink);

/* The reference parser on one line buf[line_start, line_end) (line_end: the '\n' or the chunk
 * end): makes the line's one sink call. */
void scan_scalar_line(scan_state *s, const char *buf, size_t line_start, size_t line_end,
                      size_t line_index, const scan_sink *sink);

/* The reference validator for one whole document (contract of scan_validate_document). */
int scan_scalar_validate(const char *buf, size_t len, size_t *offset);

/* Grows *buf (elements of size elem) to hold at least need elements. */
void scan_reserve(void **buf, size_t *cap, size_t need, size_t elem);

/* The built kernels (scan_dispatch.c lists them by priority). */
extern const scan_kernel scan_kernel_scalar;
extern const scan_kernel scan_kernel_sse42;
extern const scan_kernel scan_kernel_avx2;
extern const scan_kernel scan_kernel_avx512;
extern const scan_kernel scan_kernel_neon;

#endif
