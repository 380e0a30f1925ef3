/* Strict recursive-descent JSON reader for configuration files; see cfg_json.h. */
#include "analyzer/cfg_json.h"

#include <stdarg.h> /* va_list */
#include <stdio.h>  /* vsnprintf */
#include <stdlib.h> /* free */
#include <string.h> /* memcpy, strcmp */

#include "common/rsla_base.h" /* rsla_xmalloc, rsla_xrealloc */

typedef struct reader {
    const char *s;
    size_t len, pos;
    int line;
    size_t line_start; /* offset of the first byte of the current line */
    char *err;
    size_t errlen;
    bool failed;
} reader;

static int col_of(const reader *r, size_t pos) { return (int)(pos - r->line_start) + 1; }

static void fail_at(reader *r, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail_at(reader *r, size_t pos, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    if (!r->err || r->errlen == 0)
        return;
    int n = snprintf(r->err, r->errlen, "%d:%d: ", r->line, col_of(r, pos));
    if (n < 0 || (size_t)n >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_ws(reader *r)
{
    while (r->pos < r->len) {
        const char c = r->s[r->pos];
        if (c == '\n') {
            r->line++;
            r->line_start = ++r->pos;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            r->pos++;
        } else {
            break;
        }
    }
}

static void free_value(cfg_json *v)
{
    if (!v)
        return;
    free(v->text);
    for (size_t i = 0; i < v->n; i++) {
        free_value(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
}

/* Appends bytes to a growing buffer. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sbuf_put(sbuf *b, const char *src, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = rsla_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void put_utf8(sbuf *b, unsigned cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sbuf_put(b, o, n);
}

/* Length of a valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    const unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    unsigned cp = c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        const char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Reads a string starting at the opening quote; returns a malloc'd decoded copy or NULL. */
static char *read_string(reader *r, size_t *out_len)
{
    sbuf b = { 0 };
    sbuf_put(&b, "", 0);
    r->pos++; /* opening quote */
    for (;;) {
        if (r->pos >= r->len) {
            fail_at(r, r->pos, "unterminated string");
            break;
        }
        const unsigned char c = (unsigned char)r->s[r->pos];
        if (c == '"') {
            r->pos++;
            *out_len = b.n;
            return b.p;
        }
        if (c < 0x20) {
            fail_at(r, r->pos, "control character in string (escape it)");
            break;
        }
        if (c == '\\') {
            if (r->pos + 1 >= r->len) {
                fail_at(r, r->pos, "unterminated string");
                break;
            }
            const char e = r->s[r->pos + 1];
            const char *simple = NULL;
            switch (e) {
            case '"': simple = "\""; break;
            case '\\': simple = "\\"; break;
            case '/': simple = "/"; break;
            case 'b': simple = "\b"; break;
            case 'f': simple = "\f"; break;
            case 'n': simple = "\n"; break;
            case 'r': simple = "\r"; break;
            case 't': simple = "\t"; break;
            default: break;
            }
            if (simple) {
                sbuf_put(&b, simple, 1);
                r->pos += 2;
                continue;
            }
            if (e != 'u') {
                fail_at(r, r->pos, "invalid escape \\%c", e);
                break;
            }
            int hi = r->pos + 6 <= r->len ? hex4(r->s + r->pos + 2) : -1;
            if (hi < 0) {
                fail_at(r, r->pos, "invalid \\u escape");
                break;
            }
            unsigned cp = (unsigned)hi;
            size_t used = 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail_at(r, r->pos, "lone low surrogate in \\u escape");
                break;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo = -1;
                if (r->pos + 12 <= r->len && r->s[r->pos + 6] == '\\' && r->s[r->pos + 7] == 'u')
                    lo = hex4(r->s + r->pos + 8);
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail_at(r, r->pos, "high surrogate not followed by a low surrogate");
                    break;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
                used = 12;
            }
            put_utf8(&b, cp);
            r->pos += used;
            continue;
        }
        const size_t n = utf8_len((const unsigned char *)r->s + r->pos, r->len - r->pos);
        if (n == 0) {
            fail_at(r, r->pos, "invalid UTF-8 in string");
            break;
        }
        sbuf_put(&b, r->s + r->pos, n);
        r->pos += n;
    }
    free(b.p);
    return NULL;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool read_number(reader *r, cfg_json *v)
{
    const size_t start = r->pos;
    size_t p = r->pos;
    if (p < r->len && r->s[p] == '-')
        p++;
    if (p >= r->len || !is_digit(r->s[p])) {
        fail_at(r, start, "invalid number");
        return false;
    }
    if (r->s[p] == '0') {
        p++;
        if (p < r->len && is_digit(r->s[p])) {
            fail_at(r, start, "number with a leading zero");
            return false;
        }
    } else {
        while (p < r->len && is_digit(r->s[p]))
            p++;
    }
    if (p < r->len && r->s[p] == '.') {
        p++;
        if (p >= r->len || !is_digit(r->s[p])) {
            fail_at(r, start, "invalid number: digits must follow '.'");
            return false;
        }
        while (p < r->len && is_digit(r->s[p]))
            p++;
    }
    if (p < r->len && (r->s[p] == 'e' || r->s[p] == 'E')) {
        p++;
        if (p < r->len && (r->s[p] == '+' || r->s[p] == '-'))
            p++;
        if (p >= r->len || !is_digit(r->s[p])) {
            fail_at(r, start, "invalid number: digits must follow the exponent");
            return false;
        }
        while (p < r->len && is_digit(r->s[p]))
            p++;
    }
    v->type = CFG_JSON_NUMBER;
    v->text = rsla_xstrndup(r->s + start, p - start);
    v->len = p - start;
    r->pos = p;
    return true;
}

static bool read_value(reader *r, cfg_json *v, int depth);

static bool read_word(reader *r, const char *w)
{
    const size_t n = strlen(w);
    if (r->len - r->pos >= n && memcmp(r->s + r->pos, w, n) == 0) {
        r->pos += n;
        return true;
    }
    return false;
}

static bool read_container(reader *r, cfg_json *v, int depth, bool object)
{
    const char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? CFG_JSON_OBJECT : CFG_JSON_ARRAY;
    r->pos++;
    skip_ws(r);
    if (r->pos < r->len && r->s[r->pos] == close) {
        r->pos++;
        return true;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 4;
            v->items = rsla_xrealloc(v->items, cap * sizeof *v->items);
            if (object)
                v->keys = rsla_xrealloc(v->keys, cap * sizeof *v->keys);
        }
        char *key = NULL;
        if (object) {
            skip_ws(r);
            if (r->pos >= r->len || r->s[r->pos] != '"') {
                fail_at(r, r->pos, r->pos >= r->len ? "unexpected end of input, expected a key"
                                                     : "expected a string key");
                return false;
            }
            const size_t kpos = r->pos;
            size_t klen = 0;
            key = read_string(r, &klen);
            if (!key)
                return false;
            if (strlen(key) != klen) {
                fail_at(r, kpos, "key contains a NUL character");
                free(key);
                return false;
            }
            for (size_t i = 0; i < v->n; i++) {
                if (strcmp(v->keys[i], key) == 0) {
                    fail_at(r, kpos, "duplicate key \"%s\"", key);
                    free(key);
                    return false;
                }
            }
            skip_ws(r);
            if (r->pos >= r->len || r->s[r->pos] != ':') {
                fail_at(r, r->pos, "expected ':' after key");
                free(key);
                return false;
            }
            r->pos++;
        }
        cfg_json *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        if (object)
            v->keys[v->n] = key;
        v->n++;
        if (!read_value(r, item, depth + 1))
            return false;
        skip_ws(r);
        if (r->pos >= r->len) {
            fail_at(r, r->pos, "unexpected end of input, expected ',' or '%c'", close);
            return false;
        }
        const char c = r->s[r->pos];
        if (c == close) {
            r->pos++;
            return true;
        }
        if (c != ',') {
            fail_at(r, r->pos, "expected ',' or '%c'", close);
            return false;
        }
        r->pos++;
        skip_ws(r);
        if (r->pos < r->len && r->s[r->pos] == close) {
            fail_at(r, r->pos, "trailing comma");
            return false;
        }
    }
}

static bool read_value(reader *r, cfg_json *v, int depth)
{
    skip_ws(r);
    v->line = r->line;
    v->col = col_of(r, r->pos);
    if (depth > CFG_JSON_MAX_DEPTH) {
        fail_at(r, r->pos, "nesting deeper than %d", CFG_JSON_MAX_DEPTH);
        return false;
    }
    if (r->pos >= r->len) {
        fail_at(r, r->pos, "unexpected end of input, expected a value");
        return false;
    }
    const char c = r->s[r->pos];
    switch (c) {
    case '{': return read_container(r, v, depth, true);
    case '[': return read_container(r, v, depth, false);
    case '"':
        v->type = CFG_JSON_STRING;
        v->text = read_string(r, &v->len);
        return v->text != NULL;
    case 't':
    case 'f':
    case 'n':
        if (read_word(r, "true")) {
            v->type = CFG_JSON_BOOL;
            v->boolean = true;
            return true;
        }
        if (read_word(r, "false")) {
            v->type = CFG_JSON_BOOL;
            return true;
        }
        if (read_word(r, "null")) {
            v->type = CFG_JSON_NULL;
            return true;
        }
        break;
    default:
        if (c == '-' || is_digit(c))
            return read_number(r, v);
        break;
    }
    if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7F)
        fail_at(r, r->pos, "unexpected character '%c'", c);
    else
        fail_at(r, r->pos, "unexpected byte 0x%02x", (unsigned char)c);
    return false;
}

cfg_json *cfg_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    reader r = { .s = text, .len = len, .line = 1, .err = err, .errlen = errlen };
    if (err && errlen)
        err[0] = '\0';
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.pos = r.line_start = 3;
    cfg_json *root = rsla_xcalloc(1, sizeof *root);
    if (read_value(&r, root, 1)) {
        skip_ws(&r);
        if (r.pos < r.len)
            fail_at(&r, r.pos, "unexpected data after the JSON value");
    }
    if (r.failed) {
        cfg_json_free(root);
        return NULL;
    }
    return root;
}

void cfg_json_free(cfg_json *v)
{
    if (!v)
        return;
    free_value(v);
    free(v);
}

const cfg_json *cfg_json_get(const cfg_json *obj, const char *key)
{
    if (!obj || obj->type != CFG_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

const char *cfg_json_type_name(cfg_json_type t)
{
    static const char *const names[] = { "null", "boolean", "number", "string", "array", "object" };
    return (unsigned)t < RSLA_ARRAY_LEN(names) ? names[t] : "unknown";
}
