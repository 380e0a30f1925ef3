/* The scalar reference kernel: a byte-at-a-time validating JSON parser.
 *
 * It is the oracle. Every other kernel must give exactly its sink calls, and every SIMD kernel
 * hands it any line whose fast path saw a problem, so this file alone decides rejection reasons
 * and columns. It is written to be obviously right rather than fast.
 *
 * Error positions: one left-to-right pass, and the error is reported at the first byte where the
 * text read so far cannot be continued into valid JSON:
 *   - an unexpected byte (outside a string) -> JSON_SYNTAX at that byte;
 *   - the text ends too early (unterminated string, missing '}') -> JSON_SYNTAX at the end (the
 *     line's '\n', or len);
 *   - a control byte inside a string -> JSON_SYNTAX at it; a bad escape -> JSON_SYNTAX at the
 *     first byte after the backslash that cannot belong to an escape;
 *   - a malformed UTF-8 sequence inside a string -> INVALID_UTF8 at the sequence's first byte
 *     (bytes >= 0x80 outside strings are unexpected bytes, JSON_SYNTAX);
 *   - the 129th nested open bracket -> TOO_DEEP at it. */
#include "ingest/scan/scan_internal.h"

#include <string.h> /* memchr, memset */

/* MARK: - Parser state (Private) */

typedef struct sparser {
    const char *b;
    size_t end;          /* exclusive end of the text */
    size_t err_pos;      /* with err: where */
    int err;             /* 0, or rsla_reject_reason + 1 */
    bool last_escaped;   /* the last string parsed held a backslash */
} sparser;

