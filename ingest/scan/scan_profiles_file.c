/* Profile files: a JSON file that maps a JSON log's top-level keys to the outcome fields, turned
 * into a scan_profile row like the built-in ones (docs/FORMATS.md section 4).
 *
 * Why not analyzer/cfg_json: ingest must not depend on analyzer. The file is validated by the
 * scanner itself (scan_validate_document, scalar kernel: RFC 8259, UTF-8, depth), so the walker
 * here reads text already known to be valid JSON and only has to judge what it says. Every
 * refusal names FILE:LINE:COL (1-based, columns in bytes) of the value concerned. */
#include "ingest/scan/scan_internal.h"

#include <errno.h>                  /* errno */
#include <stdarg.h>                 /* va_list */
#include <stdio.h>                  /* vsnprintf */
#include <stdlib.h>                 /* free */
#include <string.h>                 /* strcmp, strerror */
#include "common/rsla_accounting.h" /* rsla_reject_reason_name */
#include "common/rsla_base.h"       /* rsla_xcalloc, rsla_xmalloc */
#include "ingest/ing_value.h"       /* ing_value_json_unescape */

/* Largest profile file read, and most members in one of its objects (a profile needs 9). */
#define PF_MAX_BYTES (1u << 20)
#define PF_MAX_MEMBERS 64

/* A heap profile: the row first (scan_profile_free casts back), then what its pointers own. */
typedef struct pf_profile {
    scan_profile p;
    const char *filter[SCAN_MAX_FILTER_VALUES + 1];
    char *arena;     /* decoded strings */
} pf_profile;

/* The reader's state. */
typedef struct pf {
    const char *b;   /* the file text, SCAN_PADDING zero bytes after len */
    size_t len;
    const char *name;
    char *err;
    size_t errlen;
    bool failed;
    pf_profile *out;
    size_t arena_used;
    int n_keys;      /* slots named so far, for duplicate checks */
    const char *slot_keys[SCAN_FIELD_COUNT + 1];
} pf;

/* MARK: - Errors (Private) */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void fail_at(pf *r, size_t at, const char *fmt, ...);

static void fail_at(pf *r, size_t at, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < r->len; i++, col++)
        if (r->b[i] == '\n') {
            line++;
            col = 0;
        }
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (r->errlen)
        snprintf(r->err, r->errlen, "%s:%zu:%zu: %s", r->name, line, col, why);
}

/* MARK: - Walking valid JSON (Private) */

static size_t ws(const pf *r, size_t i)
{
    while (i < r->len && (r->b[i] == ' ' || r->b[i] == '\t' || r->b[i] == '\n' || r->b[i] == '\r'))
        i++;
    return i;
}

/* The end of the string whose opening quote is at i (index after the closing quote). */
static size_t string_end(const pf *r, size_t i)
{
    for (i++; r->b[i] != '"'; i++)
        if (r->b[i] == '\\')
            i++;
    return i + 1;
}

/* The index after the value starting at i. */
static size_t value_end(const pf *r, size_t i)
{
    if (r->b[i] == '"')
        return string_end(r, i);
    if (r->b[i] != '{' && r->b[i] != '[') {
        while (i < r->len && !strchr(",]} \t\r\n", r->b[i]))
            i++;
        return i;
    }
    int depth = 0;
    for (;; i++) {
        const char c = r->b[i];
        if (c == '"')
            i = string_end(r, i) - 1;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
    }
}

/* The decoded string at i (a '"'), NUL-terminated, in the profile's arena. */
static const char *string_at(pf *r, size_t i, size_t *n)
{
    const size_t e = string_end(r, i);
    char *out = r->out->arena + r->arena_used;
    *n = ing_value_json_unescape(r->b + i + 1, e - i - 2, out);
    out[*n] = 0;
    r->arena_used += *n + 1;
    return out;
}

/* Member iteration: *i at '{' or after a member; gives the next key's position and its value's.
 * @return false at the closing brace. */
static bool next_member(const pf *r, size_t *i, size_t *key, size_t *val)
{
    size_t j = ws(r, *i);
    if (r->b[j] == '{' || r->b[j] == ',')
        j = ws(r, j + 1);
    if (r->b[j] == '}')
        return false;
    *key = j;
    j = ws(r, string_end(r, j));
    *val = ws(r, j + 1);
    *i = value_end(r, *val);
    return true;
}

static bool key_is(const pf *r, size_t key, const char *name)
{
    const size_t n = strlen(name);
    return string_end(r, key) - key - 2 == n && memcmp(r->b + key + 1, name, n) == 0;
}

static const char *type_name(char c)
{
    return c == '"' ? "a string" : c == '{' ? "an object" : c == '[' ? "an array"
         : c == 't' || c == 'f' ? "a boolean" : c == 'n' ? "null" : "a number";
}

static bool expect(pf *r, size_t at, char open, const char *what)
{
    if (r->b[at] == open)
        return true;
    fail_at(r, at, "%s must be %s, not %s", what, type_name(open), type_name(r->b[at]));
    return false;
}

/* Refuses a key met twice in one object (JSON leaves them undefined), and objects too large to
 * be a profile's. */
static bool no_duplicates(pf *r, size_t obj)
{
    size_t i = obj, k, v, n = 0;
    while (next_member(r, &i, &k, &v))
        if (++n > PF_MAX_MEMBERS) {
            fail_at(r, k, "more than %d members in one object", PF_MAX_MEMBERS);
            return false;
        }
    i = obj;
    while (next_member(r, &i, &k, &v)) {
        size_t j = obj, k2, v2;
        while (next_member(r, &j, &k2, &v2) && k2 < k)
            if (string_end(r, k) - k == string_end(r, k2) - k2 &&
                memcmp(r->b + k, r->b + k2, string_end(r, k) - k) == 0) {
                fail_at(r, k, "duplicate key %.*s", (int)(string_end(r, k) - k), r->b + k);
                return false;
            }
    }
    return true;
}

/* MARK: - Fields (Private) */

static const char *const field_names[SCAN_FIELD_OUTCOME_COUNT] = {
    [SCAN_FIELD_TIME] = "time",        [SCAN_FIELD_HOST] = "host",
    [SCAN_FIELD_METHOD] = "method",    [SCAN_FIELD_URI] = "uri",
    [SCAN_FIELD_STATUS] = "status",    [SCAN_FIELD_DURATION] = "duration",
    [SCAN_FIELD_REQUEST_ID] = "request_id", [SCAN_FIELD_REQUEST_LINE] = "request_line",
};

static const char *const time_syntaxes[] = {
    [SCAN_TIME_RFC3339] = "rfc3339", [SCAN_TIME_CLF] = "clf",
    [SCAN_TIME_EPOCH_S] = "epoch_s", [SCAN_TIME_EPOCH_MS] = "epoch_ms",
};

static const char *const duration_units[] = {
    [SCAN_DURATION_GO] = "go", [SCAN_DURATION_MS] = "ms", [SCAN_DURATION_S] = "s",
};

/* The index of the string at `at` among names[first, n), or -1 after failing. */
static int name_of(pf *r, size_t at, const char *const *names, int first, int n, const char *what)
{
    if (!expect(r, at, '"', what))
        return -1;
    for (int i = first; i < n; i++)
        if (key_is(r, at, names[i]))
            return i;
    fail_at(r, at, "unknown %s %.*s", what, (int)(string_end(r, at) - at), r->b + at);
    return -1;
}