static size_t fail(sparser *p, size_t pos, rsla_reject_reason r)
{
    p->err = (int)r + 1;
    p->err_pos = pos;
    return SIZE_MAX;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static size_t skip_ws(const sparser *p, size_t i)
{
    while (i < p->end && is_ws(p->b[i]))
        i++;
    return i;
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* MARK: - Strings (Private) */

/* Length of the valid UTF-8 sequence at s (avail bytes left), or 0 (RFC 3629 table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    const unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* The escape whose backslash is at i. @return the index after it, or SIZE_MAX. */
static size_t parse_escape(sparser *p, size_t i)
{
    const unsigned char *b = (const unsigned char *)p->b;
    if (i + 1 >= p->end)
        return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
    switch (b[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return i + 2;
    case 'u':
        for (size_t k = i + 2; k < i + 6; k++) {
            if (k >= p->end)
                return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
            if (!is_hex(b[k]))
                return fail(p, k, RSLA_REJECT_JSON_SYNTAX);
        }
        return i + 6;
    default:
        return fail(p, i + 1, RSLA_REJECT_JSON_SYNTAX);
    }
}

/* The string whose opening quote is at i. @return the index after its closing quote. */
static size_t parse_string(sparser *p, size_t i)
{
    const unsigned char *b = (const unsigned char *)p->b;
    p->last_escaped = false;
    i++;
    for (;;) {
        if (i >= p->end)
            return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
        const unsigned char c = b[i];
        if (c == '"')
            return i + 1;
        if (c == '\\') {
            p->last_escaped = true;
            if ((i = parse_escape(p, i)) == SIZE_MAX)
                return SIZE_MAX;
        } else if (c < 0x20) {
            return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
        } else if (c < 0x80) {
            i++;
        } else {
            const size_t n = utf8_seq(b + i, p->end - i);
            if (n == 0)
                return fail(p, i, RSLA_REJECT_INVALID_UTF8);
            i += n;
        }
    }
}

/* MARK: - Numbers and literals (Private) */

static size_t digits(const sparser *p, size_t i)
{
    while (i < p->end && is_digit((unsigned char)p->b[i]))
        i++;
    return i;
}

/* Requires at least one digit at i. */
static size_t need_digits(sparser *p, size_t i)
{
    if (i >= p->end)
        return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
    if (!is_digit((unsigned char)p->b[i]))
        return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
    return digits(p, i);
}

/* `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at i; what follows is the caller's business. */
static size_t parse_number(sparser *p, size_t i)
{
    if (p->b[i] == '-')
        i++;
    if (i < p->end && p->b[i] == '0')
        i++;
    else if ((i = need_digits(p, i)) == SIZE_MAX)
        return SIZE_MAX;
    if (i < p->end && p->b[i] == '.' && (i = need_digits(p, i + 1)) == SIZE_MAX)
        return SIZE_MAX;
    if (i < p->end && (p->b[i] == 'e' || p->b[i] == 'E')) {
        i++;
        if (i < p->end && (p->b[i] == '+' || p->b[i] == '-'))
            i++;
        if ((i = need_digits(p, i)) == SIZE_MAX)
            return SIZE_MAX;
    }
    return i;
}

static size_t parse_literal(sparser *p, size_t i, const char *lit)
{
    for (; *lit; lit++, i++) {
        if (i >= p->end)
            return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
        if (p->b[i] != *lit)
            return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
    }
    return i;
}

/* A value that is not a container, at i (non-whitespace, inside the text). */
static size_t parse_atom(sparser *p, size_t i, uint8_t *type)
{
    const char c = p->b[i];
    switch (c) {
    case '"': *type = SCAN_V_STRING; return parse_string(p, i);
    case 't': *type = SCAN_V_TRUE; return parse_literal(p, i, "true");
    case 'f': *type = SCAN_V_FALSE; return parse_literal(p, i, "false");
    case 'n': *type = SCAN_V_NULL; return parse_literal(p, i, "null");
    default: break;
    }
    if (c == '-' || is_digit((unsigned char)c)) {
        *type = SCAN_V_NUMBER;
        return parse_number(p, i);
    }
    return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
}

/* MARK: - Values (Private) */

/* The byte that ends a container member at i: ',' or the closer. @return the index after it
 * and *closed, or SIZE_MAX. */
static size_t member_end(sparser *p, size_t i, char closer, bool *closed)
{
    i = skip_ws(p, i);
    if (i >= p->end)
        return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
    *closed = p->b[i] == closer;
    if (*closed || p->b[i] == ',')
        return i + 1;
    return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
}

/* An object key and its colon, from i (whitespace allowed before). @return the index after ':'. */
static size_t parse_key(sparser *p, size_t i)
{
    i = skip_ws(p, i);
    if (i >= p->end)
        return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
    if (p->b[i] != '"')
        return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
    if ((i = parse_string(p, i)) == SIZE_MAX)
        return SIZE_MAX;
    i = skip_ws(p, i);
    if (i >= p->end)
        return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
    if (p->b[i] != ':')
        return fail(p, i, RSLA_REJECT_JSON_SYNTAX);
    return i + 1;
}

/* Opens a container at i when depth allows. @return the index after the bracket and whether the
 * container closes at once (`{}`, `[]`), or SIZE_MAX. */
static size_t open_container(sparser *p, size_t i, char *stack, int *depth, bool *empty)
{
    if (*depth == SCAN_MAX_DEPTH)
        return fail(p, i, RSLA_REJECT_TOO_DEEP);
    const char open = p->b[i];
    stack[(*depth)++] = open;
    const size_t j = skip_ws(p, i + 1);
    *empty = j < p->end && p->b[j] == (open == '{' ? '}' : ']');
    if (*empty) {
        (*depth)--;
        return j + 1;
    }
    return i + 1;
}

/* Any JSON value at i (whitespace allowed before), nested at most SCAN_MAX_DEPTH - base_depth
 * levels. The nesting is an explicit stack, so hostile input cannot exhaust the C stack.
 * @return the index after the value, or SIZE_MAX with p->err set. */
static size_t parse_value(sparser *p, size_t i, int base_depth, uint8_t *type)
{
    char stack[SCAN_MAX_DEPTH];
    int depth = base_depth;
    bool first = true;
    for (;;) {
        /* Here a value is expected. */
        i = skip_ws(p, i);
        if (i >= p->end)
            return fail(p, p->end, RSLA_REJECT_JSON_SYNTAX);
        uint8_t t = SCAN_V_NULL;
        if (p->b[i] == '{' || p->b[i] == '[') {
            bool empty;
            const bool obj = p->b[i] == '{';
            t = obj ? SCAN_V_OBJECT : SCAN_V_ARRAY;
            if ((i = open_container(p, i, stack, &depth, &empty)) == SIZE_MAX)
                return SIZE_MAX;
            if (first)
                *type = t;
            first = false;
            if (!empty) {
                if (obj && (i = parse_key(p, i)) == SIZE_MAX)
                    return SIZE_MAX;
                continue;
            }
        } else {
            if ((i = parse_atom(p, i, &t)) == SIZE_MAX)
                return SIZE_MAX;
            if (first)
                *type = t;
            first = false;
        }
        /* A value is complete: close containers until one has another member. */
        for (;;) {
            if (depth == base_depth)
                return i;
            const char closer = stack[depth - 1] == '{' ? '}' : ']';
            bool closed;
            if ((i = member_end(p, i, closer, &closed)) == SIZE_MAX)
                return SIZE_MAX;
            if (!closed)
                break;
            depth--;
        }
        if (stack[depth - 1] == '{' && (i = parse_key(p, i)) == SIZE_MAX)
            return SIZE_MAX;
    }
}

/* MARK: - Lines (Private) */

/* Records the value just parsed at [vstart, vend) into vals when its key is asked for. */
static void record_value(const sparser *p, scan_value *v, size_t vstart, size_t vend,
                         uint8_t type, size_t line_start)
{
    v->type = type;
    v->column = vstart - line_start;
    v->escaped = false;
    if (type == SCAN_V_STRING) {
        v->ptr = p->b + vstart + 1;
        v->len = vend - vstart - 2;
        v->escaped = p->last_escaped;
    } else if (type == SCAN_V_OBJECT || type == SCAN_V_ARRAY) {
        v->ptr = p->b + vstart;
        v->len = 0;
    } else {
        v->ptr = p->b + vstart;
        v->len = vend - vstart;
    }
}

/* The members of the top-level object whose '{' is at i; fills vals.
 * @return the index after the closing '}', or SIZE_MAX. */
static size_t parse_top_object(sparser *p, const scan_state *s, size_t i, size_t line_start,
                               scan_value *vals)
{
    const size_t j = skip_ws(p, i + 1);
    if (j < p->end && p->b[j] == '}')
        return j + 1;
    i++;
    for (;;) {
        const size_t key_at = skip_ws(p, i);
        if ((i = parse_key(p, i)) == SIZE_MAX)
            return SIZE_MAX;
        const bool key_escaped = p->last_escaped;
        /* The key body ends before the quote that precedes the colon's whitespace. */
        size_t key_end = i - 1;
        while (p->b[key_end - 1] != '"')
            key_end--;
        const int f = scan_match_key(s, p->b + key_at + 1, key_end - 1 - (key_at + 1),
                                     key_escaped);
        const size_t vstart = skip_ws(p, i);
        uint8_t type = SCAN_V_NULL;
        if ((i = parse_value(p, vstart, 1, &type)) == SIZE_MAX)
            return SIZE_MAX;
        if (f >= 0)
            record_value(p, &vals[f], vstart, i, type, line_start);
        bool closed;
        if ((i = member_end(p, i, '}', &closed)) == SIZE_MAX)
            return SIZE_MAX;
        if (closed)
            return i;
    }
}

/* MARK: - Lines (Public) */

void scan_scalar_line(scan_state *s, const char *buf, size_t line_start, size_t line_end,
                      size_t line_index, const scan_sink *sink)
{
    sparser p = { buf, line_end, 0, 0, false };
    size_t i = skip_ws(&p, line_start);
    if (i == line_end) {
        sink->on_skip(sink->ctx, RSLA_SKIP_BLANK);
        return;
    }
    if (buf[i] != '{') {
        /* Another stream's line starts with printable text; control bytes (the NUL run a crashed
         * file system leaves before the next record) are damage, not another format. */
        const unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 || c == 0x7f)
            sink->on_reject(sink->ctx, line_start, line_index, RSLA_REJECT_JSON_SYNTAX,
                            i - line_start, NULL);
        else
            sink->on_skip(sink->ctx, RSLA_SKIP_NOT_JSON);
        return;
    }
    scan_value vals[SCAN_FIELD_COUNT];
    scan_clear_values(s, vals);
    i = parse_top_object(&p, s, i, line_start, vals);
    if (i != SIZE_MAX) {
        i = skip_ws(&p, i);
        if (i != line_end)
            fail(&p, i, RSLA_REJECT_JSON_SYNTAX);
    }
    if (p.err) {
        sink->on_reject(sink->ctx, line_start, line_index, (rsla_reject_reason)(p.err - 1),
                        p.err_pos - line_start, NULL);
        return;
    }
    scan_emit(s, vals, line_start, line_index, sink);
}

int scan_scalar_validate(const char *buf, size_t len, size_t *offset)
{
    sparser p = { buf, len, 0, 0, false };
    uint8_t type;
    size_t i = parse_value(&p, 0, 0, &type);
    if (i != SIZE_MAX) {
        i = skip_ws(&p, i);
        if (i != len)
            fail(&p, i, RSLA_REJECT_JSON_SYNTAX);
    }
    if (p.err && offset)
        *offset = p.err_pos;
    return p.err;
}

/* MARK: - The scalar kernel (Private) */

static size_t scalar_chunk(scan_state *s, const char *buf, size_t len, const scan_sink *sink)
{
    size_t start = 0, index = 0;
    while (start < len) {
        const char *nl = memchr(buf + start, '\n', len - start);
        const size_t end = nl ? (size_t)(nl - buf) : len;
        scan_scalar_line(s, buf, start, end, index++, sink);
        start = end + 1;
    }
    return index;
}

static int scalar_validate(scan_state *s, const char *buf, size_t len, size_t *offset)
{
    (void)s;
    return scan_scalar_validate(buf, len, offset);
}

const scan_kernel scan_kernel_scalar = { "scalar", 0, scalar_chunk, scalar_validate };