/* A log key at `at`: checked and given the next slot of field f (primary, else alternative). */
static bool add_key(pf *r, size_t at, scan_field f, int syntax)
{
    scan_profile *p = &r->out->p;
    if (!expect(r, at, '"', "a key"))
        return false;
    size_t n;
    const char *k = string_at(r, at, &n);
    if (n == 0 || n >= 64 || strlen(k) != n) {
        fail_at(r, at, "a key must be 1 to 63 bytes without NUL");
        return false;
    }
    for (int i = 0; i < r->n_keys; i++)
        if (strcmp(r->slot_keys[i], k) == 0) {
            fail_at(r, at, "key \"%s\" is named twice", k);
            return false;
        }
    int slot = (int)f;
    if (p->keys[f]) {
        if (p->n_alt >= SCAN_ALT_SLOTS) {
            fail_at(r, at, "more than %d alternative keys in all", SCAN_ALT_SLOTS);
            return false;
        }
        slot = SCAN_FIELD_ALT0 + p->n_alt;
        p->alt_field[p->n_alt] = (uint8_t)f;
        p->alt_syntax[p->n_alt++] = (uint8_t)syntax;
    } else if (f == SCAN_FIELD_TIME) {
        p->time = (scan_time_syntax)syntax;
    } else if (f == SCAN_FIELD_DURATION) {
        p->duration = (scan_duration_syntax)syntax;
    }
    p->keys[slot] = k;
    r->slot_keys[r->n_keys++] = k;
    return true;
}

/* The syntax member of a time or duration entry. @return its value, or -1 after failing. */
static int entry_syntax(pf *r, size_t obj, scan_field f)
{
    const bool time = f == SCAN_FIELD_TIME;
    const char *member = time ? "syntax" : "unit";
    size_t i = obj, k, v;
    while (next_member(r, &i, &k, &v))
        if (key_is(r, k, member))
            return time ? name_of(r, v, time_syntaxes, 0, 4, "time syntax")
                        : name_of(r, v, duration_units, 1, 4, "duration unit");
    if (time)
        return SCAN_TIME_RFC3339;
    fail_at(r, obj, "duration needs \"unit\": \"go\", \"ms\" or \"s\"");
    return -1;
}

/* The members an entry of field f may have, besides "key". */
static bool member_allowed(const pf *r, size_t k, scan_field f)
{
    return key_is(r, k, "key") || (f == SCAN_FIELD_TIME && key_is(r, k, "syntax")) ||
           (f == SCAN_FIELD_DURATION && key_is(r, k, "unit")) ||
           (f == SCAN_FIELD_HOST && key_is(r, k, "default"));
}

/* A host entry's "default" at v. */
static bool host_default(pf *r, size_t v)
{
    size_t n;
    if (!expect(r, v, '"', "host default"))
        return false;
    if (r->out->p.default_host) {
        fail_at(r, v, "a second host default");
        return false;
    }
    r->out->p.default_host = string_at(r, v, &n);
    if (n == 0 || strlen(r->out->p.default_host) != n) {
        fail_at(r, v, "host default must be a non-empty string without NUL");
        return false;
    }
    return true;
}

/* An entry's "key" at v: one key or a list of keys, each given the next slot of field f. */
static bool key_member(pf *r, size_t v, scan_field f, int syntax)
{
    if (r->b[v] != '[')
        return add_key(r, v, f, syntax);
    size_t j = ws(r, v + 1);
    if (r->b[j] == ']') {
        fail_at(r, v, "an empty list of keys");
        return false;
    }
    for (; r->b[j] != ']'; j = ws(r, r->b[j] == ',' ? j + 1 : j)) {
        if (!add_key(r, j, f, syntax))
            return false;
        j = ws(r, value_end(r, j));
    }
    return true;
}

/* One entry object of field f: {"key": "k" | ["k1", ...], ...}. */
static bool entry(pf *r, size_t obj, scan_field f)
{
    if (!expect(r, obj, '{', field_names[f]) || !no_duplicates(r, obj))
        return false;
    const int syntax = f == SCAN_FIELD_TIME || f == SCAN_FIELD_DURATION ? entry_syntax(r, obj, f) : 0;
    if (syntax < 0)
        return false;
    size_t i = obj, k, v;
    bool has_key = false, ok = true;
    while (ok && next_member(r, &i, &k, &v)) {
        if (!member_allowed(r, k, f)) {
            fail_at(r, k, "unknown member %.*s in %s", (int)(string_end(r, k) - k), r->b + k,
                    field_names[f]);
            return false;
        }
        if (key_is(r, k, "default"))
            ok = host_default(r, v);
        else if (key_is(r, k, "key"))
            ok = has_key = key_member(r, v, f, syntax);
    }
    if (ok && !has_key && !(f == SCAN_FIELD_HOST && r->out->p.default_host)) {
        fail_at(r, obj, "%s needs a \"key\"%s", field_names[f],
                f == SCAN_FIELD_HOST ? " or a \"default\"" : "");
        return false;
    }
    return ok;
}

/* A field's value: one entry, or a list of entries (alternatives with their own syntax). */
static bool field(pf *r, size_t at, scan_field f)
{
    if (r->b[at] != '[')
        return entry(r, at, f);
    size_t j = ws(r, at + 1);
    if (r->b[j] == ']') {
        fail_at(r, at, "an empty list for %s", field_names[f]);
        return false;
    }
    for (; r->b[j] != ']'; j = ws(r, r->b[j] == ',' ? j + 1 : j)) {
        if (!entry(r, j, f))
            return false;
        j = ws(r, value_end(r, j));
    }
    return true;
}

/* MARK: - Sections (Private) */

static bool fields_section(pf *r, size_t obj)
{
    if (!expect(r, obj, '{', "\"fields\"") || !no_duplicates(r, obj))
        return false;
    size_t i = obj, k, v;
    while (next_member(r, &i, &k, &v)) {
        const int f = name_of(r, k, field_names, SCAN_FIELD_TIME, SCAN_FIELD_OUTCOME_COUNT, "field");
        if (f < 0 || !field(r, v, (scan_field)f))
            return false;
    }
    scan_profile *p = &r->out->p;
    const char *missing = !p->keys[SCAN_FIELD_TIME] ? "time"
                        : !p->keys[SCAN_FIELD_STATUS] ? "status"
                        : p->keys[SCAN_FIELD_REQUEST_LINE] ? NULL
                        : !p->keys[SCAN_FIELD_METHOD] ? "method (or request_line)"
                        : !p->keys[SCAN_FIELD_URI] ? "uri (or request_line)" : NULL;
    if (missing) {
        fail_at(r, obj, "\"fields\" needs %s", missing);
        return false;
    }
    /* method and uri are required unless the line has the request line (scan_emit) */
    p->required = SCAN_FIELD_BIT(SCAN_FIELD_TIME) | SCAN_FIELD_BIT(SCAN_FIELD_STATUS) |
                  SCAN_FIELD_BIT(SCAN_FIELD_METHOD) | SCAN_FIELD_BIT(SCAN_FIELD_URI);
    if (!p->keys[SCAN_FIELD_HOST] && !p->default_host)
        p->default_host = "-"; /* no host in this format: the input's --host, else "-" */
    if (p->keys[SCAN_FIELD_HOST] && !p->default_host)
        p->required |= SCAN_FIELD_BIT(SCAN_FIELD_HOST);
    return true;
}

static bool filter_section(pf *r, size_t obj)
{
    if (!expect(r, obj, '{', "\"filter\"") || !no_duplicates(r, obj))
        return false;
    size_t i = obj, k, v, values = 0;
    bool has_key = false;
    while (next_member(r, &i, &k, &v)) {
        if (key_is(r, k, "key")) {
            has_key = add_key(r, v, SCAN_FIELD_FILTER, 0);
            if (!has_key)
                return false;
        } else if (key_is(r, k, "values")) {
            values = v;
        } else {
            fail_at(r, k, "unknown member %.*s in filter", (int)(string_end(r, k) - k), r->b + k);
            return false;
        }
    }
    if (!has_key || !values) {
        fail_at(r, obj, "\"filter\" needs \"key\" and \"values\"");
        return false;
    }
    if (!expect(r, values, '[', "\"values\""))
        return false;
    size_t n = 0, j = ws(r, values + 1);
    for (; r->b[j] != ']'; j = ws(r, r->b[j] == ',' ? j + 1 : j), n++) {
        size_t len;
        if (n == SCAN_MAX_FILTER_VALUES) {
            fail_at(r, j, "more than %d filter values", SCAN_MAX_FILTER_VALUES);
            return false;
        }
        if (!expect(r, j, '"', "a filter value"))
            return false;
        r->out->filter[n] = string_at(r, j, &len);
        j = ws(r, value_end(r, j));
    }
    if (n == 0) {
        fail_at(r, values, "\"values\" is empty: no line would be an outcome");
        return false;
    }
    r->out->p.filter_values = r->out->filter;
    return true;
}

static bool name_member(pf *r, size_t v)
{
    size_t n;
    if (!expect(r, v, '"', "\"name\""))
        return false;
    r->out->p.name = string_at(r, v, &n);
    if (n == 0 || n > 63 || strlen(r->out->p.name) != n) {
        fail_at(r, v, "\"name\" must be 1 to 63 bytes without NUL");
        return false;
    }
    return true;
}

static bool top_level(pf *r, size_t obj)
{
    if (!expect(r, obj, '{', "a profile file") || !no_duplicates(r, obj))
        return false;
    size_t i = obj, k, v, fields = 0;
    bool ok = true, named = false;
    while (ok && next_member(r, &i, &k, &v)) {
        if (key_is(r, k, "name")) {
            ok = named = name_member(r, v);
        } else if (key_is(r, k, "filter")) {
            ok = filter_section(r, v);
        } else if (key_is(r, k, "fields")) {
            fields = v;
        } else {
            fail_at(r, k, "unknown member %.*s (name, filter, fields)",
                    (int)(string_end(r, k) - k), r->b + k);
            ok = false;
        }
    }
    if (ok && (!named || !fields)) {
        fail_at(r, obj, "a profile file needs \"name\" and \"fields\"");
        return false;
    }
    return ok && fields_section(r, fields);
}

/* MARK: - Loading (Public) */

scan_profile *scan_profile_parse(const char *buf, size_t len, const char *name, char *err,
                                 size_t errlen)
{
    char *text = rsla_xcalloc(1, len + SCAN_PADDING + 1);
    memcpy(text, buf, len);
    pf r = { .b = text, .len = len, .name = name, .err = err, .errlen = errlen };
    if (errlen)
        err[0] = 0;
    size_t off = 0;
    const int bad = scan_validate_document(scan_kernel_by_name("scalar", NULL, 0), text, len, &off);
    if (bad) {
        fail_at(&r, off, "not valid JSON (%s)", rsla_reject_reason_name((rsla_reject_reason)(bad - 1)));
        free(text);
        return NULL;
    }
    r.out = rsla_xcalloc(1, sizeof *r.out);
    r.out->arena = rsla_xmalloc(2 * len + 16); /* decoded strings and their NULs */
    r.out->p.status = SCAN_STATUS_INT | SCAN_STATUS_STRING;
    r.out->p.strip_query = true;
    const bool ok = top_level(&r, ws(&r, 0));
    free(text);
    if (!ok) {
        scan_profile_free(&r.out->p);
        return NULL;
    }
    return &r.out->p;
}

scan_profile *scan_profile_load(const char *path, char *err, size_t errlen)
{
    size_t n;
    rsla_read_status st;
    char *buf = rsla_read_file(path, PF_MAX_BYTES, &n, &st);
    if (!buf) {
        if (errlen && st == RSLA_READ_OPEN)
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        else if (errlen && st == RSLA_READ_IO)
            snprintf(err, errlen, "%s: cannot read", path);
        else if (errlen)
            snprintf(err, errlen, "%s: larger than %u bytes: not a profile file", path,
                     PF_MAX_BYTES);
        return NULL;
    }
    scan_profile *p = scan_profile_parse(buf, n, path, err, errlen);
    free(buf);
    return p;
}

void scan_profile_free(scan_profile *p)
{
    if (!p)
        return;
    pf_profile *pp = (pf_profile *)p;
    free(pp->arena);
    free(pp);
}
